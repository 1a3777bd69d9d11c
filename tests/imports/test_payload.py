"""What the database functions receive: exact decimals as strings, dates as ISO text, and their
findings shown under the column header the file uses."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from client.imports.database import column_header, problems_from_database, rows_json

from .helpers import EVERY_KIND


def test_rows_go_to_the_database_without_floats():
    payload = rows_json([{"row": 7, "code": "A", "price": Decimal("12.30"), "valid_from": date(2026, 11, 1),
                          "active": True, "name": None}])
    assert json.loads(payload) == [{"row": 7, "code": "A", "price": "12.30", "valid_from": "2026-11-01",
                                    "active": True, "name": None}]
    with pytest.raises(TypeError):
        rows_json([{"row": 1, "price": object()}])


def test_database_findings_land_under_the_files_own_header():
    assert column_header(EVERY_KIND, "code", {"code": "编码*"}) == "编码*"
    assert column_header(EVERY_KIND, "code") == "产品编码"
    assert column_header(EVERY_KIND, "编码") == "产品编码"          # a label instead of a key
    assert column_header(EVERY_KIND, "price_list_id") == "price_list_id"
    assert column_header(EVERY_KIND, None) == ""


def test_database_findings_are_ordered_by_row_then_by_the_imports_columns():
    found = [(3, "valid_from", "c"), (2, "price", "b"), (2, "code", "a"), (3, "active", "d")]
    problems = problems_from_database(EVERY_KIND, found, {"code": "编码"})
    assert [(p.row, p.column, p.reason) for p in problems] == [
        (2, "编码", "a"), (2, "价格", "b"), (3, "生效日期", "c"), (3, "启用", "d")]
