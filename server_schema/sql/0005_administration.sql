-- System administration as checked functions: employees (each a login role), positions,
-- organisation. The client calls these; so would an attacker, and gets the same checks.

-- Trim and check a user-entered text; raises a message naming the field.
CREATE FUNCTION yiwei.clean_text(p_value text, p_label text, p_min integer, p_max integer) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v text := btrim(coalesce(p_value, ''));
BEGIN
    IF length(v) < p_min THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('%s不能为空', p_label), DETAIL = p_label;
    END IF;
    IF length(v) > p_max THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('%s不能超过 %s 个字符', p_label, p_max), DETAIL = p_label;
    END IF;
    IF v ~ '[[:cntrl:]]' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('%s含有不可见的控制字符', p_label), DETAIL = p_label;
    END IF;
    RETURN v;
END $$;

CREATE FUNCTION yiwei.check_password_verifier(p_verifier text) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    -- Only SCRAM verifiers are accepted: the password itself never travels in SQL nor lands in a log.
    IF p_verifier IS NULL OR p_verifier !~ '^SCRAM-SHA-256\$[0-9]{4,7}:[A-Za-z0-9+/=]{16,64}\$[A-Za-z0-9+/=]{40,64}:[A-Za-z0-9+/=]{40,64}$' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '密码格式无效（客户端应提交 SCRAM-SHA-256 校验值）';
    END IF;
END $$;

-- Resolve and check where an employee sits for the scope of their position.
CREATE FUNCTION yiwei.check_employee_placement(
    p_position_id integer, INOUT p_store_id integer, INOUT p_region_id integer, p_department_id integer)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_scope text;
BEGIN
    IF p_position_id IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '员工必须有岗位', DETAIL = '岗位';
    END IF;
    SELECT scope INTO v_scope FROM yiwei.position WHERE id = p_position_id;
    IF v_scope IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '岗位不存在', DETAIL = '岗位';
    END IF;
    IF p_store_id IS NOT NULL THEN
        SELECT region_id INTO p_region_id FROM yiwei.store WHERE id = p_store_id;
        IF p_region_id IS NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '门店不存在', DETAIL = '门店';
        END IF;
    END IF;
    IF v_scope IN ('own', 'store') AND p_store_id IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '该岗位的数据范围是门店，必须指定门店', DETAIL = '门店';
    END IF;
    IF v_scope = 'region' AND (p_region_id IS NULL OR NOT EXISTS (SELECT 1 FROM yiwei.region WHERE id = p_region_id)) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '该岗位的数据范围是大区，必须指定大区', DETAIL = '大区';
    END IF;
    IF p_department_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM yiwei.department d WHERE d.id = p_department_id
           AND (d.store_id IS NOT DISTINCT FROM p_store_id OR d.store_id IS NULL)) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '部门不属于所选门店', DETAIL = '部门';
    END IF;
END $$;

CREATE FUNCTION yiwei.create_employee(
    p_login text, p_full_name text, p_position_id integer, p_store_id integer, p_region_id integer,
    p_department_id integer, p_phone text, p_password_verifier text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_login text := lower(btrim(coalesce(p_login, '')));
    v_role text;
    v_id bigint;
    i yiwei.instance;
BEGIN
    PERFORM yiwei.require_permission('system.employee.manage');
    IF v_login !~ '^[a-z][a-z0-9_.]{2,29}$' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '登录名',
            MESSAGE = '登录名须为 3–30 位小写字母、数字、点或下划线，并以字母开头';
    END IF;
    p_full_name := yiwei.clean_text(p_full_name, '姓名', 1, 30);
    p_phone := btrim(coalesce(p_phone, ''));
    IF p_phone !~ '^(1[3-9][0-9]{9})?$' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '手机号码格式不正确', DETAIL = '手机';
    END IF;
    SELECT * INTO p_store_id, p_region_id
      FROM yiwei.check_employee_placement(p_position_id, p_store_id, p_region_id, p_department_id);
    PERFORM yiwei.check_password_verifier(p_password_verifier);
    SELECT * INTO i FROM yiwei.instance;
    v_role := v_login || '@' || i.namespace;
    IF EXISTS (SELECT 1 FROM yiwei.employee WHERE login = v_login)
       OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = v_role) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('登录名“%s”已存在', v_login), DETAIL = '登录名';
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L',
                   v_role, p_password_verifier);
    INSERT INTO yiwei.employee (login, role_name, full_name, phone, position_id, region_id, store_id, department_id)
    VALUES (v_login, v_role, p_full_name, p_phone, p_position_id, p_region_id, p_store_id, p_department_id)
    RETURNING id INTO v_id;
    PERFORM yiwei.sync_scope_group(v_id);
    RETURN v_id;
END $$;

CREATE FUNCTION yiwei.update_employee(
    p_id bigint, p_version integer, p_full_name text, p_position_id integer, p_store_id integer,
    p_region_id integer, p_department_id integer, p_phone text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    PERFORM yiwei.require_permission('system.employee.manage');
    PERFORM yiwei.assert_version('yiwei.employee', p_id, p_version);
    p_full_name := yiwei.clean_text(p_full_name, '姓名', 1, 30);
    p_phone := btrim(coalesce(p_phone, ''));
    IF p_phone !~ '^(1[3-9][0-9]{9})?$' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '手机号码格式不正确', DETAIL = '手机';
    END IF;
    SELECT * INTO p_store_id, p_region_id
      FROM yiwei.check_employee_placement(p_position_id, p_store_id, p_region_id, p_department_id);
    UPDATE yiwei.employee
       SET full_name = p_full_name, phone = p_phone, position_id = p_position_id,
           store_id = p_store_id, region_id = p_region_id, department_id = p_department_id
     WHERE id = p_id;
    PERFORM yiwei.sync_scope_group(p_id);
END $$;

CREATE FUNCTION yiwei.set_employee_stores(p_id bigint, p_store_ids integer[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    PERFORM yiwei.require_permission('system.employee.manage');
    IF NOT EXISTS (SELECT 1 FROM yiwei.employee WHERE id = p_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW404', MESSAGE = '员工不存在';
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(coalesce(p_store_ids, '{}')) s WHERE s NOT IN (SELECT id FROM yiwei.store)) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '门店不存在', DETAIL = '门店';
    END IF;
    DELETE FROM yiwei.employee_store WHERE employee_id = p_id;
    INSERT INTO yiwei.employee_store (employee_id, store_id)
    SELECT DISTINCT p_id, s FROM unnest(coalesce(p_store_ids, '{}')) s;
    PERFORM yiwei.sync_scope_group(p_id);
    PERFORM yiwei.audit_event('employee_store', p_id::text, jsonb_build_object('stores', p_store_ids));
END $$;

-- Disabling keeps the employee row and all history; the login role can no longer connect, and an
-- already open session of it sees nothing because every helper requires an active employee.
CREATE FUNCTION yiwei.disable_employee(p_id bigint, p_version integer, p_reason text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    e yiwei.employee;
BEGIN
    PERFORM yiwei.require_permission('system.employee.manage');
    PERFORM yiwei.assert_version('yiwei.employee', p_id, p_version);
    SELECT * INTO e FROM yiwei.employee WHERE id = p_id;
    IF e.role_name = session_user THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '不能停用自己的账号';
    END IF;
    IF NOT e.active THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '该员工已停用';
    END IF;
    EXECUTE format('ALTER ROLE %I NOLOGIN', e.role_name);
    UPDATE yiwei.employee SET active = false, disabled_at = now(),
           disabled_reason = yiwei.clean_text(p_reason, '停用原因', 0, 200)
     WHERE id = p_id;
END $$;

CREATE FUNCTION yiwei.enable_employee(p_id bigint, p_version integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    e yiwei.employee;
BEGIN
    PERFORM yiwei.require_permission('system.employee.manage');
    PERFORM yiwei.assert_version('yiwei.employee', p_id, p_version);
    SELECT * INTO e FROM yiwei.employee WHERE id = p_id;
    IF e.active THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '该员工未停用';
    END IF;
    EXECUTE format('ALTER ROLE %I LOGIN', e.role_name);
    UPDATE yiwei.employee SET active = true, disabled_at = NULL, disabled_reason = NULL WHERE id = p_id;
END $$;

CREATE FUNCTION yiwei.reset_employee_password(p_id bigint, p_password_verifier text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_role text;
BEGIN
    PERFORM yiwei.require_permission('system.employee.manage');
    PERFORM yiwei.check_password_verifier(p_password_verifier);
    SELECT role_name INTO v_role FROM yiwei.employee WHERE id = p_id;
    IF v_role IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW404', MESSAGE = '员工不存在';
    END IF;
    EXECUTE format('ALTER ROLE %I PASSWORD %L', v_role, p_password_verifier);
    PERFORM yiwei.audit_event('employee', p_id::text, jsonb_build_object('event', 'password_reset'));
END $$;

CREATE FUNCTION yiwei.change_own_password(p_password_verifier text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_id bigint := yiwei.current_employee_id();
BEGIN
    IF v_id IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW403', MESSAGE = '当前登录不是有效员工';
    END IF;
    PERFORM yiwei.check_password_verifier(p_password_verifier);
    EXECUTE format('ALTER ROLE %I PASSWORD %L', session_user, p_password_verifier);
    PERFORM yiwei.audit_event('employee', v_id::text, jsonb_build_object('event', 'password_changed'));
END $$;

-- Positions ------------------------------------------------------------------------------------
CREATE FUNCTION yiwei.check_position(p_scope text, p_permissions text[]) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_unknown text;
BEGIN
    IF p_scope IS NULL OR p_scope NOT IN ('own', 'store', 'region', 'company') THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '数据范围必须是 本人/门店/大区/公司 之一', DETAIL = '数据范围';
    END IF;
    SELECT string_agg(c, '，') INTO v_unknown
      FROM unnest(coalesce(p_permissions, '{}')) c WHERE c NOT IN (SELECT code FROM yiwei.permission);
    IF v_unknown IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('未知的权限：%s', left(v_unknown, 200)), DETAIL = '权限';
    END IF;
END $$;

CREATE FUNCTION yiwei.create_position(p_code text, p_name text, p_scope text, p_description text, p_permissions text[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_id integer;
BEGIN
    PERFORM yiwei.require_permission('system.position.manage');
    p_code := lower(btrim(coalesce(p_code, '')));
    IF p_code !~ '^[a-z][a-z0-9_]{1,29}$' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '岗位代码须为 2–30 位小写字母、数字或下划线，并以字母开头', DETAIL = '代码';
    END IF;
    p_name := yiwei.clean_text(p_name, '岗位名称', 1, 30);
    PERFORM yiwei.check_position(p_scope, p_permissions);
    IF EXISTS (SELECT 1 FROM yiwei.position WHERE code = p_code OR name = p_name) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '岗位代码或名称已存在', DETAIL = '岗位名称';
    END IF;
    INSERT INTO yiwei.position (code, name, scope, description)
    VALUES (p_code, p_name, p_scope, yiwei.clean_text(p_description, '说明', 0, 200))
    RETURNING id INTO v_id;
    INSERT INTO yiwei.position_permission (position_id, permission_code)
    SELECT DISTINCT v_id, c FROM unnest(coalesce(p_permissions, '{}')) c;
    RETURN v_id;
END $$;

CREATE FUNCTION yiwei.update_position(
    p_id integer, p_version integer, p_name text, p_scope text, p_description text, p_permissions text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    PERFORM yiwei.require_permission('system.position.manage');
    PERFORM yiwei.assert_version('yiwei.position', p_id, p_version);
    p_name := yiwei.clean_text(p_name, '岗位名称', 1, 30);
    PERFORM yiwei.check_position(p_scope, p_permissions);
    IF EXISTS (SELECT 1 FROM yiwei.position WHERE name = p_name AND id <> p_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '岗位名称已存在', DETAIL = '岗位名称';
    END IF;
    UPDATE yiwei.position SET name = p_name, scope = p_scope,
           description = yiwei.clean_text(p_description, '说明', 0, 200)
     WHERE id = p_id;
    DELETE FROM yiwei.position_permission WHERE position_id = p_id AND permission_code <> ALL (coalesce(p_permissions, '{}'));
    INSERT INTO yiwei.position_permission (position_id, permission_code)
    SELECT DISTINCT p_id, c FROM unnest(coalesce(p_permissions, '{}')) c
    ON CONFLICT DO NOTHING;
    PERFORM yiwei.sync_scope_group(e.id) FROM yiwei.employee e WHERE e.position_id = p_id;
    PERFORM yiwei.audit_event('position_permission', p_id::text, jsonb_build_object('permissions', p_permissions));
END $$;

CREATE FUNCTION yiwei.delete_position(p_id integer, p_version integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    PERFORM yiwei.require_permission('system.position.manage');
    PERFORM yiwei.assert_version('yiwei.position', p_id, p_version);
    IF EXISTS (SELECT 1 FROM yiwei.employee WHERE position_id = p_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '该岗位仍有员工（含已停用员工），不能删除';
    END IF;
    DELETE FROM yiwei.position WHERE id = p_id;
END $$;

-- Organisation -----------------------------------------------------------------------------------
CREATE FUNCTION yiwei.check_org_code(p_code text, p_label text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v text := upper(btrim(coalesce(p_code, '')));
BEGIN
    IF v !~ '^[A-Z][A-Z0-9]{1,9}$' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = p_label,
            MESSAGE = format('%s须为 2–10 位大写字母或数字，并以字母开头', p_label);
    END IF;
    RETURN v;
END $$;

CREATE FUNCTION yiwei.save_region(p_id integer, p_version integer, p_code text, p_name text, p_active boolean)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    PERFORM yiwei.require_permission('system.org.manage');
    p_name := yiwei.clean_text(p_name, '大区名称', 1, 30);
    IF EXISTS (SELECT 1 FROM yiwei.region WHERE name = p_name AND id IS DISTINCT FROM p_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '大区名称已存在', DETAIL = '大区名称';
    END IF;
    IF p_id IS NULL THEN
        p_code := yiwei.check_org_code(p_code, '大区代码');
        IF EXISTS (SELECT 1 FROM yiwei.region WHERE code = p_code) THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '大区代码已存在', DETAIL = '大区代码';
        END IF;
        INSERT INTO yiwei.region (code, name) VALUES (p_code, p_name) RETURNING id INTO p_id;
    ELSE
        PERFORM yiwei.assert_version('yiwei.region', p_id, p_version);
        UPDATE yiwei.region SET name = p_name, active = coalesce(p_active, active) WHERE id = p_id;
    END IF;
    RETURN p_id;
END $$;

CREATE FUNCTION yiwei.save_store(
    p_id integer, p_version integer, p_code text, p_name text, p_region_id integer, p_kind text,
    p_address text, p_phone text, p_mall_name text, p_active boolean) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    PERFORM yiwei.require_permission('system.org.manage');
    p_name := yiwei.clean_text(p_name, '门店名称', 1, 40);
    IF NOT EXISTS (SELECT 1 FROM yiwei.region WHERE id = p_region_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '必须选择所属大区', DETAIL = '大区';
    END IF;
    IF p_kind IS NULL OR p_kind NOT IN ('showroom', 'outlet') THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '门店类型必须是展厅或网点', DETAIL = '类型';
    END IF;
    IF EXISTS (SELECT 1 FROM yiwei.store WHERE name = p_name AND id IS DISTINCT FROM p_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '门店名称已存在', DETAIL = '门店名称';
    END IF;
    p_address := yiwei.clean_text(p_address, '地址', 0, 200);
    p_phone := yiwei.clean_text(p_phone, '电话', 0, 30);
    p_mall_name := yiwei.clean_text(p_mall_name, '建材城', 0, 60);
    IF p_id IS NULL THEN
        p_code := yiwei.check_org_code(p_code, '门店代码');
        IF EXISTS (SELECT 1 FROM yiwei.store WHERE code = p_code) THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '门店代码已存在', DETAIL = '门店代码';
        END IF;
        INSERT INTO yiwei.store (code, name, region_id, kind, address, phone, mall_name)
        VALUES (p_code, p_name, p_region_id, p_kind, p_address, p_phone, p_mall_name) RETURNING id INTO p_id;
    ELSE
        PERFORM yiwei.assert_version('yiwei.store', p_id, p_version);
        UPDATE yiwei.store SET name = p_name, region_id = p_region_id, kind = p_kind, address = p_address,
               phone = p_phone, mall_name = p_mall_name, active = coalesce(p_active, active)
         WHERE id = p_id;
        -- employees of a store moved to another region follow it
        UPDATE yiwei.employee SET region_id = p_region_id WHERE store_id = p_id AND region_id IS DISTINCT FROM p_region_id;
    END IF;
    RETURN p_id;
END $$;

CREATE FUNCTION yiwei.save_department(p_id integer, p_version integer, p_store_id integer, p_name text, p_active boolean)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    PERFORM yiwei.require_permission('system.org.manage');
    p_name := yiwei.clean_text(p_name, '部门名称', 1, 30);
    IF p_store_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM yiwei.store WHERE id = p_store_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '门店不存在', DETAIL = '门店';
    END IF;
    IF EXISTS (SELECT 1 FROM yiwei.department WHERE name = p_name AND store_id IS NOT DISTINCT FROM p_store_id
                                               AND id IS DISTINCT FROM p_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '同一门店下部门名称已存在', DETAIL = '部门名称';
    END IF;
    IF p_id IS NULL THEN
        INSERT INTO yiwei.department (store_id, name) VALUES (p_store_id, p_name) RETURNING id INTO p_id;
    ELSE
        PERFORM yiwei.assert_version('yiwei.department', p_id, p_version);
        UPDATE yiwei.department SET name = p_name, active = coalesce(p_active, active) WHERE id = p_id;
    END IF;
    RETURN p_id;
END $$;

CREATE FUNCTION yiwei.save_warehouse(
    p_id integer, p_version integer, p_store_id integer, p_code text, p_name text, p_address text, p_active boolean)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    PERFORM yiwei.require_permission('system.org.manage');
    p_name := yiwei.clean_text(p_name, '库房名称', 1, 40);
    p_address := yiwei.clean_text(p_address, '地址', 0, 200);
    IF NOT EXISTS (SELECT 1 FROM yiwei.store WHERE id = p_store_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '库房必须属于一个门店', DETAIL = '门店';
    END IF;
    IF EXISTS (SELECT 1 FROM yiwei.warehouse WHERE name = p_name AND id IS DISTINCT FROM p_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '库房名称已存在', DETAIL = '库房名称';
    END IF;
    IF p_id IS NULL THEN
        p_code := upper(btrim(coalesce(p_code, '')));
        IF p_code !~ '^[A-Z][A-Z0-9-]{1,14}$' THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '库房代码须为 2–15 位大写字母、数字或横线', DETAIL = '库房代码';
        END IF;
        IF EXISTS (SELECT 1 FROM yiwei.warehouse WHERE code = p_code) THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '库房代码已存在', DETAIL = '库房代码';
        END IF;
        INSERT INTO yiwei.warehouse (store_id, code, name, address)
        VALUES (p_store_id, p_code, p_name, p_address) RETURNING id INTO p_id;
    ELSE
        PERFORM yiwei.assert_version('yiwei.warehouse', p_id, p_version);
        UPDATE yiwei.warehouse SET store_id = p_store_id, name = p_name, address = p_address,
               active = coalesce(p_active, active)
         WHERE id = p_id;
    END IF;
    RETURN p_id;
END $$;

CREATE FUNCTION yiwei.set_company_name(p_name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    PERFORM yiwei.require_permission('system.org.manage');
    UPDATE yiwei.instance SET company_name = yiwei.clean_text(p_name, '公司名称', 1, 60);
    PERFORM yiwei.audit_event('instance', 'company_name', jsonb_build_object('company_name', p_name));
END $$;
