"""One spreadsheet cell to one exact value of a column's kind, or the reason it is not one.

Excel hands over numbers as floats (12.3 arrives as 12.300000000000001 once arithmetic touched
it), and people type numbers as text ("1,280.00", "１２８０", "¥1280"): both become exact
Decimals here. A cell is read the way Excel shows it — at most 15 significant digits — so a float
never leaks binary noise into a price, and a price that really has a third decimal is refused,
not rounded (the database refuses it too; saying so per cell is kinder).
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from openpyxl.cell.cell import ERROR_CODES
from PySide6.QtCore import QCoreApplication

from .spec import FieldKind, ImportColumn


def tr(text: str) -> str:
    return QCoreApplication.translate("imports", text)


class CellError(ValueError):
    """The cell's value does not fit its column; the message is the reason shown to the user."""


# numeric(12,2) / numeric(12,3) in the database: the largest magnitude that still fits.
_MONEY_LIMIT = Decimal("1e10")
_QUANTITY_LIMIT = Decimal("1e9")
_INTEGER_LIMIT = 2**31
_CENT = Decimal("0.01")
# Excel itself keeps 15 significant digits; anything beyond is float noise.
_EXCEL_DIGITS = ".15g"

_NUMBER_TEXT = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_TRUE = {"是", "y", "yes", "true", "1", "启用", "有效", "√", "✓", "对"}
_FALSE = {"否", "n", "no", "false", "0", "停用", "无效", "×", "✗", "不"}


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def convert(column: ImportColumn, value: object) -> object:
    """The cell as its column's Python value (None for an empty cell); CellError if it is none."""
    if is_empty(value):
        return None
    if isinstance(value, str) and value.strip() in ERROR_CODES:
        raise CellError(tr("单元格是错误值 %s") % value.strip())
    kind = column.kind
    if kind is FieldKind.TEXT:
        return _text(column, value)
    if kind is FieldKind.MONEY:
        return _money(value, column.allow_zero)
    if kind is FieldKind.QUANTITY:
        return _quantity(value)
    if kind is FieldKind.INTEGER:
        return _integer(value)
    if kind is FieldKind.DATE:
        return _date(value)
    return _bool(value)


def _text(column: ImportColumn, value: object) -> str:
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, bool):
        text = tr("是") if value else tr("否")
    elif isinstance(value, (int, float)):
        # A code typed as a number (1001) arrives as 1001 or 1001.0; it means the text "1001".
        text = _plain(_decimal_of_number(value))
    elif isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value).strip()
    if column.max_length is not None and len(text) > column.max_length:
        raise CellError(tr("太长：最多 %d 个字，实际 %d 个字") % (column.max_length, len(text)))
    return text


def _money(value: object, allow_zero: bool) -> Decimal:
    number = _decimal(value, money=True)
    if _places(number) > 2:
        raise CellError(tr("金额最多两位小数：%s") % _plain(number))
    if number < 0 and allow_zero:
        raise CellError(tr("金额不能为负数"))
    if number <= 0 and not allow_zero:
        raise CellError(tr("金额必须大于 0"))
    if number >= _MONEY_LIMIT:
        raise CellError(tr("金额过大"))
    return number.quantize(_CENT)


def _quantity(value: object) -> Decimal:
    number = _decimal(value)
    if _places(number) > 3:
        raise CellError(tr("数量最多三位小数：%s") % _plain(number))
    if number <= 0:
        raise CellError(tr("数量必须大于 0"))
    if number >= _QUANTITY_LIMIT:
        raise CellError(tr("数量过大"))
    return _trimmed(number)


def _integer(value: object) -> int:
    number = _decimal(value)
    if _places(number) > 0:
        raise CellError(tr("应为整数：%s") % _plain(number))
    if abs(number) >= _INTEGER_LIMIT:
        raise CellError(tr("数值过大"))
    return int(number)


def _decimal(value: object, *, money: bool = False) -> Decimal:
    if isinstance(value, bool):
        raise CellError(tr("应为数字"))
    if isinstance(value, (int, float)):
        return _decimal_of_number(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise CellError(tr("应为数字"))
        return value
    if isinstance(value, str):
        return _decimal_of_text(value, money=money)
    raise CellError(tr("应为数字"))


def _decimal_of_number(value: int | float) -> Decimal:
    if isinstance(value, int):
        return Decimal(value)
    if not math.isfinite(value):
        raise CellError(tr("应为数字"))
    return Decimal(format(value, _EXCEL_DIGITS))


def _decimal_of_text(text: str, *, money: bool) -> Decimal:
    # NFKC turns full-width digits, commas, points and the full-width yen sign into ASCII ones.
    normal = unicodedata.normalize("NFKC", text).strip()
    compact = "".join(normal.split())  # "1 280" and stray spaces around the sign
    if money:
        compact = compact.removeprefix("¥").removeprefix("RMB").removesuffix("元")
    if not _NUMBER_TEXT.fullmatch(compact):
        raise CellError(tr("应为数字：%s") % text.strip())
    try:
        return Decimal(compact.replace(",", ""))
    except InvalidOperation:  # the pattern admits only digits; kept as a last guard
        raise CellError(tr("应为数字：%s") % text.strip()) from None


def _places(number: Decimal) -> int:
    """Decimals that carry a value: 12.300 has one, 12.305 three."""
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _trimmed(number: Decimal) -> Decimal:
    """Without trailing zeros, and never in exponent form (1E+1 → 10)."""
    places = _places(number)
    return number.quantize(Decimal(1).scaleb(-places))


def _plain(number: Decimal) -> str:
    return format(_trimmed(number), "f")


def _date(value: object) -> date:
    if isinstance(value, datetime):
        if value.time() != time():
            raise CellError(tr("应为日期，不带时间：%s") % value.isoformat(" "))
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        normal = unicodedata.normalize("NFKC", value).strip()
        match = _DATE_TEXT.fullmatch(normal) or _COMPACT_DATE.fullmatch(normal)
        if match:
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                pass
        raise CellError(tr("不是有效日期：%s（应写成 2026-11-01）") % value.strip())
    # A bare number in a date column is a date cell whose format was lost; guessing is wrong.
    raise CellError(tr("不是有效日期（请把单元格设为日期格式，或写成 2026-11-01）"))


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        normal = unicodedata.normalize("NFKC", value).strip().casefold()
        if normal in _TRUE:
            return True
        if normal in _FALSE:
            return False
    raise CellError(tr("应填“是”或“否”：%s") % str(value).strip())
