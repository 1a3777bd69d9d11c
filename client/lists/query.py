"""SQL for a list described by a ListSpec: filters, quick search, sort, keyset pages, a capped
row count, totals and a streaming iterator for exports.

Every value travels as a bound parameter. The SQL text is put together only from the spec
(source, column and filter expressions written by developers) and from fixed keywords; nothing a
user types ever becomes SQL text. Row-level security applies because the queries run on the
employee's own connection.

Pages are read by keyset, never by OFFSET: the next page starts after the (sort value, key) of the
last row shown, so page 5,000 of a million rows costs what page 1 costs. NULLs sort last in both
directions (what a clerk expects from a column of blanks), and the keyset condition treats them
the same way; a column declared ``nullable=False`` gets a plain ORDER BY that a btree index serves.

Functions take either an SQLAlchemy Connection (what ``AppContext.run`` hands a task) or a
psycopg2 connection; they run inside the caller's transaction.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import psycopg2

from client.db.errors import UserFacingError
from client.exports.columns import ColumnKind

from .spec import FilterKind, FilterSpec, ListColumn, ListSpec

SEARCH_KEY = "q"                 # `--filter q=万科` is the quick search
DEFAULT_PAGE_SIZE = 200
COUNT_CAP = 100_000
EXPORT_ITERSIZE = 2000
MAX_SEARCH_TERMS = 8
MAX_TEXT_LENGTH = 100

_TRUE_WORDS = {"1", "true", "t", "yes", "y", "是", "真"}
_FALSE_WORDS = {"0", "false", "f", "no", "n", "否", "假"}
_DATE_TEXT = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_MONTH_TEXT = re.compile(r"^(\d{4})-(\d{1,2})$")

DEFAULT_PERSON_CHOICES_SQL = (
    "SELECT e.id, e.full_name || '（' || e.login || '）' || CASE WHEN e.active THEN '' ELSE ' 停用' END"
    "  FROM yiwei.employee e ORDER BY NOT e.active, e.full_name, e.login")
VISIBLE_STORES_SQL = (
    "SELECT s.id, s.code, s.name FROM yiwei.store s"
    " WHERE s.id = ANY (yiwei.visible_store_ids()) ORDER BY s.code")


# --- values -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateRange:
    """Inclusive calendar dates in the company's time zone; either end may be open."""

    start: date | None = None
    end: date | None = None

    @property
    def empty(self) -> bool:
        return self.start is None and self.end is None

    def describe(self) -> str:
        if self.start and self.end:
            if self.start == self.end:
                return self.start.isoformat()
            return f"{self.start.isoformat()} 至 {self.end.isoformat()}"
        if self.start:
            return f"{self.start.isoformat()} 起"
        if self.end:
            return f"截至 {self.end.isoformat()}"
        return ""

    def to_json(self) -> dict:
        return {"from": self.start.isoformat() if self.start else None,
                "to": self.end.isoformat() if self.end else None}


@dataclass(frozen=True)
class ListQuery:
    """What a list shows: the spec plus filter values, quick search and sort.

    Filter values are typed: TEXT str, DATE_RANGE DateRange, STORE and PERSON the id (int), CHOICE
    the choice value, BOOL bool. Empty values are dropped; wrong ones raise UserFacingError.
    ``sort`` is a column key ("" = the spec's default); ``descending`` None = the natural
    direction (the spec's for its default sort, ascending for any other column).
    """

    spec: ListSpec
    filters: Mapping[str, object] = field(default_factory=dict)
    search: str = ""
    sort: str = ""
    descending: bool | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "filters", MappingProxyType(validate_filters(self.spec, self.filters)))
        search = " ".join((self.search or "").split())
        if len(search) > MAX_TEXT_LENGTH:
            raise UserFacingError(f"快速搜索的内容不能超过 {MAX_TEXT_LENGTH} 个字")
        object.__setattr__(self, "search", search)
        sort = self.sort or self.spec.default_sort
        if sort and sort != self.spec.key:
            try:
                column = self.spec.column(sort)
            except KeyError:
                raise UserFacingError(f"列表“{self.spec.title}”没有列“{sort}”，无法排序") from None
            if not column.sortable:
                raise UserFacingError(f"不能按“{column.title}”排序")
        descending = self.descending
        if descending is None:
            descending = self.spec.descending if sort == self.spec.default_sort else False
        object.__setattr__(self, "sort", sort)
        object.__setattr__(self, "descending", bool(descending))

    @property
    def sort_column(self) -> ListColumn | None:
        """The column sorted by; None when the rows are sorted by the key alone."""
        if not self.sort or self.sort == self.spec.key:
            return None
        return self.spec.column(self.sort)

    def with_changes(self, **changes) -> "ListQuery":
        values = {"filters": dict(self.filters), "search": self.search, "sort": self.sort,
                  "descending": self.descending}
        values.update(changes)
        return ListQuery(self.spec, **values)

    def to_json(self) -> dict:
        """The filter as the output log records it."""
        values = {}
        for key, value in self.filters.items():
            values[key] = value.to_json() if isinstance(value, DateRange) else value
        return {"filters": values, "search": self.search, "sort": self.sort or self.spec.key,
                "descending": self.descending}


@dataclass(frozen=True)
class PageCursor:
    """Where the next page starts: the sort value and key of the last row read."""

    sort_value: object
    key: object


@dataclass
class Page:
    keys: list
    rows: list[tuple]            # values of every spec column, in spec order
    after: PageCursor | None     # start of the next page
    more: bool                   # whether another page follows


@dataclass(frozen=True)
class RowCount:
    rows: int                    # exact when not capped, else the cap
    capped: bool                 # more rows match than the cap

    def describe(self) -> str:
        if self.capped:
            return f"超过 {self.rows:,} 行"
        return f"共 {self.rows:,} 行"


# --- validation ---------------------------------------------------------------------------------


def validate_filters(spec: ListSpec, filters: Mapping[str, object]) -> dict[str, object]:
    """Typed filter values checked against the spec; empty values are dropped."""
    clean: dict[str, object] = {}
    for key, value in (filters or {}).items():
        if key == SEARCH_KEY:
            raise UserFacingError(f"“{SEARCH_KEY}”是快速搜索，不是筛选条件")
        spec_filter = _filter_of(spec, key)
        if value is None:
            continue
        kind = spec_filter.kind
        label = spec_filter.label
        if kind is FilterKind.TEXT:
            if not isinstance(value, str):
                raise UserFacingError(f"“{label}”必须是文字")
            value = " ".join(value.split())
            if not value:
                continue
            if len(value) > MAX_TEXT_LENGTH:
                raise UserFacingError(f"“{label}”不能超过 {MAX_TEXT_LENGTH} 个字")
        elif kind is FilterKind.DATE_RANGE:
            if not isinstance(value, DateRange):
                raise UserFacingError(f"“{label}”必须是日期范围")
            for end in (value.start, value.end):
                if end is not None and (not isinstance(end, date) or isinstance(end, datetime)):
                    raise UserFacingError(f"“{label}”必须是日期范围")
            if value.empty:
                continue
            if value.start and value.end and value.start > value.end:
                raise UserFacingError(f"“{label}”的开始日期 {value.start} 晚于结束日期 {value.end}")
        elif kind in (FilterKind.STORE, FilterKind.PERSON):
            if isinstance(value, bool) or not isinstance(value, int):
                raise UserFacingError(f"“{label}”的值无效")
        elif kind is FilterKind.CHOICE:
            if value == "":
                continue
            if spec_filter.choices and str(value) not in {v for v, _ in spec_filter.choices}:
                raise UserFacingError(f"“{label}”只能是：{_choice_list(spec_filter.choices)}")
        elif kind is FilterKind.BOOL:
            if not isinstance(value, bool):
                raise UserFacingError(f"“{label}”只能是：{_bool_words(spec_filter)}")
        clean[key] = value
    return clean


def _filter_of(spec: ListSpec, key: str) -> FilterSpec:
    try:
        return spec.filter(key)
    except KeyError:
        known = "、".join(f.key for f in spec.filters) or "无"
        raise UserFacingError(f"列表“{spec.title}”没有筛选条件“{key}”；可用：{known}，以及快速搜索 {SEARCH_KEY}") from None


def _choice_list(choices) -> str:
    return "、".join(f"{value}（{label}）" if str(value) != label else label for value, label in choices)


def _bool_labels(spec_filter: FilterSpec) -> tuple[str, str]:
    labels = dict(spec_filter.choices)
    return labels.get("true", "是"), labels.get("false", "否")


def _bool_words(spec_filter: FilterSpec) -> str:
    yes, no = _bool_labels(spec_filter)
    return f"{yes}/{no}（或 true/false）"


# --- parsing `key=value` text (command line, saved filters) -------------------------------------


def parse_filter_args(spec: ListSpec, items: Iterable[str]) -> dict[str, str]:
    """`["store=HZ01", "q=万科"]` → {"store": "HZ01", "q": "万科"}; checks the keys only."""
    raw: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UserFacingError(f"筛选条件应写成 键=值（例如 store=HZ01），而不是“{item}”")
        if key != SEARCH_KEY:
            _filter_of(spec, key)
        if key in raw:
            raise UserFacingError(f"筛选条件“{key}”写了两次")
        raw[key] = value.strip()
    return raw


def parse_date_range(label: str, text: str) -> DateRange:
    """`2026-11-01..2026-11-30`, `2026-11-01..`, `..2026-11-30`, one day `2026-11-05`, or a
    month `2026-11`."""
    text = text.strip()
    hint = (f"“{label}”的值“{text}”不是有效的日期范围，应写成 2026-11-01..2026-11-30"
            "（也可只写一端，如 2026-11-01..，或 2026-11 表示整月）")
    if ".." in text:
        first, _, second = text.partition("..")
        start = _parse_date(first, hint) if first.strip() else None
        end = _parse_date(second, hint) if second.strip() else None
        if start is None and end is None:
            raise UserFacingError(hint)
    else:
        month = _MONTH_TEXT.match(text)
        if month:
            year, number = int(month.group(1)), int(month.group(2))
            if not 1 <= number <= 12:
                raise UserFacingError(hint)
            start = date(year, number, 1)
            end = (date(year + number // 12, number % 12 + 1, 1)) - timedelta(days=1)
        else:
            start = end = _parse_date(text, hint)
    if start and end and start > end:
        raise UserFacingError(f"“{label}”的开始日期 {start} 晚于结束日期 {end}")
    return DateRange(start, end)


def _parse_date(text: str, hint: str) -> date:
    text = text.strip()
    if not _DATE_TEXT.match(text):
        raise UserFacingError(hint)
    year, month, day = (int(part) for part in text.split("-"))
    try:
        return date(year, month, day)
    except ValueError:
        raise UserFacingError(hint) from None


def parse_bool(spec_filter: FilterSpec, text: str) -> bool:
    yes, no = _bool_labels(spec_filter)
    word = text.strip().lower()
    if word in _TRUE_WORDS or word == yes.lower():
        return True
    if word in _FALSE_WORDS or word == no.lower():
        return False
    raise UserFacingError(f"“{spec_filter.label}”的值“{text}”无效，只能是：{_bool_words(spec_filter)}")


def resolve_filters(conn, spec: ListSpec, raw: Mapping[str, str]) -> tuple[dict[str, object], str]:
    """Text values (as typed after `--filter key=`) → typed filter values and the quick search.

    Stores are named by code or name, people by login or name, choices by value or label; the
    lookups run as the login, so a store it may not see is "not found".
    """
    filters: dict[str, object] = {}
    search = ""
    for key, text in raw.items():
        if key == SEARCH_KEY:
            search = text
            continue
        spec_filter = _filter_of(spec, key)
        text = text.strip()
        if not text:
            raise UserFacingError(f"筛选条件“{spec_filter.label}”（{key}）没有值")
        kind = spec_filter.kind
        if kind is FilterKind.TEXT:
            filters[key] = text
        elif kind is FilterKind.DATE_RANGE:
            filters[key] = parse_date_range(spec_filter.label, text)
        elif kind is FilterKind.BOOL:
            filters[key] = parse_bool(spec_filter, text)
        elif kind is FilterKind.STORE:
            filters[key] = _resolve_store(conn, spec_filter, text)
        elif kind is FilterKind.PERSON:
            filters[key] = _resolve_person(conn, spec_filter, text)
        elif kind is FilterKind.CHOICE:
            filters[key] = _resolve_choice(conn, spec_filter, text)
    # Validation again through the typed path, so both ways in obey the same rules.
    return validate_filters(spec, filters), search


def _resolve_store(conn, spec_filter: FilterSpec, text: str) -> int:
    stores = visible_stores(conn)
    wanted = text.casefold()
    for store_id, code, name in stores:
        if wanted in (code.casefold(), name.casefold(), str(store_id)):
            return store_id
    known = "、".join(f"{code} {name}" for _id, code, name in stores) or "无"
    raise UserFacingError(f"找不到门店“{text}”，或您无权查看该门店；可选门店：{known}")


def _resolve_person(conn, spec_filter: FilterSpec, text: str) -> int:
    rows = fetch_all(conn, "SELECT e.id, e.login, e.full_name FROM yiwei.employee e"
                           " WHERE lower(e.login) = lower(%(t)s) OR e.full_name = %(t)s OR e.id::text = %(t)s"
                           " ORDER BY e.login", {"t": text})
    by_login = [r for r in rows if r[1].lower() == text.lower() or str(r[0]) == text]
    if len(by_login) == 1:
        return by_login[0][0]
    if len(rows) == 1:
        return rows[0][0]
    if not rows:
        raise UserFacingError(f"找不到员工“{text}”（{spec_filter.label}请写登录名或姓名），或您无权查看该员工")
    logins = "、".join(r[1] for r in rows)
    raise UserFacingError(f"有多名员工叫“{text}”，请改用登录名：{logins}")


def _resolve_choice(conn, spec_filter: FilterSpec, text: str):
    choices = load_choices(conn, spec_filter)
    for value, label in choices:
        if text == str(value) or text == label:
            return value
    wanted = text.casefold()
    for value, label in choices:
        if wanted in (str(value).casefold(), label.casefold()):
            return value
    raise UserFacingError(f"“{spec_filter.label}”的值“{text}”无效，只能是：{_choice_list(choices)}")


# --- choices and descriptions -------------------------------------------------------------------


def visible_stores(conn) -> list[tuple[int, str, str]]:
    """(id, code, name) of the stores the login's data scope covers."""
    return [tuple(row) for row in fetch_all(conn, VISIBLE_STORES_SQL)]


def load_choices(conn, spec_filter: FilterSpec) -> list[tuple[object, str]]:
    """The (value, label) pairs a filter offers this login."""
    kind = spec_filter.kind
    if kind is FilterKind.STORE:
        return [(store_id, f"{code} {name}") for store_id, code, name in visible_stores(conn)]
    if kind is FilterKind.BOOL:
        yes, no = _bool_labels(spec_filter)
        return [(True, yes), (False, no)]
    if kind is FilterKind.PERSON:
        return [(row[0], row[1]) for row in fetch_all(conn, spec_filter.choices_sql or DEFAULT_PERSON_CHOICES_SQL)]
    if kind is FilterKind.CHOICE:
        if spec_filter.choices_sql:
            return [(row[0], row[1]) for row in fetch_all(conn, spec_filter.choices_sql)]
        return list(spec_filter.choices)
    return []


def describe_filters(conn, query: ListQuery) -> list[tuple[str, str]]:
    """(label, human-readable value) of every active filter and the quick search, for the title
    lines of an export."""
    described = []
    for spec_filter in query.spec.filters:
        if spec_filter.key not in query.filters:
            continue
        value = query.filters[spec_filter.key]
        described.append((spec_filter.label, _describe_value(conn, spec_filter, value)))
    if query.search:
        described.append(("快速搜索", query.search))
    return described


def _describe_value(conn, spec_filter: FilterSpec, value) -> str:
    kind = spec_filter.kind
    if kind is FilterKind.DATE_RANGE:
        return value.describe()
    if kind is FilterKind.TEXT:
        return value
    if kind is FilterKind.BOOL:
        yes, no = _bool_labels(spec_filter)
        return yes if value else no
    if kind is FilterKind.STORE:
        row = fetch_one(conn, "SELECT name FROM yiwei.store WHERE id = %(id)s", {"id": value})
        return row[0] if row else f"#{value}"
    if kind is FilterKind.PERSON:
        row = fetch_one(conn, "SELECT full_name FROM yiwei.employee WHERE id = %(id)s", {"id": value})
        return row[0] if row else f"#{value}"
    for choice, label in load_choices(conn, spec_filter):
        if choice == value or str(choice) == str(value):
            return label
    return str(value)


def company_zone(conn) -> tzinfo:
    """The company's time zone (parameter company.timezone), for showing and exporting times.

    Falls back to the zone's current UTC offset when this PC has no time zone database (a
    Windows PC without the tzdata package).
    """
    name, offset = fetch_one(conn, (
        "SELECT z.tz, extract(epoch FROM (now() AT TIME ZONE z.tz) - (now() AT TIME ZONE 'UTC'))"
        "  FROM (SELECT yiwei.company_timezone() AS tz) z"))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone(timedelta(seconds=int(offset)), name)


# --- SQL ----------------------------------------------------------------------------------------


class _Sql:
    """Collects bound parameters under generated names."""

    def __init__(self) -> None:
        self.params: dict[str, object] = {}

    def param(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"%({name})s"


def _frag(text: str) -> str:
    # Spec text goes into a string that psycopg2 formats with named parameters: a literal percent
    # sign in an expression must be doubled.
    return text.replace("%", "%%")


def _source(spec: ListSpec) -> str:
    return _frag(spec.source if "." in spec.source else f"yiwei.{spec.source}")


def escape_like(text: str) -> str:
    """Text matched literally inside ILIKE (backslash is PostgreSQL's default LIKE escape)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(query: ListQuery, sql: _Sql) -> list[str]:
    spec = query.spec
    conditions = []
    for key, value in query.filters.items():
        spec_filter = spec.filter(key)
        expr = _frag(spec_filter.expr)
        kind = spec_filter.kind
        if kind is FilterKind.TEXT:
            conditions.append(f"{expr} ILIKE {sql.param('%' + escape_like(value) + '%')}")
        elif kind is FilterKind.DATE_RANGE:
            conditions.extend(_date_conditions(spec, spec_filter, expr, value, sql))
        else:
            conditions.append(f"{expr} = {sql.param(value)}")
    if query.search and (spec.search or spec.search_matches):
        for term in query.search.split()[:MAX_SEARCH_TERMS]:
            alternatives = []
            if spec.search:
                pattern = sql.param("%" + escape_like(term) + "%")
                alternatives += [f"{_frag(e)} ILIKE {pattern}" for e in spec.search]
            for match in spec.search_matches:
                if match.applies_to(term):
                    alternatives.append(_frag(match.condition).replace("{term}", sql.param(term)))
            if alternatives:
                conditions.append("(" + " OR ".join(alternatives) + ")")
    return conditions


def _date_conditions(spec: ListSpec, spec_filter: FilterSpec, expr: str, value: DateRange, sql: _Sql) -> list[str]:
    # A filter on an expression that a DATE column shows compares dates; otherwise the expression
    # is a moment (timestamptz).
    is_date = any(c.expr == spec_filter.expr and c.column.kind is ColumnKind.DATE for c in spec.columns)
    conditions = []
    if is_date:
        if value.start:
            conditions.append(f"{expr} >= {sql.param(value.start)}::date")
        if value.end:
            conditions.append(f"{expr} <= {sql.param(value.end)}::date")
        return conditions
    # A moment lies on a calendar day of the company's zone: [day 00:00, next day 00:00) there.
    # The bounds are constants for the query, so an index on the column serves the range.
    zone = "(SELECT yiwei.company_timezone())"
    if value.start:
        conditions.append(f"{expr} >= ({sql.param(value.start)}::date::timestamp AT TIME ZONE {zone})")
    if value.end:
        conditions.append(f"{expr} < (({sql.param(value.end)}::date + 1)::timestamp AT TIME ZONE {zone})")
    return conditions


def _where(conditions: list[str]) -> str:
    return (" WHERE " + " AND ".join(conditions)) if conditions else ""


def _order(query: ListQuery) -> tuple[str | None, str, bool]:
    """(sort expression or None for key-only, direction, nullable)."""
    column = query.sort_column
    direction = "DESC" if query.descending else "ASC"
    if column is None or column.sort_sql == query.spec.key:
        return None, direction, False
    return _frag(column.sort_sql), direction, column.nullable


def _order_by(query: ListQuery) -> str:
    sort, direction, nullable = _order(query)
    key = _frag(query.spec.key)
    if sort is None:
        return f" ORDER BY {key} {direction}"
    nulls = " NULLS LAST" if nullable else ""
    return f" ORDER BY {sort} {direction}{nulls}, {key} {direction}"


def _keyset(query: ListQuery, after: PageCursor, sql: _Sql) -> str:
    sort, direction, nullable = _order(query)
    key = _frag(query.spec.key)
    op = "<" if direction == "DESC" else ">"
    if sort is None:
        return f"{key} {op} {sql.param(after.key)}"
    if after.sort_value is None:
        # Past the last non-NULL value: only NULLs remain, ordered by the key.
        return f"({sort} IS NULL AND {key} {op} {sql.param(after.key)})"
    row_compare = f"({sort}, {key}) {op} ({sql.param(after.sort_value)}, {sql.param(after.key)})"
    if nullable:
        return f"({sort} IS NULL OR {row_compare})"
    return row_compare


def page_sql(query: ListQuery, after: PageCursor | None = None, limit: int = DEFAULT_PAGE_SIZE) -> tuple[str, dict]:
    """SELECT key, sort value, every column … of the page after `after` (limit + 1 rows, the
    extra one only tells whether another page follows)."""
    spec = query.spec
    sql = _Sql()
    sort, _direction, _nullable = _order(query)
    select = [f"{_frag(spec.key)} AS _key", f"{sort or _frag(spec.key)} AS _sort"]
    select += [f"{_frag(c.expr)} AS c{i}" for i, c in enumerate(spec.columns)]
    conditions = _conditions(query, sql)
    if after is not None:
        conditions.append(_keyset(query, after, sql))
    text = (f"SELECT {', '.join(select)} FROM {_source(spec)}{_where(conditions)}{_order_by(query)}"
            f" LIMIT {sql.param(limit + 1)}")
    return text, sql.params


def fetch_page(conn, query: ListQuery, after: PageCursor | None = None, limit: int = DEFAULT_PAGE_SIZE) -> Page:
    if limit < 1:
        raise ValueError("a page holds at least one row")
    text, params = page_sql(query, after, limit)
    rows = fetch_all(conn, text, params)
    more = len(rows) > limit
    rows = rows[:limit]
    if not rows:
        return Page(keys=[], rows=[], after=after, more=False)
    last = rows[-1]
    return Page(keys=[r[0] for r in rows], rows=[tuple(r[2:]) for r in rows],
                after=PageCursor(sort_value=last[1], key=last[0]), more=more)


def count_rows(conn, query: ListQuery, cap: int = COUNT_CAP) -> RowCount:
    """How many rows match, counting at most cap + 1 of them (a million-row count on every
    keystroke is what makes lists slow)."""
    sql = _Sql()
    conditions = _conditions(query, sql)
    text = (f"SELECT count(*) FROM (SELECT 1 FROM {_source(query.spec)}{_where(conditions)}"
            f" LIMIT {sql.param(cap + 1)}) AS capped")
    (count,) = fetch_one(conn, text, sql.params)
    if count > cap:
        return RowCount(rows=cap, capped=True)
    return RowCount(rows=count, capped=False)


def totals(conn, query: ListQuery) -> dict[str, Decimal]:
    """Exact sums over every matching row of the columns marked for totals."""
    columns = [c for c in query.spec.columns if c.column.total]
    if not columns:
        return {}
    sql = _Sql()
    conditions = _conditions(query, sql)
    sums = ", ".join(f"sum({_frag(c.expr)})" for c in columns)
    row = fetch_one(conn, f"SELECT {sums} FROM {_source(query.spec)}{_where(conditions)}", sql.params)
    return {c.key: Decimal(value) if value is not None else Decimal(0) for c, value in zip(columns, row)}


def rows_sql(query: ListQuery, columns: Sequence[str]) -> tuple[str, dict]:
    spec = query.spec
    sql = _Sql()
    select = ", ".join(f"{_frag(spec.column(key).expr)} AS c{i}" for i, key in enumerate(columns))
    conditions = _conditions(query, sql)
    return f"SELECT {select} FROM {_source(spec)}{_where(conditions)}{_order_by(query)}", sql.params


def resolve_columns(spec: ListSpec, columns: Sequence[str] | None) -> list[str]:
    """Column keys to export: the given ones (keys or titles, checked) or the visible defaults."""
    if columns is None:
        return [c.key for c in spec.columns if c.visible]
    resolved = []
    by_title = {c.title: c.key for c in spec.columns}
    for name in columns:
        name = name.strip()
        key = name if any(c.key == name for c in spec.columns) else by_title.get(name)
        if key is None:
            known = "、".join(f"{c.key}（{c.title}）" for c in spec.columns)
            raise UserFacingError(f"列表“{spec.title}”没有列“{name}”；可用：{known}")
        if key in resolved:
            raise UserFacingError(f"列“{name}”写了两次")
        resolved.append(key)
    if not resolved:
        raise UserFacingError("至少要导出一列")
    return resolved


def iter_rows(conn, query: ListQuery, columns: Sequence[str], itersize: int = EXPORT_ITERSIZE) -> Iterator[tuple]:
    """Every matching row (values of `columns`, in that order and in the list's sort), read
    through a server-side cursor `itersize` rows at a time so that memory stays flat however
    many rows there are. Needs a transaction (not autocommit)."""
    text, params = rows_sql(query, columns)
    raw = dbapi_connection(conn)
    cursor = raw.cursor(name=f"yiwei_list_{uuid.uuid4().hex[:16]}")
    cursor.itersize = itersize
    try:
        cursor.execute(text, params)
        # Not `yield from`: closing this generator would then close the cursor directly.
        for row in cursor:
            yield row
    finally:
        _close_quietly(cursor)


def _close_quietly(cursor) -> None:
    # A generator abandoned after its transaction ended (an export that failed half-way) finds
    # its server-side cursor already gone with the transaction; there is nothing left to free.
    try:
        cursor.close()
    except psycopg2.Error:
        pass


# --- execution ----------------------------------------------------------------------------------


def dbapi_connection(conn):
    """The psycopg2 connection under an SQLAlchemy Connection (or the connection itself)."""
    if hasattr(conn, "exec_driver_sql"):
        return conn.connection.dbapi_connection
    return conn


def fetch_all(conn, text: str, params: Mapping | None = None) -> list:
    with dbapi_connection(conn).cursor() as cur:
        cur.execute(text, params)
        return cur.fetchall()


def fetch_one(conn, text: str, params: Mapping | None = None):
    with dbapi_connection(conn).cursor() as cur:
        cur.execute(text, params)
        return cur.fetchone()
