"""Excel export of a list: exactly the rows and columns shown, with totals.

Rows are streamed through an openpyxl write-only workbook so that exporting
hundreds of thousands of rows from a database cursor runs in constant memory.

Sheet layout::

    1  title (list name)
    2  筛选：门店=杭州一店；日期=2026-11-01 至 2026-11-30
    3  导出人：张三　导出时间：2026-11-28 10:00 (Asia/Shanghai)
    4  header (frozen, auto-filter)
    5… data rows
    …  合计（N 行） with the sums of the totalled columns

The row count only goes into the totals row because a write-only sheet cannot
go back and fill in the lines above once the rows are known.
"""

import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from unicodedata import east_asian_width

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .columns import Column, ColumnKind

HEADER_ROW = 4

_WHOLE_QUANTITY_FORMAT = "#,##0"
_QUANTITY_FORMAT = "#,##0.###"
_NUMBER_FORMATS = {
    ColumnKind.INTEGER: "0",
    ColumnKind.MONEY: "#,##0.00",
    ColumnKind.DATE: "yyyy-mm-dd",
    ColumnKind.DATETIME: "yyyy-mm-dd hh:mm",
}
_DEFAULT_WIDTHS = {
    ColumnKind.TEXT: 18,
    ColumnKind.INTEGER: 10,
    ColumnKind.DECIMAL: 12,
    ColumnKind.MONEY: 15,
    ColumnKind.DATE: 12,
    ColumnKind.DATETIME: 18,
    ColumnKind.BOOL: 6,
}
# Room for the auto-filter drop-down button next to the header text.
_FILTER_BUTTON_WIDTH = 3

_TITLE_FONT = Font(bold=True, size=14)
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill(fill_type="solid", start_color="FFD9E1F2", end_color="FFD9E1F2")
_CENTERED = Alignment(horizontal="center", vertical="center")

_THOUSANDTH = Decimal("0.001")
_SHEET_NAME_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})
_SHEET_NAME_MAX = 31


class ExportCancelled(Exception):
    """The user cancelled the export; no file was written."""


@dataclass(frozen=True)
class ExportResult:
    row_count: int
    totals: dict[str, Decimal]  # per totalled column key, exact
    path: Path


def export_rows(
    path: str | os.PathLike,
    *,
    sheet_title: str,
    columns: list[Column],
    rows: Iterable[Sequence],
    title: str,
    filters: list[tuple[str, str]],
    user: str,
    exported_at: datetime,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    progress_every: int = 1000,
) -> ExportResult:
    """Write `rows` (values in the order of `columns`) to a new xlsx file at `path`.

    `exported_at` must be timezone-aware: its zone is the one the user works
    in, so date-times are written as wall-clock time in that zone (Excel has no
    time zones) and the zone is named in the heading.

    Every `progress_every` rows `cancelled()` is asked and `progress(rows so
    far)` is told; progress is also told the final count. `path` is only
    replaced once the workbook is complete, so a cancelled or failed export
    leaves no partial file behind and an earlier file at `path` untouched.
    """
    if not columns:
        raise ValueError("an export needs at least one column")
    if exported_at.utcoffset() is None:
        raise ValueError("exported_at must be timezone-aware")
    if progress_every < 1:
        raise ValueError("progress_every must be at least 1")
    path = Path(path)

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_name(sheet_title))
    try:
        # Widths and frozen panes go out with the sheet's first row, so they
        # must be set before anything is appended.
        _set_widths(sheet, columns)
        sheet.freeze_panes = f"A{HEADER_ROW + 1}"
        _write_heading(sheet, columns, title, filters, user, exported_at)
        row_count, sums = _write_data(
            sheet, columns, rows, exported_at.tzinfo, progress, cancelled, progress_every
        )
        sheet.append(_totals_row(sheet, columns, row_count, sums))
        # The filter is written when the sheet is closed, so the exact range
        # (header and data, without the totals row) can be set now.
        last_column = get_column_letter(len(columns))
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{HEADER_ROW + row_count}"
    except BaseException:
        _discard(sheet)
        raise

    _save_replacing(workbook, path)
    totals = {column.key: sums[i] for i, column in enumerate(columns) if column.total}
    return ExportResult(row_count=row_count, totals=totals, path=path)


def _write_heading(sheet, columns, title, filters, user, exported_at) -> None:
    shown = "；".join(f"{label}={value}" for label, value in filters) or "无"
    moment = exported_at.strftime("%Y-%m-%d %H:%M")
    sheet.append([_text_cell(sheet, title, font=_TITLE_FONT)])
    sheet.append([_clean_text(f"筛选：{shown}")])
    sheet.append([_clean_text(f"导出人：{user}　导出时间：{moment} ({_zone_name(exported_at)})")])
    sheet.append(
        [_text_cell(sheet, c.title, font=_BOLD, fill=_HEADER_FILL, alignment=_CENTERED) for c in columns]
    )


def _write_data(sheet, columns, rows, zone, progress, cancelled, progress_every):
    writers = [_value_writer(sheet, column, zone) for column in columns]
    totalled = [i for i, column in enumerate(columns) if column.total]
    sums = [Decimal(0)] * len(columns)
    count = 0
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"row {count + 1} has {len(row)} values for {len(columns)} columns")
        # The writers check each value's type, so the sums below only ever see
        # int or Decimal.
        sheet.append([write(value) for write, value in zip(writers, row)])
        for i in totalled:
            if row[i] is not None:
                sums[i] += row[i]
        count += 1
        if count % progress_every == 0:
            if cancelled is not None and cancelled():
                raise ExportCancelled()
            if progress is not None:
                progress(count)
    if progress is not None and count % progress_every:
        progress(count)
    return count, sums


def _totals_row(sheet, columns, row_count, sums) -> list:
    # The label takes the first column that carries no sum (or the one after
    # the table if every column is summed).
    label_at = next((i for i, c in enumerate(columns) if not c.total), len(columns))
    cells: list = [None] * max(len(columns), label_at + 1)
    cells[label_at] = _text_cell(sheet, f"合计（{row_count} 行）", font=_BOLD)
    for i, column in enumerate(columns):
        if column.total:
            cell = _number_cell(sheet, _number_format(column.kind, sums[i]), font=_BOLD)
            cells[i] = _with_number(cell, _number_text(sums[i], column))
    return cells


# --- values -----------------------------------------------------------------
#
# A writer turns one value into what `sheet.append` takes: None for an empty
# cell, a plain str for unstyled text, or a styled cell.  Styled cells are made
# once per column and reused for every row: a write-only sheet serialises each
# appended row immediately, and creating and styling a cell per value would
# dominate the export time.  Every reused cell carries a style, because
# openpyxl reuses an unstyled cell passed to `append` for the next plain value.


def _value_writer(sheet, column: Column, zone: tzinfo) -> Callable[[object], object]:
    kind = column.kind
    if kind is ColumnKind.TEXT:
        return _text_writer(sheet)
    if kind is ColumnKind.BOOL:
        return lambda value: None if value is None else ("是" if value else "否")
    if kind is ColumnKind.DATE:
        return _date_writer(sheet, column)
    if kind is ColumnKind.DATETIME:
        return _datetime_writer(sheet, column, zone)
    if kind is ColumnKind.DECIMAL:
        return _quantity_writer(sheet, column)
    return _number_writer(sheet, column, _NUMBER_FORMATS[kind])


def _text_writer(sheet):
    # Text that openpyxl would store as a formula ("=HYPERLINK(…)" typed into
    # a customer note) or as an error value gets a text cell with a quote
    # prefix, so Excel neither evaluates it on opening nor after editing.
    quoted = WriteOnlyCell(sheet)
    quoted.quotePrefix = True

    def write(value):
        if value is None or value == "":
            return None
        text = _clean_text(value if isinstance(value, str) else str(value))
        if text.startswith("=") or text in ERROR_CODES:
            quoted.value = text
            quoted.data_type = "s"
            return quoted
        return text

    return write


def _number_writer(sheet, column, number_format):
    cell = _number_cell(sheet, number_format)

    def write(value):
        if value is None:
            return None
        return _with_number(cell, _number_text(value, column))

    return write


def _quantity_writer(sheet, column):
    # '#,##0.###' shows a whole 12 as "12." in Excel and LibreOffice; whole
    # quantities (most of them) get a format without the decimal point.
    whole = _number_cell(sheet, _WHOLE_QUANTITY_FORMAT)
    fractional = _number_cell(sheet, _QUANTITY_FORMAT)

    def write(value):
        if value is None:
            return None
        text = _number_text(value, column)
        return _with_number(whole if _is_whole_quantity(value) else fractional, text)

    return write


def _date_writer(sheet, column):
    cell = _number_cell(sheet, _NUMBER_FORMATS[ColumnKind.DATE])

    def write(value):
        if value is None:
            return None
        # A datetime is a date too, but would carry a hidden time of day.
        if not isinstance(value, date) or isinstance(value, datetime):
            raise TypeError(f"column {column.key!r}: expected a date, got {value!r}")
        cell.value = value
        return cell

    return write


def _datetime_writer(sheet, column, zone):
    cell = _number_cell(sheet, _NUMBER_FORMATS[ColumnKind.DATETIME])

    def write(value):
        if value is None:
            return None
        if not isinstance(value, datetime) or value.utcoffset() is None:
            raise TypeError(f"column {column.key!r}: expected an aware datetime, got {value!r}")
        cell.value = value.astimezone(zone).replace(tzinfo=None)
        return cell

    return write


def _number_format(kind: ColumnKind, value: int | Decimal) -> str:
    if kind is ColumnKind.DECIMAL:
        return _WHOLE_QUANTITY_FORMAT if _is_whole_quantity(value) else _QUANTITY_FORMAT
    return _NUMBER_FORMATS[kind]


def _is_whole_quantity(value: int | Decimal) -> bool:
    # Round as Excel does, so that 2.0005 (shown 2.001) keeps its decimals.
    shown = Decimal(value).quantize(_THOUSANDTH, rounding=ROUND_HALF_UP)
    return shown == shown.to_integral_value()


def _number_text(value, column: Column) -> str:
    # openpyxl writes numbers with "%.16g", i.e. through float, which changes
    # digits beyond the 16th; writing the decimal text ourselves keeps exactly
    # the digits the database returned.  Money as float is refused outright.
    if type(value) is int:
        return str(value)
    if isinstance(value, Decimal) and value.is_finite():
        return format(value, "f")
    raise TypeError(f"column {column.key!r}: expected int or Decimal, got {value!r}")


def _with_number(cell: Cell, text: str) -> Cell:
    # Bypasses openpyxl's value conversion (see _number_text); "n" makes the
    # text a numeric cell.
    cell._value = text
    cell.data_type = "n"
    return cell


def _number_cell(sheet, number_format: str, font: Font | None = None) -> Cell:
    cell = WriteOnlyCell(sheet)
    cell.number_format = number_format
    if font is not None:
        cell.font = font
    return cell


def _text_cell(sheet, text: str, font: Font, fill=None, alignment=None) -> Cell:
    cell = WriteOnlyCell(sheet, _clean_text(text))
    cell.data_type = "s"  # headings are text even if they look like a formula
    cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    return cell


def _clean_text(text: str) -> str:
    # Control characters (pasted into notes from other programs) cannot be
    # stored in xlsx; openpyxl would abort the whole export on the first one.
    return ILLEGAL_CHARACTERS_RE.sub("", text)


# --- sheet and file ---------------------------------------------------------


def _set_widths(sheet, columns) -> None:
    for index, column in enumerate(columns, 1):
        width = column.width or max(
            _DEFAULT_WIDTHS[column.kind], _display_width(column.title) + _FILTER_BUTTON_WIDTH
        )
        sheet.column_dimensions[get_column_letter(index)].width = width


def _display_width(text: str) -> int:
    # Chinese characters take two character widths in Excel's width unit.
    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)


def _sheet_name(title: str) -> str:
    # Excel refuses these characters and names longer than 31 characters.
    return title.translate(_SHEET_NAME_FORBIDDEN)[:_SHEET_NAME_MAX] or "Sheet1"


def _zone_name(moment: datetime) -> str:
    return getattr(moment.tzinfo, "key", None) or moment.tzname()


def _save_replacing(workbook: Workbook, path: Path) -> None:
    # Saving next to the target and renaming means a failed save (disk full,
    # the old file open in Excel) never leaves a truncated file at `path`.
    fd, part = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".xlsx")
    os.close(fd)
    try:
        workbook.save(part)
        os.replace(part, path)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise


def _discard(sheet) -> None:
    # A write-only sheet streams its rows into a temporary file that openpyxl
    # removes only when the workbook is saved or the interpreter exits; the
    # client runs for days, so a cancelled export removes it now.
    sheet.close()
    sheet._writer.cleanup()
