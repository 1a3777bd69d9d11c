-- Grants, row-level security and audit triggers for everything above.
--
-- Every table has RLS enabled AND forced, so even the owner role (which runs the checked
-- functions) goes through a policy: an explicit full-access policy for the owner, and scoped
-- policies for the app group role that every employee login inherits. Reference data of the
-- organisation (regions, stores, warehouses, positions, parameters) is readable by every employee;
-- business data is scoped by store, region and — for 'own' positions — by person.

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['instance', 'audit_log', 'output_log', 'region', 'store', 'department',
                             'warehouse', 'permission', 'position', 'position_permission', 'employee',
                             'employee_store', 'parameter', 'document_counter', 'visit'] LOOP
        EXECUTE format('ALTER TABLE yiwei.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE yiwei.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY owner_all ON yiwei.%I TO {{owner}} USING (true) WITH CHECK (true)', t);
    END LOOP;
END $$;

-- Reference data: read by all employees, written only through checked functions.
CREATE POLICY read_all ON yiwei.instance FOR SELECT TO {{app}} USING (true);
CREATE POLICY read_all ON yiwei.region FOR SELECT TO {{app}} USING (true);
CREATE POLICY read_all ON yiwei.store FOR SELECT TO {{app}} USING (true);
CREATE POLICY read_all ON yiwei.department FOR SELECT TO {{app}} USING (true);
CREATE POLICY read_all ON yiwei.warehouse FOR SELECT TO {{app}} USING (true);
CREATE POLICY read_all ON yiwei.permission FOR SELECT TO {{app}} USING (true);
CREATE POLICY read_all ON yiwei.position FOR SELECT TO {{app}} USING (true);
CREATE POLICY read_all ON yiwei.position_permission FOR SELECT TO {{app}} USING (true);
CREATE POLICY read_all ON yiwei.parameter FOR SELECT TO {{app}} USING (true);
GRANT SELECT ON yiwei.instance, yiwei.region, yiwei.store, yiwei.department, yiwei.warehouse,
    yiwei.permission, yiwei.position, yiwei.position_permission, yiwei.parameter TO {{app}};

-- Employees: oneself, the colleagues in one's scope, or everyone with the employee permissions.
CREATE POLICY employee_read ON yiwei.employee FOR SELECT TO {{app}} USING (
    role_name = session_user
    OR (SELECT yiwei.current_scope()) = 'company'
    OR store_id = ANY ((SELECT yiwei.visible_store_ids())::integer[])
    OR ((SELECT yiwei.current_scope()) = 'region' AND region_id = ANY ((SELECT yiwei.visible_region_ids())::integer[]))
    OR (SELECT yiwei.has_permission('system.employee.manage')));
CREATE POLICY employee_store_read ON yiwei.employee_store FOR SELECT TO {{app}} USING (
    employee_id IN (SELECT e.id FROM yiwei.employee e));  -- whoever the employee policy lets one see
GRANT SELECT ON yiwei.employee, yiwei.employee_store TO {{app}};

-- Audit trail and output log: read-only, for auditors (and one's own exports and prints).
CREATE POLICY audit_read ON yiwei.audit_log FOR SELECT TO {{app}}
    USING ((SELECT yiwei.has_permission('system.audit.view')));
CREATE POLICY output_read ON yiwei.output_log FOR SELECT TO {{app}}
    USING (actor = session_user OR (SELECT yiwei.has_permission('system.audit.view')));
GRANT SELECT ON yiwei.audit_log, yiwei.output_log TO {{app}};

-- Showroom traffic: store-scoped, and person-scoped for 'own' positions (a guide sees own visits).
CALL yiwei.create_scope_policies('visit', 'guide_id', 'customers.visit', 'customers.visit.delete');
GRANT SELECT, DELETE ON yiwei.visit TO {{app}};
GRANT INSERT (store_id, guide_id, visited_at, party_size, source, intent, community, renovation_stage, note)
    ON yiwei.visit TO {{app}};
-- store, guide and the stamps are not updatable: moving a visit to another guide is a checked step.
GRANT UPDATE (visited_at, party_size, source, intent, community, renovation_stage, note) ON yiwei.visit TO {{app}};
GRANT USAGE ON SEQUENCE yiwei.visit_id_seq TO {{app}};

-- Audit triggers on every table whose rows are business facts.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['instance', 'region', 'store', 'department', 'warehouse', 'position',
                             'position_permission', 'employee', 'employee_store', 'parameter', 'visit'] LOOP
        EXECUTE format('CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON yiwei.%I
                        FOR EACH ROW EXECUTE FUNCTION yiwei.tg_audit()', t);
    END LOOP;
END $$;

-- Functions: nothing for PUBLIC; the app role gets exactly the helpers and checked steps.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA yiwei FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    yiwei.schema_revision(), yiwei.current_employee(), yiwei.current_employee_id(), yiwei.current_scope(), yiwei.home_store_id(),
    yiwei.has_permission(text), yiwei.my_permissions(), yiwei.visible_store_ids(),
    yiwei.visible_region_ids(), yiwei.role_display_name(text), yiwei.company_timezone(),
    yiwei.parameter_int(text), yiwei.set_parameter(text, text, integer),
    yiwei.log_output(text, text, text, jsonb, integer),
    yiwei.create_employee(text, text, integer, integer, integer, integer, text, text),
    yiwei.update_employee(bigint, integer, text, integer, integer, integer, integer, text),
    yiwei.set_employee_stores(bigint, integer[]),
    yiwei.disable_employee(bigint, integer, text), yiwei.enable_employee(bigint, integer),
    yiwei.reset_employee_password(bigint, text), yiwei.change_own_password(text),
    yiwei.create_position(text, text, text, text, text[]),
    yiwei.update_position(integer, integer, text, text, text, text[]),
    yiwei.delete_position(integer, integer),
    yiwei.save_region(integer, integer, text, text, boolean),
    yiwei.save_store(integer, integer, text, text, integer, text, text, text, text, boolean),
    yiwei.save_department(integer, integer, integer, text, boolean),
    yiwei.save_warehouse(integer, integer, integer, text, text, text, boolean),
    yiwei.set_company_name(text)
TO {{app}};

-- Lists read views; views run with the caller's rights so the policies above still apply.
CREATE VIEW yiwei.employee_list WITH (security_invoker = true) AS
SELECT e.id, e.login, e.full_name, e.phone, p.name AS position_name, p.scope,
       r.name AS region_name, s.code AS store_code, s.name AS store_name, d.name AS department_name,
       e.active, e.created_at, e.updated_at, e.version, e.position_id, e.store_id, e.region_id, e.department_id
  FROM yiwei.employee e
  JOIN yiwei.position p ON p.id = e.position_id
  LEFT JOIN yiwei.region r ON r.id = e.region_id
  LEFT JOIN yiwei.store s ON s.id = e.store_id
  LEFT JOIN yiwei.department d ON d.id = e.department_id;

CREATE VIEW yiwei.visit_list WITH (security_invoker = true) AS
SELECT v.id, v.visited_at, s.code AS store_code, s.name AS store_name, g.full_name AS guide_name,
       v.party_size, v.source, v.intent, v.community, v.renovation_stage, v.note,
       v.store_id, v.guide_id, v.version
  FROM yiwei.visit v
  JOIN yiwei.store s ON s.id = v.store_id
  LEFT JOIN yiwei.employee g ON g.id = v.guide_id;
GRANT SELECT ON yiwei.employee_list, yiwei.visit_list TO {{app}};

-- Who exported and printed what (one's own, or everyone's for auditors), and the audit trail.
CREATE VIEW yiwei.output_log_list WITH (security_invoker = true) AS
SELECT o.id, o.at, o.kind, o.subject, o.doc_number, o.row_count, o.copy_no, o.filter::text AS filter_text,
       coalesce(e.full_name, o.actor) AS actor_name, o.employee_id
  FROM yiwei.output_log o
  LEFT JOIN yiwei.employee e ON e.id = o.employee_id;

CREATE VIEW yiwei.audit_log_list WITH (security_invoker = true) AS
SELECT a.id, a.at, coalesce(e.full_name, a.actor) AS actor_name, a.table_name, a.row_key, a.action,
       a.old_row::text AS old_text, a.new_row::text AS new_text, a.employee_id
  FROM yiwei.audit_log a
  LEFT JOIN yiwei.employee e ON e.id = a.employee_id;
GRANT SELECT ON yiwei.output_log_list, yiwei.audit_log_list TO {{app}};
