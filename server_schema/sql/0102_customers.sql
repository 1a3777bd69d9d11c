-- Customer records (客户管理), their contacts, follow-ups (客户跟踪) and designer tasks
-- (设计师任务跟踪). Every write is a checked function: it checks the permission, the caller's scope
-- (in_my_scope), validates and writes in one transaction; app roles only read, through policies.
--
-- Full phone numbers live in phone_book, a table whose rows only logins with customers.phone_full
-- (and the row in scope) can read; every other table keeps the masked form, so no view, join or
-- export can show a full number to anybody else.

CREATE TABLE yiwei.phone_book (
    subject      text NOT NULL CHECK (subject IN ('customer', 'contact', 'lead')),
    ref_id       bigint NOT NULL,
    store_id     integer NOT NULL REFERENCES yiwei.store,
    owner_id     bigint REFERENCES yiwei.employee,   -- guide of the customer, reporter of the lead
    designer_id  bigint REFERENCES yiwei.employee,
    phone        text NOT NULL,
    PRIMARY KEY (subject, ref_id)
);
CREATE INDEX phone_book_phone ON yiwei.phone_book (phone, subject);
-- Part of a number typed by someone who may see whole numbers (digits are words to pg_trgm).
CREATE INDEX phone_book_phone_trgm ON yiwei.phone_book USING gin (phone gin_trgm_ops);
CREATE INDEX phone_book_store ON yiwei.phone_book (store_id);
CREATE INDEX phone_book_owner ON yiwei.phone_book (owner_id);

CREATE TABLE yiwei.customer (
    id                bigserial PRIMARY KEY,
    number            text NOT NULL UNIQUE,
    store_id          integer NOT NULL REFERENCES yiwei.store,
    guide_id          bigint NOT NULL REFERENCES yiwei.employee,
    designer_id       bigint REFERENCES yiwei.employee,
    name              text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 30),
    phone_masked      text NOT NULL DEFAULT '',
    community_id      integer REFERENCES yiwei.community,
    community         text NOT NULL DEFAULT '' CHECK (length(community) <= 60),
    building          text NOT NULL DEFAULT '' CHECK (length(building) <= 20),
    unit              text NOT NULL DEFAULT '' CHECK (length(unit) <= 20),
    room              text NOT NULL DEFAULT '' CHECK (length(room) <= 20),
    address           text NOT NULL DEFAULT '' CHECK (length(address) <= 200),
    address_key       text,
    source_id         integer REFERENCES yiwei.customer_source,
    channel_id        integer REFERENCES yiwei.channel,
    decoration_designer_id integer REFERENCES yiwei.decoration_designer,
    lead_id           bigint,                       -- the approved channel lead it came from
    stage             text NOT NULL DEFAULT 'new'
                      CHECK (stage IN ('new', 'contacted', 'measured', 'designing', 'quoted', 'signed', 'lost')),
    tags              text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 20),
    note              text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    special           boolean NOT NULL DEFAULT false,   -- 特殊客户: staff read the note before acting
    status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'merged')),
    merged_into       bigint REFERENCES yiwei.customer,
    last_followup_at  timestamptz,
    next_contact_on   date,
    signed_at         timestamptz,
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    created_by        text NOT NULL DEFAULT session_user,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    updated_by        text NOT NULL DEFAULT session_user,
    CHECK ((status = 'merged') = (merged_into IS NOT NULL))
);
-- Policy columns lead the list indexes (newest first in my store / as my guide).
CREATE INDEX customer_store ON yiwei.customer (store_id, id DESC);
CREATE INDEX customer_guide ON yiwei.customer (guide_id, id DESC);
CREATE INDEX customer_designer ON yiwei.customer (designer_id, id DESC) WHERE designer_id IS NOT NULL;
CREATE INDEX customer_store_guide ON yiwei.customer (store_id, guide_id);
CREATE INDEX customer_address ON yiwei.customer (address_key) WHERE address_key IS NOT NULL;
CREATE INDEX customer_next_contact ON yiwei.customer (guide_id, next_contact_on) WHERE status = 'active';
CREATE INDEX customer_lead ON yiwei.customer (lead_id) WHERE lead_id IS NOT NULL;

-- The quick search finds a typed fragment anywhere in a customer's number, name, masked phone or
-- address. pg_trgm cannot serve Chinese (it keeps only what the server's locale calls letters, and
-- company servers often run in the C locale), so the index holds the text's own grams: every pair of
-- neighbouring characters, and each single Chinese character for one-character searches (a surname).
-- Whatever a fragment is a substring of holds all of the fragment's grams.
CREATE FUNCTION yiwei.text_grams(p_text text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT y.g), '{}')
      FROM (SELECT lower(p_text) AS t) x,
           LATERAL (SELECT substr(x.t, i, 2) AS g FROM generate_series(1, length(x.t) - 1) AS i
                    UNION ALL
                    SELECT substr(x.t, i, 1) FROM generate_series(1, length(x.t)) AS i
                     WHERE ascii(substr(x.t, i, 1)) > 127) AS y
     WHERE y.g !~ '\s'
$$;

-- The searched text of a customer: the parts joined by spaces, so no gram spans two of them.
CREATE FUNCTION yiwei.customer_grams(p_number text, p_name text, p_phone_masked text, p_community text,
                                     p_building text, p_unit text, p_room text, p_address text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT yiwei.text_grams(coalesce(p_number, '') || ' ' || coalesce(p_name, '') || ' ' || coalesce(p_phone_masked, '')
                            || ' ' || coalesce(p_community, '') || ' ' || coalesce(p_building, '') || ' '
                            || coalesce(p_unit, '') || ' ' || coalesce(p_room, '') || ' ' || coalesce(p_address, ''))
$$;
CREATE INDEX customer_grams ON yiwei.customer
    USING gin (yiwei.customer_grams(number, name, phone_masked, community, building, unit, room, address));
CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON yiwei.customer FOR EACH ROW EXECUTE FUNCTION yiwei.tg_stamp();

-- More people of the household (spouse, parents) with their own phones.
CREATE TABLE yiwei.customer_contact (
    id            bigserial PRIMARY KEY,
    customer_id   bigint NOT NULL REFERENCES yiwei.customer,
    store_id      integer NOT NULL REFERENCES yiwei.store,
    guide_id      bigint NOT NULL REFERENCES yiwei.employee,
    designer_id   bigint REFERENCES yiwei.employee,
    name          text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 30),
    relation      text NOT NULL DEFAULT '' CHECK (length(relation) <= 10),
    phone_masked  text NOT NULL DEFAULT ''
);
CREATE INDEX customer_contact_customer ON yiwei.customer_contact (customer_id);
CREATE INDEX customer_contact_store ON yiwei.customer_contact (store_id, guide_id);

CREATE TABLE yiwei.customer_followup (
    id               bigserial PRIMARY KEY,
    customer_id      bigint NOT NULL REFERENCES yiwei.customer,
    store_id         integer NOT NULL REFERENCES yiwei.store,
    guide_id         bigint NOT NULL REFERENCES yiwei.employee,   -- the customer's guide (moves on transfer)
    designer_id      bigint REFERENCES yiwei.employee,
    author_id        bigint NOT NULL REFERENCES yiwei.employee,
    kind             text NOT NULL CHECK (kind IN ('call', 'visit', 'measure', 'quote', 'wechat', 'other')),
    content          text NOT NULL CHECK (length(btrim(content)) BETWEEN 1 AND 1000),
    contacted_at     timestamptz NOT NULL DEFAULT now(),
    next_contact_on  date,
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       text NOT NULL DEFAULT session_user
);
CREATE INDEX customer_followup_customer ON yiwei.customer_followup (customer_id, contacted_at DESC);
CREATE INDEX customer_followup_store ON yiwei.customer_followup (store_id, contacted_at DESC, id DESC);
CREATE INDEX customer_followup_guide ON yiwei.customer_followup (guide_id, contacted_at DESC, id DESC);

CREATE TABLE yiwei.designer_task (
    id            bigserial PRIMARY KEY,
    store_id      integer NOT NULL REFERENCES yiwei.store,
    customer_id   bigint NOT NULL REFERENCES yiwei.customer,
    guide_id      bigint NOT NULL REFERENCES yiwei.employee,     -- the customer's guide
    designer_id   bigint NOT NULL REFERENCES yiwei.employee,
    kind          text NOT NULL CHECK (kind IN ('measure', 'design', 'drawing')),
    due_on        date NOT NULL,
    status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
    note          text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    result        text NOT NULL DEFAULT '' CHECK (length(result) <= 500),
    done_at       timestamptz,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text NOT NULL DEFAULT session_user,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    updated_by    text NOT NULL DEFAULT session_user,
    CHECK ((status = 'done') = (done_at IS NOT NULL))
);
CREATE INDEX designer_task_store ON yiwei.designer_task (store_id, due_on, id);
CREATE INDEX designer_task_designer ON yiwei.designer_task (designer_id, status, due_on);
CREATE INDEX designer_task_guide ON yiwei.designer_task (guide_id);
CREATE INDEX designer_task_customer ON yiwei.designer_task (customer_id);
CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON yiwei.designer_task FOR EACH ROW EXECUTE FUNCTION yiwei.tg_stamp();

-- Showroom traffic gains master data and the customer a visit turned into (or a known customer's
-- return). The free-text source becomes a reference to customer_source; the community stays as
-- typed and is matched to the master data (with aliases) by a trigger.
ALTER TABLE yiwei.visit ADD COLUMN source_id integer REFERENCES yiwei.customer_source;
ALTER TABLE yiwei.visit ADD COLUMN community_id integer REFERENCES yiwei.community;
ALTER TABLE yiwei.visit ADD COLUMN customer_id bigint REFERENCES yiwei.customer;
INSERT INTO yiwei.customer_source (name, sort_order)
SELECT DISTINCT v.source, 100 FROM yiwei.visit v
 WHERE v.source <> '' AND NOT EXISTS (SELECT 1 FROM yiwei.customer_source s WHERE s.name = v.source);
UPDATE yiwei.visit v SET source_id = s.id FROM yiwei.customer_source s WHERE s.name = v.source;
DROP VIEW yiwei.visit_list;
ALTER TABLE yiwei.visit DROP COLUMN source;
CREATE INDEX visit_customer ON yiwei.visit (customer_id) WHERE customer_id IS NOT NULL;

CREATE FUNCTION yiwei.tg_visit_community() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    NEW.community := btrim(NEW.community);
    NEW.community_id := yiwei.find_community(NEW.community);
    IF NEW.community_id IS NOT NULL THEN  -- an alias typed at the desk is shown by its proper name
        NEW.community := (SELECT name FROM yiwei.community WHERE id = NEW.community_id);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER community BEFORE INSERT OR UPDATE OF community ON yiwei.visit
    FOR EACH ROW EXECUTE FUNCTION yiwei.tg_visit_community();

-- Helpers of the checked steps ------------------------------------------------------------------

CREATE FUNCTION yiwei.company_today() RETURNS date
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT (now() AT TIME ZONE yiwei.company_timezone())::date
$$;

-- The customer row for a checked step, locked, after checking it exists in the caller's scope
-- (an id outside the scope reads as "not found": no oracle for other stores' customers).
CREATE FUNCTION yiwei.customer_for_change(p_id bigint, p_version integer) RETURNS yiwei.customer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    c yiwei.customer;
BEGIN
    SELECT * INTO c FROM yiwei.customer WHERE id = p_id FOR UPDATE;
    IF NOT FOUND OR NOT yiwei.in_my_scope(c.store_id, ARRAY[c.guide_id, c.designer_id]) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW404', MESSAGE = '客户不存在或不在您的数据范围内';
    END IF;
    IF c.status = 'merged' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW409',
            MESSAGE = format('客户 %s 已合并到 %s', c.number, (SELECT number FROM yiwei.customer WHERE id = c.merged_into));
    END IF;
    IF p_version IS NOT NULL THEN
        PERFORM yiwei.assert_version('yiwei.customer', p_id, p_version);
    END IF;
    RETURN c;
END $$;

-- An employee who may own customers of a store (works there, has the customers function, active).
CREATE FUNCTION yiwei.check_store_staff(p_employee_id bigint, p_store_id integer, p_permission text, p_label text)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM yiwei.employee e
         WHERE e.id = p_employee_id AND e.active
           AND (e.store_id = p_store_id OR EXISTS (SELECT 1 FROM yiwei.employee_store es
                                                    WHERE es.employee_id = e.id AND es.store_id = p_store_id))
           AND EXISTS (SELECT 1 FROM yiwei.position_permission pp
                        WHERE pp.position_id = e.position_id AND pp.permission_code = p_permission)) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = p_label,
            MESSAGE = format('%s必须是该门店在职的%s', p_label, CASE p_label WHEN '设计师' THEN '设计师' ELSE '导购或店长' END);
    END IF;
END $$;

-- Who already has this phone among active customers (primary or household contact), described for
-- a message: "张三（KH-HZ01-202611-000012，杭州城西展厅，导购 王伟）". NULL when nobody.
CREATE FUNCTION yiwei.customer_with_phone(p_phone text, p_except bigint) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT format('%s（%s，%s，导购 %s）', c.name, c.number, s.name, g.full_name)
      FROM yiwei.phone_book pb
      JOIN yiwei.customer c ON c.id = CASE pb.subject WHEN 'customer' THEN pb.ref_id
                                        ELSE (SELECT cc.customer_id FROM yiwei.customer_contact cc WHERE cc.id = pb.ref_id) END
      JOIN yiwei.store s ON s.id = c.store_id
      JOIN yiwei.employee g ON g.id = c.guide_id
     WHERE pb.phone = p_phone AND pb.subject IN ('customer', 'contact')
       AND c.status = 'active' AND c.id IS DISTINCT FROM p_except
     LIMIT 1
$$;

CREATE FUNCTION yiwei.check_customer_phone_free(p_phone text, p_customer_id bigint, p_label text) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_owner text := yiwei.customer_with_phone(p_phone, p_customer_id);
BEGIN
    IF v_owner IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW409', DETAIL = p_label,
            MESSAGE = format('%s %s 已登记为客户 %s，请勿重复建档', p_label, yiwei.mask_phone(p_phone), v_owner);
    END IF;
END $$;

-- Keep the people a customer's dependent rows are scoped by in step with the customer.
CREATE FUNCTION yiwei.sync_customer_people(p_customer_id bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    c yiwei.customer;
BEGIN
    SELECT * INTO c FROM yiwei.customer WHERE id = p_customer_id;
    UPDATE yiwei.customer_contact SET store_id = c.store_id, guide_id = c.guide_id, designer_id = c.designer_id
     WHERE customer_id = c.id AND (guide_id, store_id, designer_id) IS DISTINCT FROM (c.guide_id, c.store_id, c.designer_id);
    UPDATE yiwei.customer_followup SET store_id = c.store_id, guide_id = c.guide_id, designer_id = c.designer_id
     WHERE customer_id = c.id AND (guide_id, store_id, designer_id) IS DISTINCT FROM (c.guide_id, c.store_id, c.designer_id);
    UPDATE yiwei.designer_task SET store_id = c.store_id, guide_id = c.guide_id
     WHERE customer_id = c.id AND (guide_id, store_id) IS DISTINCT FROM (c.guide_id, c.store_id);
    UPDATE yiwei.phone_book SET store_id = c.store_id, owner_id = c.guide_id, designer_id = c.designer_id
     WHERE (subject = 'customer' AND ref_id = c.id)
        OR (subject = 'contact' AND ref_id IN (SELECT id FROM yiwei.customer_contact WHERE customer_id = c.id));
END $$;

-- The customer's household contacts as given by the form: [{id?, name, relation, phone}]. A phone
-- left as shown (masked) or empty keeps the stored number, so people who see masked numbers can
-- still edit the other fields.
CREATE FUNCTION yiwei.replace_customer_contacts(p_customer_id bigint, p_contacts jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    c yiwei.customer;
    x jsonb;
    v_id bigint;
    v_phone text;
    v_old text;
    v_keep bigint[] := '{}';
BEGIN
    SELECT * INTO c FROM yiwei.customer WHERE id = p_customer_id;
    IF jsonb_typeof(coalesce(p_contacts, '[]')) <> 'array' OR jsonb_array_length(coalesce(p_contacts, '[]')) > 10 THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '家庭联系人最多 10 位', DETAIL = '联系人';
    END IF;
    FOR x IN SELECT * FROM jsonb_array_elements(coalesce(p_contacts, '[]')) LOOP
        v_id := nullif(x ->> 'id', '')::bigint;
        IF v_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM yiwei.customer_contact WHERE id = v_id AND customer_id = c.id) THEN
            RAISE EXCEPTION USING ERRCODE = 'YW404', MESSAGE = '联系人不存在';
        END IF;
        v_old := (SELECT phone_masked FROM yiwei.customer_contact WHERE id = v_id);
        v_phone := btrim(coalesce(x ->> 'phone', ''));
        IF v_id IS NULL THEN
            INSERT INTO yiwei.customer_contact (customer_id, store_id, guide_id, designer_id, name)
            VALUES (c.id, c.store_id, c.guide_id, c.designer_id, '-') RETURNING id INTO v_id;
        END IF;
        UPDATE yiwei.customer_contact
           SET name = yiwei.clean_text(x ->> 'name', '联系人姓名', 1, 30),
               relation = yiwei.clean_text(x ->> 'relation', '关系', 0, 10)
         WHERE id = v_id;
        IF v_phone <> '' AND v_phone IS DISTINCT FROM v_old THEN
            v_phone := yiwei.normalize_phone(v_phone, '联系人电话');
            PERFORM yiwei.check_customer_phone_free(v_phone, c.id, '联系人电话');
            INSERT INTO yiwei.phone_book (subject, ref_id, store_id, owner_id, designer_id, phone)
            VALUES ('contact', v_id, c.store_id, c.guide_id, c.designer_id, v_phone)
            ON CONFLICT (subject, ref_id) DO UPDATE SET phone = EXCLUDED.phone;
            UPDATE yiwei.customer_contact SET phone_masked = yiwei.mask_phone(v_phone) WHERE id = v_id;
        END IF;
        v_keep := v_keep || v_id;
    END LOOP;
    DELETE FROM yiwei.phone_book WHERE subject = 'contact'
       AND ref_id IN (SELECT id FROM yiwei.customer_contact WHERE customer_id = c.id AND id <> ALL (v_keep));
    DELETE FROM yiwei.customer_contact WHERE customer_id = c.id AND id <> ALL (v_keep);
END $$;

-- Checked steps ---------------------------------------------------------------------------------

-- Create (p_id NULL) or change a customer record. p: name, phone, community, building, unit, room,
-- address, source_id, channel_id, decoration_designer_id, designer_id, stage, tags, note, special,
-- contacts; on creation also store_id and guide_id (a guide creates own customers only).
CREATE FUNCTION yiwei.save_customer(p_id bigint, p_version integer, p jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    c yiwei.customer;
    v_id bigint := p_id;
    v_store integer;
    v_guide bigint;
    v_designer bigint := nullif(p ->> 'designer_id', '')::bigint;
    v_phone text := btrim(coalesce(p ->> 'phone', ''));
    v_stage text := coalesce(nullif(p ->> 'stage', ''), 'new');
    v_community text := yiwei.clean_text(p ->> 'community', '小区', 0, 60);
    v_community_id integer;
    v_tags text[];
    v_source integer := nullif(p ->> 'source_id', '')::integer;
    v_channel integer := nullif(p ->> 'channel_id', '')::integer;
    v_deco integer := nullif(p ->> 'decoration_designer_id', '')::integer;
BEGIN
    PERFORM yiwei.require_permission('customers.customer');
    IF p_id IS NULL THEN
        v_store := nullif(p ->> 'store_id', '')::integer;
        v_guide := coalesce(nullif(p ->> 'guide_id', '')::bigint, yiwei.current_employee_id());
        IF yiwei.current_scope() = 'own' AND v_guide <> yiwei.current_employee_id() THEN
            RAISE EXCEPTION USING ERRCODE = 'YW403', MESSAGE = '导购只能为自己建立客户档案', DETAIL = '导购';
        END IF;
        IF v_store IS NULL OR NOT yiwei.in_my_scope(v_store, ARRAY[v_guide]) THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '请选择您负责范围内的门店', DETAIL = '门店';
        END IF;
        PERFORM yiwei.check_store_staff(v_guide, v_store, 'customers.customer', '导购');
    ELSE
        c := yiwei.customer_for_change(p_id, NULL);
        -- an edit must say which version it started from (assert_version refuses none)
        PERFORM yiwei.assert_version('yiwei.customer', p_id, p_version);
        v_store := c.store_id;
        v_guide := c.guide_id;
        -- the signed stage is set by the contract, not by hand (and cannot be undone by hand)
        IF (c.stage = 'signed') <> (v_stage = 'signed') THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '“已签约”由合同签订自动设置，不能手工修改', DETAIL = '阶段';
        END IF;
    END IF;
    IF p_id IS NULL AND v_stage = 'signed' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '“已签约”由合同签订自动设置，不能手工修改', DETAIL = '阶段';
    END IF;
    IF v_stage NOT IN ('new', 'contacted', 'measured', 'designing', 'quoted', 'signed', 'lost') THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '客户阶段无效', DETAIL = '阶段';
    END IF;
    IF v_designer IS NOT NULL AND v_designer IS DISTINCT FROM c.designer_id THEN
        PERFORM yiwei.check_store_staff(v_designer, v_store, 'customers.designer_task', '设计师');
    END IF;
    IF v_source IS NOT NULL AND NOT EXISTS (SELECT 1 FROM yiwei.customer_source WHERE id = v_source) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '客户来源不存在', DETAIL = '客户来源';
    END IF;
    IF v_channel IS NOT NULL AND NOT EXISTS (SELECT 1 FROM yiwei.channel WHERE id = v_channel) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '渠道不存在', DETAIL = '渠道';
    END IF;
    IF v_deco IS NOT NULL AND NOT EXISTS (SELECT 1 FROM yiwei.decoration_designer WHERE id = v_deco) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '家装设计师不存在', DETAIL = '家装设计师';
    END IF;
    SELECT coalesce(array_agg(DISTINCT t ORDER BY t), '{}') INTO v_tags
      FROM (SELECT yiwei.clean_text(x, '标签', 1, 10) AS t
              FROM jsonb_array_elements_text(coalesce(p -> 'tags', '[]')) x WHERE btrim(x) <> '') s;
    IF cardinality(v_tags) > 20 THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '标签最多 20 个', DETAIL = '标签';
    END IF;
    v_community_id := yiwei.find_community(v_community);
    IF v_community_id IS NOT NULL THEN
        v_community := (SELECT name FROM yiwei.community WHERE id = v_community_id);
    END IF;

    -- The phone: required on creation; on a change, the masked form as shown keeps the number.
    IF p_id IS NULL OR (v_phone <> '' AND v_phone <> c.phone_masked) THEN
        v_phone := yiwei.normalize_phone(v_phone, '手机');
        PERFORM yiwei.check_customer_phone_free(v_phone, p_id, '手机号');
    ELSE
        v_phone := NULL;
    END IF;

    IF p_id IS NULL THEN
        INSERT INTO yiwei.customer (number, store_id, guide_id, name)
        VALUES (yiwei.next_document_number('KH', v_store), v_store, v_guide, '-')
        RETURNING id INTO v_id;
    END IF;
    UPDATE yiwei.customer
       SET name = yiwei.clean_text(p ->> 'name', '客户姓名', 1, 30),
           designer_id = v_designer,
           community = v_community, community_id = v_community_id,
           building = yiwei.clean_text(p ->> 'building', '楼栋', 0, 20),
           unit = yiwei.clean_text(p ->> 'unit', '单元', 0, 20),
           room = yiwei.clean_text(p ->> 'room', '房号', 0, 20),
           address = yiwei.clean_text(p ->> 'address', '地址', 0, 200),
           source_id = v_source, channel_id = v_channel, decoration_designer_id = v_deco,
           stage = v_stage, tags = v_tags,
           note = yiwei.clean_multiline(p ->> 'note', '备注', 0, 1000),
           special = coalesce((p ->> 'special')::boolean, false),
           phone_masked = CASE WHEN v_phone IS NULL THEN phone_masked ELSE yiwei.mask_phone(v_phone) END
     WHERE id = v_id
     RETURNING * INTO c;
    UPDATE yiwei.customer SET address_key = yiwei.address_key(c.community_id, c.community, c.building, c.unit, c.room)
     WHERE id = v_id AND address_key IS DISTINCT FROM yiwei.address_key(c.community_id, c.community, c.building, c.unit, c.room);
    IF v_phone IS NOT NULL THEN
        INSERT INTO yiwei.phone_book (subject, ref_id, store_id, owner_id, designer_id, phone)
        VALUES ('customer', v_id, c.store_id, c.guide_id, c.designer_id, v_phone)
        ON CONFLICT (subject, ref_id) DO UPDATE SET phone = EXCLUDED.phone;
    END IF;
    IF p ? 'contacts' THEN
        PERFORM yiwei.replace_customer_contacts(v_id, p -> 'contacts');
    END IF;
    PERFORM yiwei.sync_customer_people(v_id);
    RETURN v_id;
END $$;

-- A walk-in visit becomes a customer in one step: same store and guide, the visit's source and
-- community, and the visit linked to the new record.
CREATE FUNCTION yiwei.convert_visit(p_visit_id bigint, p jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v yiwei.visit;
    v_id bigint;
BEGIN
    PERFORM yiwei.require_permission('customers.customer');
    SELECT * INTO v FROM yiwei.visit WHERE id = p_visit_id FOR UPDATE;
    IF NOT FOUND OR NOT yiwei.in_my_scope(v.store_id, ARRAY[v.guide_id]) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW404', MESSAGE = '来访记录不存在或不在您的数据范围内';
    END IF;
    IF v.customer_id IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW409',
            MESSAGE = format('这次来访已转为客户 %s', (SELECT name || '（' || number || '）' FROM yiwei.customer WHERE id = v.customer_id));
    END IF;
    v_id := yiwei.save_customer(NULL, NULL, p || jsonb_build_object(
        'store_id', v.store_id, 'guide_id', v.guide_id,
        'source_id', coalesce(nullif(p ->> 'source_id', '')::integer, v.source_id),
        'community', coalesce(nullif(p ->> 'community', ''), v.community),
        'stage', 'contacted'));
    UPDATE yiwei.visit SET customer_id = v_id WHERE id = v.id;
    RETURN v_id;
END $$;

-- A known customer came back: the visit is counted as theirs.
CREATE FUNCTION yiwei.link_visit(p_visit_id bigint, p_customer_id bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v yiwei.visit;
    c yiwei.customer;
BEGIN
    PERFORM yiwei.require_permission('customers.visit');
    SELECT * INTO v FROM yiwei.visit WHERE id = p_visit_id FOR UPDATE;
    IF NOT FOUND OR NOT yiwei.in_my_scope(v.store_id, ARRAY[v.guide_id]) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW404', MESSAGE = '来访记录不存在或不在您的数据范围内';
    END IF;
    c := yiwei.customer_for_change(p_customer_id, NULL);
    IF c.store_id <> v.store_id THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '客户不属于来访的门店', DETAIL = '客户';
    END IF;
    UPDATE yiwei.visit SET customer_id = c.id WHERE id = v.id;
END $$;

-- A manager moves customers to another guide of their store (guide leaves, workload). The customers'
-- follow-ups, contacts, tasks and phones move with them; the reason is audited.
CREATE FUNCTION yiwei.transfer_customers(p_ids bigint[], p_guide_id bigint, p_reason text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    c yiwei.customer;
    v_id bigint;
    v_count integer := 0;
BEGIN
    PERFORM yiwei.require_permission('customers.customer.transfer');
    IF yiwei.current_scope() = 'own' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW403', MESSAGE = '只有店长及以上岗位可以转移客户';
    END IF;
    p_reason := yiwei.clean_multiline(p_reason, '转移原因', 1, 200);
    IF coalesce(cardinality(p_ids), 0) = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '请选择要转移的客户';
    END IF;
    FOREACH v_id IN ARRAY (SELECT array_agg(DISTINCT x ORDER BY x) FROM unnest(p_ids) x) LOOP
        c := yiwei.customer_for_change(v_id, NULL);
        PERFORM yiwei.check_store_staff(p_guide_id, c.store_id, 'customers.customer', '接手导购');
        CONTINUE WHEN c.guide_id = p_guide_id;
        UPDATE yiwei.customer SET guide_id = p_guide_id WHERE id = c.id;
        PERFORM yiwei.sync_customer_people(c.id);
        PERFORM yiwei.audit_event('customer', c.id::text, jsonb_build_object(
            'event', 'transfer', 'from_guide', c.guide_id, 'to_guide', p_guide_id, 'reason', p_reason));
        v_count := v_count + 1;
    END LOOP;
    RETURN v_count;
END $$;

-- Merge a duplicate into the record kept: its visits, follow-ups, tasks, contacts and leads move
-- over, its phone becomes a household contact, its tags and notes are added; the duplicate stays
-- as 'merged' (pointing at the kept record) so every old reference and the history remain.
CREATE FUNCTION yiwei.merge_customers(p_keep_id bigint, p_duplicate_id bigint, p_reason text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    k yiwei.customer;
    d yiwei.customer;
    v_contact bigint;
BEGIN
    PERFORM yiwei.require_permission('customers.customer.merge');
    p_reason := yiwei.clean_multiline(p_reason, '合并原因', 1, 200);
    IF p_keep_id = p_duplicate_id THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '不能把客户合并到自己';
    END IF;
    -- lock both in id order so two clerks merging the same pair cannot deadlock
    IF p_keep_id < p_duplicate_id THEN
        k := yiwei.customer_for_change(p_keep_id, NULL);
        d := yiwei.customer_for_change(p_duplicate_id, NULL);
    ELSE
        d := yiwei.customer_for_change(p_duplicate_id, NULL);
        k := yiwei.customer_for_change(p_keep_id, NULL);
    END IF;
    IF d.stage = 'signed' AND k.stage <> 'signed' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '已签约的客户只能作为保留的客户，请交换两者';
    END IF;
    IF d.lead_id IS NOT NULL AND k.lead_id IS NOT NULL AND d.lead_id <> k.lead_id THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '两个客户各自关联了不同的渠道报备，请先由渠道审核处理';
    END IF;
    UPDATE yiwei.visit SET customer_id = k.id WHERE customer_id = d.id;
    UPDATE yiwei.customer_followup SET customer_id = k.id WHERE customer_id = d.id;
    UPDATE yiwei.designer_task SET customer_id = k.id WHERE customer_id = d.id;
    UPDATE yiwei.customer_contact SET customer_id = k.id WHERE customer_id = d.id;
    -- the duplicate's own phone becomes a contact of the household kept
    INSERT INTO yiwei.customer_contact (customer_id, store_id, guide_id, designer_id, name, relation, phone_masked)
    VALUES (k.id, k.store_id, k.guide_id, k.designer_id, d.name, '合并', d.phone_masked)
    RETURNING id INTO v_contact;
    UPDATE yiwei.phone_book SET subject = 'contact', ref_id = v_contact
     WHERE subject = 'customer' AND ref_id = d.id;
    UPDATE yiwei.customer
       SET tags = (SELECT coalesce(array_agg(DISTINCT t ORDER BY t), '{}') FROM unnest(k.tags || d.tags) t),
           note = left(concat_ws(E'\n', nullif(k.note, ''), nullif(d.note, '')), 1000),
           special = k.special OR d.special,
           lead_id = coalesce(k.lead_id, d.lead_id), channel_id = coalesce(k.channel_id, d.channel_id),
           designer_id = coalesce(k.designer_id, d.designer_id),
           last_followup_at = GREATEST(k.last_followup_at, d.last_followup_at),
           next_contact_on = LEAST(k.next_contact_on, d.next_contact_on)
     WHERE id = k.id;
    UPDATE yiwei.customer SET status = 'merged', merged_into = k.id, lead_id = NULL WHERE id = d.id;
    UPDATE yiwei.channel_lead SET customer_id = k.id WHERE customer_id = d.id;
    PERFORM yiwei.sync_customer_people(k.id);
    PERFORM yiwei.audit_event('customer', k.id::text, jsonb_build_object(
        'event', 'merge', 'kept', k.number, 'merged', d.number, 'reason', p_reason));
END $$;

-- Customers in the caller's scope with this phone (primary or household contact): the quick search
-- by phone for people who only see masked numbers. Only for logins that may read customers at all
-- (the customer read policies' functions), else it would tell a store's clerk whose phone is whose.
CREATE FUNCTION yiwei.find_customers_by_phone(p_phone text) RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_phone text;
BEGIN
    IF NOT yiwei.has_any_permission(ARRAY['customers.customer', 'customers.followup', 'customers.designer_task',
                                          'customers.visit']) THEN
        RETURN '{}';
    END IF;
    BEGIN
        v_phone := yiwei.normalize_phone(p_phone, '手机');
    EXCEPTION WHEN SQLSTATE 'YW422' THEN
        RETURN '{}';
    END;
    RETURN coalesce((
        SELECT array_agg(DISTINCT c.id)
          FROM yiwei.phone_book pb
          JOIN yiwei.customer c ON c.id = CASE pb.subject WHEN 'customer' THEN pb.ref_id
                                            ELSE (SELECT cc.customer_id FROM yiwei.customer_contact cc WHERE cc.id = pb.ref_id) END
         WHERE pb.phone = v_phone AND pb.subject IN ('customer', 'contact')
           AND yiwei.in_my_scope(c.store_id, ARRAY[c.guide_id, c.designer_id])), '{}');
END $$;

-- The customers in the caller's scope that the list's quick search finds for one term (no spaces):
-- the term within the number, name, phone as the caller sees it (masked, or whole with
-- customers.phone_full) or address — or, typed whole, any phone of the household. Index lookups, as the
-- owner: under row-level security the planner may not use an index for ILIKE (it is not leakproof),
-- which made head office's search a scan of every customer.
CREATE FUNCTION yiwei.find_customers(p_term text) RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_pattern text;
    v_found bigint[];
BEGIN
    IF NOT yiwei.has_any_permission(ARRAY['customers.customer', 'customers.followup', 'customers.designer_task',
                                          'customers.visit']) OR coalesce(p_term, '') = '' THEN
        RETURN '{}';
    END IF;
    v_pattern := '%' || replace(replace(replace(p_term, '\', '\\'), '%', '\%'), '_', '\_') || '%';
    SELECT coalesce(array_agg(c.id), '{}') INTO v_found
      FROM yiwei.customer c
     WHERE yiwei.customer_grams(c.number, c.name, c.phone_masked, c.community, c.building, c.unit, c.room, c.address)
               @> yiwei.text_grams(p_term)
       AND (c.number ILIKE v_pattern OR c.name ILIKE v_pattern OR c.phone_masked ILIKE v_pattern
            OR concat_ws(' ', c.community, c.building, c.unit, c.room, c.address) ILIKE v_pattern)
       AND yiwei.in_my_scope(c.store_id, ARRAY[c.guide_id, c.designer_id]);
    IF p_term ~ '^[0-9]{3,}$' AND yiwei.has_permission('customers.phone_full') THEN
        v_found := v_found || coalesce((
            SELECT array_agg(c.id)
              FROM yiwei.phone_book pb JOIN yiwei.customer c ON c.id = pb.ref_id
             WHERE pb.subject = 'customer' AND pb.phone LIKE v_pattern
               AND yiwei.in_my_scope(c.store_id, ARRAY[c.guide_id, c.designer_id])), '{}');
    END IF;
    RETURN v_found || yiwei.find_customers_by_phone(p_term);
END $$;

-- Likely duplicates of one customer in the caller's scope: the same phone, the same address, or the
-- same name in the same community.
CREATE FUNCTION yiwei.customer_duplicates(p_id bigint)
RETURNS TABLE (id bigint, number text, name text, store_name text, guide_name text, reason text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    c yiwei.customer;
BEGIN
    PERFORM yiwei.require_permission('customers.customer');
    c := yiwei.customer_for_change(p_id, NULL);
    RETURN QUERY
    SELECT o.id, o.number, o.name, s.name, g.full_name, string_agg(DISTINCT m.reason, '、')
      FROM (SELECT x.id, '同一电话'::text AS reason
              FROM yiwei.phone_book mine
              JOIN yiwei.phone_book other ON other.phone = mine.phone AND other.subject IN ('customer', 'contact')
              JOIN LATERAL (SELECT CASE other.subject WHEN 'customer' THEN other.ref_id
                                   ELSE (SELECT cc.customer_id FROM yiwei.customer_contact cc WHERE cc.id = other.ref_id) END AS id) x ON true
             WHERE (mine.subject = 'customer' AND mine.ref_id = c.id)
                OR (mine.subject = 'contact' AND mine.ref_id IN (SELECT cc.id FROM yiwei.customer_contact cc WHERE cc.customer_id = c.id))
            UNION ALL
            SELECT o2.id, '同一地址' FROM yiwei.customer o2 WHERE c.address_key IS NOT NULL AND o2.address_key = c.address_key
            UNION ALL
            SELECT o3.id, '同名同小区' FROM yiwei.customer o3
             WHERE o3.store_id = c.store_id AND o3.name = c.name AND c.community <> '' AND o3.community = c.community) m
      JOIN yiwei.customer o ON o.id = m.id
      JOIN yiwei.store s ON s.id = o.store_id
      JOIN yiwei.employee g ON g.id = o.guide_id
     WHERE o.id <> c.id AND o.status = 'active' AND yiwei.in_my_scope(o.store_id, ARRAY[o.guide_id, o.designer_id])
     GROUP BY o.id, o.number, o.name, s.name, g.full_name
     ORDER BY o.id;
END $$;

-- A follow-up (call, visit, measure, quote …) with the next contact date; the customer's last and
-- next contact follow it, and a new customer counts as contacted.
CREATE FUNCTION yiwei.add_followup(p_customer_id bigint, p_kind text, p_content text, p_next_contact_on date)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    c yiwei.customer;
    v_id bigint;
BEGIN
    PERFORM yiwei.require_permission('customers.followup');
    c := yiwei.customer_for_change(p_customer_id, NULL);
    IF p_kind IS NULL OR p_kind NOT IN ('call', 'visit', 'measure', 'quote', 'wechat', 'other') THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '请选择跟踪方式', DETAIL = '跟踪方式';
    END IF;
    IF p_next_contact_on IS NOT NULL AND p_next_contact_on < yiwei.company_today() THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '下次联系日期不能早于今天', DETAIL = '下次联系';
    END IF;
    IF p_next_contact_on > yiwei.company_today() + 366 THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '下次联系日期不能超过一年', DETAIL = '下次联系';
    END IF;
    INSERT INTO yiwei.customer_followup (customer_id, store_id, guide_id, designer_id, author_id, kind, content, next_contact_on)
    VALUES (c.id, c.store_id, c.guide_id, c.designer_id, yiwei.current_employee_id(), p_kind,
            yiwei.clean_multiline(p_content, '跟踪内容', 1, 1000), p_next_contact_on)
    RETURNING id INTO v_id;
    UPDATE yiwei.customer
       SET last_followup_at = now(), next_contact_on = p_next_contact_on,
           stage = CASE WHEN stage = 'new' THEN 'contacted' ELSE stage END
     WHERE id = c.id;
    RETURN v_id;
END $$;

-- Create (p_id NULL) or change an open measure/design/drawing task. p: customer_id, designer_id,
-- kind, due_on, note. A designer of the 'own' scope plans only their own tasks.
CREATE FUNCTION yiwei.save_designer_task(p_id bigint, p_version integer, p jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    t yiwei.designer_task;
    c yiwei.customer;
    v_id bigint := p_id;
    v_designer bigint := nullif(p ->> 'designer_id', '')::bigint;
    v_kind text := coalesce(p ->> 'kind', '');
    v_due date := nullif(p ->> 'due_on', '')::date;
BEGIN
    PERFORM yiwei.require_permission('customers.designer_task');
    IF p_id IS NOT NULL THEN
        SELECT * INTO t FROM yiwei.designer_task WHERE id = p_id;
        IF NOT FOUND OR NOT yiwei.in_my_scope(t.store_id, ARRAY[t.designer_id, t.guide_id]) THEN
            RAISE EXCEPTION USING ERRCODE = 'YW404', MESSAGE = '任务不存在或不在您的数据范围内';
        END IF;
        PERFORM yiwei.assert_version('yiwei.designer_task', p_id, p_version);
        IF t.status <> 'open' THEN
            RAISE EXCEPTION USING ERRCODE = 'YW409', MESSAGE = '任务已完成或已取消，不能再修改';
        END IF;
    END IF;
    c := yiwei.customer_for_change(coalesce(t.customer_id, nullif(p ->> 'customer_id', '')::bigint), NULL);
    IF v_designer IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '请选择设计师', DETAIL = '设计师';
    END IF;
    IF yiwei.current_scope() = 'own' AND v_designer <> yiwei.current_employee_id() THEN
        RAISE EXCEPTION USING ERRCODE = 'YW403', MESSAGE = '只能为自己安排设计任务', DETAIL = '设计师';
    END IF;
    PERFORM yiwei.check_store_staff(v_designer, c.store_id, 'customers.designer_task', '设计师');
    IF v_kind NOT IN ('measure', 'design', 'drawing') THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '请选择任务类型', DETAIL = '任务类型';
    END IF;
    IF v_due IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '请填写完成期限', DETAIL = '完成期限';
    END IF;
    IF p_id IS NULL AND v_due < yiwei.company_today() THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '完成期限不能早于今天', DETAIL = '完成期限';
    END IF;
    IF p_id IS NULL THEN
        INSERT INTO yiwei.designer_task (store_id, customer_id, guide_id, designer_id, kind, due_on)
        VALUES (c.store_id, c.id, c.guide_id, v_designer, v_kind, v_due) RETURNING id INTO v_id;
    END IF;
    UPDATE yiwei.designer_task
       SET designer_id = v_designer, kind = v_kind, due_on = v_due, note = yiwei.clean_multiline(p ->> 'note', '说明', 0, 500)
     WHERE id = v_id;
    IF c.designer_id IS NULL THEN  -- the first designer planned becomes the customer's designer
        UPDATE yiwei.customer SET designer_id = v_designer WHERE id = c.id;
        PERFORM yiwei.sync_customer_people(c.id);
    END IF;
    RETURN v_id;
END $$;

-- Close a task: done (with what was done) or cancelled (with why).
CREATE FUNCTION yiwei.close_designer_task(p_id bigint, p_version integer, p_done boolean, p_result text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    t yiwei.designer_task;
BEGIN
    PERFORM yiwei.require_permission('customers.designer_task');
    SELECT * INTO t FROM yiwei.designer_task WHERE id = p_id;
    IF NOT FOUND OR NOT yiwei.in_my_scope(t.store_id, ARRAY[t.designer_id]) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW404', MESSAGE = '任务不存在或不在您的数据范围内';
    END IF;
    PERFORM yiwei.assert_version('yiwei.designer_task', p_id, p_version);
    IF t.status <> 'open' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW409', MESSAGE = '任务已完成或已取消';
    END IF;
    UPDATE yiwei.designer_task
       SET status = CASE WHEN p_done THEN 'done' ELSE 'cancelled' END,
           done_at = CASE WHEN p_done THEN now() END,
           result = yiwei.clean_multiline(p_result, CASE WHEN p_done THEN '完成情况' ELSE '取消原因' END,
                                     CASE WHEN p_done THEN 0 ELSE 1 END, 500)
     WHERE id = p_id;
    IF p_done THEN
        UPDATE yiwei.customer
           SET stage = CASE t.kind WHEN 'measure' THEN 'measured' ELSE 'designing' END
         WHERE id = t.customer_id AND stage IN ('new', 'contacted', 'measured');
    END IF;
END $$;
