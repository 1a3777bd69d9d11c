"""The demo catalogue and contracts (client/demo/catalogue.py, orders.py) as seeded for the test
session: every contract state, totals and payment plans that add up, discounts within the rules,
a status history that agrees with the reviews and moments recorded, customers signed when their
contracts were — including the rules bulk loading skips (the totals trigger, foreign keys, numbering)."""

from __future__ import annotations

import hashlib

from client.demo.catalogue import LINES, PACKAGES, TEMPLATES
from client.demo.seed import seed_demo

ALL_STATES = {"draft", "submitted", "returned", "drawing_passed", "price_passed", "signed", "in_production",
              "delivered", "installed", "completed", "cancelled"}
SIGNED_STATES = "('signed', 'in_production', 'delivered', 'installed', 'completed')"


def demo(alias: str) -> str:
    """SQL: a contract (or a row of one) as the demo seeding wrote it — on a demo price list and not
    changed by another test since (written no later than the seeding's transaction)."""
    return (f"(({alias}.xmin::text)::bigint <= (SELECT min(a.txid) FROM yiwei.audit_log a WHERE a.table_name = 'contract'))")


DEMO_CONTRACT = ("k.price_list_id IN (SELECT id FROM yiwei.price_list WHERE code LIKE 'RETAIL-%%') AND " + demo("k"))


def one(sql, text: str, params=None):
    return sql(text, params)[0][0]


def test_catalogue_has_lines_products_lists_promotions_packages_and_templates(sql):
    assert one(sql, "SELECT count(*) FROM yiwei.product_line WHERE code = ANY (%s)", ([c for c, _n in LINES],)) == 6
    products, inactive, without_cost = sql("""
        SELECT count(*), count(*) FILTER (WHERE NOT p.active),
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM yiwei.product_cost c WHERE c.product_id = p.id))
          FROM yiwei.product p WHERE p.code ~ '^(CG|YG|MM|DB|WY|RZ)[0-9]'""")[0]
    assert products >= 300 and 0 < inactive < products / 10 and without_cost == 0
    assert one(sql, "SELECT count(DISTINCT style) FROM yiwei.product WHERE code ~ '^(CG|YG)'") >= 6
    assert one(sql, "SELECT count(*) FROM yiwei.style_alias") >= 10
    # an alias finds the products of its style
    assert one(sql, "SELECT cardinality(yiwei.find_products('欧式简约'))") >= one(
        sql, "SELECT count(*) FROM yiwei.product WHERE style = '简欧' AND code ~ '^(CG|YG|MM|DB|WY|RZ)[0-9]'") > 0
    lists = sql("""SELECT code, valid_from <= yiwei.company_today(), coalesce(valid_to >= yiwei.company_today(), true),
                          (SELECT count(*) FROM yiwei.price_list_item i WHERE i.price_list_id = pl.id)
                     FROM yiwei.price_list pl WHERE code LIKE 'RETAIL-%' ORDER BY valid_from""")
    assert [(started, running) for _c, started, running, _n in lists] == [(True, False), (True, True), (False, True)]
    assert all(count >= 300 for *_rest, count in lists)
    promotions = sql("""SELECT count(*) FILTER (WHERE valid_to < yiwei.company_today()),
                               count(*) FILTER (WHERE yiwei.company_today() BETWEEN valid_from AND valid_to AND active),
                               count(*) FILTER (WHERE NOT active) FROM yiwei.promotion""")[0]
    assert all(n > 0 for n in promotions)
    packages = dict(sql("SELECT code, name FROM yiwei.package WHERE code = ANY (%s)", ([p.code for p in PACKAGES],)))
    assert len(packages) == len(PACKAGES) and any(name.startswith("全屋定制 ") and name.endswith(" 套餐")
                                                   for name in packages.values())
    # a package is a deal: its price is below the list value of its products
    assert one(sql, """SELECT count(*) FROM yiwei.package k WHERE k.code = ANY (%s) AND k.price >=
                         (SELECT sum(i.price * pi.quantity) FROM yiwei.package_item pi
                            JOIN yiwei.price_list_item i ON i.product_id = pi.product_id AND i.price_list_id = k.price_list_id
                           WHERE pi.package_id = k.id)""", ([p.code for p in PACKAGES],)) == 0
    assert one(sql, "SELECT count(*) FROM yiwei.checklist_item WHERE active") >= 12
    assert one(sql, "SELECT count(*) FROM yiwei.responsibility_reason WHERE active") >= 8
    templates = dict(sql("SELECT name, version FROM yiwei.contract_template_list"))
    assert all(templates.get(name) for name, _body in TEMPLATES.values())
    assert templates["全屋定制销售合同"] == 2
    # every placeholder in the clause text is one the printed contract fills
    assert one(sql, """SELECT count(*) FROM yiwei.contract_template t, regexp_matches(t.body, '\\{([^{}]*)\\}', 'g') m
                        WHERE m[1] <> ALL (yiwei.contract_placeholders())""") == 0


def test_contracts_cover_every_state_with_lines_plans_files_reviews_and_change_orders(sql):
    states = dict(sql(f"SELECT status, count(*) FROM yiwei.contract k WHERE {DEMO_CONTRACT} GROUP BY status"))
    assert set(states) == ALL_STATES and sum(states.values()) >= 1500, states
    assert {row[0] for row in sql("SELECT DISTINCT status FROM yiwei.change_order")} == \
        {"draft", "submitted", "drawing_passed", "approved", "returned", "cancelled"}
    stores = one(sql, f"SELECT count(DISTINCT store_id) FROM yiwei.contract k WHERE {DEMO_CONTRACT}")
    assert stores == 10
    kinds = sql("""SELECT count(*) FILTER (WHERE package_id IS NOT NULL), count(*) FILTER (WHERE promotion_id IS NOT NULL),
                          count(*) FROM yiwei.contract_line""")[0]
    assert kinds[0] > 0 and kinds[1] > 0 and kinds[2] > 10000
    assert one(sql, "SELECT count(*) FROM yiwei.design_file WHERE version >= 2") > 0
    assert {row[0] for row in sql("SELECT DISTINCT content_type FROM yiwei.design_file")} >= {"application/pdf", "image/png"}
    # returned once, then passed
    assert one(sql, """SELECT count(DISTINCT r.contract_id) FROM yiwei.contract_review r
                        WHERE NOT r.passed AND r.change_order_id IS NULL AND EXISTS (
                              SELECT 1 FROM yiwei.contract_review p WHERE p.contract_id = r.contract_id AND p.passed
                                 AND p.kind = 'price' AND p.created_at > r.created_at)""") > 0
    assert one(sql, "SELECT count(*) FROM yiwei.contract_payment WHERE paid_amount > 0") > 500
    assert one(sql, "SELECT count(*) FROM yiwei.change_order WHERE responsible_party IS NOT NULL") > 0


def test_totals_lines_and_payment_plans_add_up(sql):
    bad_totals = sql(f"""
        SELECT k.number FROM yiwei.contract k,
               LATERAL (SELECT coalesce(sum(l.amount), 0) AS total, coalesce(sum(round(l.list_price * l.quantity, 2)), 0) AS list_total
                          FROM yiwei.contract_line l WHERE l.contract_id = k.id) x
         WHERE {DEMO_CONTRACT} AND (k.total, k.list_total) IS DISTINCT FROM (x.total, x.list_total)""")
    assert bad_totals == []
    # the plan adds up to what is owed: the signed total and the approved change orders
    assert one(sql, f"""SELECT count(*) FROM yiwei.contract k WHERE {DEMO_CONTRACT} AND EXISTS (
                          SELECT 1 FROM yiwei.contract_payment p WHERE p.contract_id = k.id)
                        AND k.total + k.changes_total
                            <> (SELECT sum(p.amount) FROM yiwei.contract_payment p WHERE p.contract_id = k.id)""") == 0
    assert one(sql, f"""SELECT count(*) FROM yiwei.contract k WHERE {DEMO_CONTRACT} AND k.changes_total
                        <> (SELECT coalesce(sum(o.amount_delta), 0) FROM yiwei.change_order o
                             WHERE o.contract_id = k.id AND o.status = 'approved')""") == 0
    assert one(sql, "SELECT count(*) FROM yiwei.contract WHERE changes_total <> 0") > 0
    # past the draft every contract has its plan (submit refuses one without), in order 定金 … 尾款
    assert one(sql, f"""SELECT count(*) FROM yiwei.contract k WHERE {DEMO_CONTRACT} AND k.submitted_at IS NOT NULL
                          AND NOT EXISTS (SELECT 1 FROM yiwei.contract_payment p WHERE p.contract_id = k.id)""") == 0
    assert one(sql, """SELECT count(*) FROM yiwei.contract_payment p
                        WHERE (p.seq = 1) <> (p.kind = 'deposit')
                           OR (p.kind = 'final') <> (p.seq = (SELECT max(q.seq) FROM yiwei.contract_payment q
                                                               WHERE q.contract_id = p.contract_id))""") == 0
    # ordinary lines: amount = price × quantity, rate = price ÷ list price, at the list's price
    assert one(sql, f"""SELECT count(*) FROM yiwei.contract_line l JOIN yiwei.contract k ON k.id = l.contract_id
                          LEFT JOIN yiwei.price_list_item i ON i.price_list_id = k.price_list_id AND i.product_id = l.product_id
                         WHERE {DEMO_CONTRACT} AND (i.price IS DISTINCT FROM l.list_price OR l.price > l.list_price
                               OR (l.package_id IS NULL AND (l.amount <> round(l.price * l.quantity, 2)
                                                             OR l.rate <> round(l.price / l.list_price, 4))))""") == 0
    # package lines: the package's products at its quantities, sharing exactly its price
    assert one(sql, f"""SELECT count(*) FROM (
                          SELECT l.contract_id, l.package_id, sum(l.amount) AS amount, count(*) AS n,
                                 bool_and(EXISTS (SELECT 1 FROM yiwei.package_item pi WHERE pi.package_id = l.package_id
                                                    AND pi.product_id = l.product_id AND pi.quantity = l.quantity)) AS items_ok
                            FROM yiwei.contract_line l JOIN yiwei.contract k ON k.id = l.contract_id
                           WHERE l.package_id IS NOT NULL AND {DEMO_CONTRACT}
                           GROUP BY l.contract_id, l.package_id) x
                          JOIN yiwei.package pk ON pk.id = x.package_id
                         WHERE x.amount <> pk.price OR NOT x.items_ok
                            OR x.n <> (SELECT count(*) FROM yiwei.package_item pi WHERE pi.package_id = pk.id)""") == 0
    # commissionable contracts exist (paid share over the parameter)
    assert one(sql, "SELECT count(*) FROM yiwei.commissionable_contract_list WHERE commissionable") > 0


def test_discounts_are_within_the_rules_save_contract_applies(sql):
    # below the creator's limit only with a promotion of the product's line valid when the contract
    # was made and submitted (down to its minimum), or in a package
    below = sql(f"""
        SELECT k.number, l.product_code, l.rate FROM yiwei.contract_line l
          JOIN yiwei.contract k ON k.id = l.contract_id
          JOIN yiwei.employee e ON e.role_name = k.created_by
          JOIN yiwei.position po ON po.id = e.position_id
          JOIN yiwei.product pd ON pd.id = l.product_id
         WHERE {DEMO_CONTRACT} AND l.package_id IS NULL AND l.price / l.list_price < po.min_discount_rate
           AND NOT EXISTS (
               SELECT 1 FROM yiwei.promotion pr
                WHERE pr.id = l.promotion_id AND pr.active AND (pr.line_id IS NULL OR pr.line_id = pd.line_id)
                  AND l.price / l.list_price >= pr.min_rate
                  AND (k.created_at AT TIME ZONE yiwei.company_timezone())::date BETWEEN pr.valid_from AND pr.valid_to
                  AND (coalesce(k.submitted_at, k.created_at) AT TIME ZONE yiwei.company_timezone())::date
                      BETWEEN pr.valid_from AND pr.valid_to)""")
    assert below == []
    # made by the customer's guide, on the price list valid that day
    assert one(sql, f"""SELECT count(*) FROM yiwei.contract k JOIN yiwei.customer c ON c.id = k.customer_id
                          JOIN yiwei.price_list pl ON pl.id = k.price_list_id
                          JOIN yiwei.employee g ON g.id = k.guide_id
                         WHERE {DEMO_CONTRACT} AND ((k.store_id, k.guide_id) <> (c.store_id, c.guide_id)
                            OR k.designer_id IS DISTINCT FROM c.designer_id OR g.role_name <> k.created_by
                            OR (k.created_at AT TIME ZONE yiwei.company_timezone())::date
                               NOT BETWEEN pl.valid_from AND coalesce(pl.valid_to, 'infinity'))""") == 0
    # price reviews record the lowest unexplained rate, and none passed below the reviewer's limit
    assert one(sql, """SELECT count(*) FROM yiwei.contract_review r JOIN yiwei.employee e ON e.id = r.reviewer_id
                         JOIN yiwei.position po ON po.id = e.position_id
                        WHERE r.kind = 'price' AND r.passed AND r.lowest_rate < po.min_discount_rate""") == 0


def test_status_history_agrees_with_reviews_files_and_moments(sql):
    wrong = sql(f"""
        SELECT k.number, k.status FROM yiwei.contract k
         WHERE {DEMO_CONTRACT} AND NOT (
               k.created_at <= coalesce(k.submitted_at, k.created_at)
           AND coalesce(k.submitted_at, k.created_at) <= coalesce(k.signed_at, now())
           AND coalesce(k.signed_at, k.created_at) <= coalesce(k.completed_at, k.cancelled_at, now())
           AND greatest(k.updated_at, k.completed_at, k.cancelled_at) <= now()
           AND (k.status = 'draft') = (k.submitted_at IS NULL AND k.status NOT IN ('cancelled'))
           AND (k.status IN {SIGNED_STATES}) <= (k.signed_at IS NOT NULL)
           AND (k.signed_at IS NOT NULL) <= (k.status IN {SIGNED_STATES} OR k.status = 'cancelled')
           AND (k.status = 'cancelled') = (k.cancel_reason IS NOT NULL))""")
    assert wrong == []
    # the latest review of the contract itself decides where it stands before signing
    last = sql(f"""
        SELECT k.status, r.kind, r.passed, count(*) FROM yiwei.contract k
          LEFT JOIN LATERAL (SELECT r.kind, r.passed FROM yiwei.contract_review r
                              WHERE r.contract_id = k.id AND r.change_order_id IS NULL
                              ORDER BY r.created_at DESC, r.id DESC LIMIT 1) r ON true
         WHERE {DEMO_CONTRACT} AND k.status <> 'cancelled' GROUP BY 1, 2, 3""")
    for status, kind, passed, _n in last:
        expected = {"draft": [(None, None)], "submitted": [(None, None), ("drawing", False), ("price", False)],
                    "returned": [("drawing", False), ("price", False)], "drawing_passed": [("drawing", True)]
                    }.get(status, [("price", True)])
        assert (kind, passed) in expected, (status, kind, passed)
    # reviews lie between submission and signing, by a director of the region, never the contract's own people
    assert one(sql, f"""SELECT count(*) FROM yiwei.contract_review r JOIN yiwei.contract k ON k.id = r.contract_id
                          JOIN yiwei.employee e ON e.id = r.reviewer_id JOIN yiwei.store s ON s.id = k.store_id
                         WHERE {DEMO_CONTRACT} AND r.change_order_id IS NULL
                           AND (r.created_at > coalesce(k.signed_at, now()) OR r.created_at < k.created_at
                                OR r.reviewer_id IN (k.guide_id, k.designer_id) OR e.role_name = k.created_by
                                OR e.region_id <> s.region_id)""") == 0
    # every submitted contract had a current drawing when it was submitted; one current, the latest
    assert one(sql, f"""SELECT count(*) FROM yiwei.contract k WHERE {DEMO_CONTRACT} AND k.submitted_at IS NOT NULL
                          AND NOT EXISTS (SELECT 1 FROM yiwei.design_file f WHERE f.contract_id = k.id
                                             AND f.uploaded_at <= k.submitted_at)""") == 0
    assert one(sql, """SELECT count(*) FROM (SELECT contract_id FROM yiwei.design_file GROUP BY contract_id
                        HAVING count(*) FILTER (WHERE current) <> 1
                            OR max(version) <> max(version) FILTER (WHERE current) OR max(version) <> count(*)) x""") == 0
    for data, size, digest, kind in sql("SELECT data, size_bytes, sha256, content_type FROM yiwei.design_file"
                                        " ORDER BY random() LIMIT 20"):
        data = bytes(data)
        assert len(data) == size and hashlib.sha256(data).hexdigest() == digest
        assert data.startswith(b"%PDF-1.4" if kind == "application/pdf" else b"\x89PNG")


def test_customers_are_signed_when_their_contracts_were(sql):
    assert one(sql, f"""SELECT count(*) FROM yiwei.contract k JOIN yiwei.customer c ON c.id = k.customer_id
                         WHERE {DEMO_CONTRACT} AND k.signed_at IS NOT NULL
                           AND (c.stage <> 'signed' OR c.signed_at > k.signed_at)""") == 0
    # and every signed demo customer has the contract they signed, at that moment
    assert one(sql, f"""SELECT count(*) FROM yiwei.customer c
                         WHERE c.stage = 'signed' AND c.status = 'active' AND {demo("c")}
                           AND NOT EXISTS (SELECT 1 FROM yiwei.contract k WHERE k.customer_id = c.id
                                              AND k.signed_at = c.signed_at)""") == 0
    # the ones signed through sign_contract: their followup tells it, and nothing lies in the future
    assert one(sql, """SELECT count(*) FROM yiwei.customer_followup WHERE content LIKE '客户到店签订合同 HT-%'""") > 0


def test_change_orders_follow_their_rules(sql):
    assert one(sql, f"""
        SELECT count(*) FROM yiwei.change_order o JOIN yiwei.contract k ON k.id = o.contract_id
         WHERE {DEMO_CONTRACT} AND (
               o.amount_delta <> (SELECT coalesce(sum(ol.amount), 0) FROM yiwei.change_order_line ol WHERE ol.change_order_id = o.id)
            OR o.created_at < k.signed_at OR o.created_at > now()
            OR (o.status = 'approved') <> (o.approved_at IS NOT NULL)
            OR (o.status IN ('submitted', 'drawing_passed', 'approved', 'returned')) <> (o.submitted_at IS NOT NULL)
            OR (o.responsible_party IS NOT NULL AND o.responsibility_reason_id IS NULL)
            OR o.decided_at > now() OR o.decided_at < o.created_at)""") == 0
    # goods taken off were on the contract, at the price the customer paid for them
    assert one(sql, """SELECT count(*) FROM yiwei.change_order_line ol JOIN yiwei.change_order o ON o.id = ol.change_order_id
                        WHERE ol.quantity < 0 AND (-ol.quantity > (SELECT coalesce(sum(l.quantity), 0) FROM yiwei.contract_line l
                                                                  WHERE l.contract_id = o.contract_id AND l.product_id = ol.product_id)
                              OR ol.price <> (SELECT round(sum(l.amount) / sum(l.quantity), 2) FROM yiwei.contract_line l
                                               WHERE l.contract_id = o.contract_id AND l.product_id = ol.product_id))""") == 0
    # decided by someone who may decide; reviewed by someone who may review, never the author
    assert one(sql, """SELECT count(*) FROM yiwei.change_order o JOIN yiwei.employee e ON e.id = o.decided_by
                        WHERE NOT EXISTS (SELECT 1 FROM yiwei.position_permission pp WHERE pp.position_id = e.position_id
                                             AND pp.permission_code = 'orders.responsibility')""") == 0
    assert one(sql, """SELECT count(*) FROM yiwei.contract_review r JOIN yiwei.change_order o ON o.id = r.change_order_id
                         JOIN yiwei.employee e ON e.id = r.reviewer_id WHERE e.role_name = o.created_by""") == 0


def test_document_numbers_follow_the_month_gap_free_with_counters_after_them(sql):
    for table, series in (("contract", "HT"), ("change_order", "GB")):
        assert one(sql, f"""SELECT count(*) FROM yiwei.{table} t JOIN yiwei.store s ON s.id = t.store_id
                             WHERE {demo("t")} AND t.number NOT LIKE '{series}-' || s.code || '-'
                                   || to_char(t.created_at AT TIME ZONE yiwei.company_timezone(), 'YYYYMM') || '-%%'""") == 0
        gaps = sql(f"""SELECT n.store_id, n.period, count(*), max(n.serial),
                              (SELECT last_value FROM yiwei.document_counter dc
                                WHERE dc.series = '{series}' AND dc.store_id = n.store_id AND dc.period = n.period)
                         FROM (SELECT store_id, split_part(number, '-', 3) AS period,
                                      split_part(number, '-', 4)::int AS serial, {demo(table)} AS seeded
                                 FROM yiwei.{table} WHERE number LIKE '{series}-%%') n
                        GROUP BY n.store_id, n.period HAVING bool_and(n.seeded)""")
        assert gaps and [g for g in gaps if not (g[2] == g[3] and g[4] >= g[3])] == [], table


def test_the_steps_that_matter_went_through_the_checked_functions_as_real_employees(sql):
    actors = {row[0] for row in sql("""
        SELECT DISTINCT p.code || ':' || a.table_name || ':' || a.action FROM yiwei.audit_log a
          JOIN yiwei.employee e ON e.role_name = a.actor JOIN yiwei.position p ON p.id = e.position_id
         WHERE a.table_name IN ('contract', 'contract_review', 'design_file', 'change_order')""")}
    assert {"guide:contract:INSERT", "designer:design_file:INSERT", "region_director:contract_review:INSERT",
            "store_manager:contract:UPDATE", "store_manager:change_order:INSERT", "dispatcher:contract:UPDATE"} <= actors
    assert one(sql, """SELECT count(*) FROM yiwei.audit_log a JOIN yiwei.employee e ON e.role_name = a.actor
                         JOIN yiwei.position p ON p.id = e.position_id
                        WHERE a.table_name = 'contract_payment' AND a.action = 'UPDATE' AND p.code = 'store_finance'""") > 0
    # and the catalogue through the master-data functions, as the administrator
    assert one(sql, """SELECT count(*) FROM yiwei.audit_log a JOIN yiwei.employee e ON e.role_name = a.actor
                        WHERE e.login = 'admin' AND a.table_name IN ('product', 'price_list_item', 'package')""") > 300


def test_a_guide_sees_exactly_their_own_contracts(db, sql):
    guide_id = one(sql, "SELECT id FROM yiwei.employee WHERE login = 'hz01.guide1'")
    expected = one(sql, "SELECT count(*) FROM yiwei.contract WHERE guide_id = %s OR designer_id = %s", (guide_id, guide_id))
    with db.connect_as("hz01.guide1").cursor() as cur:
        cur.execute("SELECT count(*), count(DISTINCT guide_id) FROM yiwei.contract_list")
        assert cur.fetchone() == (expected, 1) and expected > 0
        cur.execute("SELECT count(*) FROM yiwei.contract_line_list WHERE cost IS NOT NULL")
        assert cur.fetchone() == (0,)


def test_seeding_again_adds_nothing(db):
    conn = db.admin()
    try:
        report = seed_demo(conn)
    finally:
        conn.close()
    assert report["catalogue"] == 0 and report["orders"] == 0
