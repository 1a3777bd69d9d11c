"""The orders benchmark runs end to end (a 30-line contract and 12 PDFs here; `yiwei bench orders`
opens a 200-line contract and prints 200 contracts)."""

from __future__ import annotations

from client.bench.orders import BENCH_NOTE, run, table
from client.db.connection import engine_for
from client.demo.seed import seed_demo
from server_schema.migrate import upgrade


def test_orders_benchmark_reports_every_figure(pg_server, fresh_db_name):
    # a database of its own: the benchmark keeps the contract it makes
    engine = engine_for({**pg_server.admin_params, "dbname": fresh_db_name}, pool_size=1)
    upgrade(engine)
    engine.dispose()
    conn = pg_server.admin(fresh_db_name)
    seed_demo(conn, scale=1)
    conn.close()
    admin_params = {**pg_server.admin_params, "dbname": fresh_db_name}
    employee_params = {"host": pg_server.host, "port": pg_server.port, "dbname": fresh_db_name, "sslmode": "disable"}

    result = run(admin_params, employee_params, lines=30, documents=12, repeats=2, report=lambda _text: None)

    opened = result["open"]
    assert opened["rows"]["header"] == 1 and opened["rows"]["lines"] == 30
    assert opened["rls_ms"] > 0 and opened["explicit_ms"] > 0 and opened["ratio"] > 0
    package = result["apply_package"]
    assert package["ms"] > 0 and package["package_lines"] >= 4
    assert result["pdf"]["documents"] == 12 and result["pdf"]["per_second"] > 0 and result["pdf"]["pdf_bytes"] > 12 * 1000
    assert len(table(result)) == 4

    # made through save_contract as the guide, kept as it was (apply_package was rolled back), found again
    conn = pg_server.admin(fresh_db_name)
    with conn.cursor() as cur:
        cur.execute("""SELECT k.created_by = e.role_name, count(l.id), count(l.package_id)
                         FROM yiwei.contract k JOIN yiwei.employee e ON e.login = 'hz01.guide1'
                         JOIN yiwei.contract_line l ON l.contract_id = k.id
                        WHERE k.note = %s GROUP BY 1""", (BENCH_NOTE.format(lines=30),))
        assert cur.fetchall() == [(True, 30, 0)]
    conn.close()
    again = run(admin_params, employee_params, lines=30, documents=1, repeats=1, report=lambda _text: None)
    assert again["contract"] == result["contract"]
