"""What an Excel import expects: its columns (the headers accepted, the field each fills, what kind
of value it holds) and the database functions that check and perform it.

An import is described once, declaratively; the reader, the template, the error list and the
dialog all work from the same description, so a column added here shows up everywhere.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from enum import Enum


class FieldKind(Enum):
    TEXT = "text"
    MONEY = "money"          # Decimal, at most 2 decimals, > 0 (≥ 0 with allow_zero); refused, never rounded
    QUANTITY = "quantity"    # Decimal, at most 3 decimals, > 0
    INTEGER = "integer"      # sort orders and the like
    DATE = "date"
    BOOL = "bool"            # 是/否


@dataclass(frozen=True)
class ImportColumn:
    headers: tuple[str, ...]     # Chinese headers accepted; the first is the one the template writes
    key: str                     # the field key the database functions read
    kind: FieldKind = FieldKind.TEXT
    required: bool = False
    max_length: int | None = None
    allow_zero: bool = False     # money: a cost may be 0, a price may not
    example: object = None       # the template's example value
    note: str = ""               # extra hint for the template's header comment

    def __post_init__(self) -> None:
        if not self.headers:
            raise ValueError(f"import column {self.key!r} needs at least one header")

    @property
    def header(self) -> str:
        return self.headers[0]


@dataclass(frozen=True)
class ImportSpec:
    name: str                              # stable identifier ("products", "price_list")
    title: str                             # Chinese: "产品信息", shown in the dialog and files
    columns: tuple[ImportColumn, ...]
    check_function: str                    # yiwei.check_…(…, rows jsonb) → (row_no, field, reason)
    import_function: str                   # yiwei.import_…(…, rows jsonb) → count, all or nothing
    unique: tuple[str, ...] = ()           # field keys that must not repeat within one file
    needs_target: bool = False             # the functions take a target id first (the price list)
    _by_header: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_header: dict[str, ImportColumn] = {}
        for column in self.columns:
            for header in column.headers:
                normal = normalize_header(header)
                if normal in by_header:
                    raise ValueError(f"import {self.name!r}: header {header!r} is used twice")
                by_header[normal] = column
        keys = [c.key for c in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"import {self.name!r}: a field key is used twice")
        unknown = set(self.unique) - set(keys)
        if unknown:
            raise ValueError(f"import {self.name!r}: unique keys {sorted(unknown)} are not columns")
        object.__setattr__(self, "_by_header", by_header)

    def column_for_header(self, text: str) -> ImportColumn | None:
        return self._by_header.get(normalize_header(text))

    def column(self, key: str) -> ImportColumn:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)


# Templates and hand-made sheets mark required columns in several ways; none is part of the name.
_HEADER_MARKS = ("*", "＊", "(必填)", "（必填）")


def normalize_header(text: str) -> str:
    """Full-width letters and spaces folded (NFKC), spaces and a required-mark removed: "产品 编码 *"
    and "产品编码" are the same column."""
    normal = "".join(unicodedata.normalize("NFKC", str(text)).split())
    changed = True
    while changed:
        changed = False
        for mark in _HEADER_MARKS:
            mark = unicodedata.normalize("NFKC", mark)
            if normal.endswith(mark) and len(normal) > len(mark):
                normal = normal[: -len(mark)]
                changed = True
    return normal.casefold()
