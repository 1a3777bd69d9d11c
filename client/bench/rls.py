"""RLS cost benchmark: the same store-scoped queries run by employees under row-level security
and by the owner with the equivalent explicit filter, in one run on one server.

Target (issue 2): RLS costs at most 1.3x the explicit filter.
"""

from __future__ import annotations

import statistics
import time

import psycopg2

from client.demo.company import DEMO_PASSWORD
from client.lists.benchmark import ensure_visits

LIST_SQL = ("SELECT id, visited_at, store_id, guide_id, party_size, source_id FROM yiwei.visit {where}"
            " ORDER BY visited_at DESC, id DESC LIMIT 100")
COUNT_SQL = "SELECT count(*) FROM yiwei.visit {where}"
# What a hand-written filter says for each scope: one store by equality, several by ANY, a guide by id.
EXPLICIT_ONE = "WHERE store_id = %s"
EXPLICIT = "WHERE store_id = ANY (%s)"
EXPLICIT_OWN = "WHERE guide_id = %s"


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
    added = ensure_visits(admin, rows)
    if added:
        report(f"loaded {added:,} visits")
    with admin.cursor() as cur:
        cur.execute("SELECT count(*) FROM yiwei.visit")
        total = cur.fetchone()[0]
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
