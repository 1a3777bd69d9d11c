"""Declarative description of a list: where its rows come from, its columns and its filters.

The same spec drives the list window (lazy paging, sorting, quick search, totals), the Excel
export of what the window shows, and the headless ``yiwei export LIST --filter key=value``.
"""

from __future__ import annotations

import re
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
    # What sorting uses when it differs from what is shown, e.g. the rank of a status whose label
    # would sort alphabetically ("高/中/低").
    sort_expr: str = ""
    # False only when the expression is never NULL: keyset paging then needs no NULL handling and
    # the ORDER BY matches a plain btree index (NULLS LAST on a DESC index would need a full sort).
    nullable: bool = True

    @property
    def key(self) -> str:
        return self.column.key

    @property
    def title(self) -> str:
        return self.column.title

    @property
    def sort_sql(self) -> str:
        return self.sort_expr or self.expr


@dataclass(frozen=True)
class FilterSpec:
    key: str                 # the name used by `--filter key=value` and saved filters
    label: str
    kind: FilterKind
    expr: str                # SQL expression the filter applies to
    # CHOICE: fixed (value, label) pairs. BOOL: optional labels for ("true", …) and ("false", …),
    # e.g. 在职/停用 instead of 是/否.
    choices: tuple[tuple[str, str], ...] = ()
    # CHOICE and PERSON: choices read from the database instead, a query returning (value, label)
    # rows (positions, the guides of a store). The login's row-level security applies to it.
    choices_sql: str = ""


@dataclass(frozen=True)
class SearchMatch:
    """A further way the quick search finds rows, for terms the search columns cannot match.

    A search term that fully matches ``pattern`` (a regular expression) also finds the rows for
    which ``condition`` holds; ``{term}`` in the condition stands for the term, bound as a
    parameter. E.g. a phone number typed by someone who sees only masked phones:
    ``SearchMatch(r"[0-9+][0-9-]{6,19}", "id = ANY (yiwei.find_customers_by_phone({term}))")``.
    """

    pattern: str
    condition: str

    def __post_init__(self) -> None:
        re.compile(self.pattern)
        if "{term}" not in self.condition:
            raise ValueError(f"search condition {self.condition!r} does not use {{term}}")

    def applies_to(self, term: str) -> bool:
        return re.fullmatch(self.pattern, term) is not None


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
    search_matches: tuple[SearchMatch, ...] = ()  # further conditions for terms of a given form
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
