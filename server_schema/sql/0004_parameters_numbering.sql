-- System parameters (客户提醒跟踪参数 and the like) and gap-free document numbering.

CREATE TABLE yiwei.parameter (
    key          text PRIMARY KEY CHECK (key ~ '^[a-z_]+(\.[a-z_]+)+$'),
    value        text NOT NULL,
    value_type   text NOT NULL CHECK (value_type IN ('integer', 'text', 'timezone')),
    name         text NOT NULL,
    description  text NOT NULL DEFAULT '',
    min_value    integer,
    max_value    integer,
    sort_order   integer NOT NULL DEFAULT 0,
    id           serial UNIQUE,               -- for assert_version and the audit key
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   text NOT NULL DEFAULT session_user,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    updated_by   text NOT NULL DEFAULT session_user
);
CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON yiwei.parameter FOR EACH ROW EXECUTE FUNCTION yiwei.tg_stamp();

INSERT INTO yiwei.parameter (key, value, value_type, name, description, min_value, max_value, sort_order) VALUES
 ('lead.protection_days', '90', 'integer', '报备保护期（天）', '渠道报备审核通过后受保护的天数，到期未签约自动失效', 1, 730, 10),
 ('lead.expiry_warning_days', '7', 'integer', '保护期到期提醒（天）', '保护期到期前多少天提醒渠道和导购', 0, 90, 20),
 ('customer.followup_reminder_days', '7', 'integer', '客户跟踪提醒（天）', '客户超过多少天没有跟踪记录时提醒导购', 1, 365, 30),
 ('customer.dormant_days', '60', 'integer', '沉睡客户（天）', '超过多少天没有跟踪的客户列为沉睡客户', 1, 730, 40),
 ('designer.task_due_warning_days', '2', 'integer', '设计任务到期提醒（天）', '量尺、设计任务到期前多少天提醒设计师', 0, 30, 50),
 ('visit.return_visit_days', '7', 'integer', '安装后回访（天）', '安装完成后多少天安排客户回访', 1, 90, 60),
 ('company.timezone', 'Asia/Shanghai', 'timezone', '公司时区', '单据编号的月份、打印时间和统计按此时区计算', NULL, NULL, 100);

CREATE FUNCTION yiwei.company_timezone() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT coalesce((SELECT value FROM yiwei.parameter WHERE key = 'company.timezone'), 'Asia/Shanghai')
$$;

CREATE FUNCTION yiwei.parameter_int(p_key text) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT value::integer FROM yiwei.parameter WHERE key = p_key AND value_type = 'integer'
$$;

CREATE FUNCTION yiwei.set_parameter(p_key text, p_value text, p_version integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    p yiwei.parameter;
    v_int integer;
BEGIN
    PERFORM yiwei.require_permission('system.parameter.manage');
    SELECT * INTO p FROM yiwei.parameter WHERE key = p_key;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'YW404', MESSAGE = format('参数不存在：%s', p_key);
    END IF;
    PERFORM yiwei.assert_version('yiwei.parameter', p.id, p_version);
    p_value := btrim(coalesce(p_value, ''));
    IF p.value_type = 'integer' THEN
        IF p_value !~ '^-?[0-9]{1,9}$' THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('“%s”必须是整数', p.name);
        END IF;
        v_int := p_value::integer;
        IF v_int < coalesce(p.min_value, v_int) OR v_int > coalesce(p.max_value, v_int) THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422',
                MESSAGE = format('“%s”必须在 %s 到 %s 之间', p.name, p.min_value, p.max_value);
        END IF;
        p_value := v_int::text;
    ELSIF p.value_type = 'timezone' THEN
        IF NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = p_value) THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('未知时区：%s', left(p_value, 60));
        END IF;
    ELSIF length(p_value) > 200 THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('“%s”不能超过 200 个字符', p.name);
    END IF;
    UPDATE yiwei.parameter SET value = p_value WHERE key = p_key;
END $$;

-- Gap-free numbering: the counter row is locked by the upsert until the creating transaction ends,
-- so a rolled-back document gives its number back and concurrent documents queue instead of
-- skipping. Numbers read like RC-HZ01-202611-000123 (series, store, month in company time, serial).
CREATE TABLE yiwei.document_counter (
    series      text NOT NULL CHECK (series ~ '^[A-Z]{2,4}$'),
    store_id    integer NOT NULL REFERENCES yiwei.store,
    period      text NOT NULL CHECK (period ~ '^[0-9]{6}$'),
    last_value  integer NOT NULL CHECK (last_value > 0),
    PRIMARY KEY (series, store_id, period)
);

CREATE FUNCTION yiwei.next_document_number(p_series text, p_store_id integer) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_period text := to_char(now() AT TIME ZONE yiwei.company_timezone(), 'YYYYMM');
    v_store_code text;
    v_value integer;
BEGIN
    SELECT code INTO v_store_code FROM yiwei.store WHERE id = p_store_id;
    IF v_store_code IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW404', MESSAGE = '门店不存在';
    END IF;
    INSERT INTO yiwei.document_counter AS c (series, store_id, period, last_value)
    VALUES (p_series, p_store_id, v_period, 1)
    ON CONFLICT (series, store_id, period) DO UPDATE SET last_value = c.last_value + 1
    RETURNING c.last_value INTO v_value;
    RETURN format('%s-%s-%s-%s', p_series, v_store_code, v_period, lpad(v_value::text, 6, '0'));
END $$;

-- Exports and prints are logged by the client through this function; a print of a document that
-- was printed before gets the next copy number, which the PDF shows as 补打.
CREATE FUNCTION yiwei.log_output(p_kind text, p_subject text, p_doc_number text, p_filter jsonb, p_row_count integer)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_copy integer := 1;
BEGIN
    IF yiwei.current_employee_id() IS NULL AND NOT yiwei.is_installer() THEN
        RAISE EXCEPTION USING ERRCODE = 'YW403', MESSAGE = '当前登录不是有效员工';
    END IF;
    IF p_kind = 'print' THEN
        -- serialise concurrent prints of the same document so copy numbers never repeat
        PERFORM pg_advisory_xact_lock(hashtext('print:' || p_subject || ':' || coalesce(p_doc_number, '')));
        SELECT count(*) + 1 INTO v_copy FROM yiwei.output_log
         WHERE kind = 'print' AND subject = p_subject AND doc_number IS NOT DISTINCT FROM p_doc_number;
    END IF;
    INSERT INTO yiwei.output_log (actor, employee_id, kind, subject, doc_number, filter, row_count, copy_no)
    VALUES (session_user, yiwei.current_employee_id(), p_kind, p_subject, p_doc_number,
            coalesce(p_filter, '{}'::jsonb), p_row_count, v_copy);
    RETURN v_copy;
END $$;
