"""The SQL of a list: filters, search, keyset paging, count and totals — run as real employee logins
so that row-level security applies, with the superuser only as ground truth."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from client.db.errors import UserFacingError
from client.lists.query import (DateRange, ListQuery, RowCount, count_rows, describe_filters, escape_like, fetch_all,
                                fetch_page, iter_rows, page_sql, parse_date_range, parse_filter_args,
                                resolve_filters, totals)

INTENT_RANK = {"高": 3, "中": 2, "低": 1}


def walk(conn, query, page_size):
    """Every key of the query, read page by page."""
    keys, after = [], None
    while True:
        page = fetch_page(conn, query, after, page_size)
        keys += page.keys
        if not page.more:
            return keys
        assert len(page.keys) == page_size
        after = page.after


# --- filters --------------------------------------------------------------------------------------


def test_store_filter_shows_only_that_store(session_of, visits, sql, ids):
    session = session_of("hd.director")
    query = ListQuery(visits, {"store": ids.store("HZ01")})
    with session.engine.begin() as conn:
        counted = count_rows(conn, query)
        stores = {row[1] for row in fetch_page(conn, query, limit=10_000).rows}
    expected = sql("SELECT count(*) FROM yiwei.visit v JOIN yiwei.store s ON s.id = v.store_id WHERE s.code = 'HZ01'")
    assert counted == RowCount(expected[0][0], capped=False)
    assert stores == {"杭州城西展厅"}


def insert_visits(conn, ids, rows):
    """Visits of HZ01 by hz01.guide1 inside the caller's transaction: (visited_at, community, source)."""
    keys = []
    with conn.cursor() as cur:
        for visited_at, community, source in rows:
            # a source is master data: the test's odd names become sources of their own
            if source:
                cur.execute("INSERT INTO yiwei.customer_source (name) VALUES (%s) ON CONFLICT (name) DO NOTHING",
                            (source,))
            cur.execute("INSERT INTO yiwei.visit (store_id, guide_id, visited_at, community, source_id)"
                        " VALUES (%s, %s, %s, %s, (SELECT id FROM yiwei.customer_source WHERE name = %s)) RETURNING id",
                        (ids.store("HZ01"), ids.employee("hz01.guide1"), visited_at, community, source))
            keys.append(cur.fetchone()[0])
    return keys


def test_date_range_covers_whole_days_in_the_company_time_zone(db, visits, ids):
    conn = db.admin()
    with conn.cursor() as cur:
        # The session's own zone must not matter: days are days in Asia/Shanghai.
        cur.execute("SET TIME ZONE 'America/New_York'")
    before, first, last, after = insert_visits(conn, ids, [
        ("2030-02-28 23:59:59.999999+08", "边界测试", ""),
        ("2030-03-01 00:00:00+08", "边界测试", ""),
        ("2030-03-31 23:59:59.999999+08", "边界测试", ""),
        ("2030-04-01 00:00:00+08", "边界测试", ""),
    ])

    def keys(date_range):
        query = ListQuery(visits, {"visited": date_range}, search="边界测试")
        return set(fetch_page(conn, query, limit=100).keys)

    try:
        assert keys(DateRange(date(2030, 3, 1), date(2030, 3, 31))) == {first, last}
        assert keys(DateRange(date(2030, 3, 31), date(2030, 3, 31))) == {last}
        assert keys(DateRange(None, date(2030, 2, 28))) == {before}
        assert keys(DateRange(date(2030, 4, 1), None)) == {after}
        assert keys(parse_date_range("来访日期", "2030-03")) == {first, last}
    finally:
        conn.rollback()


def test_percent_underscore_and_backslash_are_matched_literally(db, visits, ids):
    conn = db.admin()
    hundred, thousand, underscore, x, backslash = insert_visits(conn, ids, [
        ("2030-01-02 10:00+08", "满意100%小区", "5%折扣"),
        ("2030-01-02 10:00+08", "满意1000小区", "50折扣"),
        ("2030-01-02 10:00+08", "A_B花园", ""),
        ("2030-01-02 10:00+08", "AxB花园", ""),
        ("2030-01-02 10:00+08", "反斜杠\\花园", ""),
    ])
    january = DateRange(date(2030, 1, 2), date(2030, 1, 2))

    def keys(**query):
        query.setdefault("filters", {})
        query["filters"]["visited"] = january
        return set(fetch_page(conn, ListQuery(visits, **query), limit=100).keys)

    try:
        assert keys(search="100%") == {hundred}
        assert keys(search="A_B") == {underscore}
        assert keys(search="\\") == {backslash}
        assert keys(search="花园") == {underscore, x, backslash}
        assert keys(filters={"source": "5%"}) == {hundred}
        assert keys(search="a_b 花园") == {underscore}  # every term must match, case-insensitively
    finally:
        conn.rollback()


def test_escape_like_escapes_the_like_wildcards_and_the_escape_character():
    assert escape_like("100%_\\") == "100\\%\\_\\\\"


def test_user_text_is_a_value_not_sql(session_of, visits):
    session = session_of("hz01.manager")
    query = ListQuery(visits, {"source": "x' OR '1'='1"}, search="'; DROP TABLE yiwei.visit; --")
    text, params = page_sql(query)
    assert "DROP" not in text and "'1'='1" not in text
    with session.engine.begin() as conn:
        assert fetch_page(conn, query).keys == []
        assert count_rows(conn, ListQuery(visits)).rows > 0


# --- keyset paging --------------------------------------------------------------------------------

VISIT_SORTS = [("visited_at", True), ("visited_at", False), ("party_size", False), ("party_size", True),
               ("intent", True), ("community", False), ("note", True), ("store", False), ("guide", True),
               ("", None)]


@pytest.mark.parametrize(("sort", "descending"), VISIT_SORTS)
def test_keyset_pages_return_every_row_of_a_guide_once_in_order(session_of, visits, sql, ids, sort, descending):
    session = session_of("hz01.guide1")
    query = ListQuery(visits, sort=sort, descending=descending)
    with session.engine.begin() as conn:
        everything = fetch_page(conn, query, limit=100_000)
        paged = walk(conn, query, 17)

    assert paged == everything.keys
    assert len(set(paged)) == len(paged)
    # Row-level security: a guide's list holds exactly the guide's own visits.
    own = sql("SELECT id FROM yiwei.visit WHERE guide_id = %s", (ids.employee("hz01.guide1"),))
    assert sorted(paged) == sorted(r[0] for r in own)
    column = query.sort_column
    if column is not None and column.key in ("visited_at", "party_size", "intent"):
        position = visits.columns.index(column)
        rank = (lambda v: INTENT_RANK[v]) if column.key == "intent" else (lambda v: v)
        pairs = [(rank(row[position]), key) for key, row in zip(everything.keys, everything.rows)]
        assert pairs == sorted(pairs, reverse=query.descending)


@pytest.mark.parametrize("sort", ["store", "department", "region"])
@pytest.mark.parametrize("descending", [False, True])
def test_keyset_pages_over_a_nullable_column_keep_nulls_last(session_of, employees, sort, descending):
    session = session_of("admin")
    query = ListQuery(employees, sort=sort, descending=descending)
    position = employees.columns.index(employees.column(sort))
    with session.engine.begin() as conn:
        everything = fetch_page(conn, query, limit=10_000)
        paged = walk(conn, query, 7)

    assert paged == everything.keys
    assert len(set(paged)) == len(paged)
    values = [row[position] for row in everything.rows]
    nulls = [key for key, value in zip(everything.keys, values) if value is None]
    assert nulls, "the demo data has employees without a store, department or region"
    # Blanks come last in both directions, among themselves in key order.
    assert all(value is None for value in values[-len(nulls):])
    assert nulls == sorted(nulls, reverse=descending)


def test_sorting_by_the_key_alone_pages_by_key(session_of, employees):
    session = session_of("admin")
    query = ListQuery(employees, sort="id", descending=True)
    with session.engine.begin() as conn:
        keys = walk(conn, query, 9)
    assert query.sort_column is None
    assert keys == sorted(keys, reverse=True)


# --- count, totals, export stream -----------------------------------------------------------------


def test_count_is_capped_and_totals_are_exact(session_of, visits, sql):
    session = session_of("hd.director")
    query = ListQuery(visits)
    with session.engine.begin() as conn:
        exact = count_rows(conn, query)
        capped = count_rows(conn, query, cap=10)
        sums = totals(conn, query)
        party_sizes = [row[0] for row in iter_rows(conn, query, ["party_size"])]

    region = sql("SELECT count(*), sum(v.party_size) FROM yiwei.visit v JOIN yiwei.store s ON s.id = v.store_id"
                 " JOIN yiwei.region r ON r.id = s.region_id WHERE r.code = 'HD'")
    assert exact == RowCount(region[0][0], capped=False)
    assert capped == RowCount(10, capped=True)
    assert capped.describe() == "超过 10 行" and exact.describe() == f"共 {region[0][0]:,} 行"
    assert sums == {"party_size": Decimal(region[0][1])}
    assert isinstance(sums["party_size"], Decimal)
    assert sum(party_sizes) == sums["party_size"] and len(party_sizes) == exact.rows


def test_export_stream_reads_through_a_server_side_cursor(session_of, visits):
    session = session_of("hz01.manager")
    query = ListQuery(visits)
    with session.engine.begin() as conn:
        total = count_rows(conn, query).rows
        rows = iter_rows(conn, query, ["store", "visited_at"], itersize=50)
        first = next(rows)
        cursors = fetch_all(conn, "SELECT name FROM pg_cursors WHERE name LIKE 'yiwei_list_%'")
        rest = sum(1 for _ in rows)
    assert len(cursors) == 1
    assert first[0] == "杭州城西展厅"
    assert rest + 1 == total


# --- values from text (command line) and their validation -----------------------------------------


def test_filter_text_becomes_typed_values(session_of, visits, ids):
    session = session_of("hd.director")
    raw = parse_filter_args(visits, ["store=hz01", "visited=2026-11-01..2026-11-30", "q=万科", "intent=高",
                                     "guide=hz01.guide1", "source= 自然 "])
    with session.engine.begin() as conn:
        filters, search = resolve_filters(conn, visits, raw)
        described = describe_filters(conn, ListQuery(visits, filters, search))
    assert filters == {"store": ids.store("HZ01"), "visited": DateRange(date(2026, 11, 1), date(2026, 11, 30)),
                       "intent": "high", "guide": ids.employee("hz01.guide1"), "source": "自然"}
    assert search == "万科"
    assert ("门店", "杭州城西展厅") in described
    assert ("来访日期", "2026-11-01 至 2026-11-30") in described
    assert ("意向", "高") in described
    assert described[-1] == ("快速搜索", "万科")


@pytest.mark.parametrize(("item", "message"), [
    ("intent=urgent", "“意向”的值“urgent”无效，只能是：high（高）、medium（中）、low（低）"),
    ("visited=2026-02-30", "不是有效的日期范围"),
    ("visited=2026-11-30..2026-11-01", "开始日期 2026-11-30 晚于结束日期 2026-11-01"),
    ("visited=last week", "应写成 2026-11-01..2026-11-30"),
    ("store=GZ01", "找不到门店“GZ01”，或您无权查看该门店"),
    ("guide=nobody.here", "找不到员工“nobody.here”"),
    ("weather=sunny", "没有筛选条件“weather”"),
    ("store", "筛选条件应写成 键=值"),
    ("store=", "没有值"),
])
def test_bad_filter_text_gets_a_clear_chinese_message(session_of, visits, item, message):
    session = session_of("hd.director")
    with pytest.raises(UserFacingError) as raised:
        raw = parse_filter_args(visits, [item])
        with session.engine.begin() as conn:
            resolve_filters(conn, visits, raw)
    assert message in raised.value.message


def test_employee_filters_accept_labels(session_of, employees, sql):
    session = session_of("admin")
    raw = parse_filter_args(employees, ["position=导购", "active=在职", "name=guide1"])
    with session.engine.begin() as conn:
        filters, _search = resolve_filters(conn, employees, raw)
        rows = fetch_page(conn, ListQuery(employees, filters), limit=1000).rows
    guide_position = sql("SELECT id FROM yiwei.position WHERE name = '导购'")[0][0]
    assert filters == {"position": guide_position, "active": True, "name": "guide1"}
    assert rows and all(row[3] == "导购" and row[8] == "在职" and row[0].endswith(".guide1") for row in rows)


@pytest.mark.parametrize(("filters", "message"), [
    ({"intent": "urgent"}, "意向"),
    ({"visited": DateRange(date(2026, 2, 1), date(2026, 1, 1))}, "晚于"),
    ({"store": "HZ01"}, "门店"),
    ({"nope": 1}, "没有筛选条件"),
    ({"q": "x"}, "快速搜索"),
])
def test_typed_filter_values_are_checked(visits, filters, message):
    with pytest.raises(UserFacingError) as raised:
        ListQuery(visits, filters)
    assert message in raised.value.message


def test_sorting_needs_a_sortable_column(visits):
    with pytest.raises(UserFacingError) as raised:
        ListQuery(visits, sort="mood")
    assert "没有列“mood”" in raised.value.message
    assert ListQuery(visits).sort == "visited_at" and ListQuery(visits).descending is True
    assert ListQuery(visits, sort="party_size").descending is False


def test_empty_filter_values_mean_no_filter(visits):
    query = ListQuery(visits, {"source": "  ", "visited": DateRange(), "store": None}, search="  万科   城 ")
    assert dict(query.filters) == {}
    assert query.search == "万科 城"
