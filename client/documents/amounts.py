"""Money as printed on documents: the Chinese capital amount (大写金额) and the figure (小写).

Money is always ``Decimal``; a float reaching this module is a bug upstream, so it is refused rather
than converted. Amounts with more than two decimals are refused too: rounding is a business decision
that belongs where the amount is computed, not a side effect of printing it.
"""

from __future__ import annotations

from decimal import Decimal

_CENT = Decimal("0.01")
# 9999亿 is the largest amount the wording supports (sections 亿, 万 and units).
_LIMIT = Decimal(10) ** 12

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACE_UNITS = ("仟", "佰", "拾", "")  # inside one four-digit section, most significant first
_SECTION_UNITS = ("亿", "万", "")


def _checked(value: Decimal) -> Decimal:
    if not isinstance(value, Decimal):
        raise TypeError(f"金额必须是 Decimal，不能是 {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"金额无效：{value}")
    if abs(value) >= _LIMIT:
        raise ValueError(f"金额超出范围（最大 9999 亿）：{value}")
    if value != value.quantize(_CENT):
        raise ValueError(f"金额最多两位小数：{value}")
    return value


def format_money(value: Decimal) -> str:
    """``Decimal("12000")`` → ``"12,000.00"``: thousands separators and exactly two decimals."""
    value = _checked(value)
    if value == 0:
        value = abs(value)  # never print "-0.00"
    return f"{value.quantize(_CENT):,.2f}"


def _section_words(section: int) -> str:
    """Words for 1..9999: a run of zeros between digits reads as one 零, trailing ones are silent."""
    words = []
    zero_pending = False
    for unit, digit in zip(_PLACE_UNITS, f"{section:04d}"):
        if digit == "0":
            zero_pending = bool(words)
            continue
        if zero_pending:
            words.append("零")
            zero_pending = False
        words.append(_DIGITS[int(digit)] + unit)
    return "".join(words)


def _integer_words(number: int) -> str:
    """Words for 1..999999999999 without the 元.

    A 零 joins two sections when the lower one starts with zeros (壹佰万零壹拾) or when a whole
    section in between is zero (壹亿零壹); a zero section drops its unit (no 零万).
    """
    words = []
    zero_pending = False
    for unit, shift in zip(_SECTION_UNITS, (8, 4, 0)):
        section = number // 10**shift % 10000
        if section == 0:
            zero_pending = bool(words)
            continue
        if words and (zero_pending or section < 1000):
            words.append("零")
        zero_pending = False
        words.append(_section_words(section) + unit)
    return "".join(words)


def amount_in_chinese(value: Decimal) -> str:
    """The 大写金额 for a money amount, as written on contracts and receipts.

    ``Decimal("10203.05")`` → ``"壹万零贰佰零叁元零伍分"``. Whole amounts end in 整; following
    the banks' writing rules no 整 follows 角 or 分, a zero 角 before 分 reads 零, and a zero 元
    digit before 角 is not spelled out (both forms are allowed).
    """
    value = _checked(value)
    cents = int(abs(value).quantize(_CENT).scaleb(2))
    yuan, small = divmod(cents, 100)
    jiao, fen = divmod(small, 10)

    words = []
    if yuan:
        words.append(_integer_words(yuan) + "元")
    if jiao:
        words.append(_DIGITS[jiao] + "角")
    if fen:
        if yuan and not jiao:
            words.append("零")
        words.append(_DIGITS[fen] + "分")
    if not words:
        return "零元整"
    text = "".join(words) + ("" if small else "整")
    return "负" + text if value < 0 else text
