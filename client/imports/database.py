"""The database's part of an import: the check that only it can make (an unknown product line, a
code another product already uses, a price list that does not exist) and the import itself, all
or nothing.

Rows go to the checked functions as one JSON array of objects ``{"row": 7, "code": "…", …}``;
money and quantities as decimal strings so no float ever touches them.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Callable

from client.lists.query import fetch_all, fetch_one

from .problems import Problem
from .reader import ReadResult, read_import_file
from .spec import ImportSpec

_FUNCTION_NAME = re.compile(r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")


@dataclass
class ImportOutcome:
    imported: int                                          # rows written; 0 whenever there are problems
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0

    @property
    def clean(self) -> bool:
        return not self.problems


def rows_json(rows: list[dict]) -> str:
    return json.dumps(rows, default=_json_value, ensure_ascii=False, separators=(",", ":"))


def _json_value(value):
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot send {type(value).__name__} to the database")


def _call(spec: ImportSpec, function: str, target_id: int | None) -> str:
    # The names come from the import specs in code, never from a file; refuse oddities anyway.
    if not _FUNCTION_NAME.match(function):
        raise ValueError(f"not a function name: {function!r}")
    if spec.needs_target:
        if target_id is None:
            raise ValueError(f"import {spec.name!r} needs a target id")
        return f"{function}(%(target)s, %(rows)s::jsonb)"
    return f"{function}(%(rows)s::jsonb)"


def check_rows(conn, spec: ImportSpec, rows: list[dict], *, headers: dict[str, str] | None = None,
               target_id: int | None = None) -> list[Problem]:
    """What the database finds wrong with the rows (nothing is written)."""
    if not rows:
        return []
    found = fetch_all(conn, f"SELECT row_no, field, reason FROM {_call(spec, spec.check_function, target_id)}",
                      {"target": target_id, "rows": rows_json(rows)})
    return problems_from_database(spec, found, headers)


def problems_from_database(spec: ImportSpec, found, headers: dict[str, str] | None = None) -> list[Problem]:
    """(row, field key, reason) triples as problems, in row order and, within a row, in the order
    of the import's columns (the database orders by key, which reads oddly)."""
    order = {column.key: index for index, column in enumerate(spec.columns)}
    ranked = sorted(found, key=lambda f: (f[0] or 0, order.get(f[1], len(order))))
    return [Problem(row_no or 0, column_header(spec, field_name, headers), reason)
            for row_no, field_name, reason in ranked]


def column_header(spec: ImportSpec, field_name: str | None, headers: dict[str, str] | None = None) -> str:
    """The column a database finding belongs to, as the file spells its header."""
    if not field_name:
        return ""
    headers = headers or {}
    column = None
    try:
        column = spec.column(field_name)
    except KeyError:
        column = spec.column_for_header(field_name)
    if column is None:
        return field_name
    return headers.get(column.key, column.header)


def import_rows(conn, spec: ImportSpec, rows: list[dict], *, headers: dict[str, str] | None = None,
                target_id: int | None = None) -> ImportOutcome:
    """Check once more inside this transaction (the data may have changed since the user looked),
    then import. The import function checks again itself and raises if anything is wrong, so a
    row changed by someone else between the two statements still cannot slip in."""
    problems = check_rows(conn, spec, rows, headers=headers, target_id=target_id)
    if problems:
        return ImportOutcome(0, problems, len(rows))
    if not rows:
        return ImportOutcome(0, [], 0)
    (count,) = fetch_one(conn, f"SELECT {_call(spec, spec.import_function, target_id)}",
                         {"target": target_id, "rows": rows_json(rows)})
    return ImportOutcome(int(count), [], len(rows))


def import_file(conn, path: str | os.PathLike, spec: ImportSpec, *, target_id: int | None = None, token=None,
                report: Callable[[int, int, str], None] | None = None) -> ImportOutcome:
    """The whole import of one file in one transaction: read and check every row, let the database
    check what only it can, and import only if nothing at all is wrong."""
    read = read_import_file(path, spec, token=token, report=report)
    return import_read(conn, spec, read, target_id=target_id)


def import_read(conn, spec: ImportSpec, read: ReadResult, *, target_id: int | None = None) -> ImportOutcome:
    if read.problems:
        return ImportOutcome(0, read.problems, len(read.rows))
    return import_rows(conn, spec, read.rows, headers=read.headers, target_id=target_id)
