"""A problem found in an import file — row, column, reason — and the error list written to Excel.

Row numbers are the spreadsheet's own (the header is row 1), so the user can go straight to the
cell; the column is the header as the file spells it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

from client.exports.columns import Column, ColumnKind
from client.exports.xlsx import ExportResult, export_rows

from .values import tr


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    reason: str


def problem_columns() -> list[Column]:
    return [
        Column("row", tr("行号"), ColumnKind.INTEGER, width=8),
        Column("column", tr("列"), ColumnKind.TEXT, width=16),
        Column("reason", tr("问题"), ColumnKind.TEXT, width=60),
    ]


def export_problems(path: str | os.PathLike, problems, *, import_title: str, file_name: str, user: str,
                    exported_at: datetime) -> ExportResult:
    """The error list as an .xlsx through the list exporter (heading, frozen header, filter)."""
    title = tr("%s导入错误清单") % import_title
    return export_rows(
        path,
        sheet_title=tr("错误清单"),
        columns=problem_columns(),
        rows=((p.row, p.column, p.reason) for p in problems),
        title=title,
        filters=[(tr("文件"), file_name)],
        user=user,
        exported_at=exported_at,
    )
