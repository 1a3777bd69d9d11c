"""The customers benchmark runs end to end (a few thousand rows here; `yiwei bench customers` loads a
million customers and 300,000 leads)."""

from __future__ import annotations

from client.bench.customers import bulk_insert, run, table
from client.db.connection import engine_for
from client.demo.seed import seed_demo
from server_schema.migrate import upgrade


def test_bulk_rows_are_what_the_checked_functions_would_have_written(db):
    conn = db.admin()
    try:
        # Uncommitted: the shared demo database must not keep the rows.
        assert bulk_insert(conn, 3000, 1000, batch=1000, commit=False) == {"customers": 3000, "leads": 1000}
        with conn.cursor() as cur:
            cur.execute("""
                SELECT count(*) FILTER (WHERE c.address_key IS DISTINCT FROM
                                        yiwei.address_key(c.community_id, c.community, c.building, c.unit, c.room)),
                       count(*) FILTER (WHERE pb.phone IS NULL OR c.phone_masked <> yiwei.mask_phone(pb.phone)
                                        OR pb.phone <> yiwei.normalize_phone(pb.phone, 'x')),
                       count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM yiwei.employee g JOIN yiwei.position p
                                                          ON p.id = g.position_id AND p.code = 'guide'
                                                          WHERE g.id = c.guide_id AND g.store_id = c.store_id)),
                       count(DISTINCT c.store_id), count(DISTINCT c.stage)
                  FROM yiwei.customer c
                  LEFT JOIN yiwei.phone_book pb ON pb.subject = 'customer' AND pb.ref_id = c.id
                 WHERE c.number LIKE 'KH-%-B-%'""")
            assert cur.fetchone() == (0, 0, 0, 10, 7)
            cur.execute("""
                SELECT count(*) FILTER (WHERE l.address_key IS DISTINCT FROM
                                        yiwei.address_key(l.community_id, l.community, l.building, l.unit, l.room)),
                       count(*) FILTER (WHERE pb.phone IS NULL OR l.phone_masked <> yiwei.mask_phone(pb.phone)),
                       count(*) FILTER (WHERE ch.region_id IS NOT NULL AND ch.region_id <> s.region_id),
                       count(DISTINCT yiwei.lead_status(l.status, l.protected_until))
                  FROM yiwei.channel_lead l
                  JOIN yiwei.channel ch ON ch.id = l.channel_id JOIN yiwei.store s ON s.id = l.store_id
                  LEFT JOIN yiwei.phone_book pb ON pb.subject = 'lead' AND pb.ref_id = l.id
                 WHERE l.number LIKE 'BB-%-B-%'""")
            assert cur.fetchone() == (0, 0, 0, 5)
    finally:
        conn.rollback()


def test_customers_benchmark_reports_every_figure(pg_server, fresh_db_name):
    engine = engine_for({**pg_server.admin_params, "dbname": fresh_db_name}, pool_size=1)
    upgrade(engine)
    engine.dispose()
    conn = pg_server.admin(fresh_db_name)
    seed_demo(conn, scale=1)
    with conn.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM yiwei.customer), (SELECT count(*) FROM yiwei.channel_lead)")
        customers, leads = cur.fetchone()
    conn.close()
    admin_params = {**pg_server.admin_params, "dbname": fresh_db_name}
    employee_params = {"host": pg_server.host, "port": pg_server.port, "dbname": fresh_db_name, "sslmode": "disable"}

    result = run(admin_params, employee_params, customers=customers + 2000, leads=leads + 500, repeats=1,
                 report=lambda _text: None)

    assert (result["customers"], result["leads"]) == (customers + 2000, leads + 500)
    for login_name in ("hz01.guide1", "hq.channeldesk"):
        entry = result["report_lead"][login_name]
        assert entry["new"]["conflicts"] == 0 and entry["collide"]["conflicts"] >= 1, login_name
        assert entry["new"]["ms"] > 0 and entry["collide"]["ms"] > 0
    for login_name, scope in (("hz01.guide1", "own"), ("hq.boss", "company")):
        entry = result["customer_list"][login_name]
        assert entry["scope"] == scope
        assert entry["first_page"]["rows"] == 201  # a page and the row telling that more follow
        assert entry["phone_search"]["rows"] == 1
        for query in ("first_page", "name_search", "phone_search"):
            assert entry[query]["ratio"] > 0, (login_name, query)
    assert len(table(result)) == 1 + 4 + 6
