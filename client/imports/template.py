"""The import template: the headers the reader expects and one example row, with a note on each
header saying what the column takes — the file a user fills in instead of guessing the format."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .spec import FieldKind, ImportColumn, ImportSpec
from .values import tr

_REQUIRED_FILL = PatternFill(fill_type="solid", start_color="FFFCE4D6", end_color="FFFCE4D6")
_OPTIONAL_FILL = PatternFill(fill_type="solid", start_color="FFD9E1F2", end_color="FFD9E1F2")
_NUMBER_FORMATS = {
    FieldKind.MONEY: "#,##0.00",
    FieldKind.QUANTITY: "#,##0.###",
    FieldKind.INTEGER: "0",
    FieldKind.DATE: "yyyy-mm-dd",
}


def describe(column: ImportColumn) -> str:
    """What the column takes, in the words of the template's header note."""
    kinds = {
        FieldKind.TEXT: tr("文字"),
        FieldKind.MONEY: tr("金额，可为 0，最多两位小数") if column.allow_zero else tr("金额，大于 0，最多两位小数"),
        FieldKind.QUANTITY: tr("数量，大于 0，最多三位小数"),
        FieldKind.INTEGER: tr("整数"),
        FieldKind.DATE: tr("日期，如 2026-11-01"),
        FieldKind.BOOL: tr("填“是”或“否”"),
    }
    parts = [tr("必填") if column.required else tr("可不填"), kinds[column.kind]]
    if column.max_length:
        parts.append(tr("最多 %d 个字") % column.max_length)
    if column.note:
        parts.append(tr(column.note))
    if len(column.headers) > 1:
        parts.append(tr("列名也可写作：%s") % "、".join(column.headers[1:]))
    return "；".join(parts)


def write_template(path: str | os.PathLike, spec: ImportSpec) -> Path:
    """An .xlsx with the header row (required columns shaded) and one example row."""
    path = Path(path)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = tr(spec.title)[:31]
    for index, column in enumerate(spec.columns, 1):
        cell = sheet.cell(row=1, column=index, value=tr(column.header))
        cell.font = Font(bold=True, color="FFC00000" if column.required else None)
        cell.fill = _REQUIRED_FILL if column.required else _OPTIONAL_FILL
        cell.comment = Comment(describe(column), "Yiwei", width=260, height=90)
        example = sheet.cell(row=2, column=index, value=_example_value(column))
        if column.kind in _NUMBER_FORMATS:
            example.number_format = _NUMBER_FORMATS[column.kind]
        elif column.kind is FieldKind.TEXT:
            example.number_format = "@"  # codes like 0012 stay text when the user types over them
        width = max(12, 2 * len(column.header) + 4, len(str(example.value or "")) + 2)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    workbook.save(path)
    return path


def _example_value(column: ImportColumn):
    value = column.example
    if column.kind is FieldKind.BOOL and isinstance(value, bool):
        return tr("是") if value else tr("否")
    if isinstance(value, Decimal):
        # openpyxl writes numbers through float; the examples are short enough to survive that.
        return float(value)
    if isinstance(value, str):
        return tr(value)
    return value
