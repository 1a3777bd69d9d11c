-- Master data of the customers module (基础信息): customer sources, channels, decoration designers
-- and residential communities with aliases; plus the text helpers every customer table uses to
-- compare phones and addresses the way people write them.

CREATE EXTENSION IF NOT EXISTS pg_trgm;  -- substring search over names on a million customers

-- Any one of several permissions (a list opened by more than one function).
CREATE FUNCTION yiwei.has_any_permission(p_codes text[]) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM yiwei.employee e
          JOIN yiwei.position_permission pp ON pp.position_id = e.position_id
         WHERE e.role_name = session_user AND e.active AND pp.permission_code = ANY (p_codes))
$$;

-- Whether a row of a store (owned by the given people) lies in the caller's data scope: the same
-- rule the scope policies apply, for checked functions that run as the owner and so see every row.
CREATE FUNCTION yiwei.in_my_scope(p_store_id integer, p_person_ids bigint[]) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_scope text := yiwei.current_scope();
BEGIN
    IF v_scope IS NULL THEN
        RETURN false;
    ELSIF v_scope = 'company' THEN
        RETURN true;
    ELSIF v_scope = 'own' THEN
        -- coalesce: "x = ANY (ARRAY[guide, NULL])" is NULL, not false, when x is not the guide, and
        -- "IF NOT in_my_scope(...)" would then let the caller through
        RETURN coalesce(yiwei.current_employee_id() = ANY (p_person_ids), false);
    END IF;
    RETURN coalesce(p_store_id = ANY (yiwei.visible_store_ids()), false);
END $$;

-- Read policies of a table written only through checked functions: for each scope group one
-- SELECT policy; p_own_filter is what an 'own' login sees (e.g. its customers as guide or designer),
-- p_read_permissions are the functions whose holders may read the table at all.
CREATE PROCEDURE yiwei.create_read_policies(p_table text, p_own_filter text, p_read_permissions text[])
LANGUAGE plpgsql SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_ns text := (SELECT namespace FROM yiwei.instance);
    v_stores constant text := 'store_id = ANY ((SELECT yiwei.visible_store_ids())::integer[])';
    v_allowed text := format('(SELECT yiwei.has_any_permission(%L::text[]))', p_read_permissions);
    r record;
BEGIN
    FOR r IN SELECT * FROM (VALUES
            ('company', 'true'),
            ('stores', v_stores),
            ('store', 'store_id = (SELECT yiwei.home_store_id())'),
            ('own', p_own_filter)) AS g(name, filter) LOOP
        EXECUTE format('CREATE POLICY %I ON yiwei.%I FOR SELECT TO %I USING (%s AND %s)',
                       r.name || '_select', p_table, v_ns || '_' || r.name, r.filter, v_allowed);
    END LOOP;
END $$;

-- Chinese numerals and full-width digits as ASCII digits, spaces and punctuation dropped, lower
-- case: "万科城一期", "万科城 1 期" and "万科城１期" give one key. 十 is read as in "十二期", "二十期".
CREATE FUNCTION yiwei.text_key(p_text text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT translate(
             regexp_replace(regexp_replace(regexp_replace(regexp_replace(
               regexp_replace(lower(translate(coalesce(p_text, ''), '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ',
                                                                     '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ')),
                              '[[:space:][:punct:]·（）【】《》、，。：；！？“”‘’—－]+', '', 'g'),
               '([一二三四五六七八九])十([一二三四五六七八九])', '\1\2', 'g'),
               '十([一二三四五六七八九])', '1\1', 'g'),
               '([一二三四五六七八九])十', '\10', 'g'),
               '十', '10', 'g'),
           '〇零一二两三四五六七八九', '001223456789')
$$;

-- A community name's key also ignores a trailing 小区 ("绿城桂花城小区" = "绿城桂花城").
CREATE FUNCTION yiwei.community_key(p_name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT regexp_replace(yiwei.text_key(p_name), '小区$', '')
$$;

-- Building, unit and room the way people write them: "3栋", "3幢", "三号楼" → "3"; "1单元" → "1".
CREATE FUNCTION yiwei.address_part_key(p_part text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT regexp_replace(regexp_replace(yiwei.text_key(p_part), '^第', ''), '(号楼|栋|幢|座|楼|单元|室|号|户)$', '')
$$;

-- Chinese phone numbers: a mobile (11 digits from 13x to 19x, an optional +86 dropped) or a
-- landline with area code ("0571-88886666", an optional extension "-123"). Returns the stored form;
-- anything else is refused with a message naming the field.
CREATE FUNCTION yiwei.normalize_phone(p_phone text, p_label text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v text := regexp_replace(translate(coalesce(p_phone, ''), '０１２３４５６７８９－＋', '0123456789-+'), '[[:space:]()（）]', '', 'g');
    m text[];
BEGIN
    IF v = '' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('%s不能为空', p_label), DETAIL = p_label;
    END IF;
    v := regexp_replace(v, '^(\+?86-?)(1[3-9])', '\2');
    IF replace(v, '-', '') ~ '^1[3-9][0-9]{9}$' THEN
        RETURN replace(v, '-', '');
    END IF;
    -- area codes are 010 and 02x (three digits) or 03xx–09xx (four): a greedy "0[1-9]xx" would
    -- read 01088886666 as 0108-8886666, a different key from 010-88886666 for the same phone
    m := regexp_match(v, '^(010|02[0-9]|0[3-9][0-9]{2})-?([2-9][0-9]{6,7})(-[0-9]{1,6})?$');
    IF m IS NOT NULL THEN
        RETURN m[1] || '-' || m[2] || coalesce(m[3], '');
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = p_label,
        MESSAGE = format('%s“%s”不是有效的手机或固定电话号码（手机 11 位，固话如 0571-88886666）', p_label, left(p_phone, 30));
END $$;

-- A text typed in a multi-line box (notes, follow-ups, reasons): like clean_text, but line breaks
-- (Windows line ends become "\n") and tabs are kept; every other control character is refused.
CREATE FUNCTION yiwei.clean_multiline(p_value text, p_label text, p_min integer, p_max integer) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v text := btrim(replace(coalesce(p_value, ''), E'\r\n', E'\n'), E' \n\t');
BEGIN
    IF length(v) < p_min THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('%s不能为空', p_label), DETAIL = p_label;
    END IF;
    IF length(v) > p_max THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('%s不能超过 %s 个字符', p_label, p_max), DETAIL = p_label;
    END IF;
    IF translate(v, E'\n\t', '') ~ '[[:cntrl:]]' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('%s含有不可见的控制字符', p_label), DETAIL = p_label;
    END IF;
    RETURN v;
END $$;

-- What people without the full-phone permission see: 138****1234, 0571-****6666.
CREATE FUNCTION yiwei.mask_phone(p_phone text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE
        WHEN p_phone IS NULL OR p_phone = '' THEN ''
        WHEN p_phone ~ '^1[0-9]{10}$' THEN left(p_phone, 3) || '****' || right(p_phone, 4)
        ELSE split_part(p_phone, '-', 1) || '-****' || right(split_part(p_phone, '-', 2), 4)
    END
$$;

CREATE TABLE yiwei.customer_source (
    id          serial PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 30),
    sort_order  integer NOT NULL DEFAULT 0,
    active      boolean NOT NULL DEFAULT true,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT session_user,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL DEFAULT session_user
);
INSERT INTO yiwei.customer_source (name, sort_order) VALUES
    ('自然进店', 10), ('老客户介绍', 20), ('家装公司带客', 30), ('设计师推荐', 40), ('渠道报备', 50),
    ('网络推广', 60), ('小区活动', 70), ('电话预约', 80);

-- Channels bring customers: decoration companies, independent designers, property agents, old
-- customers. A channel may belong to one region (its leads go to that region's stores) or to all.
CREATE TABLE yiwei.channel (
    id              serial PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('decoration_company', 'designer', 'agent', 'old_customer')),
    name            text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 40),
    contact_person  text NOT NULL DEFAULT '' CHECK (length(contact_person) <= 30),
    phone           text NOT NULL DEFAULT '' CHECK (length(phone) <= 30),
    address         text NOT NULL DEFAULT '' CHECK (length(address) <= 100),
    region_id       integer REFERENCES yiwei.region,
    note            text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    active          boolean NOT NULL DEFAULT true,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text NOT NULL DEFAULT session_user,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    updated_by      text NOT NULL DEFAULT session_user
);

-- 家装设计师: designers of outside decoration companies (or independent) who bring customers.
CREATE TABLE yiwei.decoration_designer (
    id          serial PRIMARY KEY,
    channel_id  integer REFERENCES yiwei.channel,
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 30),
    phone       text NOT NULL DEFAULT '' CHECK (length(phone) <= 30),
    speciality  text NOT NULL DEFAULT '' CHECK (length(speciality) <= 60),
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    active      boolean NOT NULL DEFAULT true,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT session_user,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL DEFAULT session_user
);
CREATE INDEX decoration_designer_channel ON yiwei.decoration_designer (channel_id);

-- Residential communities. A name and every alias map to one key; keys are unique across both so
-- that "万科城1期" typed anywhere finds 万科城一期.
CREATE TABLE yiwei.community (
    id          serial PRIMARY KEY,
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 60),
    name_key    text NOT NULL UNIQUE,
    district    text NOT NULL DEFAULT '' CHECK (length(district) <= 30),
    address     text NOT NULL DEFAULT '' CHECK (length(address) <= 100),
    region_id   integer REFERENCES yiwei.region,
    active      boolean NOT NULL DEFAULT true,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT session_user,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL DEFAULT session_user
);
CREATE TABLE yiwei.community_alias (
    id            serial PRIMARY KEY,
    community_id  integer NOT NULL REFERENCES yiwei.community ON DELETE CASCADE,
    alias         text NOT NULL CHECK (length(btrim(alias)) BETWEEN 1 AND 60),
    alias_key     text NOT NULL UNIQUE
);
CREATE INDEX community_alias_community ON yiwei.community_alias (community_id);

-- The community a text names (by its name or an alias), or NULL.
CREATE FUNCTION yiwei.find_community(p_text text) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT coalesce(
        (SELECT c.id FROM yiwei.community c WHERE c.name_key = yiwei.community_key(p_text)),
        (SELECT a.community_id FROM yiwei.community_alias a WHERE a.alias_key = yiwei.community_key(p_text)))
$$;

-- The key two addresses are compared by: the community (by id when known, else by its typed
-- name's key) plus building, unit and room. NULL without a community or a room: "万科城" alone
-- identifies nobody.
CREATE FUNCTION yiwei.address_key(p_community_id integer, p_community text, p_building text, p_unit text, p_room text)
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT CASE WHEN yiwei.address_part_key(p_room) = '' THEN NULL
                WHEN p_community_id IS NOT NULL THEN 'c' || p_community_id
                WHEN yiwei.community_key(p_community) <> '' THEN 'n' || yiwei.community_key(p_community)
           END || '|' || yiwei.address_part_key(p_building) || '|' || yiwei.address_part_key(p_unit)
               || '|' || yiwei.address_part_key(p_room)
$$;

-- Employees who are a channel's own users (渠道用户) report leads only for that channel.
CREATE TABLE yiwei.employee_channel (
    employee_id  bigint PRIMARY KEY REFERENCES yiwei.employee,
    channel_id   integer NOT NULL REFERENCES yiwei.channel
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['customer_source', 'channel', 'decoration_designer', 'community'] LOOP
        EXECUTE format('CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON yiwei.%I
                        FOR EACH ROW EXECUTE FUNCTION yiwei.tg_stamp()', t);
    END LOOP;
END $$;

-- Checked steps that keep the master data --------------------------------------------------------

CREATE FUNCTION yiwei.save_customer_source(p_id integer, p_version integer, p_name text, p_sort_order integer, p_active boolean)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_id integer := p_id;
BEGIN
    PERFORM yiwei.require_permission('masterdata.customer_source');
    p_name := yiwei.clean_text(p_name, '来源名称', 1, 30);
    IF EXISTS (SELECT 1 FROM yiwei.customer_source WHERE name = p_name AND id IS DISTINCT FROM p_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('客户来源“%s”已存在', p_name), DETAIL = '来源名称';
    END IF;
    IF p_id IS NULL THEN
        INSERT INTO yiwei.customer_source (name, sort_order, active) VALUES (p_name, coalesce(p_sort_order, 0), coalesce(p_active, true))
        RETURNING id INTO v_id;
    ELSE
        PERFORM yiwei.assert_version('yiwei.customer_source', p_id, p_version);
        UPDATE yiwei.customer_source SET name = p_name, sort_order = coalesce(p_sort_order, 0), active = coalesce(p_active, true)
         WHERE id = p_id;
    END IF;
    RETURN v_id;
END $$;

CREATE FUNCTION yiwei.save_channel(p_id integer, p_version integer, p jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_id integer := p_id;
    v_name text;
    v_kind text;
    v_phone text;
    v_region integer;
    v_contact text;
    v_address text;
    v_note text;
    v_active boolean;
BEGIN
    -- the permission first: a caller without it learns nothing from validation messages
    PERFORM yiwei.require_permission('masterdata.channel');
    v_name := yiwei.clean_text(p ->> 'name', '渠道名称', 1, 40);
    v_kind := coalesce(p ->> 'kind', '');
    IF v_kind NOT IN ('decoration_company', 'designer', 'agent', 'old_customer') THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '请选择渠道类型', DETAIL = '渠道类型';
    END IF;
    v_contact := yiwei.clean_text(p ->> 'contact_person', '联系人', 0, 30);
    v_phone := btrim(coalesce(p ->> 'phone', ''));
    IF v_phone <> '' THEN
        v_phone := yiwei.normalize_phone(v_phone, '联系电话');
    END IF;
    v_address := yiwei.clean_text(p ->> 'address', '地址', 0, 100);
    v_region := nullif(p ->> 'region_id', '')::integer;
    IF v_region IS NOT NULL AND NOT EXISTS (SELECT 1 FROM yiwei.region WHERE id = v_region) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '大区不存在', DETAIL = '所属大区';
    END IF;
    v_note := yiwei.clean_text(p ->> 'note', '备注', 0, 500);
    v_active := coalesce((p ->> 'active')::boolean, true);
    IF EXISTS (SELECT 1 FROM yiwei.channel WHERE name = v_name AND id IS DISTINCT FROM p_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('渠道“%s”已存在', v_name), DETAIL = '渠道名称';
    END IF;
    -- one INSERT or one UPDATE: a new channel starts at version 1 with one audit row
    IF p_id IS NULL THEN
        INSERT INTO yiwei.channel (kind, name, contact_person, phone, address, region_id, note, active)
        VALUES (v_kind, v_name, v_contact, v_phone, v_address, v_region, v_note, v_active) RETURNING id INTO v_id;
    ELSE
        PERFORM yiwei.assert_version('yiwei.channel', p_id, p_version);
        UPDATE yiwei.channel
           SET kind = v_kind, name = v_name, contact_person = v_contact, phone = v_phone, address = v_address,
               region_id = v_region, note = v_note, active = v_active
         WHERE id = p_id;
    END IF;
    RETURN v_id;
END $$;

CREATE FUNCTION yiwei.save_decoration_designer(p_id integer, p_version integer, p jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_id integer := p_id;
    v_name text;
    v_phone text;
    v_channel integer;
    v_speciality text;
    v_note text;
    v_active boolean;
BEGIN
    PERFORM yiwei.require_permission('masterdata.decoration_designer');
    v_name := yiwei.clean_text(p ->> 'name', '姓名', 1, 30);
    v_phone := btrim(coalesce(p ->> 'phone', ''));
    IF v_phone <> '' THEN
        v_phone := yiwei.normalize_phone(v_phone, '联系电话');
    END IF;
    v_channel := nullif(p ->> 'channel_id', '')::integer;
    IF v_channel IS NOT NULL AND NOT EXISTS (SELECT 1 FROM yiwei.channel WHERE id = v_channel) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '渠道不存在', DETAIL = '所属渠道';
    END IF;
    v_speciality := yiwei.clean_text(p ->> 'speciality', '擅长风格', 0, 60);
    v_note := yiwei.clean_text(p ->> 'note', '备注', 0, 500);
    v_active := coalesce((p ->> 'active')::boolean, true);
    IF p_id IS NULL THEN
        INSERT INTO yiwei.decoration_designer (name, phone, channel_id, speciality, note, active)
        VALUES (v_name, v_phone, v_channel, v_speciality, v_note, v_active) RETURNING id INTO v_id;
    ELSE
        PERFORM yiwei.assert_version('yiwei.decoration_designer', p_id, p_version);
        UPDATE yiwei.decoration_designer
           SET name = v_name, phone = v_phone, channel_id = v_channel, speciality = v_speciality, note = v_note,
               active = v_active
         WHERE id = p_id;
    END IF;
    RETURN v_id;
END $$;

-- A community with its aliases (the list given replaces the old one).
CREATE FUNCTION yiwei.save_community(p_id integer, p_version integer, p jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_id integer := p_id;
    v_name text;
    v_name_key text;
    v_region integer;
    v_district text;
    v_address text;
    v_active boolean;
    v_alias text;
    v_key text;
    v_other text;
BEGIN
    PERFORM yiwei.require_permission('masterdata.community');
    v_name := yiwei.clean_text(p ->> 'name', '小区名称', 1, 60);
    v_name_key := yiwei.community_key(v_name);
    IF v_name_key = '' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '小区名称不能只有标点或空格', DETAIL = '小区名称';
    END IF;
    v_district := yiwei.clean_text(p ->> 'district', '区县', 0, 30);
    v_address := yiwei.clean_text(p ->> 'address', '地址', 0, 100);
    v_region := nullif(p ->> 'region_id', '')::integer;
    IF v_region IS NOT NULL AND NOT EXISTS (SELECT 1 FROM yiwei.region WHERE id = v_region) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '大区不存在', DETAIL = '所属大区';
    END IF;
    v_active := coalesce((p ->> 'active')::boolean, true);
    -- the name may be neither another community's name nor its alias (its own aliases are replaced below)
    v_other := coalesce((SELECT name FROM yiwei.community WHERE name_key = v_name_key AND id IS DISTINCT FROM p_id),
                        (SELECT c.name FROM yiwei.community_alias a JOIN yiwei.community c ON c.id = a.community_id
                          WHERE a.alias_key = v_name_key AND a.community_id IS DISTINCT FROM p_id));
    IF v_other IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '小区名称',
            MESSAGE = format('小区“%s”已存在（与“%s”视为同一小区）', v_name, v_other);
    END IF;
    -- one INSERT or one UPDATE of the community: a new one starts at version 1 with one audit row
    IF p_id IS NULL THEN
        INSERT INTO yiwei.community (name, name_key, district, address, region_id, active)
        VALUES (v_name, v_name_key, v_district, v_address, v_region, v_active) RETURNING id INTO v_id;
    ELSE
        PERFORM yiwei.assert_version('yiwei.community', p_id, p_version);
        UPDATE yiwei.community
           SET name = v_name, name_key = v_name_key, district = v_district, address = v_address,
               region_id = v_region, active = v_active
         WHERE id = p_id;
    END IF;
    DELETE FROM yiwei.community_alias WHERE community_id = v_id;
    -- Aliases in the order typed; of two spellings of one alias the first is kept. An alias that is
    -- the name written differently, or only punctuation, needs no row.
    FOR v_alias, v_key IN
        SELECT d.a, d.k FROM (
            SELECT DISTINCT ON (s.k) s.a, s.k, s.n
              FROM (SELECT btrim(e.x) AS a, yiwei.community_key(e.x) AS k, e.n
                      FROM jsonb_array_elements_text(coalesce(p -> 'aliases', '[]')) WITH ORDINALITY AS e(x, n)) s
             WHERE s.k <> '' AND s.k <> v_name_key
             ORDER BY s.k, s.n) d
         ORDER BY d.n LOOP
        PERFORM yiwei.clean_text(v_alias, '别名', 1, 60);
        v_other := coalesce((SELECT name FROM yiwei.community WHERE name_key = v_key AND id <> v_id),
                            (SELECT c.name FROM yiwei.community_alias a JOIN yiwei.community c ON c.id = a.community_id
                              WHERE a.alias_key = v_key));
        IF v_other IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '别名',
                MESSAGE = format('别名“%s”与小区“%s”重名', v_alias, v_other);
        END IF;
        INSERT INTO yiwei.community_alias (community_id, alias, alias_key) VALUES (v_id, v_alias, v_key);
    END LOOP;
    RETURN v_id;
END $$;

-- Make an employee a channel's own user (or no longer: p_channel_id NULL).
CREATE FUNCTION yiwei.set_employee_channel(p_employee_id bigint, p_channel_id integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    PERFORM yiwei.require_permission('system.employee.manage');
    IF p_channel_id IS NULL THEN
        DELETE FROM yiwei.employee_channel WHERE employee_id = p_employee_id;
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM yiwei.channel WHERE id = p_channel_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '渠道不存在', DETAIL = '渠道';
    END IF;
    INSERT INTO yiwei.employee_channel (employee_id, channel_id) VALUES (p_employee_id, p_channel_id)
    ON CONFLICT (employee_id) DO UPDATE SET channel_id = EXCLUDED.channel_id;
END $$;
