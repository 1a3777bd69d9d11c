"""How a list behaves at a million rows, and what the Excel export costs over plain openpyxl.

``run_list_benchmark`` optionally tops the visit table up to `rows` visits (a superuser bulk load
with INSERT … SELECT over generate_series), then measures as an employee login: the first page
of the list as it opens, a page deep inside it (keyset paging must cost the same), a first page
sorted by an unindexed text column, a filtered first page, the capped row count and the totals.
The export figures come from client.exports.benchmark in the same run.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from sqlalchemy.engine import Engine

from client.demo.company import COMMUNITIES
from client.demo.visits import STAGES
from client.exports.benchmark import run_export_benchmark

from .catalog import get_list
from .query import COUNT_CAP, ListQuery, PageCursor, count_rows, fetch_page, fetch_one, totals, visible_stores

_ALL_COMMUNITIES = [name for names in COMMUNITIES.values() for name in names]

# Visits spread over every store, by the people who receive visitors there ('own'-scope staff
# holding customers.visit, i.e. the guides), over the two years before today, in opening hours
# (09:00–21:00 company time).
BULK_VISITS_SQL = """
WITH staff AS (
    SELECT array_agg(e.id ORDER BY e.id) AS guide_ids, array_agg(e.store_id ORDER BY e.id) AS store_ids
      FROM yiwei.employee e JOIN yiwei.position p ON p.id = e.position_id
     WHERE e.active AND e.store_id IS NOT NULL AND p.scope = 'own'
       AND EXISTS (SELECT 1 FROM yiwei.position_permission pp
                    WHERE pp.position_id = p.id AND pp.permission_code = 'customers.visit'))
INSERT INTO yiwei.visit (store_id, guide_id, visited_at, party_size, source_id, intent, community,
                         renovation_stage, note)
SELECT staff.store_ids[1 + r.h %% cardinality(staff.guide_ids)],
       staff.guide_ids[1 + r.h %% cardinality(staff.guide_ids)],
       ((zone.today - (1 + (r.h / 97) %% 730)::int)
           + make_interval(mins => (540 + (r.h / 70877) %% 720)::int)) AT TIME ZONE zone.name,
       (ARRAY[1, 1, 2, 2, 2, 3, 4])[1 + (r.h / 13) %% 7],
       sources.ids[1 + (r.h / 7) %% cardinality(sources.ids)],
       (ARRAY['high', 'medium', 'medium', 'low'])[1 + (r.h / 11) %% 4],
       (%(communities)s::text[])[1 + (r.h / 17) %% cardinality(%(communities)s::text[])],
       (%(stages)s::text[])[1 + (r.h / 19) %% cardinality(%(stages)s::text[])],
       CASE WHEN (r.h / 23) %% 10 = 0 THEN '批量数据 ' || g.n ELSE '' END
  FROM staff, (SELECT array_agg(id ORDER BY id) AS ids FROM yiwei.customer_source WHERE active) AS sources,
       generate_series(%(first)s::bigint, %(last)s::bigint) AS g(n)
       -- a well-mixed number per row (md5 of the serial), so the rows spread like real visits
       CROSS JOIN LATERAL (SELECT ('x' || substr(md5(g.n::text), 1, 15))::bit(60)::bigint AS h) AS r,
       (SELECT z.name, (now() AT TIME ZONE z.name)::date AS today
          FROM (SELECT yiwei.company_timezone() AS name) z) AS zone
 WHERE cardinality(staff.guide_ids) > 0
"""


def bulk_insert_visits(conn, count: int, batch: int = 250_000, *, commit: bool = True) -> int:
    """Insert `count` visits as a superuser (psycopg2 connection); returns how many.

    ``session_replication_role = replica`` skips the row triggers — audit, stamps, the guide
    check and the foreign-key checks — which is what makes a million rows take seconds; it is
    only allowed to a superuser, and the generated rows satisfy those rules by construction.
    With ``commit=False`` the rows stay in the caller's transaction (and the table is not
    vacuumed).
    """
    if count <= 0:
        return 0
    inserted = 0
    params = {"communities": _ALL_COMMUNITIES, "stages": STAGES}
    with conn.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM yiwei.visit")
        offset = cur.fetchone()[0]
        cur.execute("SET LOCAL session_replication_role = replica")
        for first in range(1, count + 1, batch):
            last = min(first + batch - 1, count)
            cur.execute(BULK_VISITS_SQL, {**params, "first": offset + first, "last": offset + last})
            inserted += cur.rowcount
        cur.execute("SET LOCAL session_replication_role = origin")
    if commit:
        conn.commit()
        # what autovacuum does after a load: statistics, and the visibility map for index-only scans
        autocommit, conn.autocommit = conn.autocommit, True
        with conn.cursor() as cur:
            cur.execute("VACUUM (ANALYZE) yiwei.visit")
        conn.autocommit = autocommit
    return inserted


def ensure_visits(conn, rows: int) -> int:
    """Top the visit table up to `rows` visits; returns how many were added."""
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM yiwei.visit")
        have = cur.fetchone()[0]
    conn.commit()
    return bulk_insert_visits(conn, rows - have) if have < rows else 0


def run_list_benchmark(
    session_factory,
    rows: int = 1_000_000,
    *,
    admin_connect: Callable | None = None,
    list_name: str = "visits",
    export_rows: int = 100_000,
    export_cols: int = 10,
    repeats: int = 3,
) -> dict:
    """Measure the list at `rows` rows and the export; returns the figures as a dict.

    `session_factory` is an employee Session, an Engine, or a callable returning one (use a
    company-scope login to see every row). `admin_connect()` returns a superuser psycopg2
    connection; when given, the visit table is first topped up to `rows` visits.
    """
    figures: dict = {"list": list_name, "target_rows": rows}
    if admin_connect is not None:
        admin = admin_connect()
        try:
            started = time.perf_counter()
            figures["inserted_rows"] = ensure_visits(admin, rows)
            figures["insert_seconds"] = round(time.perf_counter() - started, 2)
        finally:
            admin.close()

    engine, dispose = _engine_of(session_factory)
    spec = get_list(list_name)
    query = ListQuery(spec)
    try:
        with engine.connect() as conn:
            # The first page of a freshly opened list, on a fresh connection from the pool.
            started = time.perf_counter()
            page = fetch_page(conn, query)
            figures["first_page_cold_ms"] = _ms(time.perf_counter() - started)
            conn.rollback()
        with engine.connect() as conn:
            started = time.perf_counter()
            visible = count_rows(conn, query, cap=100 * rows + 1)
            figures["visible_rows"] = visible.rows
            figures["exact_count_ms"] = _ms(time.perf_counter() - started)
            figures["first_page_ms"] = _median(repeats, lambda: fetch_page(conn, query))
            figures["page_rows"] = len(page.rows)
            deep = _cursor_at(conn, query, visible.rows // 2)
            if deep is not None:
                figures["middle_page_ms"] = _median(repeats, lambda: fetch_page(conn, query, deep))
            by_text = query.with_changes(sort="community", descending=False)
            figures["first_page_sorted_by_text_ms"] = _median(repeats, lambda: fetch_page(conn, by_text))
            stores = visible_stores(conn)
            if stores:
                filtered = query.with_changes(filters={"store": stores[0][0]})
                figures["first_page_one_store_ms"] = _median(repeats, lambda: fetch_page(conn, filtered))
            searched = query.with_changes(search="万科")
            figures["first_page_search_ms"] = _median(repeats, lambda: fetch_page(conn, searched))
            figures["capped_count_ms"] = _median(repeats, lambda: count_rows(conn, query, cap=COUNT_CAP))
            figures["totals_ms"] = _median(1, lambda: totals(conn, query))
            conn.rollback()
    finally:
        if dispose:
            engine.dispose()
    figures["export"] = run_export_benchmark(export_rows, export_cols)
    return figures


def _engine_of(source) -> tuple[Engine, bool]:
    if callable(source) and not isinstance(source, Engine):
        source = source()
        made = True
    else:
        made = False
    engine = source if isinstance(source, Engine) else source.engine
    return engine, made


def _cursor_at(conn, query: ListQuery, position: int) -> PageCursor | None:
    # Set up only (not timed): the keyset position of the row half-way down the list.
    if position <= 0:
        return None
    column = query.sort_column
    sort = column.sort_sql if column else query.spec.key
    direction = "DESC" if query.descending else "ASC"
    source = query.spec.source if "." in query.spec.source else f"yiwei.{query.spec.source}"
    row = fetch_one(conn, f"SELECT {sort}, {query.spec.key} FROM {source}"
                          f" ORDER BY {sort} {direction}, {query.spec.key} {direction} OFFSET %(n)s LIMIT 1",
                    {"n": position})
    return PageCursor(sort_value=row[0], key=row[1]) if row else None


def _median(repeats: int, run: Callable) -> float:
    times = []
    for _ in range(max(1, repeats)):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return _ms(statistics.median(times))


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)
