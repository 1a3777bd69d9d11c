-- Permissions, row-level security, grants, audit triggers, table names and list views of the
-- contracts part of the orders module.

-- Signing commits the company to a price: it is a step of its own, held by store managers and up,
-- never by a guide (who prepares the contract).
INSERT INTO yiwei.permission (code, module, name, sort_order) VALUES
 ('orders.sign', 'orders', '合同签订/作废已签合同', 245);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['contract_template', 'contract', 'contract_line', 'contract_payment', 'design_file',
                             'change_order', 'change_order_line', 'contract_review'] LOOP
        EXECUTE format('ALTER TABLE yiwei.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE yiwei.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY owner_all ON yiwei.%I TO {{owner}} USING (true) WITH CHECK (true)', t);
    END LOOP;
END $$;

-- Templates are reference text every contract prints with: everyone reads them.
CREATE POLICY read_all ON yiwei.contract_template FOR SELECT TO {{app}} USING (true);

-- Contracts: a guide sees own contracts, a designer those assigned, a store manager the store's, a
-- region director the region's, head office all — for the functions that work with contracts.
-- The rows of a contract (lines, plan, files, reviews, change orders) follow it: an 'own' login sees
-- them for its own contracts (one array per query, from the guide/designer indexes).
CALL yiwei.create_read_policies('contract',
    '(guide_id = (SELECT yiwei.current_employee_id()) OR designer_id = (SELECT yiwei.current_employee_id()))',
    ARRAY['orders.contract', 'orders.drawing_review', 'orders.price_review', 'orders.sign', 'orders.change_order',
          'orders.responsibility', 'orders.commissionable', 'finance.receipt']);
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['contract_line', 'contract_payment', 'design_file', 'contract_review', 'change_order'] LOOP
        CALL yiwei.create_read_policies(t,
            'contract_id = ANY (ARRAY(SELECT k.id FROM yiwei.contract k
                                       WHERE k.guide_id = (SELECT yiwei.current_employee_id())
                                          OR k.designer_id = (SELECT yiwei.current_employee_id())))',
            ARRAY['orders.contract', 'orders.drawing_review', 'orders.price_review', 'orders.sign', 'orders.change_order',
                  'orders.responsibility', 'orders.commissionable', 'finance.receipt']);
    END LOOP;
END $$;
CALL yiwei.create_read_policies('change_order_line',
    'change_order_id = ANY (ARRAY(SELECT o.id FROM yiwei.change_order o JOIN yiwei.contract k ON k.id = o.contract_id
                                   WHERE k.guide_id = (SELECT yiwei.current_employee_id())
                                      OR k.designer_id = (SELECT yiwei.current_employee_id())))',
    ARRAY['orders.contract', 'orders.drawing_review', 'orders.price_review', 'orders.sign', 'orders.change_order',
          'orders.responsibility', 'orders.commissionable', 'finance.receipt']);

-- Read-only for app roles: every change is a checked function. Whoever may see a contract may open
-- its drawings, so design_file is readable whole; lists use design_file_list, without the content.
GRANT SELECT ON yiwei.contract_template, yiwei.contract, yiwei.contract_line, yiwei.contract_payment, yiwei.design_file,
    yiwei.change_order, yiwei.change_order_line, yiwei.contract_review TO {{app}};

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['contract_template', 'contract', 'contract_line', 'contract_payment', 'change_order',
                             'change_order_line', 'contract_review'] LOOP
        EXECUTE format('CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON yiwei.%I
                        FOR EACH ROW EXECUTE FUNCTION yiwei.tg_audit()', t);
    END LOOP;
END $$;
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON yiwei.design_file
    FOR EACH ROW EXECUTE FUNCTION yiwei.tg_audit_design_file();

-- Nothing for PUBLIC (a definer function must not be reachable from another company database on
-- the server); the functions dropped and made again in 0203 lost their grants, the rest are new.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA yiwei FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    yiwei.create_position(text, text, text, text, text[], numeric),
    yiwei.update_position(integer, integer, text, text, text, text[], numeric),
    yiwei.my_min_discount_rate(), yiwei.contract_placeholders(), yiwei.contract_status_label(text),
    yiwei.change_order_status_label(text), yiwei.promotion_allows(integer, integer, numeric, date),
    yiwei.save_contract_template(integer, integer, jsonb),
    yiwei.save_contract(bigint, integer, jsonb), yiwei.apply_package(bigint, integer, integer),
    yiwei.upload_design_file(bigint, text, text, bytea),
    yiwei.submit_contract(bigint, integer), yiwei.review_drawing(bigint, integer, boolean, text, jsonb),
    yiwei.review_price(bigint, integer, boolean, text), yiwei.sign_contract(bigint, integer),
    yiwei.advance_contract(bigint, integer, text), yiwei.cancel_contract(bigint, integer, text),
    yiwei.record_contract_payment(bigint, integer, numeric),
    yiwei.save_change_order(bigint, integer, jsonb), yiwei.submit_change_order(bigint, integer),
    yiwei.review_change_order(bigint, integer, boolean, text, jsonb), yiwei.cancel_change_order(bigint, integer),
    yiwei.determine_responsibility(bigint, integer, text, integer, text)
TO {{app}};

COMMENT ON TABLE yiwei.contract_template IS '合同模板';
COMMENT ON TABLE yiwei.contract IS '合同';
COMMENT ON TABLE yiwei.contract_line IS '合同明细';
COMMENT ON TABLE yiwei.contract_payment IS '合同付款计划';
COMMENT ON TABLE yiwei.design_file IS '设计文件';
COMMENT ON TABLE yiwei.change_order IS '合同改补单';
COMMENT ON TABLE yiwei.change_order_line IS '改补单明细';
COMMENT ON TABLE yiwei.contract_review IS '合同审核记录';

-- List views (security_invoker: the caller's policies apply) ------------------------------------

-- The current version of each template family.
CREATE VIEW yiwei.contract_template_list WITH (security_invoker = true) AS
SELECT t.id, t.family_id, t.name, t.version, pl.name AS line_name, t.active, t.body, t.line_id,
       coalesce(yiwei.employee_name((SELECT e.id FROM yiwei.employee e WHERE e.role_name = t.created_by)), t.created_by)
           AS saved_by_name,
       t.created_at AS saved_at
  FROM yiwei.contract_template t
  LEFT JOIN yiwei.product_line pl ON pl.id = t.line_id
 WHERE t.version = (SELECT max(t2.version) FROM yiwei.contract_template t2 WHERE t2.family_id = t.family_id);

CREATE VIEW yiwei.contract_list WITH (security_invoker = true) AS
SELECT c.id, c.number, c.status, yiwei.contract_status_label(c.status) AS status_label,
       cu.number AS customer_number, cu.name AS customer_name, cu.phone_masked AS customer_phone,
       concat_ws(' ', nullif(cu.community, ''), nullif(cu.building, ''), nullif(cu.unit, ''), nullif(cu.room, ''),
                 nullif(cu.address, '')) AS customer_address,
       s.code AS store_code, s.name AS store_name,
       coalesce(g.full_name, yiwei.employee_name(c.guide_id)) AS guide_name,
       CASE WHEN c.designer_id IS NOT NULL THEN coalesce(dz.full_name, yiwei.employee_name(c.designer_id)) END
           AS designer_name,
       pl.name AS price_list_name, t.name AS template_name, t.version AS template_version,
       c.expected_delivery_on, c.list_total, c.total,
       CASE WHEN c.list_total > 0 THEN round(c.total / c.list_total, 4) END AS overall_rate,
       coalesce(pay.paid_total, 0) AS paid_total, c.total - coalesce(pay.paid_total, 0) AS unpaid_total,
       coalesce(co.changes_total, 0) AS changes_total,
       df.file_name AS design_file_name, df.version AS design_file_version,
       c.note, c.submitted_at, c.signed_at, c.completed_at, c.cancelled_at, c.cancel_reason,
       c.created_at, c.updated_at,
       c.customer_id, c.store_id, c.guide_id, c.designer_id, c.price_list_id, c.template_id, c.version
  FROM yiwei.contract c
  LEFT JOIN yiwei.customer cu ON cu.id = c.customer_id
  JOIN yiwei.store s ON s.id = c.store_id
  LEFT JOIN yiwei.employee g ON g.id = c.guide_id
  LEFT JOIN yiwei.employee dz ON dz.id = c.designer_id
  LEFT JOIN yiwei.price_list pl ON pl.id = c.price_list_id
  LEFT JOIN yiwei.contract_template t ON t.id = c.template_id
  LEFT JOIN LATERAL (SELECT sum(p.paid_amount) AS paid_total FROM yiwei.contract_payment p WHERE p.contract_id = c.id) pay ON true
  LEFT JOIN LATERAL (SELECT sum(o.amount_delta) AS changes_total FROM yiwei.change_order o
                      WHERE o.contract_id = c.id AND o.status = 'approved') co ON true
  LEFT JOIN yiwei.design_file df ON df.contract_id = c.id AND df.current;

-- Lines with the cost price for those who may see costs: product_cost's own policy hides its rows
-- from everyone else, so the cost and margin columns are NULL for them.
CREATE VIEW yiwei.contract_line_list WITH (security_invoker = true) AS
SELECT l.id, l.contract_id, c.number AS contract_number, l.line_no, l.product_id, l.product_code, l.product_name,
       l.style, l.colour, l.spec, l.unit, l.quantity, l.list_price, l.rate, l.price, l.amount,
       round(l.list_price * l.quantity, 2) AS list_amount,
       pk.name AS package_name, pr.name AS promotion_name, l.note,
       pc.cost, CASE WHEN pc.cost IS NOT NULL THEN l.amount - round(pc.cost * l.quantity, 2) END AS margin,
       l.package_id, l.promotion_id, l.store_id
  FROM yiwei.contract_line l
  JOIN yiwei.contract c ON c.id = l.contract_id
  LEFT JOIN yiwei.package pk ON pk.id = l.package_id
  LEFT JOIN yiwei.promotion pr ON pr.id = l.promotion_id
  LEFT JOIN yiwei.product_cost pc ON pc.product_id = l.product_id;

CREATE VIEW yiwei.contract_payment_list WITH (security_invoker = true) AS
SELECT p.id, p.contract_id, c.number AS contract_number, p.seq, p.kind,
       CASE p.kind WHEN 'deposit' THEN '定金' WHEN 'progress' THEN '进度款' ELSE '尾款' END AS kind_label,
       p.amount, p.due_on, p.paid_amount, p.amount - p.paid_amount AS unpaid_amount,
       p.paid_amount < p.amount AND p.due_on < (SELECT yiwei.company_today()) AS overdue, p.store_id
  FROM yiwei.contract_payment p
  JOIN yiwei.contract c ON c.id = p.contract_id;

CREATE VIEW yiwei.design_file_list WITH (security_invoker = true) AS
SELECT f.id, f.contract_id, c.number AS contract_number, f.version, f.file_name, f.content_type, f.size_bytes,
       f.sha256, f.current, coalesce(u.full_name, yiwei.employee_name(f.uploaded_by)) AS uploaded_by_name,
       f.uploaded_at, f.uploaded_by, f.store_id
  FROM yiwei.design_file f
  JOIN yiwei.contract c ON c.id = f.contract_id
  LEFT JOIN yiwei.employee u ON u.id = f.uploaded_by;

CREATE VIEW yiwei.contract_review_list WITH (security_invoker = true) AS
SELECT r.id, r.contract_id, c.number AS contract_number, r.change_order_id, o.number AS change_order_number,
       r.kind, CASE r.kind WHEN 'drawing' THEN '图审' ELSE '审价' END AS kind_label,
       r.passed, CASE WHEN r.passed THEN '通过' ELSE '退回' END AS result_label, r.comment,
       (SELECT string_agg((e ->> 'name') || CASE WHEN (e ->> 'ok')::boolean THEN '✓' ELSE '✗' END, '、')
          FROM jsonb_array_elements(r.checklist) e) AS checklist_text,
       r.checklist, r.lowest_rate, coalesce(rv.full_name, yiwei.employee_name(r.reviewer_id)) AS reviewer_name,
       r.created_at, r.reviewer_id, r.store_id
  FROM yiwei.contract_review r
  JOIN yiwei.contract c ON c.id = r.contract_id
  LEFT JOIN yiwei.change_order o ON o.id = r.change_order_id
  LEFT JOIN yiwei.employee rv ON rv.id = r.reviewer_id;

CREATE VIEW yiwei.change_order_list WITH (security_invoker = true) AS
SELECT o.id, o.number, o.contract_id, c.number AS contract_number, cu.name AS customer_name, s.name AS store_name,
       o.kind, CASE o.kind WHEN 'change' THEN '改单' ELSE '补单' END AS kind_label,
       o.reason, o.status, yiwei.change_order_status_label(o.status) AS status_label, o.amount_delta,
       o.responsible_party,
       CASE o.responsible_party WHEN 'customer' THEN '客户' WHEN 'guide' THEN '导购' WHEN 'designer' THEN '设计师'
            WHEN 'measurer' THEN '量尺员' WHEN 'factory' THEN '工厂' WHEN 'installer' THEN '安装工'
            WHEN 'driver' THEN '司机' END AS responsible_party_label,
       rr.name AS responsibility_reason_name, o.responsibility_note,
       CASE WHEN o.decided_by IS NOT NULL THEN coalesce(d.full_name, yiwei.employee_name(o.decided_by)) END AS decided_by_name,
       o.decided_at, o.submitted_at, o.approved_at, o.cancelled_at, o.created_at, o.updated_at,
       o.store_id, o.responsibility_reason_id, o.decided_by, o.version
  FROM yiwei.change_order o
  JOIN yiwei.contract c ON c.id = o.contract_id
  LEFT JOIN yiwei.customer cu ON cu.id = c.customer_id
  JOIN yiwei.store s ON s.id = o.store_id
  LEFT JOIN yiwei.responsibility_reason rr ON rr.id = o.responsibility_reason_id
  LEFT JOIN yiwei.employee d ON d.id = o.decided_by;

-- 可计提订单: signed contracts (not cancelled) with their paid share; commissionable once the share
-- reaches the parameter orders.commission_paid_share (percent). Computed, never registered by hand.
CREATE VIEW yiwei.commissionable_contract_list WITH (security_invoker = true) AS
SELECT c.id, c.number, (c.signed_at AT TIME ZONE (SELECT yiwei.company_timezone()))::date AS signed_on,
       yiwei.contract_status_label(c.status) AS status_label,
       cu.name AS customer_name, s.code AS store_code, s.name AS store_name,
       coalesce(g.full_name, yiwei.employee_name(c.guide_id)) AS guide_name,
       CASE WHEN c.designer_id IS NOT NULL THEN coalesce(dz.full_name, yiwei.employee_name(c.designer_id)) END
           AS designer_name,
       c.total, coalesce(pay.paid_total, 0) AS paid_total,
       CASE WHEN c.total > 0 THEN round(coalesce(pay.paid_total, 0) / c.total, 4) ELSE 1 END AS paid_share,
       (CASE WHEN c.total > 0 THEN coalesce(pay.paid_total, 0) / c.total ELSE 1 END) * 100
           >= (SELECT yiwei.parameter_int('orders.commission_paid_share')) AS commissionable,
       c.status, c.store_id, c.guide_id, c.designer_id, c.customer_id
  FROM yiwei.contract c
  LEFT JOIN yiwei.customer cu ON cu.id = c.customer_id
  JOIN yiwei.store s ON s.id = c.store_id
  LEFT JOIN yiwei.employee g ON g.id = c.guide_id
  LEFT JOIN yiwei.employee dz ON dz.id = c.designer_id
  LEFT JOIN LATERAL (SELECT sum(p.paid_amount) AS paid_total FROM yiwei.contract_payment p WHERE p.contract_id = c.id) pay ON true
 WHERE c.signed_at IS NOT NULL AND c.status <> 'cancelled';

-- The commissionable contracts of a period (by signing day in company time). Runs with the
-- caller's rights, so the caller's scope applies; the function itself needs the permission.
CREATE FUNCTION yiwei.commissionable_contracts(p_from date, p_to date) RETURNS SETOF yiwei.commissionable_contract_list
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    IF NOT yiwei.has_permission('orders.commissionable') THEN
        RAISE EXCEPTION USING ERRCODE = 'YW403', MESSAGE = '没有权限：可计提订单', DETAIL = 'orders.commissionable';
    END IF;
    IF p_from IS NULL OR p_to IS NULL OR p_from > p_to THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '请选择有效的期间（开始日期不晚于结束日期）', DETAIL = '期间';
    END IF;
    RETURN QUERY SELECT * FROM yiwei.commissionable_contract_list l
                  WHERE l.commissionable AND l.signed_on BETWEEN p_from AND p_to
                  ORDER BY l.signed_on, l.number;
END $$;
REVOKE ALL ON FUNCTION yiwei.commissionable_contracts(date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION yiwei.commissionable_contracts(date, date) TO {{app}};

GRANT SELECT ON yiwei.contract_template_list, yiwei.contract_list, yiwei.contract_line_list, yiwei.contract_payment_list,
    yiwei.design_file_list, yiwei.contract_review_list, yiwei.change_order_list, yiwei.commissionable_contract_list
TO {{app}};
