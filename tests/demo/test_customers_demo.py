"""The demo customers and channel leads (client/demo/masterdata.py, customers.py, leads.py) as seeded
for the test session: realistic, consistent with every rule the database enforces — including the
ones bulk loading skips (foreign keys, numbering, masking, address keys) — and with conflicts that
the database itself found."""

from __future__ import annotations

from client.demo.company import COMMUNITIES, STORES
from client.demo.masterdata import WANJIA_CHANNEL
from client.demo.seed import seed_demo


def untouched(alias: str) -> str:
    """SQL: the row is demo data as seeded — written no later than the transaction that seeded the
    leads (the first one to audit a lead), not created or changed by another test since."""
    return (f"(({alias}.xmin::text)::bigint <= (SELECT min(a.txid) FROM yiwei.audit_log a"
            f" WHERE a.table_name = 'channel_lead'))")


def test_master_data_has_all_channel_kinds_communities_and_the_channel_login(sql):
    kinds = dict(sql("SELECT kind, count(*) FROM yiwei.channel GROUP BY kind"))
    assert set(kinds) == {"decoration_company", "designer", "agent", "old_customer"} and sum(kinds.values()) >= 20
    assert sql("""SELECT count(*) FROM yiwei.decoration_designer d JOIN yiwei.channel ch ON ch.id = d.channel_id
                   WHERE ch.kind = 'decoration_company'""")[0][0] >= 50
    names = {row[0] for row in sql("SELECT name FROM yiwei.community")}
    assert {n for region in COMMUNITIES.values() for n in region} <= names and len(names) >= 35
    # an alias typed anywhere finds the community
    assert sql("SELECT c.name FROM yiwei.community c WHERE c.id = yiwei.find_community('桂花城小区')") == [("绿城桂花城",)]
    assert sql("""SELECT ch.name FROM yiwei.employee_channel ec JOIN yiwei.employee e ON e.id = ec.employee_id
                    JOIN yiwei.channel ch ON ch.id = ec.channel_id WHERE e.login = 'ch.wanjia'""") == [(WANJIA_CHANNEL,)]


def test_every_store_has_hundreds_of_customers_of_its_own_guides(sql):
    # the demo stores (other tests add stores of their own)
    per_store = sql("""SELECT s.code, count(c.id),
                              count(c.id) FILTER (WHERE NOT EXISTS (SELECT 1 FROM yiwei.employee g
                                                  WHERE g.id = c.guide_id AND g.store_id = c.store_id))
                         FROM yiwei.store s LEFT JOIN yiwei.customer c ON c.store_id = s.id
                        WHERE s.code = ANY (%s) GROUP BY s.code""", ([code for code, *_rest in STORES],))
    assert len(per_store) == len(STORES)
    assert all(count >= 300 and misplaced == 0 for _code, count, misplaced in per_store), per_store
    stages = {row[0] for row in sql("SELECT DISTINCT stage FROM yiwei.customer")}
    assert stages == {"new", "contacted", "measured", "designing", "quoted", "signed", "lost"}
    assert sql("SELECT count(*) FROM yiwei.customer WHERE stage = 'signed' AND signed_at IS NULL")[0][0] == 0
    assert sql("SELECT count(*) FROM yiwei.customer WHERE special")[0][0] > 0
    assert sql("SELECT count(*) FROM yiwei.customer WHERE '全屋定制' = ANY (tags)")[0][0] > 0
    assert sql("SELECT count(*) FROM yiwei.customer_contact")[0][0] > 0
    assert sql("SELECT count(*) FROM yiwei.visit WHERE customer_id IS NOT NULL")[0][0] > 0


def test_bulk_loaded_rows_obey_the_rules_triggers_would_have_checked(sql):
    foreign_keys = sql("""
        SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, fa.attname
          FROM pg_constraint c
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
          JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
         WHERE c.contype = 'f' AND c.connamespace = 'yiwei'::regnamespace AND cardinality(c.conkey) = 1""")
    assert len(foreign_keys) > 20
    broken = [(table, column) for table, column, target, key in foreign_keys
              if sql(f"""SELECT count(*) FROM {table} x WHERE x.{column} IS NOT NULL
                           AND NOT EXISTS (SELECT 1 FROM {target} y WHERE y.{key} = x.{column})""")[0][0]]
    assert broken == []
    for table in ("customer", "channel_lead"):
        assert sql(f"""SELECT count(*) FROM yiwei.{table} WHERE address_key IS DISTINCT FROM
                         yiwei.address_key(community_id, community, building, unit, room)""")[0][0] == 0, table
    # masked numbers everywhere, the full one only in the phone book, kept in step with the owner
    assert sql("""SELECT count(*) FROM yiwei.phone_book pb JOIN yiwei.customer c ON pb.subject = 'customer' AND c.id = pb.ref_id
                   WHERE c.phone_masked <> yiwei.mask_phone(pb.phone)
                      OR (pb.store_id, pb.owner_id, pb.designer_id) IS DISTINCT FROM (c.store_id, c.guide_id, c.designer_id)""")[0][0] == 0
    assert sql(f"""SELECT count(*) FROM yiwei.customer c WHERE {untouched("c")} AND NOT EXISTS (
                     SELECT 1 FROM yiwei.phone_book pb WHERE pb.subject = 'customer' AND pb.ref_id = c.id)""")[0][0] == 0
    assert sql("""SELECT count(*) FROM yiwei.phone_book pb JOIN yiwei.channel_lead l ON pb.subject = 'lead' AND l.id = pb.ref_id
                   WHERE l.phone_masked <> yiwei.mask_phone(pb.phone) OR pb.owner_id <> l.reported_by""")[0][0] == 0
    # one phone is one active customer
    assert sql("""SELECT count(*) FROM (SELECT pb.phone FROM yiwei.phone_book pb WHERE pb.subject IN ('customer', 'contact')
                   GROUP BY pb.phone HAVING count(*) > 1) d""")[0][0] == 0
    # the latest follow-up is the customer's last contact; nothing lies in the future
    assert sql(f"""SELECT count(*) FROM yiwei.customer c
                   WHERE {untouched("c")} AND c.last_followup_at IS DISTINCT FROM (SELECT max(f.contacted_at) FROM yiwei.customer_followup f
                                                              WHERE f.customer_id = c.id)""")[0][0] == 0
    assert sql("""SELECT count(*) FROM yiwei.customer_followup f JOIN yiwei.customer c ON c.id = f.customer_id
                   WHERE (f.contacted_at < c.created_at  -- unless merged in from a customer of its own
                          AND NOT EXISTS (SELECT 1 FROM yiwei.audit_log a WHERE a.table_name = 'customer'
                                             AND a.row_key = c.id::text AND a.action = 'UPDATE'))
                      OR f.contacted_at > now() OR (f.guide_id, f.store_id) <> (c.guide_id, c.store_id)""")[0][0] == 0


def test_document_numbers_follow_the_month_gap_free_with_counters_after_them(sql):
    for table, series, moment in (("customer", "KH", "created_at"), ("channel_lead", "BB", "reported_at")):
        wrong_month = sql(f"""SELECT count(*) FROM yiwei.{table} t JOIN yiwei.store s ON s.id = t.store_id
                               WHERE {untouched("t")} AND t.number NOT LIKE '{series}-' || s.code || '-'
                                         || to_char(t.{moment} AT TIME ZONE yiwei.company_timezone(), 'YYYYMM') || '-%'""")
        assert wrong_month == [(0,)], table
        gaps = sql(f"""SELECT n.store_id, n.period, count(*), max(n.serial),
                              (SELECT last_value FROM yiwei.document_counter dc
                                WHERE dc.series = '{series}' AND dc.store_id = n.store_id AND dc.period = n.period)
                         FROM (SELECT store_id, split_part(number, '-', 3) AS period,
                                      split_part(number, '-', 4)::int AS serial, {untouched(table)} AS demo
                                 FROM yiwei.{table} WHERE number LIKE '{series}-%') n
                        GROUP BY n.store_id, n.period HAVING bool_and(n.demo)""")
        assert gaps and [g for g in gaps if not (g[2] == g[3] and g[4] >= g[3])] == [], table


def test_leads_cover_every_state_and_reporter(sql):
    states = dict(sql("SELECT yiwei.lead_status(status, protected_until), count(*) FROM yiwei.channel_lead GROUP BY 1"))
    assert set(states) == {"pending", "approved", "rejected", "converted", "expired"} and sum(states.values()) >= 1000
    assert sql("SELECT count(*) FROM yiwei.channel_lead WHERE status = 'rejected' AND decision_reason = ''")[0][0] == 0
    assert sql(f"""SELECT count(*) FROM yiwei.channel_lead l WHERE {untouched("l")}
                     AND (reported_at < now() - interval '190 days' OR reported_at > now()
                          OR decided_at < reported_at OR converted_at < decided_at)""")[0][0] == 0
    # converted: the customer signed within the protection; expired: nobody signed in time
    assert sql(f"""SELECT count(*) FROM yiwei.channel_lead l JOIN yiwei.customer c ON c.id = l.customer_id
                   WHERE {untouched("l")} AND l.status = 'converted' AND (c.stage <> 'signed' OR c.lead_id <> l.id
                                                     OR c.signed_at > l.protected_until)""")[0][0] == 0
    reporters = dict(sql("""SELECT p.code, count(*) FROM yiwei.channel_lead l JOIN yiwei.employee e ON e.id = l.reported_by
                              JOIN yiwei.position p ON p.id = e.position_id GROUP BY p.code"""))
    assert reporters["channel_clerk"] > reporters["channel_partner"] > reporters["guide"] > 0
    assert sql("""SELECT DISTINCT ch.name FROM yiwei.channel_lead l JOIN yiwei.employee e ON e.id = l.reported_by
                    JOIN yiwei.channel ch ON ch.id = l.channel_id WHERE e.login = 'ch.wanjia'""") == [(WANJIA_CHANNEL,)]


def test_lead_conflicts_are_the_ones_the_database_found_at_reporting(sql):
    kinds = {row[0] for row in sql("SELECT DISTINCT kind FROM yiwei.lead_conflict")}
    assert kinds == {"lead_phone", "lead_address", "customer_phone", "customer_address"}
    # the reports went through report_lead as the real employees (the audit trail says who)
    actors = {row[0] for row in sql("""SELECT DISTINCT e.login FROM yiwei.audit_log a JOIN yiwei.employee e ON e.role_name = a.actor
                                         WHERE a.table_name = 'lead_conflict' AND a.action = 'INSERT'""")}
    assert {"hq.channeldesk", "ch.wanjia"} <= actors
    assert sql("""SELECT count(*) FROM yiwei.lead_conflict k JOIN yiwei.channel_lead l ON l.id = k.lead_id
                   WHERE l.conflict_count <> (SELECT count(*) FROM yiwei.lead_conflict x WHERE x.lead_id = l.id)
                      OR k.found_at <> l.reported_at""")[0][0] == 0
    # each piece of evidence names an earlier report or customer of the same phone or flat, by its number now
    # (a customer whose record a test has changed since — new phone, merged — is not compared)
    bad = sql(f"""
        SELECT k.id FROM yiwei.lead_conflict k
          JOIN yiwei.channel_lead l ON l.id = k.lead_id
          JOIN yiwei.phone_book mine ON mine.subject = 'lead' AND mine.ref_id = l.id
          LEFT JOIN yiwei.channel_lead o ON o.id = k.other_lead_id
          LEFT JOIN yiwei.customer c ON c.id = k.other_customer_id
         WHERE {untouched("l")} AND (k.evidence ->> 'number' IS DISTINCT FROM coalesce(o.number, c.number)
            OR coalesce(o.reported_at, c.created_at) >= l.reported_at
            OR CASE k.kind
                 WHEN 'lead_phone' THEN NOT EXISTS (SELECT 1 FROM yiwei.phone_book pb
                                                    WHERE pb.subject = 'lead' AND pb.ref_id = o.id AND pb.phone = mine.phone)
                 WHEN 'lead_address' THEN o.address_key IS DISTINCT FROM l.address_key
                 WHEN 'customer_phone' THEN NOT EXISTS (SELECT 1 FROM yiwei.phone_book pb
                                                        WHERE pb.subject = 'customer' AND pb.ref_id = c.id AND pb.phone = mine.phone)
                 ELSE c.address_key IS DISTINCT FROM l.address_key END
               AND NOT EXISTS (SELECT 1 FROM yiwei.audit_log a WHERE a.table_name = 'customer'
                                  AND a.row_key = c.id::text AND a.action = 'UPDATE'))""")
    assert bad == []
    # the same flat written another way ("七幢 二单元 1203室") was recognised
    assert sql("""SELECT count(*) FROM yiwei.lead_conflict k JOIN yiwei.channel_lead l ON l.id = k.lead_id
                    JOIN yiwei.channel_lead o ON o.id = k.other_lead_id
                   WHERE k.kind = 'lead_address' AND (l.building, l.unit, l.room) <> (o.building, o.unit, o.room)""")[0][0] > 0
    # two channels, one household: only one report ever approved
    assert sql("""SELECT count(*) FROM yiwei.lead_conflict k JOIN yiwei.channel_lead l ON l.id = k.lead_id
                    JOIN yiwei.channel_lead o ON o.id = k.other_lead_id
                   WHERE l.status IN ('approved', 'converted') AND o.status IN ('approved', 'converted')
                     AND l.decided_at < o.protected_until AND o.decided_at < l.protected_until""")[0][0] == 0


def test_reminders_and_designer_tasks_have_something_to_show(sql):
    due = dict(sql("""SELECT CASE WHEN next_contact_on = yiwei.company_today() THEN 'today' ELSE 'overdue' END, count(*)
                        FROM yiwei.customer WHERE next_contact_on <= yiwei.company_today() AND stage NOT IN ('signed', 'lost')
                       GROUP BY 1"""))
    assert due.get("today", 0) > 0 and due.get("overdue", 0) > 0
    tasks = dict(sql("""SELECT CASE WHEN status <> 'open' THEN status WHEN due_on < yiwei.company_today() THEN 'overdue'
                                    ELSE 'open' END, count(*) FROM yiwei.designer_task GROUP BY 1"""))
    assert tasks.get("open", 0) > 0 and tasks.get("overdue", 0) > 0 and tasks.get("done", 0) > 0


def test_a_guide_sees_exactly_their_own_demo_customers(db, sql):
    guide_id = sql("SELECT id FROM yiwei.employee WHERE login = 'hz01.guide1'")[0][0]
    expected = sql("SELECT count(*) FROM yiwei.customer WHERE guide_id = %s OR designer_id = %s", (guide_id, guide_id))[0][0]
    with db.connect_as("hz01.guide1").cursor() as cur:
        cur.execute("SELECT count(*), count(DISTINCT guide_id) FROM yiwei.customer_list")
        assert cur.fetchone() == (expected, 1)
    with db.connect_as("ch.wanjia").cursor() as cur:
        cur.execute("SELECT count(*), count(DISTINCT channel_name) FROM yiwei.channel_lead_list")
        seen, channels = cur.fetchone()
    assert seen == sql("""SELECT count(*) FROM yiwei.channel_lead l JOIN yiwei.employee e ON e.id = l.reported_by
                           WHERE e.login = 'ch.wanjia'""")[0][0] > 0 and channels == 1


def test_seeding_again_adds_nothing(db):
    conn = db.admin()
    try:
        report = seed_demo(conn)
    finally:
        conn.close()
    assert report["organisation"] is False
    assert all(report[name] == 0 for name in ("masterdata", "customers", "leads"))
