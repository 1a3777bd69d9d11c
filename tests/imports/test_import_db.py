"""The whole import against the real database, as real employee logins: all rows or none."""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import Workbook

from client.db.errors import UserFacingError, translate
from client.imports.catalogue import PRICE_LIST_IMPORT, PRODUCT_IMPORT
from client.imports.database import import_file

from .catalogue_data import make_price_list, prices_in_db, product_rows, products_in_db, write_products


def run_import(db, login, path, spec=PRODUCT_IMPORT, **kwargs):
    """One import in one transaction, as the client runs it; committed only when it returns."""
    conn = db.connect_as(login, autocommit=False)
    try:
        outcome = import_file(conn, path, spec, **kwargs)
        conn.commit()
        return outcome
    except Exception:
        conn.rollback()
        raise


def test_a_good_file_is_imported_and_reads_back_as_the_admin(catalogue, tmp_path):
    path = write_products(tmp_path / "good.xlsx", product_rows("IMPOK", 25))
    outcome = run_import(catalogue, "admin", path)
    assert outcome.clean and outcome.imported == 25

    conn = catalogue.connect_as("admin")
    with conn.cursor() as cur:
        cur.execute("SELECT p.code, p.name, l.name, p.unit, c.cost FROM yiwei.product p"
                    "  JOIN yiwei.product_line l ON l.id = p.line_id"
                    "  LEFT JOIN yiwei.product_cost c ON c.product_id = p.id"
                    " WHERE p.code LIKE 'IMPOK-%%' ORDER BY p.code")
        rows = cur.fetchall()
    assert len(rows) == 25
    assert rows[0] == ("IMPOK-0001", "导入产品1", "导入测试橱柜", "米", Decimal("1281.50"))
    assert rows[-1][4] == Decimal("1305.50")


def test_one_bad_row_imports_nothing_and_names_its_row_and_column(catalogue, tmp_path, sql):
    rows = product_rows("IMPBAD", 40)
    rows[16][9] = "12.345"                       # sheet row 18: a cost with three decimals
    outcome = run_import(catalogue, "admin", write_products(tmp_path / "bad.xlsx", rows))
    assert outcome.imported == 0
    assert [(p.row, p.column) for p in outcome.problems] == [(18, "成本价")]
    assert products_in_db(sql, "IMPBAD") == []


def test_what_only_the_database_knows_is_found_before_anything_is_written(catalogue, tmp_path, sql):
    first = run_import(catalogue, "admin", write_products(tmp_path / "a.xlsx", product_rows("IMPDB", 3)))
    assert first.imported == 3
    rows = product_rows("IMPDBNEW", 6)
    rows[1][2] = "不存在的系列"                   # sheet row 3
    outcome = run_import(catalogue, "admin", write_products(tmp_path / "b.xlsx", rows))
    assert outcome.imported == 0
    assert [(p.row, p.column) for p in outcome.problems] == [(3, "产品系列")]
    assert all(p.reason for p in outcome.problems)
    assert products_in_db(sql, "IMPDBNEW") == []


def test_importing_the_same_codes_again_updates_them(catalogue, tmp_path, sql):
    run_import(catalogue, "admin", write_products(tmp_path / "a.xlsx", product_rows("IMPUPD", 2)))
    rows = product_rows("IMPUPD", 2)
    rows[0][1] = "改过的名称"
    outcome = run_import(catalogue, "admin", write_products(tmp_path / "b.xlsx", rows))
    assert outcome.imported == 2
    assert [r[1] for r in products_in_db(sql, "IMPUPD")] == ["改过的名称", "导入产品2"]


def test_a_guide_cannot_import_products(catalogue, tmp_path, sql):
    path = write_products(tmp_path / "guide.xlsx", product_rows("IMPGUIDE", 2))
    with pytest.raises(Exception) as raised:
        run_import(catalogue, "hz01.guide1", path)
    error = translate(raised.value)
    assert isinstance(error, UserFacingError) and error.kind == "permission"
    assert products_in_db(sql, "IMPGUIDE") == []


def write_prices(path, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["产品编码", "零售价"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_a_price_list_is_imported_whole_or_not_at_all(catalogue, tmp_path, sql):
    run_import(catalogue, "admin", write_products(tmp_path / "p.xlsx", product_rows("IMPPL", 3)))
    price_list_id = make_price_list(catalogue, "IMPPL", "导入测试价格")

    bad = write_prices(tmp_path / "bad.xlsx", [["IMPPL-0001", 100], ["IMPPL-0002", 12.3], ["NO-SUCH-CODE", 5]])
    outcome = run_import(catalogue, "admin", bad, PRICE_LIST_IMPORT, target_id=price_list_id)
    assert outcome.imported == 0
    assert [(p.row, p.column) for p in outcome.problems] == [(4, "产品编码")]

    good = write_prices(tmp_path / "good.xlsx", [["IMPPL-0001", 100], ["IMPPL-0002", 12.3], ["IMPPL-0003", "1,280"]])
    outcome = run_import(catalogue, "admin", good, PRICE_LIST_IMPORT, target_id=price_list_id)
    assert outcome.clean and outcome.imported == 3
    assert prices_in_db(sql, price_list_id) == [("IMPPL-0001", Decimal("100.00")), ("IMPPL-0002", Decimal("12.30")),
                      ("IMPPL-0003", Decimal("1280.00"))]
