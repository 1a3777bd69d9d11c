"""Declarative description of a list: where its rows come from, its columns and its filters.

The same spec drives the list window (lazy paging, sorting, quick search, totals), the Excel
export of what the window shows, and the headless ``yiwei export LIST --filter key=value``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from client.exports.columns import Column


class FilterKind(Enum):
    TEXT = "text"            # case-insensitive substring on one column
    DATE_RANGE = "date"      # from/to dates (inclusive) in the company time zone
    STORE = "store"          # one store the login may see
    CHOICE = "choice"        # one of fixed (value, label) choices, e.g. a status
    PERSON = "person"        # one employee (by id)
    BOOL = "bool"            # yes/no


@dataclass(frozen=True)
class ListColumn:
    """A column shown by a list: the export Column plus the SQL expression it reads."""

    column: Column
    expr: str                # SQL expression over the list's source, e.g. "s.name" or "visited_at"
    sortable: bool = True
    visible: bool = True     # shown by default (the user's column choice overrides)

    @property
    def key(self) -> str:
        return self.column.key


@dataclass(frozen=True)
class FilterSpec:
    key: str                 # the name used by `--filter key=value` and saved filters
    label: str
    kind: FilterKind
    expr: str                # SQL expression the filter applies to
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ListSpec:
    name: str                # stable id: export name, settings key, output log subject
    title: str               # Chinese title shown on the dock and in the export title line
    source: str              # a security_invoker view (or table) in schema yiwei
    key: str                 # unique, non-null column used as keyset tie-breaker, e.g. "id"
    columns: tuple[ListColumn, ...]
    filters: tuple[FilterSpec, ...] = ()
    default_sort: str = ""   # column key; empty means the key column
    descending: bool = True
    search: tuple[str, ...] = field(default=())   # SQL expressions searched by the quick search box
    permissions: tuple[str, ...] = ()             # any one of these opens/exports the list

    def column(self, key: str) -> ListColumn:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    def filter(self, key: str) -> FilterSpec:
        for f in self.filters:
            if f.key == key:
                return f
        raise KeyError(key)
