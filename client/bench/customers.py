"""Customers benchmark: the conflict check when a lead is reported, and the customer list's quick
search, at a million customers and 300,000 channel leads.

The bulk is loaded as the superuser (``session_replication_role = replica``: no triggers, rows valid
by construction), with phone book rows and address keys as the checked functions would write them.
Then, as real employee logins:

* ``report_lead`` — the conflict check against every lead and customer — in a transaction rolled
  back after each call, for a household nobody has and for one whose phone and flat collide;
* the first page of the customer list (the SQL the list machinery generates for the ``customers``
  list) unsearched, searched by a name, and searched by a phone number, under row-level security,
  against the owner running the same SQL with the equivalent explicit filter (the list's own
  store / guide filter): median milliseconds and the RLS/explicit ratio.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import replace

import psycopg2

from client.demo.business import GIVEN_NAMES
from client.demo.company import DEMO_PASSWORD, SURNAMES
from client.lists.catalog import get_list
from client.lists.query import ListQuery, page_sql
from client.lists.spec import SearchMatch

from .timing import median_ms

# Bulk phones live in number ranges the demo data never uses: 170… customers, 160… leads.
CUSTOMER_PHONE = "'170' || lpad({id}::text, 8, '0')"
LEAD_PHONE = "'160' || lpad({id}::text, 8, '0')"
STAGES = (["new"] * 5 + ["contacted"] * 25 + ["measured"] * 10 + ["designing"] * 10 + ["quoted"] * 12
          + ["signed"] * 25 + ["lost"] * 13)
NAME_TERM = "张伟"

# A well-mixed number per row (md5 of the serial), so rows spread like real data.
_HASH = ("CROSS JOIN LATERAL (SELECT ('x' || substr(md5(g.n::text), 1, 15))::bit(60)::bigint AS h,"
         " ('x' || substr(md5(g.n::text), 16, 15))::bit(60)::bigint AS h2) AS r")
# A flat: 40 communities × 60 buildings × 4 units × 33 floors × 6 rooms; building 99 is never used.
_FLAT = """CROSS JOIN LATERAL (SELECT 1 + (r.h / 13) %% cardinality(%(community_ids)s::int[]) AS c,
                                 1 + (r.h / 17) %% 60 AS b, 1 + (r.h / 19) %% 4 AS u,
                                 ((1 + (r.h / 23) %% 33) * 100 + 1 + (r.h / 29) %% 6)::text AS room) AS f"""

BULK_CUSTOMERS_SQL = f"""
WITH ins AS (
INSERT INTO yiwei.customer (id, number, store_id, guide_id, designer_id, name, phone_masked, community_id, community,
                            building, unit, room, address_key, source_id, stage, tags, signed_at, next_contact_on,
                            created_at, created_by, updated_at, updated_by)
SELECT x.id, 'KH-' || (%(codes)s::text[])[s.i] || '-B-' || lpad(x.id::text, 8, '0'),
       (%(store_ids)s::int[])[s.i], (%(guide_ids)s::bigint[])[s.i],
       CASE WHEN (r.h / 7) %% 3 = 0 THEN (%(designer_ids)s::bigint[])[s.i] END,
       (%(surnames)s::text[])[1 + r.h2 %% cardinality(%(surnames)s::text[])]
           || (%(given)s::text[])[1 + (r.h2 / 1009) %% cardinality(%(given)s::text[])],
       '170****' || right(lpad(x.id::text, 8, '0'), 4),
       (%(community_ids)s::int[])[f.c], (%(communities)s::text[])[f.c], f.b || '栋', f.u || '单元', f.room,
       'c' || (%(community_ids)s::int[])[f.c] || '|' || f.b || '|' || f.u || '|' || f.room,
       (%(source_ids)s::int[])[1 + (r.h / 41) %% cardinality(%(source_ids)s::int[])],
       st.stage, CASE WHEN (r.h / 43) %% 4 = 0 THEN ARRAY['全屋定制'] ELSE '{{}}'::text[] END,
       CASE WHEN st.stage = 'signed' THEN t.created + interval '20 days' END,
       CASE WHEN st.stage NOT IN ('signed', 'lost') THEN (now() + make_interval(days => ((r.h / 47) %% 20)::int - 5))::date END,
       t.created, %(installer)s, t.created, %(installer)s
  FROM (SELECT nextval(pg_get_serial_sequence('yiwei.customer', 'id')) AS id, g.n
          FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g(n)) AS x
       CROSS JOIN LATERAL (SELECT x.n) AS g(n)
       {_HASH}
       CROSS JOIN LATERAL (SELECT 1 + r.h %% cardinality(%(store_ids)s::int[]) AS i) AS s
       {_FLAT}
       CROSS JOIN LATERAL (SELECT (%(stages)s::text[])[1 + (r.h / 53) %% 100] AS stage) AS st
       CROSS JOIN LATERAL (SELECT now() - make_interval(days => ((r.h / 59) %% 1095)::int,
                                                        mins => ((r.h / 61) %% 720)::int) AS created) AS t
RETURNING id, store_id, guide_id, designer_id)
INSERT INTO yiwei.phone_book (subject, ref_id, store_id, owner_id, designer_id, phone)
SELECT 'customer', id, store_id, guide_id, designer_id, {CUSTOMER_PHONE.format(id="id")} FROM ins
"""

BULK_LEADS_SQL = f"""
WITH ins AS (
INSERT INTO yiwei.channel_lead (id, number, store_id, channel_id, reported_by, reported_at, customer_name, phone_masked,
                                community_id, community, building, unit, room, address_key, status, decided_by,
                                decided_at, protected_until, created_at, created_by, updated_at, updated_by)
SELECT x.id, 'BB-' || (%(codes)s::text[])[s.i] || '-B-' || lpad(x.id::text, 8, '0'),
       (%(store_ids)s::int[])[s.i], (%(channel_ids)s::int[])[s.i], (%(reporter_ids)s::bigint[])[s.i], t.reported,
       (%(surnames)s::text[])[1 + r.h2 %% cardinality(%(surnames)s::text[])] || '先生',
       '160****' || right(lpad(x.id::text, 8, '0'), 4),
       (%(community_ids)s::int[])[f.c], (%(communities)s::text[])[f.c], f.b || '栋', f.u || '单元', f.room,
       'c' || (%(community_ids)s::int[])[f.c] || '|' || f.b || '|' || f.u || '|' || f.room,
       d.status, CASE WHEN d.status <> 'pending' THEN %(auditor)s::bigint END,
       CASE WHEN d.status <> 'pending' THEN t.reported + interval '1 day' END,
       CASE WHEN d.status IN ('approved', 'converted') THEN t.reported + interval '91 days' END,
       t.reported, %(installer)s, t.reported, %(installer)s
  FROM (SELECT nextval(pg_get_serial_sequence('yiwei.channel_lead', 'id')) AS id, g.n
          FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g(n)) AS x
       CROSS JOIN LATERAL (SELECT x.n) AS g(n)
       {_HASH}
       CROSS JOIN LATERAL (SELECT 1 + r.h %% cardinality(%(store_ids)s::int[]) AS i) AS s
       {_FLAT}
       CROSS JOIN LATERAL (SELECT now() - make_interval(days => ((r.h / 59) %% 730)::int,
                                                        mins => ((r.h / 61) %% 720)::int) AS reported) AS t
       CROSS JOIN LATERAL (SELECT CASE WHEN t.reported > now() - interval '3 days' THEN 'pending'
                                       ELSE (ARRAY['rejected', 'approved', 'approved', 'converted'])[1 + (r.h / 67) %% 4]
                                  END AS status) AS d
RETURNING id, store_id, reported_by)
INSERT INTO yiwei.phone_book (subject, ref_id, store_id, owner_id, phone)
SELECT 'lead', id, store_id, reported_by, {LEAD_PHONE.format(id="id")} FROM ins
"""


def _company(cur) -> dict:
    """Arrays the bulk SQL picks from: (store, guide, designer) slots for customers, (store, channel,
    reporter) slots for leads, communities and sources."""
    cur.execute("""SELECT s.id, s.code, s.region_id, e.id, p.code FROM yiwei.store s
                     JOIN yiwei.employee e ON e.store_id = s.id AND e.active
                     JOIN yiwei.position p ON p.id = e.position_id AND p.code IN ('guide', 'designer')
                    ORDER BY s.id, e.id""")
    people = cur.fetchall()
    designers = {store_id: emp for store_id, _c, _r, emp, position in people if position == "designer"}
    guides = [(store_id, code, region, emp) for store_id, code, region, emp, position in people if position == "guide"]
    cur.execute("SELECT id, region_id FROM yiwei.channel WHERE active ORDER BY id")
    channels = cur.fetchall()
    cur.execute("SELECT id FROM yiwei.employee WHERE login = 'hq.channeldesk'")
    desk = cur.fetchone()[0]
    cur.execute("SELECT id FROM yiwei.employee WHERE login = 'hq.channel'")
    auditor = cur.fetchone()[0]
    lead_slots = []
    for store_id, code, region, guide in guides:
        for channel_id, channel_region in channels:
            if channel_region in (None, region):
                # the channel clerk takes most reports, the store's guides some
                lead_slots += [(store_id, code, channel_id, desk)] * 2 + [(store_id, code, channel_id, guide)]
    cur.execute("SELECT array_agg(id ORDER BY id), array_agg(name ORDER BY id) FROM yiwei.community WHERE active")
    community_ids, communities = cur.fetchone()
    cur.execute("SELECT array_agg(id ORDER BY id) FROM yiwei.customer_source WHERE active")
    source_ids = cur.fetchone()[0]
    cur.execute("SELECT current_user")
    installer = cur.fetchone()[0]
    return {
        "customers": {"store_ids": [g[0] for g in guides], "codes": [g[1] for g in guides],
                      "guide_ids": [g[3] for g in guides], "designer_ids": [designers.get(g[0]) for g in guides]},
        "leads": {"store_ids": [s[0] for s in lead_slots], "codes": [s[1] for s in lead_slots],
                  "channel_ids": [s[2] for s in lead_slots], "reporter_ids": [s[3] for s in lead_slots]},
        "common": {"community_ids": community_ids, "communities": communities, "source_ids": source_ids,
                   "surnames": list(SURNAMES), "given": GIVEN_NAMES, "stages": STAGES, "installer": installer,
                   "auditor": auditor},
    }


def bulk_insert(conn, customers: int, leads: int, batch: int = 200_000, *, commit: bool = True) -> dict:
    """Add `customers` customers and `leads` leads (with their phone book rows) as a superuser.
    With ``commit=False`` the rows stay in the caller's transaction (and nothing is vacuumed)."""
    added = {"customers": 0, "leads": 0}
    with conn.cursor() as cur:
        company = _company(cur)
        if not company["customers"]["guide_ids"] or not company["leads"]["store_ids"]:
            raise RuntimeError("the demo company (guides, channels) must be seeded first")
        cur.execute("SET LOCAL session_replication_role = replica")
        for key, count, sql in (("customers", customers, BULK_CUSTOMERS_SQL), ("leads", leads, BULK_LEADS_SQL)):
            params = {**company["common"], **company[key]}
            for first in range(1, count + 1, batch):
                cur.execute(sql, {**params, "first": first, "last": min(first + batch - 1, count)})
                added[key] += cur.rowcount
        cur.execute("SET LOCAL session_replication_role = origin")
    if commit:
        conn.commit()
        autocommit, conn.autocommit = conn.autocommit, True
        with conn.cursor() as cur:
            for table in ("customer", "channel_lead", "phone_book"):
                cur.execute(f"VACUUM (ANALYZE) yiwei.{table}")
        conn.autocommit = autocommit
    return added


def ensure_data(conn, customers: int, leads: int) -> dict:
    """Top customers and leads up to the given totals; returns how many were added."""
    with conn.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM yiwei.customer), (SELECT count(*) FROM yiwei.channel_lead)")
        have_customers, have_leads = cur.fetchone()
    conn.commit()
    missing_customers, missing_leads = max(0, customers - have_customers), max(0, leads - have_leads)
    if not (missing_customers or missing_leads):
        return {"customers": 0, "leads": 0}
    return bulk_insert(conn, missing_customers, missing_leads)


# --- measuring --------------------------------------------------------------------------------------


def _lead_cases(admin, store_id: int, region_id: int) -> dict:
    """Report payloads to the store: a household nobody has, and one whose phone belongs to a
    customer and whose flat was reported before (neither signed: a signed one is refused)."""
    with admin.cursor() as cur:
        cur.execute("""SELECT id FROM yiwei.channel WHERE active AND (region_id IS NULL OR region_id = %s)
                        ORDER BY id LIMIT 1""", (region_id,))
        channel_id = cur.fetchone()[0]
        cur.execute("""SELECT c.name, c.id FROM yiwei.community c WHERE c.region_id = %s ORDER BY c.id LIMIT 1""",
                    (region_id,))
        community, community_id = cur.fetchone()
        cur.execute("""SELECT pb.phone FROM yiwei.customer c
                         JOIN yiwei.phone_book pb ON pb.subject = 'customer' AND pb.ref_id = c.id
                        WHERE c.store_id = %s AND c.status = 'active' AND c.stage <> 'signed'
                          AND NOT EXISTS (SELECT 1 FROM yiwei.phone_book o WHERE o.phone = pb.phone AND o.subject = 'lead')
                        ORDER BY c.id DESC LIMIT 1""", (store_id,))
        phone = cur.fetchone()[0]
        cur.execute("""SELECT l.community, l.building, l.unit, l.room FROM yiwei.channel_lead l
                        WHERE l.store_id = %s AND l.status = 'pending' AND l.address_key IS NOT NULL
                          AND NOT EXISTS (SELECT 1 FROM yiwei.channel_lead o
                                           WHERE o.address_key = l.address_key AND o.status = 'converted')
                          AND NOT EXISTS (SELECT 1 FROM yiwei.customer c
                                           WHERE c.address_key = l.address_key AND c.stage = 'signed')
                        ORDER BY l.id DESC LIMIT 1""", (store_id,))
        flat = cur.fetchone()
        cur.execute("SELECT count(*) FROM yiwei.phone_book WHERE phone = '19900000000'")
        if cur.fetchone()[0]:
            raise RuntimeError("the benchmark's new phone 19900000000 is taken")
    admin.rollback()
    base = {"store_id": store_id, "channel_id": channel_id, "customer_name": "测试客户", "products": "全屋定制"}
    new = {**base, "phone": "19900000000", "community": community, "building": "99栋", "unit": "9单元",
           "room": "9901"}
    collide = {**base, "phone": phone, **dict(zip(("community", "building", "unit", "room"), flat))} if flat else \
        {**new, "phone": phone}
    return {"new": new, "collide": collide, "community_id": community_id}


def measure_report_lead(conn, payload: dict, repeats: int) -> dict:
    """report_lead as this login, rolled back after every call: ms per call and conflicts found."""
    conn.autocommit = False
    text = json.dumps(payload, ensure_ascii=False)
    samples, found = [], 0
    for i in range(repeats + 1):  # the first call warms the session's plans
        with conn.cursor() as cur:
            started = time.perf_counter()
            cur.execute("SELECT yiwei.report_lead(%s)", (text,))
            lead_id = cur.fetchone()[0]
            elapsed = (time.perf_counter() - started) * 1000
            cur.execute("SELECT conflict_count FROM yiwei.channel_lead WHERE id = %s", (lead_id,))
            found = cur.fetchone()[0]
        conn.rollback()
        if i:
            samples.append(elapsed)
    conn.autocommit = True
    return {"ms": round(statistics.median(samples), 2), "conflicts": found}


def _customer_queries(spec, login: dict, phone: str) -> dict[str, tuple[ListQuery, ListQuery]]:
    """(as the login, as the owner with the explicit filter) for each measured query."""
    if login["scope"] == "own":
        explicit = {"guide": login["employee_id"]}
    elif login["scope"] == "company":
        explicit = {}
    elif len(login["stores"]) == 1:
        explicit = {"store": login["stores"][0]}
    else:
        raise ValueError("measure a guide, a store or the head office")
    # The login's search (yiwei.find_customers, which applies the login's scope) becomes, for the
    # owner, the same index lookups written out — the masked phone as the guide sees it, whole
    # numbers through the phone book — collected into an array once, as the function does, plus
    # the explicit filter.
    owner_search = SearchMatch(".+", """id = ANY (ARRAY(
        SELECT c.id FROM yiwei.customer c
         WHERE yiwei.customer_grams(c.number, c.name, c.phone_masked, c.community, c.building, c.unit, c.room,
                                    c.address) @> yiwei.text_grams({term})
           AND concat_ws(' ', c.number, c.name, c.phone_masked, c.community, c.building, c.unit, c.room,
                         c.address) ILIKE '%' || {term} || '%'
        UNION ALL
        SELECT CASE pb.subject WHEN 'customer' THEN pb.ref_id
                    ELSE (SELECT cc.customer_id FROM yiwei.customer_contact cc WHERE cc.id = pb.ref_id) END
          FROM yiwei.phone_book pb WHERE pb.phone = {term} AND pb.subject IN ('customer', 'contact')))""")
    owner_spec = replace(spec, search_matches=(owner_search,))
    queries = {}
    for name, search in (("first_page", ""), ("name_search", NAME_TERM), ("phone_search", phone)):
        queries[name] = (ListQuery(spec, search=search), ListQuery(owner_spec, filters=explicit, search=search))
    return queries


def measure_customer_list(emp, owner, login: dict, phone: str, repeats: int) -> dict:
    spec = get_list("customers")
    results = {}
    for name, (mine, explicit) in _customer_queries(spec, login, phone).items():
        rls_sql, rls_params = page_sql(mine)
        own_sql, own_params = page_sql(explicit)
        ecur, ocur = emp.cursor(), owner.cursor()

        def run_rls():
            ecur.execute(rls_sql, rls_params)
            return [row[0] for row in ecur.fetchall()]

        def run_explicit():
            ocur.execute(own_sql, own_params)
            return [row[0] for row in ocur.fetchall()]

        keys_rls, keys_explicit = run_rls(), run_explicit()
        if keys_rls != keys_explicit:
            raise AssertionError(f"{login['login']} {name}: RLS and the explicit filter return different rows")
        rls = median_ms(run_rls, repeats)
        explicit_ms = median_ms(run_explicit, repeats)
        results[name] = {"rows": len(keys_rls), "rls_ms": rls, "explicit_ms": explicit_ms,
                         "ratio": round(rls / explicit_ms, 2) if explicit_ms else None}
    return results


def run(admin_params: dict, employee_params: dict, *, customers: int = 1_000_000, leads: int = 300_000,
        list_logins: tuple[str, ...] = ("hz01.guide1", "hq.boss"),
        lead_logins: tuple[str, ...] = ("hz01.guide1", "hq.channeldesk"), repeats: int = 15, report=print) -> dict:
    admin = psycopg2.connect(**admin_params)
    started = time.perf_counter()
    added = ensure_data(admin, customers, leads)
    if added["customers"] or added["leads"]:
        report(f"loaded {added['customers']:,} customers and {added['leads']:,} leads"
               f" in {time.perf_counter() - started:.0f} s")
    with admin.cursor() as cur:
        cur.execute("SELECT namespace, owner_role FROM yiwei.instance")
        namespace, owner_role = cur.fetchone()
        cur.execute("SELECT (SELECT count(*) FROM yiwei.customer), (SELECT count(*) FROM yiwei.channel_lead)")
        total_customers, total_leads = cur.fetchone()
    admin.commit()
    owner = psycopg2.connect(**admin_params)
    owner.autocommit = True
    with owner.cursor() as cur:
        cur.execute(f'SET ROLE "{owner_role}"')  # RLS forced; the owner's policy lets it see everything
    results = {"customers": total_customers, "leads": total_leads, "repeats": repeats,
               "report_lead": {}, "customer_list": {}}
    for login_name in dict.fromkeys(lead_logins + list_logins):
        emp = psycopg2.connect(**employee_params, user=f"{login_name}@{namespace}", password=DEMO_PASSWORD)
        emp.autocommit = True
        with emp.cursor() as cur:
            cur.execute("SELECT yiwei.visible_store_ids(), yiwei.current_scope(), yiwei.current_employee_id()")
            stores, scope, me = cur.fetchone()
        login = {"login": login_name, "scope": scope, "stores": stores, "employee_id": me}
        if login_name in list_logins:
            with admin.cursor() as cur:
                cur.execute("""SELECT pb.phone FROM yiwei.customer c
                                 JOIN yiwei.phone_book pb ON pb.subject = 'customer' AND pb.ref_id = c.id
                                WHERE (%(company)s OR c.store_id = ANY (%(stores)s))
                                  AND (%(scope)s <> 'own' OR c.guide_id = %(me)s)
                                ORDER BY c.id LIMIT 1""",
                            {"company": scope == "company", "stores": stores, "scope": scope, "me": me})
                phone = cur.fetchone()[0]
            admin.rollback()
            entry = measure_customer_list(emp, owner, login, phone, repeats)
            results["customer_list"][login_name] = {"scope": scope, **entry}
        if login_name in lead_logins:
            with admin.cursor() as cur:
                cur.execute("SELECT id, region_id FROM yiwei.store WHERE code = 'HZ01'")
                store_id, region_id = cur.fetchone()
            admin.rollback()
            cases = _lead_cases(admin, store_id, region_id)
            results["report_lead"][login_name] = {
                "scope": scope, **{case: measure_report_lead(emp, cases[case], repeats) for case in ("new", "collide")}}
        emp.close()
    owner.close()
    admin.close()
    return results


def table(results: dict) -> list[str]:
    """The figures as printed lines."""
    lines = [f"{results['customers']:,} customers, {results['leads']:,} leads; median of {results['repeats']}"]
    for login_name, entry in results["report_lead"].items():
        for case in ("new", "collide"):
            e = entry[case]
            lines.append(f"report_lead    {login_name:<15} {entry['scope']:<8} {case:<13} {e['ms']:>8.2f} ms"
                         f"  conflicts {e['conflicts']}")
    for login_name, entry in results["customer_list"].items():
        for query in ("first_page", "name_search", "phone_search"):
            e = entry[query]
            lines.append(f"customer_list  {login_name:<15} {entry['scope']:<8} {query:<13} RLS {e['rls_ms']:>8.2f} ms"
                         f"  explicit {e['explicit_ms']:>8.2f} ms  ratio {e['ratio']}  rows {e['rows']}")
    return lines
