"""RLS cost benchmark: the same store-scoped queries run by employees under row-level security
and by the owner with the equivalent explicit filter, in one run on one server.

Target (issue 2): RLS costs at most 1.3x the explicit filter.
"""

from __future__ import annotations

import statistics
import time

import psycopg2

from client.demo.company import DEMO_PASSWORD

LIST_SQL = ("SELECT id, visited_at, store_id, guide_id, party_size, source FROM yiwei.visit {where}"
            " ORDER BY visited_at DESC, id DESC LIMIT 100")
COUNT_SQL = "SELECT count(*) FROM yiwei.visit {where}"
# What a hand-written filter says for each scope: one store by equality, several by ANY, a guide by id.
EXPLICIT_ONE = "WHERE store_id = %s"
EXPLICIT = "WHERE store_id = ANY (%s)"
EXPLICIT_OWN = "WHERE guide_id = %s"


def ensure_visits(admin_conn, rows: int, report=print) -> int:
    """Bulk-load visits up to ``rows`` (superuser; triggers skipped for speed, references valid)."""
    with admin_conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM yiwei.visit")
        have = cur.fetchone()[0]
        missing = rows - have
        if missing <= 0:
            return have
        report(f"loading {missing:,} visits …")
        cur.execute("SET session_replication_role = replica")
        cur.execute("""
            WITH guides AS (
                SELECT e.store_id, e.id AS guide_id,
                       row_number() OVER (ORDER BY e.store_id, e.id) - 1 AS n, count(*) OVER () AS total
                  FROM yiwei.employee e JOIN yiwei.position p ON p.id = e.position_id
                 WHERE p.code = 'guide' AND e.store_id IS NOT NULL)
            INSERT INTO yiwei.visit (store_id, guide_id, visited_at, party_size, source, intent, community, renovation_stage)
            SELECT g.store_id, g.guide_id,
                   now() - make_interval(mins => ((i::bigint * 7919) %% (730 * 24 * 60))::int),
                   1 + i %% 4, (ARRAY['自然进店','老客户介绍','家装公司带客','网络推广'])[1 + i %% 4],
                   (ARRAY['high','medium','low'])[1 + i %% 3], '演示小区' || (i %% 500), '硬装完成'
              FROM generate_series(1, %s) AS i
              JOIN guides g ON g.n = i %% g.total""", (missing,))
        cur.execute("SET session_replication_role = origin")
        admin_conn.commit()
        # what autovacuum would do after a load: statistics, and the visibility map for index-only scans
        admin_conn.autocommit = True
        cur.execute("VACUUM (ANALYZE) yiwei.visit")
        admin_conn.autocommit = False
        cur.execute("SELECT count(*) FROM yiwei.visit")
        return cur.fetchone()[0]


def _time(cur, sql, params, repeats) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        cur.execute(sql, params)
        cur.fetchall()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def run(admin_params: dict, employee_params: dict, logins: list[str], *, rows: int = 1_000_000,
        repeats: int = 25, report=print) -> dict:
    admin = psycopg2.connect(**admin_params)
    total = ensure_visits(admin, rows, report)
    with admin.cursor() as cur:
        cur.execute("SELECT namespace, owner_role FROM yiwei.instance")
        namespace, owner = cur.fetchone()
        cur.execute(f'SET ROLE "{owner}"')  # the owner: RLS forced, policy = full access
    results = {"rows": total, "repeats": repeats, "logins": {}}
    for login_name in logins:
        emp = psycopg2.connect(**employee_params, user=f"{login_name}@{namespace}", password=DEMO_PASSWORD)
        emp.autocommit = True
        ecur = emp.cursor()
        ecur.execute("SELECT yiwei.visible_store_ids(), yiwei.current_scope(), yiwei.current_employee_id()")
        stores, scope, me = ecur.fetchone()
        if scope == "own":
            explicit_where, explicit_params = EXPLICIT_OWN, (me,)
        elif len(stores) == 1:
            explicit_where, explicit_params = EXPLICIT_ONE, (stores[0],)
        else:
            explicit_where, explicit_params = EXPLICIT, (stores,)
        acur = admin.cursor()
        entry = {"scope": scope, "stores": len(stores)}
        for name, template in (("list_first_100", LIST_SQL), ("count", COUNT_SQL)):
            # warm both paths, then interleave measurements so noise hits both alike
            for _ in range(3):
                _time(ecur, template.format(where=""), (), 1)
                _time(acur, template.format(where=explicit_where), explicit_params, 1)
            rls = _time(ecur, template.format(where=""), (), repeats)
            explicit = _time(acur, template.format(where=explicit_where), explicit_params, repeats)
            ecur.execute(template.format(where=""))
            n_rls = len(ecur.fetchall()) if name != "count" else ecur.fetchone()
            acur.execute(template.format(where=explicit_where), explicit_params)
            n_exp = len(acur.fetchall()) if name != "count" else acur.fetchone()
            if n_rls != n_exp:
                raise AssertionError(f"{login_name} {name}: RLS returned {n_rls}, explicit filter {n_exp}")
            entry[name] = {"rls_ms": round(rls, 2), "explicit_ms": round(explicit, 2),
                           "ratio": round(rls / explicit, 2) if explicit else None}
        results["logins"][login_name] = entry
        emp.close()
    admin.rollback()
    admin.close()
    return results
