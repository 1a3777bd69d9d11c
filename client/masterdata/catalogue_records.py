"""What the catalogue's forms share: the choices they pick from, money, rates and dates typed in a
text field, and the payload the ``yiwei.save_*`` functions read.

Amounts are checked here with the import's own cell rules (``client.imports.values``) so a form and
an Excel sheet say the same about "12.345"; the database checks again and refuses, never rounds.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QComboBox, QCompleter
from sqlalchemy import text

from client.imports.spec import FieldKind, ImportColumn
from client.imports.values import CellError, convert

translate = QCoreApplication.translate

_MONEY = ImportColumn(("金额",), "amount", FieldKind.MONEY)
_MONEY_OR_ZERO = ImportColumn(("金额",), "amount", FieldKind.MONEY, allow_zero=True)
_QUANTITY = ImportColumn(("数量",), "quantity", FieldKind.QUANTITY)


def t(source: str) -> str:
    return translate("masterdata", source)


def money_problem(value: str | None, *, allow_zero: bool = False) -> str | None:
    """Why a typed amount is no price (more than two decimals, zero, not a number), or None."""
    try:
        convert(_MONEY_OR_ZERO if allow_zero else _MONEY, value or "")
    except CellError as error:
        return str(error)
    return None


def quantity_problem(value: str | None) -> str | None:
    try:
        convert(_QUANTITY, value or "")
    except CellError as error:
        return str(error)
    return None


def money_text(value: Decimal | None) -> str:
    """An amount as the form shows it: always two decimals, no separators (it is typed over)."""
    return "" if value is None else f"{Decimal(value):.2f}"


def payload(values: dict, keys: tuple[str, ...]) -> dict:
    """The values a save function reads; dates as ISO text (the jsonb holds no dates)."""
    return {key: values[key].isoformat() if isinstance(values.get(key), dt.date) else values.get(key)
            for key in keys}


def _named(conn, sql: str) -> list[tuple]:
    return [tuple(row) for row in conn.execute(text(sql)).all()]


def line_choices(conn) -> list[tuple]:
    """Product lines, a stopped one still choosable for the records that have it."""
    return _named(conn, "SELECT id, name || CASE WHEN active THEN '' ELSE '（停用）' END FROM yiwei.product_line"
                        " ORDER BY NOT active, sort_order, code")


def line_or_all_choices(conn) -> list[tuple]:
    return [(None, t("全部系列")), *line_choices(conn)]


def grade_choices(conn) -> list[tuple]:
    return [(None, t("（无品级）")), *_named(
        conn, "SELECT id, name || CASE WHEN active THEN '' ELSE '（停用）' END FROM yiwei.product_grade"
              " ORDER BY NOT active, sort_order, code")]


def supply_package_choices(conn) -> list[tuple]:
    return [(None, t("（无）")), *_named(
        conn, "SELECT id, name || CASE WHEN active THEN '' ELSE '（停用）' END FROM yiwei.supply_package"
              " ORDER BY NOT active, name")]


def price_list_choices(conn) -> list[tuple]:
    return _named(conn, "SELECT id, name || '（' || valid_from || ' 起）'"
                        " || CASE WHEN active THEN '' ELSE '（停用）' END FROM yiwei.price_list"
                        " ORDER BY NOT active, valid_from DESC, code")


def product_choices(conn) -> list[tuple]:
    """Every product as "code name style colour spec"; the combo searches inside the text."""
    return _named(conn, "SELECT id, concat_ws(' ', code, name, nullif(style, ''), nullif(colour, ''),"
                        " nullif(spec, '')) || CASE WHEN active THEN '' ELSE '（停用）' END"
                        "  FROM yiwei.product ORDER BY NOT active, code")


def searchable(combo: QComboBox) -> None:
    """Let a long choice (hundreds of products) be found by typing any part of it: a code, a
    word of the name. Only what the list offers can be chosen."""
    combo.setEditable(True)
    combo.setMinimumContentsLength(36)        # "CG0101-S 轻奢地柜 轻奢 墨绿 深600×高720mm" fits
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer = combo.completer()
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
