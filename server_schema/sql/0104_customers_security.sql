-- Permissions, row-level security, grants, audit triggers and list views of the customers module.

INSERT INTO yiwei.permission (code, module, name, sort_order) VALUES
 ('masterdata.channel',   'masterdata', '渠道信息', 861),
 ('masterdata.community', 'masterdata', '小区信息', 862);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['customer_source', 'channel', 'decoration_designer', 'community', 'community_alias',
                             'employee_channel', 'phone_book', 'customer', 'customer_contact', 'customer_followup',
                             'designer_task', 'channel_lead', 'lead_conflict'] LOOP
        EXECUTE format('ALTER TABLE yiwei.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE yiwei.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY owner_all ON yiwei.%I TO {{owner}} USING (true) WITH CHECK (true)', t);
    END LOOP;
END $$;

-- Master data: read by every employee, written through the checked save_* functions.
CREATE POLICY read_all ON yiwei.customer_source FOR SELECT TO {{app}} USING (true);
CREATE POLICY read_all ON yiwei.channel FOR SELECT TO {{app}} USING (true);
CREATE POLICY read_all ON yiwei.decoration_designer FOR SELECT TO {{app}} USING (true);
CREATE POLICY read_all ON yiwei.community FOR SELECT TO {{app}} USING (true);
CREATE POLICY read_all ON yiwei.community_alias FOR SELECT TO {{app}} USING (true);
CREATE POLICY read_all ON yiwei.employee_channel FOR SELECT TO {{app}} USING (true);

-- Customer data: a guide (or designer) sees own customers, a store its store's, a region director
-- the region's, head office all. Full phone numbers additionally need customers.phone_full.
-- A designer also reads the customers of tasks planned for them when the customer's designer is
-- a colleague (one array per query, from the designer_task_designer index).
CALL yiwei.create_read_policies('customer',
    '(guide_id = (SELECT yiwei.current_employee_id()) OR designer_id = (SELECT yiwei.current_employee_id())
      OR id = ANY (ARRAY(SELECT t.customer_id FROM yiwei.designer_task t
                          WHERE t.designer_id = (SELECT yiwei.current_employee_id()))))',
    ARRAY['customers.customer', 'customers.followup', 'customers.designer_task', 'customers.visit']);
CALL yiwei.create_read_policies('customer_contact',
    '(guide_id = (SELECT yiwei.current_employee_id()) OR designer_id = (SELECT yiwei.current_employee_id()))',
    ARRAY['customers.customer', 'customers.followup', 'customers.designer_task']);
CALL yiwei.create_read_policies('customer_followup',
    '(guide_id = (SELECT yiwei.current_employee_id()) OR designer_id = (SELECT yiwei.current_employee_id()))',
    ARRAY['customers.customer', 'customers.followup']);
CALL yiwei.create_read_policies('designer_task',
    '(designer_id = (SELECT yiwei.current_employee_id()) OR guide_id = (SELECT yiwei.current_employee_id()))',
    ARRAY['customers.designer_task', 'customers.customer']);
CALL yiwei.create_read_policies('phone_book',
    '(owner_id = (SELECT yiwei.current_employee_id()) OR designer_id = (SELECT yiwei.current_employee_id()))',
    ARRAY['customers.phone_full']);
-- Leads: a reporter sees own reports, auditors and managers the leads of the stores in scope.
CALL yiwei.create_read_policies('channel_lead', 'reported_by = (SELECT yiwei.current_employee_id())',
    ARRAY['customers.lead', 'customers.lead_audit', 'customers.lead_stats']);
-- The conflict evidence names other people's customers and leads (name, number, guide, address):
-- it is for auditors and the stores in scope, not for 'own' reporters (guides, channel partners),
-- who see only their lead's conflict_count.
CALL yiwei.create_read_policies('lead_conflict', 'false',
    ARRAY['customers.lead', 'customers.lead_audit']);

-- Read-only for app roles: every change goes through the checked functions below.
GRANT SELECT ON yiwei.customer_source, yiwei.channel, yiwei.decoration_designer, yiwei.community,
    yiwei.community_alias, yiwei.employee_channel, yiwei.phone_book, yiwei.customer, yiwei.customer_contact,
    yiwei.customer_followup, yiwei.designer_task, yiwei.channel_lead, yiwei.lead_conflict TO {{app}};
-- The reception writes visits directly (as before); the source is now a reference, and linking a
-- visit to a customer is a checked step (convert_visit, link_visit).
GRANT INSERT (source_id), UPDATE (source_id) ON yiwei.visit TO {{app}};

DO $$
DECLARE
    t text;
BEGIN
    -- phone_book is left out: its numbers must not be copied into the audit trail, which auditors
    -- without the full-phone permission read; customer rows carry the masked number instead.
    FOREACH t IN ARRAY ARRAY['customer_source', 'channel', 'decoration_designer', 'community', 'community_alias',
                             'employee_channel', 'customer', 'customer_contact', 'customer_followup',
                             'designer_task', 'channel_lead', 'lead_conflict'] LOOP
        EXECUTE format('CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON yiwei.%I
                        FOR EACH ROW EXECUTE FUNCTION yiwei.tg_audit()', t);
    END LOOP;
END $$;

-- Functions of index expressions: the planner inlines a SQL function only for a user who may execute
-- it, and caches a table's index expressions as the first user of the session saw them. Were the
-- employees not allowed these, find_customers (running as the owner) would look for the inlined
-- expression in an index cached un-inlined, miss it, and scan every customer.
GRANT EXECUTE ON FUNCTION yiwei.text_grams(text), yiwei.customer_grams(text, text, text, text, text, text, text, text)
    TO {{app}};

GRANT EXECUTE ON FUNCTION
    yiwei.has_any_permission(text[]), yiwei.in_my_scope(integer, bigint[]), yiwei.text_key(text),
    yiwei.community_key(text), yiwei.address_part_key(text), yiwei.normalize_phone(text, text),
    yiwei.mask_phone(text), yiwei.find_community(text),
    yiwei.address_key(integer, text, text, text, text), yiwei.company_today(),
    yiwei.lead_status(text, timestamptz), yiwei.lead_status_label(text),
    yiwei.save_customer_source(integer, integer, text, integer, boolean),
    yiwei.save_channel(integer, integer, jsonb), yiwei.save_decoration_designer(integer, integer, jsonb),
    yiwei.save_community(integer, integer, jsonb), yiwei.set_employee_channel(bigint, integer),
    yiwei.save_customer(bigint, integer, jsonb), yiwei.convert_visit(bigint, jsonb), yiwei.link_visit(bigint, bigint),
    yiwei.transfer_customers(bigint[], bigint, text), yiwei.merge_customers(bigint, bigint, text),
    yiwei.find_customers_by_phone(text), yiwei.find_customers(text), yiwei.customer_duplicates(bigint),
    yiwei.add_followup(bigint, text, text, date),
    yiwei.save_designer_task(bigint, integer, jsonb), yiwei.close_designer_task(bigint, integer, boolean, text),
    yiwei.report_lead(jsonb), yiwei.approve_lead(bigint, integer, text), yiwei.reject_lead(bigint, integer, text),
    yiwei.customer_from_lead(bigint, bigint), yiwei.find_leads_by_phone(text)
TO {{app}};

-- The name of an employee who acted on a row the caller may read (its guide, the author of a
-- follow-up, the reporter of a lead) even when the employee lies outside the caller's employee
-- scope: a director's follow-up, a head-office clerk's lead, a guide moved to another store. The
-- lists LEFT JOIN the employee and fall back to this, so a row never drops out of a list because
-- its person cannot be looked up. Names only, as role_display_name already gives.
CREATE FUNCTION yiwei.employee_name(p_id bigint) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT full_name FROM yiwei.employee WHERE id = p_id
$$;
GRANT EXECUTE ON FUNCTION yiwei.employee_name(bigint) TO {{app}};

-- List views (security_invoker: the caller's policies apply) ------------------------------------

CREATE VIEW yiwei.visit_list WITH (security_invoker = true) AS
SELECT v.id, v.visited_at, s.code AS store_code, s.name AS store_name, g.full_name AS guide_name,
       v.party_size, coalesce(src.name, '') AS source, v.intent, v.community, v.renovation_stage, v.note,
       c.name AS customer_name, c.number AS customer_number,
       v.store_id, v.guide_id, v.source_id, v.community_id, v.customer_id, v.version
  FROM yiwei.visit v
  JOIN yiwei.store s ON s.id = v.store_id
  LEFT JOIN yiwei.employee g ON g.id = v.guide_id
  LEFT JOIN yiwei.customer_source src ON src.id = v.source_id
  LEFT JOIN yiwei.customer c ON c.id = v.customer_id;

-- Daily traffic per store and guide (客流日报), by calendar day in the company's time zone.
CREATE VIEW yiwei.visit_daily WITH (security_invoker = true) AS
SELECT d.day::text || '-' || d.store_id || '-' || d.guide_id AS key, d.day, s.name AS store_name,
       g.full_name AS guide_name, d.visits, d.people, d.high_intent, d.converted, d.store_id, d.guide_id
  FROM (SELECT (v.visited_at AT TIME ZONE (SELECT yiwei.company_timezone()))::date AS day, v.store_id, v.guide_id,
               count(*) AS visits, sum(v.party_size) AS people,
               count(*) FILTER (WHERE v.intent = 'high') AS high_intent,
               count(v.customer_id) AS converted
          FROM yiwei.visit v GROUP BY 1, 2, 3) d
  JOIN yiwei.store s ON s.id = d.store_id
  JOIN yiwei.employee g ON g.id = d.guide_id;

CREATE VIEW yiwei.customer_list WITH (security_invoker = true) AS
SELECT c.id, c.number, c.name, coalesce(pb.phone, c.phone_masked) AS phone,
       s.code AS store_code, s.name AS store_name, coalesce(g.full_name, yiwei.employee_name(c.guide_id)) AS guide_name,
       CASE WHEN c.designer_id IS NOT NULL THEN coalesce(dz.full_name, yiwei.employee_name(c.designer_id)) END
           AS designer_name,
       c.community, c.building, c.unit, c.room, c.address,
       concat_ws(' ', nullif(c.community, ''), nullif(c.building, ''), nullif(c.unit, ''), nullif(c.room, ''),
                 nullif(c.address, '')) AS full_address,
       src.name AS source_name, ch.name AS channel_name, dd.name AS decoration_designer_name,
       c.stage, array_to_string(c.tags, '、') AS tags_text, c.tags, c.note, c.special, c.status,
       c.last_followup_at, c.next_contact_on,
       coalesce(c.last_followup_at, c.created_at)
           < now() - make_interval(days => (SELECT yiwei.parameter_int('customer.followup_reminder_days')))
           AND c.stage NOT IN ('signed', 'lost') AS followup_overdue,
       c.signed_at, c.created_at, c.updated_at,
       c.store_id, c.guide_id, c.designer_id, c.source_id, c.channel_id, c.decoration_designer_id, c.lead_id,
       c.community_id, c.merged_into, c.version
  FROM yiwei.customer c
  JOIN yiwei.store s ON s.id = c.store_id
  LEFT JOIN yiwei.employee g ON g.id = c.guide_id
  LEFT JOIN yiwei.employee dz ON dz.id = c.designer_id
  LEFT JOIN yiwei.customer_source src ON src.id = c.source_id
  LEFT JOIN yiwei.channel ch ON ch.id = c.channel_id
  LEFT JOIN yiwei.decoration_designer dd ON dd.id = c.decoration_designer_id
  LEFT JOIN yiwei.phone_book pb ON pb.subject = 'customer' AND pb.ref_id = c.id;

CREATE VIEW yiwei.customer_contact_list WITH (security_invoker = true) AS
SELECT cc.id, cc.customer_id, cc.name, cc.relation, coalesce(pb.phone, cc.phone_masked) AS phone
  FROM yiwei.customer_contact cc
  LEFT JOIN yiwei.phone_book pb ON pb.subject = 'contact' AND pb.ref_id = cc.id;

CREATE VIEW yiwei.customer_followup_list WITH (security_invoker = true) AS
SELECT f.id, f.contacted_at, c.number AS customer_number, c.name AS customer_name, s.name AS store_name,
       coalesce(g.full_name, yiwei.employee_name(f.guide_id)) AS guide_name,
       coalesce(a.full_name, yiwei.employee_name(f.author_id)) AS author_name, f.kind, f.content, f.next_contact_on,
       f.customer_id, f.store_id, f.guide_id, f.author_id
  FROM yiwei.customer_followup f
  JOIN yiwei.customer c ON c.id = f.customer_id
  JOIN yiwei.store s ON s.id = f.store_id
  LEFT JOIN yiwei.employee g ON g.id = f.guide_id
  LEFT JOIN yiwei.employee a ON a.id = f.author_id;

-- 待跟踪: active customers whose next contact day has come (today or earlier, unless lost) or who
-- have gone without a follow-up for customer.followup_reminder_days.
CREATE VIEW yiwei.customer_followup_due WITH (security_invoker = true) AS
SELECT l.id, l.number, l.name, l.phone, l.store_name, l.guide_name, l.designer_name, l.full_address, l.stage,
       l.last_followup_at, l.next_contact_on, l.followup_overdue,
       coalesce(l.next_contact_on <= (SELECT yiwei.company_today()) AND l.stage <> 'lost', false) AS contact_due,
       (SELECT yiwei.company_today())
           - (coalesce(l.last_followup_at, l.created_at) AT TIME ZONE (SELECT yiwei.company_timezone()))::date
           AS days_since_contact,
       l.created_at, l.store_id, l.guide_id, l.designer_id, l.version
  FROM yiwei.customer_list l
 WHERE l.status = 'active'
   AND ((l.next_contact_on <= (SELECT yiwei.company_today()) AND l.stage <> 'lost') OR l.followup_overdue);
GRANT SELECT ON yiwei.customer_followup_due TO {{app}};

CREATE VIEW yiwei.designer_task_list WITH (security_invoker = true) AS
SELECT t.id, t.kind, t.due_on, t.status, c.number AS customer_number, c.name AS customer_name,
       concat_ws(' ', nullif(c.community, ''), nullif(c.building, ''), nullif(c.unit, ''), nullif(c.room, '')) AS address,
       coalesce(dz.full_name, yiwei.employee_name(t.designer_id)) AS designer_name,
       coalesce(g.full_name, yiwei.employee_name(t.guide_id)) AS guide_name, s.name AS store_name, t.note, t.result, t.done_at,
       t.status = 'open' AND t.due_on < (SELECT yiwei.company_today()) AS overdue,
       t.store_id, t.customer_id, t.designer_id, t.guide_id, t.version
  FROM yiwei.designer_task t
  JOIN yiwei.customer c ON c.id = t.customer_id
  JOIN yiwei.store s ON s.id = t.store_id
  LEFT JOIN yiwei.employee dz ON dz.id = t.designer_id
  LEFT JOIN yiwei.employee g ON g.id = t.guide_id;

CREATE VIEW yiwei.channel_lead_list WITH (security_invoker = true) AS
SELECT l.id, l.number, l.reported_at, ch.name AS channel_name, ch.kind AS channel_kind, dd.name AS decoration_designer_name,
       l.customer_name, coalesce(pb.phone, l.phone_masked) AS phone, l.community, l.building, l.unit, l.room,
       concat_ws(' ', nullif(l.community, ''), nullif(l.building, ''), nullif(l.unit, ''), nullif(l.room, '')) AS address,
       l.products, l.note, yiwei.lead_status(l.status, l.protected_until) AS status, l.conflict_count,
       s.name AS store_name, coalesce(r.full_name, yiwei.employee_name(l.reported_by)) AS reporter_name,
       CASE WHEN l.decided_by IS NOT NULL THEN coalesce(dcd.full_name, yiwei.employee_name(l.decided_by)) END
           AS decided_by_name, l.decided_at,
       l.decision_reason, l.protected_until, c.number AS customer_number,
       l.store_id, l.channel_id, l.reported_by, l.customer_id, l.version
  FROM yiwei.channel_lead l
  JOIN yiwei.channel ch ON ch.id = l.channel_id
  JOIN yiwei.store s ON s.id = l.store_id
  LEFT JOIN yiwei.employee r ON r.id = l.reported_by
  LEFT JOIN yiwei.employee dcd ON dcd.id = l.decided_by
  LEFT JOIN yiwei.decoration_designer dd ON dd.id = l.decoration_designer_id
  LEFT JOIN yiwei.customer c ON c.id = l.customer_id
  LEFT JOIN yiwei.phone_book pb ON pb.subject = 'lead' AND pb.ref_id = l.id;

CREATE VIEW yiwei.lead_conflict_list WITH (security_invoker = true) AS
SELECT k.id, k.lead_id, k.kind,
       CASE k.kind WHEN 'lead_phone' THEN '同一电话的报备' WHEN 'lead_address' THEN '同一地址的报备'
                   WHEN 'customer_phone' THEN '同一电话的展厅客户' ELSE '同一地址的展厅客户' END AS kind_label,
       k.evidence ->> 'number' AS other_number, k.evidence ->> 'channel' AS other_channel,
       coalesce(k.evidence ->> 'reporter', k.evidence ->> 'guide') AS other_person,
       (coalesce(k.evidence ->> 'reported_at', k.evidence ->> 'created_at'))::timestamptz AS other_at,
       k.evidence ->> 'customer_name' AS other_customer_name, k.evidence ->> 'phone' AS other_phone,
       k.evidence ->> 'address' AS other_address, k.evidence ->> 'store' AS other_store,
       k.evidence ->> 'status' AS other_status_then,
       CASE WHEN k.other_lead_id IS NOT NULL
            THEN yiwei.lead_status_label(yiwei.lead_status(o.status, o.protected_until))
            ELSE (SELECT CASE WHEN oc.status = 'merged' THEN '已合并' WHEN oc.stage = 'signed' THEN '已签约' ELSE '展厅客户' END
                    FROM yiwei.customer oc WHERE oc.id = k.other_customer_id) END AS other_status_now,
       k.found_at, k.other_lead_id, k.other_customer_id, k.store_id, k.reported_by
  FROM yiwei.lead_conflict k
  LEFT JOIN yiwei.channel_lead o ON o.id = k.other_lead_id;

-- 客户报备统计: per channel and month (company time), leads by outcome.
CREATE VIEW yiwei.lead_stats WITH (security_invoker = true) AS
SELECT x.channel_id || '-' || x.month AS key, x.month, ch.name AS channel_name, ch.kind AS channel_kind,
       x.total, x.pending, x.approved, x.rejected, x.converted, x.expired, x.conflicted,
       round(100.0 * x.converted / nullif(x.total, 0), 1) AS conversion_rate,
       x.channel_id, ch.region_id
  FROM (SELECT l.channel_id, date_trunc('month', l.reported_at AT TIME ZONE (SELECT yiwei.company_timezone()))::date AS month,
               count(*) AS total,
               count(*) FILTER (WHERE l.status = 'pending') AS pending,
               count(*) FILTER (WHERE l.status = 'approved' AND l.protected_until > now()) AS approved,
               count(*) FILTER (WHERE l.status = 'rejected') AS rejected,
               count(*) FILTER (WHERE l.status = 'converted') AS converted,
               count(*) FILTER (WHERE l.status = 'approved' AND l.protected_until <= now()) AS expired,
               count(*) FILTER (WHERE l.conflict_count > 0) AS conflicted
          FROM yiwei.channel_lead l GROUP BY 1, 2) x
  JOIN yiwei.channel ch ON ch.id = x.channel_id;

CREATE VIEW yiwei.channel_list WITH (security_invoker = true) AS
SELECT ch.id, ch.kind, ch.name, ch.contact_person, ch.phone, ch.address, r.name AS region_name, ch.note, ch.active,
       (SELECT count(*) FROM yiwei.decoration_designer d WHERE d.channel_id = ch.id) AS designer_count,
       ch.region_id, ch.version
  FROM yiwei.channel ch LEFT JOIN yiwei.region r ON r.id = ch.region_id;

CREATE VIEW yiwei.decoration_designer_list WITH (security_invoker = true) AS
SELECT d.id, d.name, d.phone, ch.name AS channel_name, d.speciality, d.note, d.active, d.channel_id, d.version
  FROM yiwei.decoration_designer d LEFT JOIN yiwei.channel ch ON ch.id = d.channel_id;

CREATE VIEW yiwei.community_list WITH (security_invoker = true) AS
SELECT c.id, c.name, c.district, c.address, r.name AS region_name,
       coalesce((SELECT string_agg(a.alias, '、' ORDER BY a.alias) FROM yiwei.community_alias a WHERE a.community_id = c.id), '') AS aliases,
       c.active, c.region_id, c.version
  FROM yiwei.community c LEFT JOIN yiwei.region r ON r.id = c.region_id;

GRANT SELECT ON yiwei.visit_list, yiwei.visit_daily, yiwei.customer_list, yiwei.customer_contact_list,
    yiwei.customer_followup_list, yiwei.designer_task_list, yiwei.channel_lead_list, yiwei.lead_conflict_list,
    yiwei.lead_stats, yiwei.channel_list, yiwei.decoration_designer_list, yiwei.community_list TO {{app}};

-- A checked step that changes an existing row must be told which version the caller saw: without
-- it the optimistic lock would silently let a stale client overwrite a colleague's change.
CREATE OR REPLACE FUNCTION yiwei.assert_version(p_table regclass, p_id bigint, p_expected integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_version integer;
    v_by text;
    v_at timestamptz;
BEGIN
    EXECUTE format('SELECT version, updated_by, updated_at FROM %s WHERE id = $1 FOR UPDATE', p_table)
       INTO v_version, v_by, v_at USING p_id;
    IF v_version IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW404', MESSAGE = '记录不存在或已被删除';
    END IF;
    IF p_expected IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '缺少记录的版本号，请重新加载后再保存';
    END IF;
    IF v_version <> p_expected THEN
        RAISE EXCEPTION USING ERRCODE = 'YW409',
            MESSAGE = format('该记录已被 %s 于 %s 修改，请重新加载后再保存',
                             yiwei.role_display_name(v_by),
                             to_char(v_at AT TIME ZONE yiwei.company_timezone(), 'YYYY-MM-DD HH24:MI:SS')),
            DETAIL = json_build_object('changed_by', yiwei.role_display_name(v_by),
                                       'changed_at', v_at, 'version', v_version)::text;
    END IF;
END $$;

-- The Chinese name of each table, read by the audit log list (操作日志): every module names its own
-- tables here instead of a list in the client.
COMMENT ON TABLE yiwei.instance IS '公司';
COMMENT ON TABLE yiwei.region IS '大区';
COMMENT ON TABLE yiwei.store IS '门店';
COMMENT ON TABLE yiwei.department IS '部门';
COMMENT ON TABLE yiwei.warehouse IS '库房';
COMMENT ON TABLE yiwei.position IS '岗位';
COMMENT ON TABLE yiwei.position_permission IS '岗位权限';
COMMENT ON TABLE yiwei.employee IS '员工';
COMMENT ON TABLE yiwei.employee_store IS '兼管门店';
COMMENT ON TABLE yiwei.parameter IS '参数';
COMMENT ON TABLE yiwei.visit IS '客户流量';
COMMENT ON TABLE yiwei.customer_source IS '客户来源';
COMMENT ON TABLE yiwei.channel IS '渠道';
COMMENT ON TABLE yiwei.decoration_designer IS '家装设计师';
COMMENT ON TABLE yiwei.community IS '小区';
COMMENT ON TABLE yiwei.community_alias IS '小区别名';
COMMENT ON TABLE yiwei.employee_channel IS '渠道用户';
COMMENT ON TABLE yiwei.customer IS '客户';
COMMENT ON TABLE yiwei.customer_contact IS '客户联系人';
COMMENT ON TABLE yiwei.customer_followup IS '客户跟踪';
COMMENT ON TABLE yiwei.designer_task IS '设计师任务';
COMMENT ON TABLE yiwei.channel_lead IS '渠道报备';
COMMENT ON TABLE yiwei.lead_conflict IS '报备冲突';

CREATE OR REPLACE VIEW yiwei.audit_log_list WITH (security_invoker = true) AS
SELECT a.id, a.at, coalesce(e.full_name, a.actor) AS actor_name, a.table_name, a.row_key, a.action,
       a.old_row::text AS old_text, a.new_row::text AS new_text, a.employee_id,
       coalesce(obj_description(to_regclass('yiwei.' || quote_ident(a.table_name)), 'pg_class'), a.table_name) AS table_label
  FROM yiwei.audit_log a
  LEFT JOIN yiwei.employee e ON e.id = a.employee_id;
