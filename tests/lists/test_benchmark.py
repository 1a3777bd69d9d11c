"""The list benchmark runs end to end (tiny sizes here; `yiwei bench` runs it at a million rows)."""

from __future__ import annotations

from client.db.connection import ServerProfile, engine_for, login
from client.demo.company import DEMO_PASSWORD
from client.demo.seed import seed_demo
from client.lists.benchmark import bulk_insert_visits, run_list_benchmark
from server_schema.migrate import upgrade


def test_bulk_insert_spreads_valid_visits_over_the_stores(db):
    conn = db.admin()
    try:
        # Uncommitted: the shared demo database must not keep the rows.
        assert bulk_insert_visits(conn, 5000, batch=2000, commit=False) == 5000
        with conn.cursor() as cur:
            cur.execute("SELECT count(DISTINCT v.store_id), count(*) FILTER (WHERE NOT EXISTS ("
                        "  SELECT 1 FROM yiwei.employee e WHERE e.id = v.guide_id AND e.store_id = v.store_id)),"
                        "  count(*) FILTER (WHERE v.visited_at > now() + interval '1 day'),"
                        "  count(*) FILTER (WHERE (v.visited_at AT TIME ZONE 'Asia/Shanghai')::time"
                        "                   NOT BETWEEN '09:00' AND '21:00')"
                        "  FROM yiwei.visit v WHERE v.id > (SELECT max(id) - 5000 FROM yiwei.visit)")
            stores, misplaced, future, closed = cur.fetchone()
        assert (stores, misplaced, future, closed) == (10, 0, 0, 0)
    finally:
        conn.rollback()


def test_list_benchmark_reports_first_page_and_export_figures(pg_server, fresh_db_name):
    engine = engine_for({**pg_server.admin_params, "dbname": fresh_db_name}, pool_size=1)
    upgrade(engine)
    engine.dispose()
    admin = lambda: pg_server.admin(fresh_db_name)  # noqa: E731
    conn = admin()
    seed_demo(conn, scale=1)
    conn.close()
    profile = ServerProfile(host=pg_server.host, port=pg_server.port, dbname=fresh_db_name, sslmode="disable")

    figures = run_list_benchmark(lambda: login(profile, "admin", DEMO_PASSWORD), rows=4000, admin_connect=admin,
                                 export_rows=200, export_cols=10, repeats=1)

    assert figures["inserted_rows"] == 1000
    assert figures["visible_rows"] == 4000
    assert figures["page_rows"] == 200
    for key in ("first_page_ms", "middle_page_ms", "first_page_sorted_by_text_ms", "first_page_one_store_ms",
                "capped_count_ms", "totals_ms"):
        assert figures[key] >= 0, key
    assert figures["export"]["rows"] == 200 and figures["export"]["ratio"] > 0
