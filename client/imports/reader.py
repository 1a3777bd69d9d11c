"""Read an import file: the first sheet's first row names the columns, every later row is a record.

The workbook is opened read-only, so rows stream from the file and a sheet of tens of thousands
of rows costs only the records kept, not openpyxl's cell objects. Every cell is checked and every
problem collected — the user fixes the whole file in one pass instead of one error per attempt.
"""

from __future__ import annotations

import os
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from client.db.errors import UserFacingError

from .problems import Problem
from .spec import ImportColumn, ImportSpec
from .values import CellError, convert, is_empty, tr

HEADER_ROW = 1
REPORT_EVERY = 500


@dataclass
class ReadResult:
    rows: list[dict]                          # {"row": spreadsheet row, field key: value, …}
    problems: list[Problem]
    headers: dict[str, str] = field(default_factory=dict)   # field key → header as the file spells it

    @property
    def clean(self) -> bool:
        return not self.problems


def read_import_file(path: str | os.PathLike, spec: ImportSpec, *, token=None,
                     report: Callable[[int, int, str], None] | None = None) -> ReadResult:
    """Every data row of the file's first sheet as a record of the spec's fields, with every
    problem found on the way. Raises UserFacingError when the file cannot be read at all.

    ``token.raise_if_cancelled()`` is called every few hundred rows; ``report(done, total, text)``
    tells the rows read so far (total is the sheet's own idea of its size, 0 if it has none).
    """
    path = Path(path)
    workbook = _open(path)
    try:
        sheet = workbook.worksheets[0]
        # The size a file claims is only an estimate for the progress bar: some programs write a
        # wrong one, and trusting it would silently drop rows, so the reading itself ignores it.
        total = max(0, (sheet.max_row or 0) - HEADER_ROW)
        sheet.reset_dimensions()
        return _read_sheet(sheet.iter_rows(values_only=True), spec, total, token, report)
    finally:
        workbook.close()


def _open(path: Path):
    if path.suffix.lower() == ".xls":
        raise UserFacingError(tr("不支持旧版 Excel (.xls) 文件，请在 Excel 中另存为 .xlsx 后再导入"),
                              kind="validation")
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise UserFacingError(tr("找不到文件：%s") % path, kind="validation") from None
    except PermissionError:
        raise UserFacingError(tr("无法打开文件（可能正在被其他程序使用）：%s") % path.name,
                              kind="validation") from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise UserFacingError(tr("无法读取文件：%s 不是有效的 Excel (.xlsx) 文件") % path.name,
                              kind="validation") from None


def _read_sheet(rows, spec: ImportSpec, total: int, token, report) -> ReadResult:
    header = next(rows, None)
    layout, problems = _layout(header or (), spec)
    result = ReadResult(rows=[], problems=problems,
                        headers={column.key: text for _index, column, text in layout})
    if not layout:
        return result
    seen: dict[str, dict[object, int]] = {key: {} for key in spec.unique if key in result.headers}
    done = 0
    if report is not None:
        report(0, total, "")
    for row_no, cells in enumerate(rows, HEADER_ROW + 1):
        done += 1
        if done % REPORT_EVERY == 0:
            if token is not None:
                token.raise_if_cancelled()
            if report is not None:
                report(done, max(total, done), "")
        record = _record(row_no, cells, layout, result.problems)
        if record is None:
            continue
        _check_unique(record, seen, result)
        result.rows.append(record)
    if report is not None:
        report(done, done, "")
    return result


def _layout(header, spec: ImportSpec) -> tuple[list[tuple[int, ImportColumn, str]], list[Problem]]:
    """Which column of the sheet fills which field, and what is wrong with the header row."""
    layout: list[tuple[int, ImportColumn, str]] = []
    problems: list[Problem] = []
    found: dict[str, str] = {}
    for index, cell in enumerate(header):
        if is_empty(cell):
            continue
        text = str(cell).strip()
        column = spec.column_for_header(text)
        if column is None:
            continue  # extra columns (notes, the user's own helpers) are left alone
        if column.key in found:
            problems.append(Problem(HEADER_ROW, text, tr("与列“%s”重复，只能有一列") % found[column.key]))
            continue
        found[column.key] = text
        layout.append((index, column, text))
    if not layout:
        expected = "、".join(c.header for c in spec.columns)
        problems.append(Problem(HEADER_ROW, "", tr("第一行应为列标题（%s），没有找到任何一列") % expected))
        return layout, problems
    for column in spec.columns:
        if column.required and column.key not in found:
            also = column.headers[1:]
            reason = tr("缺少必填列“%s”") % column.header
            if also:
                reason += tr("（也可写作：%s）") % "、".join(also)
            problems.append(Problem(HEADER_ROW, column.header, reason))
    return layout, problems


def _record(row_no: int, cells, layout, problems: list[Problem]) -> dict | None:
    """The row as a record, or None for a row with nothing in the import's columns."""
    values = [cells[index] if index < len(cells) else None for index, _column, _text in layout]
    if all(is_empty(value) for value in values):
        return None
    record: dict = {"row": row_no}
    for value, (_index, column, text) in zip(values, layout):
        try:
            converted = convert(column, value)
        except CellError as error:
            problems.append(Problem(row_no, text, str(error)))
            continue
        if converted is None and column.required:
            problems.append(Problem(row_no, text, tr("必填，不能为空")))
            continue
        record[column.key] = converted
    return record


def _check_unique(record: dict, seen: dict[str, dict[object, int]], result: ReadResult) -> None:
    for key, rows_by_value in seen.items():
        value = record.get(key)
        if value is None:
            continue
        # Codes are stored in upper case, so "cg-001" and "CG-001" are the same product.
        same = unicodedata.normalize("NFKC", value).casefold() if isinstance(value, str) else value
        first = rows_by_value.setdefault(same, record["row"])
        if first != record["row"]:
            result.problems.append(Problem(record["row"], result.headers[key],
                                           tr("与第 %d 行重复：%s") % (first, value)))
