-- Channel lead reports (渠道报备) and their audit (渠道报备审核).
--
-- A lead is checked for conflicts when it is reported — inside report_lead, so no client can skip
-- it — against other leads with the same phone or the same address that are pending or still
-- protected, and against existing customers; the evidence is kept with the lead. The first valid
-- approved report wins: approving is refused while another report of that phone or address is
-- protected. Protection lapses by itself: a lead is 'expired' once protected_until has passed
-- (computed when read, so no clerk or job has to act), unless its customer signed first, which
-- makes it 'converted'.

CREATE TABLE yiwei.channel_lead (
    id                      bigserial PRIMARY KEY,
    number                  text NOT NULL UNIQUE,
    store_id                integer NOT NULL REFERENCES yiwei.store,
    channel_id              integer NOT NULL REFERENCES yiwei.channel,
    decoration_designer_id  integer REFERENCES yiwei.decoration_designer,
    reported_by             bigint NOT NULL REFERENCES yiwei.employee,
    reported_at             timestamptz NOT NULL DEFAULT now(),
    customer_name           text NOT NULL CHECK (length(btrim(customer_name)) BETWEEN 1 AND 30),
    phone_masked            text NOT NULL,
    community_id            integer REFERENCES yiwei.community,
    community               text NOT NULL DEFAULT '' CHECK (length(community) <= 60),
    building                text NOT NULL DEFAULT '' CHECK (length(building) <= 20),
    unit                    text NOT NULL DEFAULT '' CHECK (length(unit) <= 20),
    room                    text NOT NULL DEFAULT '' CHECK (length(room) <= 20),
    address_key             text,
    products                text NOT NULL DEFAULT '' CHECK (length(products) <= 200),
    note                    text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    status                  text NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'approved', 'rejected', 'converted')),
    conflict_count          integer NOT NULL DEFAULT 0,
    decided_by              bigint REFERENCES yiwei.employee,
    decided_at              timestamptz,
    decision_reason         text NOT NULL DEFAULT '' CHECK (length(decision_reason) <= 200),
    protected_until         timestamptz,
    customer_id             bigint REFERENCES yiwei.customer,
    converted_at            timestamptz,
    version                 integer NOT NULL DEFAULT 1,
    created_at              timestamptz NOT NULL DEFAULT now(),
    created_by              text NOT NULL DEFAULT session_user,
    updated_at              timestamptz NOT NULL DEFAULT now(),
    updated_by              text NOT NULL DEFAULT session_user,
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    CHECK ((status IN ('approved', 'converted')) = (protected_until IS NOT NULL))
);
CREATE INDEX channel_lead_store ON yiwei.channel_lead (store_id, reported_at DESC, id DESC);
CREATE INDEX channel_lead_reporter ON yiwei.channel_lead (reported_by, reported_at DESC, id DESC);
CREATE INDEX channel_lead_store_reporter ON yiwei.channel_lead (store_id, reported_by);
CREATE INDEX channel_lead_time ON yiwei.channel_lead (reported_at DESC, id DESC);
CREATE INDEX channel_lead_channel ON yiwei.channel_lead (channel_id, reported_at);
CREATE INDEX channel_lead_address ON yiwei.channel_lead (address_key) WHERE address_key IS NOT NULL;
CREATE INDEX channel_lead_pending ON yiwei.channel_lead (store_id, id) WHERE status = 'pending';
CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON yiwei.channel_lead FOR EACH ROW EXECUTE FUNCTION yiwei.tg_stamp();
ALTER TABLE yiwei.customer ADD CONSTRAINT customer_lead_fk FOREIGN KEY (lead_id) REFERENCES yiwei.channel_lead;

-- The evidence found when the lead was reported: what it collides with, as it stood then.
CREATE TABLE yiwei.lead_conflict (
    id                 bigserial PRIMARY KEY,
    lead_id            bigint NOT NULL REFERENCES yiwei.channel_lead,
    store_id           integer NOT NULL REFERENCES yiwei.store,
    reported_by        bigint NOT NULL REFERENCES yiwei.employee,
    kind               text NOT NULL CHECK (kind IN ('lead_phone', 'lead_address', 'customer_phone', 'customer_address')),
    other_lead_id      bigint REFERENCES yiwei.channel_lead,
    other_customer_id  bigint REFERENCES yiwei.customer,
    evidence           jsonb NOT NULL,
    found_at           timestamptz NOT NULL DEFAULT now(),
    CHECK ((other_lead_id IS NULL) <> (other_customer_id IS NULL))
);
CREATE INDEX lead_conflict_lead ON yiwei.lead_conflict (lead_id);
CREATE INDEX lead_conflict_store ON yiwei.lead_conflict (store_id, reported_by);

-- The status people see: an approved lead whose protection has run out is expired.
CREATE FUNCTION yiwei.lead_status(p_status text, p_protected_until timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN p_status = 'approved' AND p_protected_until <= now() THEN 'expired' ELSE p_status END
$$;

CREATE FUNCTION yiwei.lead_status_label(p_status text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE p_status WHEN 'pending' THEN '待审核' WHEN 'approved' THEN '已通过' WHEN 'rejected' THEN '已驳回'
                         WHEN 'converted' THEN '已签约' WHEN 'expired' THEN '已过期' ELSE p_status END
$$;

-- Lead evidence of one other report, as the auditor reads it.
CREATE FUNCTION yiwei.lead_evidence(o yiwei.channel_lead) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT jsonb_build_object(
        'number', o.number, 'channel', ch.name, 'reporter', e.full_name,
        'reported_at', o.reported_at, 'customer_name', o.customer_name, 'phone', o.phone_masked,
        'address', concat_ws(' ', nullif(o.community, ''), nullif(o.building, ''), nullif(o.unit, ''), nullif(o.room, '')),
        'store', s.name, 'status', yiwei.lead_status_label(yiwei.lead_status(o.status, o.protected_until)),
        'protected_until', o.protected_until)
      FROM yiwei.channel ch, yiwei.employee e, yiwei.store s
     WHERE ch.id = o.channel_id AND e.id = o.reported_by AND s.id = o.store_id
$$;

CREATE FUNCTION yiwei.customer_evidence(c yiwei.customer) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT jsonb_build_object(
        'number', c.number, 'customer_name', c.name, 'phone', c.phone_masked,
        'address', concat_ws(' ', nullif(c.community, ''), nullif(c.building, ''), nullif(c.unit, ''), nullif(c.room, '')),
        'store', s.name, 'guide', g.full_name, 'created_at', c.created_at,
        'status', CASE c.stage WHEN 'signed' THEN '已签约' ELSE '展厅客户' END,
        'channel', (SELECT name FROM yiwei.channel WHERE id = c.channel_id))
      FROM yiwei.store s, yiwei.employee g
     WHERE s.id = c.store_id AND g.id = c.guide_id
$$;

-- Leads and customers that collide with a phone or an address now: other leads pending or
-- protected, and active customers. Used at reporting (kept as evidence) and at approval (live).
-- The candidates are found by index (phone book, address keys) and only then read: an OR of the
-- phone and the address over the tables would scan every lead and customer on each report.
CREATE FUNCTION yiwei.lead_collisions(p_lead_id bigint, p_phone text, p_address_key text)
RETURNS TABLE (kind text, other_lead_id bigint, other_customer_id bigint, evidence jsonb, blocking boolean, signed boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    WITH lead_phone AS (
        SELECT pb.ref_id AS id FROM yiwei.phone_book pb WHERE pb.phone = p_phone AND pb.subject = 'lead'),
    customer_phone AS (
        SELECT CASE pb.subject WHEN 'customer' THEN pb.ref_id
                               ELSE (SELECT cc.customer_id FROM yiwei.customer_contact cc WHERE cc.id = pb.ref_id) END AS id
          FROM yiwei.phone_book pb WHERE pb.phone = p_phone AND pb.subject IN ('customer', 'contact')),
    leads AS (
        SELECT o AS rec, CASE WHEN o.id IN (SELECT id FROM lead_phone) THEN 'lead_phone' ELSE 'lead_address' END AS kind
          FROM yiwei.channel_lead o
         WHERE o.id IN (SELECT id FROM lead_phone
                        UNION SELECT a.id FROM yiwei.channel_lead a WHERE a.address_key = p_address_key)
           AND o.id IS DISTINCT FROM p_lead_id
           AND (o.status = 'pending' OR o.status = 'converted'
                OR (o.status = 'approved' AND o.protected_until > now()))),
    customers AS (
        SELECT c AS rec, CASE WHEN c.id IN (SELECT id FROM customer_phone) THEN 'customer_phone'
                              ELSE 'customer_address' END AS kind
          FROM yiwei.customer c
         WHERE c.id IN (SELECT id FROM customer_phone
                        UNION SELECT a.id FROM yiwei.customer a WHERE a.address_key = p_address_key)
           AND c.status = 'active')
    SELECT l.kind, (l.rec).id, NULL::bigint, yiwei.lead_evidence(l.rec),
           (l.rec).status IN ('approved', 'converted'), (l.rec).status = 'converted'
      FROM leads l
    UNION ALL
    SELECT c.kind, NULL::bigint, (c.rec).id, yiwei.customer_evidence(c.rec), false, (c.rec).stage = 'signed'
      FROM customers c
$$;

-- Leads in the caller's scope reported with this phone: the quick search of the lead lists finds a
-- lead by the number a caller types even where the list shows it masked.
CREATE FUNCTION yiwei.find_leads_by_phone(p_phone text) RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_phone text;
BEGIN
    IF NOT yiwei.has_any_permission(ARRAY['customers.lead', 'customers.lead_audit', 'customers.lead_stats']) THEN
        RETURN '{}';
    END IF;
    BEGIN
        v_phone := yiwei.normalize_phone(p_phone, '电话');
    EXCEPTION WHEN SQLSTATE 'YW422' THEN
        RETURN '{}';
    END;
    RETURN coalesce((
        SELECT array_agg(l.id)
          FROM yiwei.phone_book pb JOIN yiwei.channel_lead l ON l.id = pb.ref_id
         WHERE pb.subject = 'lead' AND pb.phone = v_phone
           AND yiwei.in_my_scope(l.store_id, ARRAY[l.reported_by])), '{}');
END $$;

-- A serialisation point per phone and per address: two clerks reporting or approving the same
-- household at the same moment queue instead of both winning.
CREATE FUNCTION yiwei.lock_household(p_phone text, p_address_key text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT pg_advisory_xact_lock(hashtextextended(k, 7))
      FROM unnest(ARRAY['phone:' || p_phone, 'address:' || p_address_key]) k
     WHERE k IS NOT NULL
     ORDER BY k
$$;

-- Report a lead. p: store_id, channel_id, decoration_designer_id, customer_name, phone, community,
-- building, unit, room, products, note. Returns the lead's id; its conflicts are in lead_conflict.
CREATE FUNCTION yiwei.report_lead(p jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_id bigint;
    v_store integer := nullif(p ->> 'store_id', '')::integer;
    v_channel integer := nullif(p ->> 'channel_id', '')::integer;
    v_own_channel integer;
    v_deco integer := nullif(p ->> 'decoration_designer_id', '')::integer;
    v_me bigint := yiwei.current_employee_id();
    v_phone text := yiwei.normalize_phone(p ->> 'phone', '客户电话');
    v_community text := yiwei.clean_text(p ->> 'community', '小区', 0, 60);
    v_community_id integer := yiwei.find_community(v_community);
    v_key text;
    l yiwei.channel_lead;
    x record;
BEGIN
    PERFORM yiwei.require_permission('customers.lead');
    SELECT channel_id INTO v_own_channel FROM yiwei.employee_channel WHERE employee_id = v_me;
    v_channel := coalesce(v_own_channel, v_channel);  -- a channel's own user reports for that channel only
    IF v_channel IS NULL OR NOT EXISTS (SELECT 1 FROM yiwei.channel WHERE id = v_channel AND active) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '请选择有效的报备渠道', DETAIL = '渠道';
    END IF;
    IF v_store IS NULL OR NOT EXISTS (SELECT 1 FROM yiwei.store WHERE id = v_store AND active) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '请选择报备到的门店', DETAIL = '门店';
    END IF;
    IF v_own_channel IS NULL AND yiwei.current_scope() <> 'company' AND NOT v_store = ANY (yiwei.visible_store_ids()) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '只能报备到您所在的门店', DETAIL = '门店';
    END IF;
    -- a channel of one region brings customers to that region's stores only
    IF EXISTS (SELECT 1 FROM yiwei.channel ch JOIN yiwei.store s ON s.id = v_store
                WHERE ch.id = v_channel AND ch.region_id IS NOT NULL AND ch.region_id <> s.region_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '门店',
            MESSAGE = format('渠道“%s”只向%s的门店报备', (SELECT name FROM yiwei.channel WHERE id = v_channel),
                             (SELECT r.name FROM yiwei.channel ch JOIN yiwei.region r ON r.id = ch.region_id
                               WHERE ch.id = v_channel));
    END IF;
    IF v_deco IS NOT NULL AND NOT EXISTS (SELECT 1 FROM yiwei.decoration_designer WHERE id = v_deco) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '家装设计师不存在', DETAIL = '家装设计师';
    END IF;
    IF v_community_id IS NOT NULL THEN
        v_community := (SELECT name FROM yiwei.community WHERE id = v_community_id);
    END IF;
    IF v_community = '' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '小区不能为空', DETAIL = '小区';
    END IF;
    v_key := yiwei.address_key(v_community_id, v_community, p ->> 'building', p ->> 'unit', p ->> 'room');
    PERFORM yiwei.lock_household(v_phone, v_key);
    -- a customer who has already signed belongs to nobody's report any more
    FOR x IN SELECT * FROM yiwei.lead_collisions(NULL, v_phone, v_key) WHERE signed LOOP
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '客户电话',
            MESSAGE = format('该客户已签约（%s，%s），不能再报备', x.evidence ->> 'number', x.evidence ->> 'store');
    END LOOP;
    INSERT INTO yiwei.channel_lead (number, store_id, channel_id, decoration_designer_id, reported_by, customer_name,
                                    phone_masked, community_id, community, building, unit, room, address_key, products, note)
    VALUES (yiwei.next_document_number('BB', v_store), v_store, v_channel, v_deco, v_me,
            yiwei.clean_text(p ->> 'customer_name', '客户姓名', 1, 30), yiwei.mask_phone(v_phone),
            v_community_id, v_community, yiwei.clean_text(p ->> 'building', '楼栋', 0, 20),
            yiwei.clean_text(p ->> 'unit', '单元', 0, 20), yiwei.clean_text(p ->> 'room', '房号', 0, 20), v_key,
            yiwei.clean_text(p ->> 'products', '意向产品', 0, 200), yiwei.clean_multiline(p ->> 'note', '备注', 0, 500))
    RETURNING * INTO l;
    v_id := l.id;
    INSERT INTO yiwei.phone_book (subject, ref_id, store_id, owner_id, phone) VALUES ('lead', v_id, v_store, v_me, v_phone);
    INSERT INTO yiwei.lead_conflict (lead_id, store_id, reported_by, kind, other_lead_id, other_customer_id, evidence)
    SELECT v_id, v_store, v_me, c.kind, c.other_lead_id, c.other_customer_id, c.evidence
      FROM yiwei.lead_collisions(v_id, v_phone, v_key) c;
    UPDATE yiwei.channel_lead SET conflict_count = (SELECT count(*) FROM yiwei.lead_conflict WHERE lead_id = v_id)
     WHERE id = v_id;
    RETURN v_id;
END $$;

-- The lead for an audit step, locked, after the auditor checks: the permission, the scope, the
-- state, the version, and that it is not their own report.
CREATE FUNCTION yiwei.lead_for_audit(p_id bigint, p_version integer) RETURNS yiwei.channel_lead
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    l yiwei.channel_lead;
BEGIN
    PERFORM yiwei.require_permission('customers.lead_audit');
    SELECT * INTO l FROM yiwei.channel_lead WHERE id = p_id FOR UPDATE;
    IF NOT FOUND OR NOT yiwei.in_my_scope(l.store_id, ARRAY[l.reported_by]) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW404', MESSAGE = '报备不存在或不在您的数据范围内';
    END IF;
    IF l.reported_by = yiwei.current_employee_id() THEN
        RAISE EXCEPTION USING ERRCODE = 'YW403', MESSAGE = '不能审核自己提交的报备';
    END IF;
    PERFORM yiwei.assert_version('yiwei.channel_lead', p_id, p_version);
    IF l.status <> 'pending' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW409',
            MESSAGE = format('报备 %s %s，不能重复审核', l.number,
                             yiwei.lead_status_label(yiwei.lead_status(l.status, l.protected_until)));
    END IF;
    RETURN l;
END $$;

-- Approve: refused while another report of this phone or address is protected (the first valid
-- approved report wins) or the customer has signed. Protection starts now. An existing showroom
-- customer without a channel is linked to this lead.
CREATE FUNCTION yiwei.approve_lead(p_id bigint, p_version integer, p_reason text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    l yiwei.channel_lead := yiwei.lead_for_audit(p_id, p_version);
    v_phone text := (SELECT phone FROM yiwei.phone_book WHERE subject = 'lead' AND ref_id = p_id);
    x record;
    v_customer bigint;
BEGIN
    PERFORM yiwei.lock_household(v_phone, l.address_key);
    FOR x IN SELECT * FROM yiwei.lead_collisions(l.id, v_phone, l.address_key) WHERE blocking OR signed LOOP
        RAISE EXCEPTION USING ERRCODE = 'YW409',
            MESSAGE = CASE WHEN x.signed AND x.other_customer_id IS NOT NULL
                           THEN format('该客户已签约（%s，%s），不能批准报备', x.evidence ->> 'number', x.evidence ->> 'store')
                           ELSE format('已有有效报备 %s（%s，%s），先到先得，不能再批准', x.evidence ->> 'number',
                                       x.evidence ->> 'channel', x.evidence ->> 'status') END;
    END LOOP;
    SELECT other_customer_id INTO v_customer
      FROM yiwei.lead_collisions(l.id, v_phone, l.address_key)
     WHERE other_customer_id IS NOT NULL
     ORDER BY kind = 'customer_phone' DESC, other_customer_id LIMIT 1;  -- the phone's household before the flat's
    UPDATE yiwei.channel_lead
       SET status = 'approved', decided_by = yiwei.current_employee_id(), decided_at = now(),
           decision_reason = yiwei.clean_multiline(p_reason, '审核意见', 0, 200),
           protected_until = now() + make_interval(days => yiwei.parameter_int('lead.protection_days')),
           customer_id = v_customer
     WHERE id = l.id;
    IF v_customer IS NOT NULL THEN
        -- a customer whose earlier lead has lapsed now belongs to this one (and its channel), so
        -- that signing converts the lead that is protected
        UPDATE yiwei.customer
           SET lead_id = l.id,
               channel_id = CASE WHEN lead_id IS NULL THEN coalesce(channel_id, l.channel_id) ELSE l.channel_id END
         WHERE id = v_customer
           AND (lead_id IS NULL OR lead_id IN (SELECT o.id FROM yiwei.channel_lead o
                                                WHERE yiwei.lead_status(o.status, o.protected_until) NOT IN ('approved', 'converted')));
    END IF;
END $$;

CREATE FUNCTION yiwei.reject_lead(p_id bigint, p_version integer, p_reason text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    l yiwei.channel_lead := yiwei.lead_for_audit(p_id, p_version);
BEGIN
    UPDATE yiwei.channel_lead
       SET status = 'rejected', decided_by = yiwei.current_employee_id(), decided_at = now(),
           decision_reason = yiwei.clean_multiline(p_reason, '驳回原因', 1, 200)
     WHERE id = l.id;
END $$;

-- An approved, protected lead becomes a customer of a guide of its store (the customer arrives
-- at the showroom); the customer carries the channel and the lead.
CREATE FUNCTION yiwei.customer_from_lead(p_lead_id bigint, p_guide_id bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    l yiwei.channel_lead;
    v_id bigint;
BEGIN
    PERFORM yiwei.require_permission('customers.customer');
    SELECT * INTO l FROM yiwei.channel_lead WHERE id = p_lead_id FOR UPDATE;
    -- only a lead the caller may read: a guide naming themselves must not claim the store's leads
    IF NOT FOUND OR NOT yiwei.in_my_scope(l.store_id, ARRAY[l.reported_by]) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW404', MESSAGE = '报备不存在或不在您的数据范围内';
    END IF;
    IF yiwei.lead_status(l.status, l.protected_until) <> 'approved' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW409', MESSAGE = format('报备 %s %s，只有审核通过且在保护期内的报备可以建档',
                                                               l.number, yiwei.lead_status_label(yiwei.lead_status(l.status, l.protected_until)));
    END IF;
    IF l.customer_id IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW409',
            MESSAGE = format('报备 %s 已关联客户 %s', l.number, (SELECT number FROM yiwei.customer WHERE id = l.customer_id));
    END IF;
    v_id := yiwei.save_customer(NULL, NULL, jsonb_build_object(
        'store_id', l.store_id, 'guide_id', p_guide_id, 'name', l.customer_name,
        'phone', (SELECT phone FROM yiwei.phone_book WHERE subject = 'lead' AND ref_id = l.id),
        'community', l.community, 'building', l.building, 'unit', l.unit, 'room', l.room,
        'channel_id', l.channel_id, 'decoration_designer_id', l.decoration_designer_id,
        'source_id', (SELECT id FROM yiwei.customer_source WHERE name = '渠道报备'),
        'note', l.products));
    UPDATE yiwei.customer SET lead_id = l.id WHERE id = v_id;
    UPDATE yiwei.channel_lead SET customer_id = v_id WHERE id = l.id;
    RETURN v_id;
END $$;

-- The contract module marks a customer signed (as the owner); a protected lead of that customer is
-- then converted and its protection no longer runs out.
CREATE FUNCTION yiwei.tg_customer_signed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    IF NEW.stage = 'signed' AND OLD.stage IS DISTINCT FROM 'signed' THEN
        NEW.signed_at := coalesce(NEW.signed_at, now());
        UPDATE yiwei.channel_lead SET status = 'converted', converted_at = now(), customer_id = NEW.id
         WHERE id = NEW.lead_id AND status = 'approved' AND protected_until > now();
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER signed BEFORE UPDATE OF stage ON yiwei.customer
    FOR EACH ROW EXECUTE FUNCTION yiwei.tg_customer_signed();
