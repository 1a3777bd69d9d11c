-- Identity and scope helpers. Identity is session_user: inside a SECURITY DEFINER function
-- current_user is the owner, and no setting a client can SET is ever trusted. The helpers are
-- STABLE so that policies calling them through a sub-select evaluate them once per query.

CREATE FUNCTION yiwei.current_employee() RETURNS yiwei.employee
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT e FROM yiwei.employee e WHERE e.role_name = session_user AND e.active
$$;

CREATE FUNCTION yiwei.current_employee_id() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT e.id FROM yiwei.employee e WHERE e.role_name = session_user AND e.active
$$;

-- 'own' | 'store' | 'region' | 'company', or NULL for a login that is no (active) employee.
CREATE FUNCTION yiwei.current_scope() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT p.scope FROM yiwei.employee e JOIN yiwei.position p ON p.id = e.position_id
     WHERE e.role_name = session_user AND e.active
$$;

CREATE FUNCTION yiwei.has_permission(p_code text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM yiwei.employee e
          JOIN yiwei.position_permission pp ON pp.position_id = e.position_id
         WHERE e.role_name = session_user AND e.active AND pp.permission_code = p_code)
$$;

CREATE FUNCTION yiwei.my_permissions() RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT pp.permission_code FROM yiwei.employee e
      JOIN yiwei.position_permission pp ON pp.position_id = e.position_id
     WHERE e.role_name = session_user AND e.active
$$;

-- The stores an employee's data scope covers (also used by `yiwei db accounts`). PL/pgSQL so its
-- plans are cached per session: policies call it once per query and it must cost microseconds.
CREATE FUNCTION yiwei.store_ids_for_employee(p_employee_id bigint) RETURNS integer[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    e record;
    v integer[];
BEGIN
    SELECT em.id, em.store_id, em.region_id, p.scope INTO e
      FROM yiwei.employee em JOIN yiwei.position p ON p.id = em.position_id
     WHERE em.id = p_employee_id AND em.active;
    IF NOT FOUND THEN
        RETURN '{}';
    END IF;
    IF e.scope = 'company' THEN
        SELECT array_agg(id ORDER BY id) INTO v FROM yiwei.store;
    ELSIF e.scope = 'region' THEN
        SELECT array_agg(id ORDER BY id) INTO v FROM yiwei.store WHERE region_id = e.region_id;
    ELSE
        SELECT array_agg(DISTINCT sid ORDER BY sid) INTO v
          FROM (SELECT e.store_id AS sid
                UNION ALL
                SELECT es.store_id FROM yiwei.employee_store es WHERE es.employee_id = e.id) x
         WHERE sid IS NOT NULL;
    END IF;
    RETURN coalesce(v, '{}');
END $$;

CREATE FUNCTION yiwei.visible_store_ids() RETURNS integer[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    RETURN yiwei.store_ids_for_employee(
        (SELECT e.id FROM yiwei.employee e WHERE e.role_name = session_user AND e.active));
END $$;

-- The one store of a login in the 'store' scope group (compared by equality, so the planner keeps
-- index order); NULL for anyone else or a disabled employee.
CREATE FUNCTION yiwei.home_store_id() RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v integer;
BEGIN
    SELECT e.store_id INTO v FROM yiwei.employee e WHERE e.role_name = session_user AND e.active;
    RETURN v;
END $$;

-- Which scope group an employee belongs to (see server_schema/migrate.py, SCOPE_GROUPS).
CREATE FUNCTION yiwei.scope_group_of(p_employee_id bigint) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT CASE p.scope
               WHEN 'company' THEN 'company'
               WHEN 'region' THEN 'stores'
               WHEN 'own' THEN 'own'
               ELSE CASE WHEN EXISTS (SELECT 1 FROM yiwei.employee_store es
                                       WHERE es.employee_id = e.id AND es.store_id <> e.store_id)
                         THEN 'stores' ELSE 'store' END
           END
      FROM yiwei.employee e JOIN yiwei.position p ON p.id = e.position_id
     WHERE e.id = p_employee_id
$$;

-- Put an employee's login into exactly its scope group (after creation or any change of position,
-- position scope or extra stores).
CREATE FUNCTION yiwei.sync_scope_group(p_employee_id bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_role text := (SELECT role_name FROM yiwei.employee WHERE id = p_employee_id);
    v_target text := yiwei.scope_group_of(p_employee_id);
    v_ns text := (SELECT namespace FROM yiwei.instance);
    v_group text;
    v_member boolean;
BEGIN
    FOREACH v_group IN ARRAY ARRAY['company', 'stores', 'store', 'own'] LOOP
        v_member := EXISTS (SELECT 1 FROM pg_auth_members m
                             WHERE m.roleid = (SELECT oid FROM pg_roles WHERE rolname = v_ns || '_' || v_group)
                               AND m.member = (SELECT oid FROM pg_roles WHERE rolname = v_role));
        IF v_group = v_target AND NOT v_member THEN
            EXECUTE format('GRANT %I TO %I', v_ns || '_' || v_group, v_role);
        ELSIF v_group <> v_target AND v_member THEN
            EXECUTE format('REVOKE %I FROM %I', v_ns || '_' || v_group, v_role);
        END IF;
    END LOOP;
END $$;

-- The standard policies of a store-scoped table: for each scope group a SELECT, INSERT (WITH
-- CHECK), UPDATE (USING + WITH CHECK) and, when deleting is allowed at all, a DELETE policy. Writes
-- also need p_write_permission. p_person_column names the column that holds the owning employee
-- (guide, designer) for person-scoped data; 'own' logins then see only their own rows, wherever
-- they were made (a guide's customers move with them unless a manager transfers them).
CREATE PROCEDURE yiwei.create_scope_policies(
    p_table text, p_person_column text, p_write_permission text, p_delete_permission text)
LANGUAGE plpgsql SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_ns text := (SELECT namespace FROM yiwei.instance);
    v_stores constant text := 'store_id = ANY ((SELECT yiwei.visible_store_ids())::integer[])';
    r record;
    v_write text;
BEGIN
    FOR r IN SELECT * FROM (VALUES
            ('company', '(SELECT yiwei.current_employee_id()) IS NOT NULL'),
            ('stores', v_stores),
            ('store', 'store_id = (SELECT yiwei.home_store_id())'),
            ('own', CASE WHEN p_person_column IS NULL THEN v_stores
                         ELSE format('%I = (SELECT yiwei.current_employee_id())', p_person_column) END)
        ) AS g(name, filter) LOOP
        v_write := format('%s AND (SELECT yiwei.has_permission(%L))', r.filter, p_write_permission);
        EXECUTE format('CREATE POLICY %I ON yiwei.%I FOR SELECT TO %I USING (%s)',
                       r.name || '_select', p_table, v_ns || '_' || r.name, r.filter);
        EXECUTE format('CREATE POLICY %I ON yiwei.%I FOR INSERT TO %I WITH CHECK (%s)',
                       r.name || '_insert', p_table, v_ns || '_' || r.name, v_write);
        EXECUTE format('CREATE POLICY %I ON yiwei.%I FOR UPDATE TO %I USING (%s) WITH CHECK (%s)',
                       r.name || '_update', p_table, v_ns || '_' || r.name, v_write, v_write);
        IF p_delete_permission IS NOT NULL THEN
            EXECUTE format('CREATE POLICY %I ON yiwei.%I FOR DELETE TO %I USING (%s AND (SELECT yiwei.has_permission(%L)))',
                           r.name || '_delete', p_table, v_ns || '_' || r.name, r.filter, p_delete_permission);
        END IF;
    END LOOP;
END $$;

CREATE FUNCTION yiwei.visible_region_ids() RETURNS integer[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT coalesce(array_agg(DISTINCT s.region_id ORDER BY s.region_id), '{}')
      FROM yiwei.store s WHERE s.id = ANY (yiwei.visible_store_ids())
$$;

-- The person who installs/upgrades the schema (a superuser or a member of the owner role) may
-- bootstrap the first administrator. Employees are never members of the owner role.
CREATE FUNCTION yiwei.is_installer() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT pg_has_role(session_user, i.owner_role, 'MEMBER') FROM yiwei.instance i
$$;

CREATE FUNCTION yiwei.require_permission(p_code text) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    IF NOT (yiwei.has_permission(p_code) OR yiwei.is_installer()) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW403',
            MESSAGE = format('没有权限：%s', coalesce((SELECT name FROM yiwei.permission WHERE code = p_code), p_code)),
            DETAIL = p_code;
    END IF;
END $$;

-- Display name for a role in messages ("changed by 张伟 at …").
CREATE FUNCTION yiwei.role_display_name(p_role text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT coalesce((SELECT e.full_name FROM yiwei.employee e WHERE e.role_name = p_role), p_role)
$$;

-- Audit trigger: one row per changed row, who = session_user (not the definer owner).
CREATE FUNCTION yiwei.tg_audit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_old jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END;
    v_new jsonb := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END;
BEGIN
    INSERT INTO yiwei.audit_log (actor, employee_id, table_name, row_key, action, old_row, new_row)
    VALUES (session_user,
            (SELECT e.id FROM yiwei.employee e WHERE e.role_name = session_user),
            TG_TABLE_NAME,
            coalesce(v_new, v_old) ->> 'id',
            TG_OP, v_old, v_new);
    RETURN NULL;
END $$;

-- A business event that is not a row change (login-relevant actions such as a password reset).
CREATE FUNCTION yiwei.audit_event(p_table text, p_key text, p_detail jsonb) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    INSERT INTO yiwei.audit_log (actor, employee_id, table_name, row_key, action, new_row)
    VALUES (session_user, (SELECT e.id FROM yiwei.employee e WHERE e.role_name = session_user),
            p_table, p_key, 'EVENT', p_detail)
$$;

-- Optimistic locking for checked functions: refuse to change a row whose version moved on, and
-- say who changed it and when, in the company's time zone.
CREATE FUNCTION yiwei.assert_version(p_table regclass, p_id bigint, p_expected integer) RETURNS void
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
    IF v_version <> p_expected THEN
        RAISE EXCEPTION USING ERRCODE = 'YW409',
            MESSAGE = format('该记录已被 %s 于 %s 修改，请重新加载后再保存',
                             yiwei.role_display_name(v_by),
                             to_char(v_at AT TIME ZONE yiwei.company_timezone(), 'YYYY-MM-DD HH24:MI:SS')),
            DETAIL = json_build_object('changed_by', yiwei.role_display_name(v_by),
                                       'changed_at', v_at, 'version', v_version)::text;
    END IF;
END $$;
