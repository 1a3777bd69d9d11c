-- Contracts (合同下单) with their lines and payment plan, contract templates (合同模块管理), design
-- files, drawing and price review (图审/审价), change and supplement orders (改补单) with
-- responsibility determination (责任人判定), payments against the plan and commissionable contracts
-- (可计提订单). Every write is a checked function; app roles only read (0204).
--
-- Status of a contract moves only through these functions:
--   draft → submitted → drawing_passed → price_passed → signed → in_production → delivered → installed
--   → completed; a review that fails sends it to returned (editable again, resubmitted to submitted);
--   cancelled from any state before delivered, with a reason.
-- State errors are YW409 (the document is not in a state for this step), bad input YW422 with the
-- field label in DETAIL, missing rights YW403, rows outside the caller's scope read as YW404.

-- The position's discount limit (最低折扣): the lowest rate (price ÷ list price) an employee of the
-- position may grant on a contract line or pass in price review; 1 = no discount.
ALTER TABLE yiwei.position ADD COLUMN min_discount_rate numeric(5,4) NOT NULL DEFAULT 1
    CHECK (min_discount_rate > 0 AND min_discount_rate <= 1);

INSERT INTO yiwei.parameter (key, value, value_type, name, description, min_value, max_value, sort_order) VALUES
 ('orders.design_file_max_mb', '50', 'integer', '设计文件大小上限（MB）',
  '设计师上传到合同的单个设计文件（CAD、PDF、图片）最大多少 MB', 1, 1024, 200),
 ('orders.commission_paid_share', '50', 'integer', '可计提收款比例（%）',
  '已签合同的已收款达到合同金额的多少百分比时计入可计提订单', 1, 100, 210);

-- Helpers -------------------------------------------------------------------------------------------

-- A number typed in a form (JSON number or text): NULL when empty; anything else that is not a plain
-- decimal is refused naming the field, instead of a cast error the client cannot place.
CREATE FUNCTION yiwei.input_numeric(p_value text, p_label text) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v text := btrim(coalesce(p_value, ''));
BEGIN
    IF v = '' THEN
        RETURN NULL;
    END IF;
    IF v !~ '^[-+]?[0-9]{1,12}(\.[0-9]{1,12})?$' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('%s“%s”不是有效的数字', p_label, left(v, 30)),
            DETAIL = p_label;
    END IF;
    RETURN v::numeric;
END $$;

-- A money amount or unit price: at most two decimals (refused, never rounded: a price of 12.345 is a
-- typing error, and rounding it would store a price nobody agreed to).
CREATE FUNCTION yiwei.check_money(p_value numeric, p_label text) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF p_value IS NOT NULL AND p_value <> round(p_value, 2) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('%s最多两位小数（%s）', p_label, p_value),
            DETAIL = p_label;
    END IF;
    IF abs(p_value) >= 1000000000000 THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('%s超出范围', p_label), DETAIL = p_label;
    END IF;
    RETURN p_value;
END $$;

-- The caller's discount limit. The installer (demo seeding, migrations) is no employee and has none.
CREATE FUNCTION yiwei.my_min_discount_rate() RETURNS numeric
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT coalesce((SELECT p.min_discount_rate FROM yiwei.employee e JOIN yiwei.position p ON p.id = e.position_id
                      WHERE e.role_name = session_user AND e.active),
                    CASE WHEN yiwei.is_installer() THEN 0 ELSE 1 END)
$$;

-- Positions get the discount limit: the old create/update functions are replaced by ones with one
-- more (defaulted) argument, so existing callers keep working.
DROP FUNCTION yiwei.create_position(text, text, text, text, text[]);
DROP FUNCTION yiwei.update_position(integer, integer, text, text, text, text[]);

CREATE FUNCTION yiwei.check_discount_limit(p_rate numeric) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF p_rate IS NULL OR p_rate <= 0 OR p_rate > 1 OR p_rate <> round(p_rate, 4) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '最低折扣',
            MESSAGE = '最低折扣须为大于 0、不超过 1 的小数，最多四位（如 0.88 表示八八折，1 表示不打折）';
    END IF;
    RETURN p_rate;
END $$;

CREATE FUNCTION yiwei.create_position(p_code text, p_name text, p_scope text, p_description text, p_permissions text[],
                                      p_min_discount_rate numeric DEFAULT 1)
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
    p_min_discount_rate := yiwei.check_discount_limit(coalesce(p_min_discount_rate, 1));
    IF EXISTS (SELECT 1 FROM yiwei.position WHERE code = p_code OR name = p_name) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '岗位代码或名称已存在', DETAIL = '岗位名称';
    END IF;
    INSERT INTO yiwei.position (code, name, scope, description, min_discount_rate)
    VALUES (p_code, p_name, p_scope, yiwei.clean_text(p_description, '说明', 0, 200), p_min_discount_rate)
    RETURNING id INTO v_id;
    INSERT INTO yiwei.position_permission (position_id, permission_code)
    SELECT DISTINCT v_id, c FROM unnest(coalesce(p_permissions, '{}')) c;
    RETURN v_id;
END $$;

-- p_min_discount_rate NULL keeps the position's limit (callers that do not know the field).
CREATE FUNCTION yiwei.update_position(
    p_id integer, p_version integer, p_name text, p_scope text, p_description text, p_permissions text[],
    p_min_discount_rate numeric DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    PERFORM yiwei.require_permission('system.position.manage');
    PERFORM yiwei.assert_version('yiwei.position', p_id, p_version);
    p_name := yiwei.clean_text(p_name, '岗位名称', 1, 30);
    PERFORM yiwei.check_position(p_scope, p_permissions);
    IF p_min_discount_rate IS NOT NULL THEN
        PERFORM yiwei.check_discount_limit(p_min_discount_rate);
    END IF;
    IF EXISTS (SELECT 1 FROM yiwei.position WHERE name = p_name AND id <> p_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '岗位名称已存在', DETAIL = '岗位名称';
    END IF;
    UPDATE yiwei.position SET name = p_name, scope = p_scope,
           description = yiwei.clean_text(p_description, '说明', 0, 200),
           min_discount_rate = coalesce(p_min_discount_rate, min_discount_rate)
     WHERE id = p_id;
    DELETE FROM yiwei.position_permission WHERE position_id = p_id AND permission_code <> ALL (coalesce(p_permissions, '{}'));
    INSERT INTO yiwei.position_permission (position_id, permission_code)
    SELECT DISTINCT p_id, c FROM unnest(coalesce(p_permissions, '{}')) c
    ON CONFLICT DO NOTHING;
    PERFORM yiwei.sync_scope_group(e.id) FROM yiwei.employee e WHERE e.position_id = p_id;
    PERFORM yiwei.audit_event('position_permission', p_id::text, jsonb_build_object('permissions', p_permissions));
END $$;

-- Tables ---------------------------------------------------------------------------------------------

-- Each save of a template adds a row (version n+1 of the same family); old versions stay, so a
-- contract keeps printing the clauses it was made with. Rows are never updated.
CREATE TABLE yiwei.contract_template (
    id          serial PRIMARY KEY,
    family_id   integer NOT NULL,                -- id of the family's first version
    line_id     integer REFERENCES yiwei.product_line,
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 40),
    version     integer NOT NULL CHECK (version >= 1),
    body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT session_user,
    UNIQUE (family_id, version)
);

CREATE TABLE yiwei.contract (
    id                    bigserial PRIMARY KEY,
    number                text NOT NULL UNIQUE,
    customer_id           bigint NOT NULL REFERENCES yiwei.customer,
    store_id              integer NOT NULL REFERENCES yiwei.store,
    guide_id              bigint NOT NULL REFERENCES yiwei.employee,
    designer_id           bigint REFERENCES yiwei.employee,
    price_list_id         integer NOT NULL REFERENCES yiwei.price_list,
    template_id           integer REFERENCES yiwei.contract_template,
    status                text NOT NULL DEFAULT 'draft'
                          CHECK (status IN ('draft', 'submitted', 'drawing_passed', 'price_passed', 'signed',
                                            'in_production', 'delivered', 'installed', 'completed', 'returned',
                                            'cancelled')),
    expected_delivery_on  date,
    list_total            numeric(14,2) NOT NULL DEFAULT 0 CHECK (list_total >= 0),
    total                 numeric(14,2) NOT NULL DEFAULT 0 CHECK (total >= 0),
    note                  text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    submitted_at          timestamptz,
    signed_at             timestamptz,
    completed_at          timestamptz,
    cancelled_at          timestamptz,
    cancel_reason         text CHECK (length(cancel_reason) <= 200),
    version               integer NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    created_by            text NOT NULL DEFAULT session_user,
    updated_at            timestamptz NOT NULL DEFAULT now(),
    updated_by            text NOT NULL DEFAULT session_user,
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
    CHECK (status NOT IN ('signed', 'in_production', 'delivered', 'installed', 'completed') OR signed_at IS NOT NULL),
    CHECK ((status = 'completed') = (completed_at IS NOT NULL))
);
CREATE INDEX contract_store ON yiwei.contract (store_id, id DESC);
CREATE INDEX contract_guide ON yiwei.contract (guide_id, id DESC);
CREATE INDEX contract_designer ON yiwei.contract (designer_id, id DESC) WHERE designer_id IS NOT NULL;
CREATE INDEX contract_customer ON yiwei.contract (customer_id);
CREATE INDEX contract_signed ON yiwei.contract (signed_at) WHERE signed_at IS NOT NULL;
CREATE INDEX contract_status ON yiwei.contract (status, store_id);

-- Lines carry the product as it was quoted (code, name, style…): the catalogue may change later.
-- A package line's amount is its share of the package price (cents distributed so the package sums
-- exactly), so only ordinary lines must satisfy amount = price × quantity.
CREATE TABLE yiwei.contract_line (
    id            bigserial PRIMARY KEY,
    contract_id   bigint NOT NULL REFERENCES yiwei.contract,
    store_id      integer NOT NULL REFERENCES yiwei.store,
    line_no       integer NOT NULL CHECK (line_no > 0),
    product_id    integer NOT NULL REFERENCES yiwei.product,
    product_code  text NOT NULL,
    product_name  text NOT NULL,
    style         text NOT NULL DEFAULT '',
    colour        text NOT NULL DEFAULT '',
    spec          text NOT NULL DEFAULT '',
    unit          text NOT NULL DEFAULT '',
    quantity      numeric(12,3) NOT NULL CHECK (quantity > 0),
    list_price    numeric(12,2) NOT NULL CHECK (list_price > 0),
    rate          numeric(5,4) NOT NULL CHECK (rate >= 0),
    price         numeric(12,2) NOT NULL CHECK (price >= 0),
    amount        numeric(14,2) NOT NULL CHECK (amount >= 0),
    package_id    integer REFERENCES yiwei.package,
    promotion_id  integer REFERENCES yiwei.promotion,
    note          text NOT NULL DEFAULT '' CHECK (length(note) <= 200),
    UNIQUE (contract_id, line_no) DEFERRABLE INITIALLY DEFERRED,
    CHECK (package_id IS NOT NULL OR amount = round(price * quantity, 2)),
    CHECK (package_id IS NULL OR promotion_id IS NULL)
);
CREATE INDEX contract_line_store ON yiwei.contract_line (store_id);
CREATE INDEX contract_line_product ON yiwei.contract_line (product_id);

CREATE TABLE yiwei.contract_payment (
    contract_id  bigint NOT NULL REFERENCES yiwei.contract,
    seq          integer NOT NULL CHECK (seq BETWEEN 1 AND 20),
    id           bigserial UNIQUE,             -- the audit trail's row key
    store_id     integer NOT NULL REFERENCES yiwei.store,
    kind         text NOT NULL CHECK (kind IN ('deposit', 'progress', 'final')),
    amount       numeric(14,2) NOT NULL CHECK (amount > 0),
    due_on       date,
    paid_amount  numeric(14,2) NOT NULL DEFAULT 0 CHECK (paid_amount >= 0 AND paid_amount <= amount),
    PRIMARY KEY (contract_id, seq)
);
CREATE INDEX contract_payment_store ON yiwei.contract_payment (store_id);

CREATE TABLE yiwei.design_file (
    id            bigserial PRIMARY KEY,
    contract_id   bigint NOT NULL REFERENCES yiwei.contract,
    store_id      integer NOT NULL REFERENCES yiwei.store,
    version       integer NOT NULL CHECK (version >= 1),
    file_name     text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
    content_type  text NOT NULL DEFAULT '' CHECK (length(content_type) <= 100),
    size_bytes    bigint NOT NULL CHECK (size_bytes > 0),
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    data          bytea NOT NULL,
    current       boolean NOT NULL DEFAULT true,
    uploaded_by   bigint REFERENCES yiwei.employee,
    uploaded_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (contract_id, version),
    CHECK (size_bytes = length(data))
);
-- Drawings, PDFs and photos are compressed already: store them out of line without trying again.
ALTER TABLE yiwei.design_file ALTER COLUMN data SET STORAGE EXTERNAL;
CREATE UNIQUE INDEX design_file_one_current ON yiwei.design_file (contract_id) WHERE current;
CREATE INDEX design_file_store ON yiwei.design_file (store_id);

CREATE TABLE yiwei.change_order (
    id                        bigserial PRIMARY KEY,
    number                    text NOT NULL UNIQUE,
    contract_id               bigint NOT NULL REFERENCES yiwei.contract,
    store_id                  integer NOT NULL REFERENCES yiwei.store,
    kind                      text NOT NULL CHECK (kind IN ('change', 'supplement')),
    reason                    text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 500),
    status                    text NOT NULL DEFAULT 'draft'
                              CHECK (status IN ('draft', 'submitted', 'drawing_passed', 'approved', 'returned', 'cancelled')),
    amount_delta              numeric(14,2) NOT NULL DEFAULT 0,
    responsible_party         text CHECK (responsible_party IN ('customer', 'guide', 'designer', 'measurer', 'factory',
                                                                'installer', 'driver')),
    responsibility_reason_id  integer REFERENCES yiwei.responsibility_reason,
    responsibility_note       text NOT NULL DEFAULT '' CHECK (length(responsibility_note) <= 500),
    decided_by                bigint REFERENCES yiwei.employee,
    decided_at                timestamptz,
    submitted_at              timestamptz,
    approved_at               timestamptz,
    cancelled_at              timestamptz,
    version                   integer NOT NULL DEFAULT 1,
    created_at                timestamptz NOT NULL DEFAULT now(),
    created_by                text NOT NULL DEFAULT session_user,
    updated_at                timestamptz NOT NULL DEFAULT now(),
    updated_by                text NOT NULL DEFAULT session_user,
    CHECK ((responsible_party IS NULL) = (decided_by IS NULL)),
    CHECK ((status = 'approved') = (approved_at IS NOT NULL))
);
CREATE INDEX change_order_contract ON yiwei.change_order (contract_id);
CREATE INDEX change_order_store ON yiwei.change_order (store_id, id DESC);

-- Quantity < 0 takes goods off the contract (at the price the customer paid), > 0 adds goods.
CREATE TABLE yiwei.change_order_line (
    id               bigserial PRIMARY KEY,
    change_order_id  bigint NOT NULL REFERENCES yiwei.change_order,
    store_id         integer NOT NULL REFERENCES yiwei.store,
    line_no          integer NOT NULL CHECK (line_no > 0),
    product_id       integer NOT NULL REFERENCES yiwei.product,
    product_code     text NOT NULL,
    product_name     text NOT NULL,
    style            text NOT NULL DEFAULT '',
    colour           text NOT NULL DEFAULT '',
    spec             text NOT NULL DEFAULT '',
    unit             text NOT NULL DEFAULT '',
    quantity         numeric(12,3) NOT NULL CHECK (quantity <> 0),
    list_price       numeric(12,2) NOT NULL CHECK (list_price > 0),
    price            numeric(12,2) NOT NULL CHECK (price >= 0),
    amount           numeric(14,2) NOT NULL,
    note             text NOT NULL DEFAULT '' CHECK (length(note) <= 200),
    UNIQUE (change_order_id, line_no),
    CHECK (amount = round(price * quantity, 2))
);
CREATE INDEX change_order_line_store ON yiwei.change_order_line (store_id);

-- Every review, of a contract or of one of its change orders: who, when, passed or returned, why.
CREATE TABLE yiwei.contract_review (
    id               bigserial PRIMARY KEY,
    contract_id      bigint NOT NULL REFERENCES yiwei.contract,
    change_order_id  bigint REFERENCES yiwei.change_order,
    store_id         integer NOT NULL REFERENCES yiwei.store,
    kind             text NOT NULL CHECK (kind IN ('drawing', 'price')),
    reviewer_id      bigint REFERENCES yiwei.employee,
    passed           boolean NOT NULL,
    comment          text NOT NULL DEFAULT '' CHECK (length(comment) <= 1000),
    checklist        jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(checklist) = 'array'),
    lowest_rate      numeric(8,6),              -- price review: the lowest unexplained rate it saw
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contract_review_contract ON yiwei.contract_review (contract_id, id);
CREATE INDEX contract_review_store ON yiwei.contract_review (store_id);

CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON yiwei.contract FOR EACH ROW EXECUTE FUNCTION yiwei.tg_stamp();
CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON yiwei.change_order FOR EACH ROW EXECUTE FUNCTION yiwei.tg_stamp();

-- The totals are the sum of the lines, checked at commit whatever wrote them (a deferred constraint
-- trigger: inside save_contract the lines and the header change in several statements).
CREATE FUNCTION yiwei.tg_contract_totals() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_row jsonb := CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END;
    v_id bigint := CASE WHEN TG_TABLE_NAME = 'contract' THEN v_row ->> 'id' ELSE v_row ->> 'contract_id' END;
    c record;
BEGIN
    SELECT k.number, k.total, k.list_total,
           (SELECT coalesce(sum(l.amount), 0) FROM yiwei.contract_line l WHERE l.contract_id = k.id) AS line_total,
           (SELECT coalesce(sum(round(l.list_price * l.quantity, 2)), 0) FROM yiwei.contract_line l
             WHERE l.contract_id = k.id) AS line_list_total
      INTO c FROM yiwei.contract k WHERE k.id = v_id;
    IF FOUND AND (c.total <> c.line_total OR c.list_total <> c.line_list_total) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '合同金额',
            MESSAGE = format('合同 %s 的金额 %s 与明细合计 %s 不符', c.number, c.total, c.line_total);
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER totals AFTER INSERT OR UPDATE OF total, list_total ON yiwei.contract
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION yiwei.tg_contract_totals();
CREATE CONSTRAINT TRIGGER totals AFTER INSERT OR UPDATE OR DELETE ON yiwei.contract_line
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION yiwei.tg_contract_totals();

-- Templates ------------------------------------------------------------------------------------------

CREATE FUNCTION yiwei.contract_placeholders() RETURNS text[]
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT ARRAY['合同编号', '客户姓名', '联系电话', '地址', '合同金额', '合同金额大写', '定金', '交货日期', '门店',
                 '导购', '设计师', '签订日期']
$$;

-- Create a template (p_id NULL) or save a new version of the family whose latest version is p_id.
-- p: name, line_id, body, active. p_version is the version the editor started from: saving over a
-- newer version made by someone else is refused, naming them.
CREATE FUNCTION yiwei.save_contract_template(p_id integer, p_version integer, p jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    t yiwei.contract_template;
    latest yiwei.contract_template;
    v_id integer;
    v_line integer := yiwei.input_numeric(p ->> 'line_id', '产品系列')::integer;
    v_body text;
    v_unknown text;
BEGIN
    PERFORM yiwei.require_permission('orders.template');
    v_body := yiwei.clean_multiline(p ->> 'body', '合同条款', 1, 20000);
    SELECT string_agg(DISTINCT m[1], '、') INTO v_unknown
      FROM regexp_matches(v_body, '\{([^{}]*)\}', 'g') m
     WHERE m[1] <> ALL (yiwei.contract_placeholders());
    IF v_unknown IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '合同条款',
            MESSAGE = format('未知的占位符：{%s}；可用：{%s}', left(v_unknown, 100), array_to_string(yiwei.contract_placeholders(), '} {'));
    END IF;
    IF v_line IS NOT NULL AND NOT EXISTS (SELECT 1 FROM yiwei.product_line WHERE id = v_line) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '产品系列不存在', DETAIL = '产品系列';
    END IF;
    IF p_id IS NOT NULL THEN
        SELECT * INTO t FROM yiwei.contract_template WHERE id = p_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'YW404', MESSAGE = '合同模板不存在';
        END IF;
        -- one new version at a time per family
        PERFORM pg_advisory_xact_lock(hashtext('contract_template:' || t.family_id));
        SELECT * INTO latest FROM yiwei.contract_template WHERE family_id = t.family_id ORDER BY version DESC LIMIT 1;
        IF p_version IS NULL OR latest.version <> p_version OR latest.id <> p_id THEN
            RAISE EXCEPTION USING ERRCODE = 'YW409',
                MESSAGE = format('该模板已被 %s 于 %s 保存为第 %s 版，请重新加载后再保存',
                                 yiwei.role_display_name(latest.created_by),
                                 to_char(latest.created_at AT TIME ZONE yiwei.company_timezone(), 'YYYY-MM-DD HH24:MI:SS'),
                                 latest.version),
                DETAIL = json_build_object('changed_by', yiwei.role_display_name(latest.created_by),
                                           'changed_at', latest.created_at, 'version', latest.version)::text;
        END IF;
    END IF;
    v_id := nextval('yiwei.contract_template_id_seq');
    INSERT INTO yiwei.contract_template (id, family_id, line_id, name, version, body, active)
    VALUES (v_id, coalesce(t.family_id, v_id), v_line, yiwei.clean_text(p ->> 'name', '模板名称', 1, 40),
            coalesce(t.version, 0) + 1, v_body, coalesce((p ->> 'active')::boolean, true));
    RETURN v_id;
END $$;

-- Shared pieces of the contract steps --------------------------------------------------------------

CREATE FUNCTION yiwei.contract_status_label(p_status text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE p_status
        WHEN 'draft' THEN '草稿' WHEN 'submitted' THEN '待图审' WHEN 'drawing_passed' THEN '待审价'
        WHEN 'price_passed' THEN '待签订' WHEN 'signed' THEN '已签订' WHEN 'in_production' THEN '生产/采购中'
        WHEN 'delivered' THEN '已送货' WHEN 'installed' THEN '已安装' WHEN 'completed' THEN '已完成'
        WHEN 'returned' THEN '已退回' WHEN 'cancelled' THEN '已作废' ELSE p_status END
$$;

CREATE FUNCTION yiwei.change_order_status_label(p_status text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE p_status
        WHEN 'draft' THEN '草稿' WHEN 'submitted' THEN '待图审' WHEN 'drawing_passed' THEN '待审价'
        WHEN 'approved' THEN '已审核' WHEN 'returned' THEN '已退回' WHEN 'cancelled' THEN '已作废' ELSE p_status END
$$;

-- The contract for a checked step: locked, in the caller's scope (otherwise "not found": no oracle
-- for other stores' contracts), at the version the caller saw, in one of the states the step allows.
CREATE FUNCTION yiwei.contract_for_step(p_id bigint, p_version integer, p_states text[], p_step text)
RETURNS yiwei.contract
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    c yiwei.contract;
BEGIN
    SELECT * INTO c FROM yiwei.contract WHERE id = p_id FOR UPDATE;
    IF NOT FOUND OR NOT yiwei.in_my_scope(c.store_id, ARRAY[c.guide_id, c.designer_id]) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW404', MESSAGE = '合同不存在或不在您的数据范围内';
    END IF;
    PERFORM yiwei.assert_version('yiwei.contract', p_id, p_version);
    IF c.status <> ALL (p_states) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW409',
            MESSAGE = format('合同 %s 当前为“%s”，不能%s', c.number, yiwei.contract_status_label(c.status), p_step);
    END IF;
    RETURN c;
END $$;

-- Nobody reviews their own work: not the contract's guide or designer, nor whoever created it.
CREATE FUNCTION yiwei.check_not_own_contract(c yiwei.contract) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_me bigint := yiwei.current_employee_id();
BEGIN
    IF v_me IN (c.guide_id, c.designer_id) OR c.created_by = session_user THEN
        RAISE EXCEPTION USING ERRCODE = 'YW403', MESSAGE = format('不能审核自己经手的合同 %s', c.number);
    END IF;
END $$;

CREATE FUNCTION yiwei.check_price_list_valid(p_price_list_id integer, p_on date) RETURNS yiwei.price_list
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    pl yiwei.price_list;
BEGIN
    SELECT * INTO pl FROM yiwei.price_list WHERE id = p_price_list_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '请选择价格体系', DETAIL = '价格体系';
    END IF;
    IF NOT pl.active OR p_on < coalesce(pl.valid_from, p_on) OR p_on > coalesce(pl.valid_to, p_on) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '价格体系',
            MESSAGE = format('价格体系“%s”已过期或未生效（有效期 %s 至 %s）', pl.name,
                             coalesce(pl.valid_from::text, '—'), coalesce(pl.valid_to::text, '长期'));
    END IF;
    RETURN pl;
END $$;

-- Whether a valid promotion lets this product's line go down to p_rate on p_on.
CREATE FUNCTION yiwei.promotion_allows(p_promotion_id integer, p_product_id integer, p_rate numeric, p_on date)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT coalesce((
        SELECT pr.active AND p_on >= coalesce(pr.valid_from, p_on) AND p_on <= coalesce(pr.valid_to, p_on)
               AND (pr.line_id IS NULL OR pr.line_id = pd.line_id) AND p_rate >= pr.min_rate
          FROM yiwei.promotion pr, yiwei.product pd
         WHERE pr.id = p_promotion_id AND pd.id = p_product_id), false)
$$;

-- The lowest rate of a contract that neither a package nor a valid promotion explains (NULL: none).
CREATE FUNCTION yiwei.contract_lowest_unexplained_rate(p_contract_id bigint, p_on date) RETURNS numeric
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT round(min(l.price / l.list_price), 6) FROM yiwei.contract_line l
     WHERE l.contract_id = p_contract_id AND l.package_id IS NULL
       AND NOT (l.promotion_id IS NOT NULL
                AND yiwei.promotion_allows(l.promotion_id, l.product_id, l.price / l.list_price, p_on))
$$;

CREATE FUNCTION yiwei.recalc_contract_totals(p_contract_id bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    UPDATE yiwei.contract c
       SET total = x.total, list_total = x.list_total
      FROM (SELECT coalesce(sum(l.amount), 0) AS total, coalesce(sum(round(l.list_price * l.quantity, 2)), 0) AS list_total
              FROM yiwei.contract_line l WHERE l.contract_id = p_contract_id) x
     WHERE c.id = p_contract_id AND (c.total, c.list_total) IS DISTINCT FROM (x.total, x.list_total)
$$;

-- The payment plan must add up to the total; NULL p_total means the contract's own.
CREATE FUNCTION yiwei.check_payment_plan(p_contract_id bigint, p_required boolean) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_total numeric := (SELECT total FROM yiwei.contract WHERE id = p_contract_id);
    v_count integer;
    v_sum numeric;
BEGIN
    SELECT count(*), coalesce(sum(amount), 0) INTO v_count, v_sum FROM yiwei.contract_payment WHERE contract_id = p_contract_id;
    IF v_count = 0 AND p_required THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '请填写付款计划（定金、进度款、尾款）', DETAIL = '付款计划';
    END IF;
    IF v_count > 0 AND v_sum <> v_total THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '付款计划',
            MESSAGE = format('付款计划合计 %s 元，与合同金额 %s 元不符（相差 %s 元）', v_sum, v_total, v_total - v_sum);
    END IF;
END $$;

-- One line of a contract as typed, checked and priced against the price list: quantity > 0, a price
-- (or a rate) with at most two (four) decimals, the rate not below the caller's discount limit unless
-- a valid promotion of the product's line allows it. Raises naming the row and the field.
CREATE FUNCTION yiwei.priced_line(p_price_list_id integer, x jsonb, p_row integer, p_on date,
                                  OUT product yiwei.product, OUT quantity numeric, OUT list_price numeric,
                                  OUT rate numeric, OUT price numeric, OUT promotion_id integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_prefix text := format('第 %s 行：', p_row);
    v_product_id integer := yiwei.input_numeric(x ->> 'product_id', '产品')::integer;
    v_limit numeric := yiwei.my_min_discount_rate();
BEGIN
    SELECT * INTO product FROM yiwei.product pd WHERE pd.id = v_product_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = v_prefix || '请选择产品', DETAIL = '产品';
    END IF;
    quantity := yiwei.input_numeric(x ->> 'quantity', '数量');
    IF quantity IS NULL OR quantity <= 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = v_prefix || format('%s 的数量必须大于 0', product.code),
            DETAIL = '数量';
    END IF;
    IF quantity <> round(quantity, 3) OR quantity >= 1000000000 THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = v_prefix || '数量最多三位小数', DETAIL = '数量';
    END IF;
    SELECT i.price INTO list_price FROM yiwei.price_list_item i
     WHERE i.price_list_id = p_price_list_id AND i.product_id = product.id;
    IF list_price IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '产品',
            MESSAGE = v_prefix || format('产品 %s 不在合同的价格体系中', product.code);
    END IF;
    price := yiwei.input_numeric(x ->> 'price', '单价');
    IF price <> round(price, 2) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '单价',
            MESSAGE = v_prefix || format('%s 的单价最多两位小数（%s）', product.code, price);
    END IF;
    IF price IS NULL THEN
        rate := coalesce(yiwei.input_numeric(x ->> 'rate', '折扣'), 1);
        IF rate <> round(rate, 4) THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = v_prefix || '折扣最多四位小数', DETAIL = '折扣';
        END IF;
        price := round(list_price * rate, 2);
    END IF;
    IF price < 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = v_prefix || '单价不能为负数', DETAIL = '单价';
    END IF;
    IF price > list_price THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '单价',
            MESSAGE = v_prefix || format('单价 %s 高于零售价 %s', price, list_price);
    END IF;
    rate := round(price / list_price, 4);
    promotion_id := yiwei.input_numeric(x ->> 'promotion_id', '促销活动')::integer;
    IF promotion_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM yiwei.promotion pr
             WHERE pr.id = promotion_id AND pr.active AND p_on >= coalesce(pr.valid_from, p_on)
               AND p_on <= coalesce(pr.valid_to, p_on) AND (pr.line_id IS NULL OR pr.line_id = product.line_id)) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '促销活动',
            MESSAGE = v_prefix || format('促销活动不存在、已过期或不适用于产品 %s', product.code);
    END IF;
    -- the exact ratio, not the rounded rate: 849.99 of 1000 is below a limit of 0.85
    IF price / list_price < v_limit
       AND NOT (promotion_id IS NOT NULL AND yiwei.promotion_allows(promotion_id, product.id, price / list_price, p_on)) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '单价',
            MESSAGE = v_prefix || format('%s 的折扣 %s 低于您岗位的最低折扣 %s，需要适用的促销活动或由更高岗位修改',
                                         product.code, rate, v_limit);
    END IF;
END $$;

-- Contract entry -------------------------------------------------------------------------------------

-- Create (p_id NULL) or change a contract in draft or returned: header, lines and payment plan in
-- one call. p: customer_id (creation only; the guide is the customer's); designer_id, price_list_id,
-- template_id, expected_delivery_on, note (kept when absent); lines (absent: unchanged):
-- [{id?, product_id, quantity, price | rate, promotion_id?, note?}]; payments (absent: unchanged):
-- [{kind, amount, due_on?}]. A line of an applied package is sent back with its id and is kept as
-- the package made it: changing it is refused, dropping all of a package's lines removes the package.
CREATE FUNCTION yiwei.save_contract(p_id bigint, p_version integer, p jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    c yiwei.contract;
    cu yiwei.customer;
    v_id bigint := p_id;
    v_today date := yiwei.company_today();
    v_designer bigint;
    v_guide bigint;
    v_price_list integer;
    v_template integer;
    v_delivery date;
    x jsonb;
    v_row integer := 0;
    v_line_id bigint;
    v_kept bigint[] := '{}';
    l yiwei.contract_line;
    pl record;
    v_partial text;
    v_seq integer := 0;
    v_kind text;
    v_amount numeric;
    v_paid numeric;
    v_paid_before jsonb;
    v_old_price_list integer;
    v_seen_final boolean := false;
BEGIN
    PERFORM yiwei.require_permission('orders.contract');
    IF p IS NULL OR jsonb_typeof(p) <> 'object' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '合同内容为空';
    END IF;
    IF p_id IS NULL THEN
        SELECT * INTO cu FROM yiwei.customer
         WHERE id = yiwei.input_numeric(p ->> 'customer_id', '客户')::bigint AND status = 'active';
        IF NOT FOUND OR NOT yiwei.in_my_scope(cu.store_id, ARRAY[cu.guide_id, cu.designer_id]) THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '客户不存在或不在您的数据范围内', DETAIL = '客户';
        END IF;
        -- the customer's guide: the contract's people are the household's, so they can read it
        v_guide := cu.guide_id;
        v_designer := CASE WHEN p ? 'designer_id' THEN yiwei.input_numeric(p ->> 'designer_id', '设计师')::bigint
                           ELSE cu.designer_id END;
        PERFORM yiwei.check_store_staff(v_guide, cu.store_id, 'orders.contract', '导购');
        IF NOT yiwei.in_my_scope(cu.store_id, ARRAY[v_guide, v_designer]) THEN
            RAISE EXCEPTION USING ERRCODE = 'YW403', MESSAGE = '只能为自己负责的客户下合同', DETAIL = '导购';
        END IF;
        v_price_list := yiwei.input_numeric(p ->> 'price_list_id', '价格体系')::integer;
        v_template := yiwei.input_numeric(p ->> 'template_id', '合同模板')::integer;
        v_delivery := yiwei.input_day(p ->> 'expected_delivery_on', '交货日期', false);
    ELSE
        c := yiwei.contract_for_step(p_id, p_version, ARRAY['draft', 'returned'], '修改（已提交审核或已签订的合同请走改补单）');
        v_old_price_list := c.price_list_id;
        v_guide := c.guide_id;
        v_designer := CASE WHEN p ? 'designer_id' THEN yiwei.input_numeric(p ->> 'designer_id', '设计师')::bigint
                           ELSE c.designer_id END;
        v_price_list := CASE WHEN p ? 'price_list_id' THEN yiwei.input_numeric(p ->> 'price_list_id', '价格体系')::integer
                             ELSE c.price_list_id END;
        v_template := CASE WHEN p ? 'template_id' THEN yiwei.input_numeric(p ->> 'template_id', '合同模板')::integer
                           ELSE c.template_id END;
        v_delivery := CASE WHEN p ? 'expected_delivery_on' THEN yiwei.input_day(p ->> 'expected_delivery_on', '交货日期', false)
                           ELSE c.expected_delivery_on END;
    END IF;
    IF v_designer IS NOT NULL AND v_designer IS DISTINCT FROM c.designer_id THEN
        PERFORM yiwei.check_store_staff(v_designer, coalesce(c.store_id, cu.store_id), 'customers.designer_task', '设计师');
        -- one designer per household: the contract's designer is (or becomes) the customer's, so
        -- the designer reads the customer the contract is for
        IF cu.id IS NULL THEN
            SELECT * INTO cu FROM yiwei.customer WHERE id = c.customer_id;
        END IF;
        IF cu.designer_id IS NOT NULL AND cu.designer_id <> v_designer THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '设计师',
                MESSAGE = format('客户 %s 的设计师是 %s，请先在客户档案中更换设计师', cu.name,
                                 yiwei.employee_name(cu.designer_id));
        END IF;
        IF cu.designer_id IS NULL THEN
            UPDATE yiwei.customer SET designer_id = v_designer WHERE id = cu.id;
            PERFORM yiwei.sync_customer_people(cu.id);
        END IF;
    END IF;
    IF v_price_list IS DISTINCT FROM c.price_list_id THEN
        PERFORM yiwei.check_price_list_valid(v_price_list, v_today);
        IF p_id IS NOT NULL AND NOT (p ? 'lines') AND EXISTS (SELECT 1 FROM yiwei.contract_line WHERE contract_id = p_id) THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '价格体系',
                MESSAGE = '更换价格体系时请一并提交合同明细，按新价格体系重新计价';
        END IF;
    END IF;
    IF v_template IS DISTINCT FROM c.template_id AND v_template IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM yiwei.contract_template t WHERE t.id = v_template AND t.active
               AND t.version = (SELECT max(t2.version) FROM yiwei.contract_template t2 WHERE t2.family_id = t.family_id)) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '合同模板不存在、已停用或不是最新版本', DETAIL = '合同模板';
    END IF;
    IF v_delivery IS DISTINCT FROM c.expected_delivery_on AND v_delivery < v_today THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '交货日期不能早于今天', DETAIL = '交货日期';
    END IF;

    IF p_id IS NULL THEN
        INSERT INTO yiwei.contract (number, customer_id, store_id, guide_id, designer_id, price_list_id, template_id,
                                    expected_delivery_on, note)
        VALUES (yiwei.next_document_number('HT', cu.store_id), cu.id, cu.store_id, v_guide, v_designer, v_price_list,
                v_template, v_delivery, yiwei.clean_multiline(p ->> 'note', '备注', 0, 1000))
        RETURNING * INTO c;
        v_id := c.id;
    ELSE
        UPDATE yiwei.contract
           SET designer_id = v_designer, price_list_id = v_price_list, template_id = v_template,
               expected_delivery_on = v_delivery,
               note = CASE WHEN p ? 'note' THEN yiwei.clean_multiline(p ->> 'note', '备注', 0, 1000) ELSE note END
         WHERE id = v_id
         RETURNING * INTO c;
    END IF;

    IF p ? 'lines' THEN
        IF jsonb_typeof(p -> 'lines') <> 'array' OR jsonb_array_length(p -> 'lines') > 1000 THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '合同明细最多 1000 行', DETAIL = '合同明细';
        END IF;
        -- package lines sent back unchanged are kept; everything else is replaced by what was typed
        FOR x IN SELECT * FROM jsonb_array_elements(p -> 'lines') LOOP
            v_row := v_row + 1;
            v_line_id := yiwei.input_numeric(x ->> 'id', '明细')::bigint;
            IF x ? 'package_id' AND nullif(x ->> 'package_id', '') IS NOT NULL AND v_line_id IS NULL THEN
                RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '套餐',
                    MESSAGE = format('第 %s 行：套餐请用“应用套餐”加入，不能手工标记', v_row);
            END IF;
            SELECT * INTO l FROM yiwei.contract_line WHERE id = v_line_id AND contract_id = v_id AND package_id IS NOT NULL;
            IF FOUND THEN
                IF yiwei.input_numeric(x ->> 'quantity', '数量') IS DISTINCT FROM l.quantity
                   OR coalesce(yiwei.input_numeric(x ->> 'price', '单价'), l.price) <> l.price
                   OR coalesce(yiwei.input_numeric(x ->> 'product_id', '产品')::integer, l.product_id) <> l.product_id THEN
                    RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '套餐',
                        MESSAGE = format('第 %s 行（%s）属于套餐，不能单独修改；请重新应用套餐或移除整个套餐', v_row, l.product_code);
                END IF;
                v_kept := v_kept || l.id;
            END IF;
        END LOOP;
        SELECT string_agg(DISTINCT pk.name, '、') INTO v_partial
          FROM yiwei.contract_line cl JOIN yiwei.package pk ON pk.id = cl.package_id
         WHERE cl.contract_id = v_id AND cl.package_id IN (SELECT k.package_id FROM yiwei.contract_line k WHERE k.id = ANY (v_kept))
           AND cl.id <> ALL (v_kept);
        IF v_partial IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '套餐',
                MESSAGE = format('套餐“%s”的产品不能只删除一部分；请移除整个套餐', v_partial);
        END IF;
        DELETE FROM yiwei.contract_line WHERE contract_id = v_id AND id <> ALL (v_kept);
        IF v_price_list IS DISTINCT FROM v_old_price_list AND cardinality(v_kept) > 0 THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '价格体系',
                MESSAGE = '合同中的套餐属于原价格体系；更换价格体系前请先移除套餐';
        END IF;
        v_row := 0;
        FOR x IN SELECT * FROM jsonb_array_elements(p -> 'lines') LOOP
            v_row := v_row + 1;
            v_line_id := yiwei.input_numeric(x ->> 'id', '明细')::bigint;
            IF v_line_id = ANY (v_kept) THEN
                UPDATE yiwei.contract_line SET line_no = v_row WHERE id = v_line_id AND line_no <> v_row;
                CONTINUE;
            END IF;
            SELECT * INTO pl FROM yiwei.priced_line(v_price_list, x, v_row, v_today);
            INSERT INTO yiwei.contract_line (contract_id, store_id, line_no, product_id, product_code, product_name,
                                             style, colour, spec, unit, quantity, list_price, rate, price, amount,
                                             promotion_id, note)
            VALUES (v_id, c.store_id, v_row, (pl.product).id, (pl.product).code, (pl.product).name,
                    coalesce((pl.product).style, ''), coalesce((pl.product).colour, ''), coalesce((pl.product).spec, ''),
                    coalesce((pl.product).unit, ''), pl.quantity, pl.list_price, pl.rate, pl.price,
                    round(pl.price * pl.quantity, 2), pl.promotion_id,
                    yiwei.clean_text(x ->> 'note', format('第 %s 行备注', v_row), 0, 200));
        END LOOP;
        PERFORM yiwei.recalc_contract_totals(v_id);
    END IF;

    IF p ? 'payments' THEN
        IF jsonb_typeof(p -> 'payments') <> 'array' OR jsonb_array_length(p -> 'payments') > 20 THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '付款计划最多 20 期', DETAIL = '付款计划';
        END IF;
        -- money already received against a part stays with that part; the plan cannot drop below it
        SELECT coalesce(jsonb_object_agg(cp.seq::text, cp.paid_amount), '{}') INTO v_paid_before
          FROM yiwei.contract_payment cp WHERE cp.contract_id = v_id AND cp.paid_amount > 0;
        DELETE FROM yiwei.contract_payment WHERE contract_id = v_id;
        FOR x IN SELECT * FROM jsonb_array_elements(p -> 'payments') LOOP
            v_seq := v_seq + 1;
            v_kind := coalesce(x ->> 'kind', '');
            IF v_kind NOT IN ('deposit', 'progress', 'final') THEN
                RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '付款计划',
                    MESSAGE = format('付款计划第 %s 期：款项须为定金、进度款或尾款', v_seq);
            END IF;
            IF v_seen_final OR (v_kind = 'deposit' AND v_seq > 1) THEN
                RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '付款计划',
                    MESSAGE = '付款计划的顺序应为：定金在最前，尾款在最后';
            END IF;
            v_seen_final := v_kind = 'final';
            v_amount := yiwei.check_money(yiwei.input_numeric(x ->> 'amount', '付款金额'), '付款金额');
            IF v_amount IS NULL OR v_amount <= 0 THEN
                RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '付款金额',
                    MESSAGE = format('付款计划第 %s 期：金额必须大于 0', v_seq);
            END IF;
            v_paid := coalesce((v_paid_before ->> v_seq::text)::numeric, 0);
            IF v_amount < v_paid THEN
                RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '付款金额',
                    MESSAGE = format('付款计划第 %s 期已收款 %s 元，金额不能低于已收款', v_seq, v_paid);
            END IF;
            INSERT INTO yiwei.contract_payment (contract_id, seq, store_id, kind, amount, due_on, paid_amount)
            VALUES (v_id, v_seq, c.store_id, v_kind, v_amount, yiwei.input_day(x ->> 'due_on', '付款日期', false), v_paid);
        END LOOP;
        IF EXISTS (SELECT 1 FROM jsonb_object_keys(v_paid_before) k WHERE k::integer > v_seq) THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '付款计划', MESSAGE = '已收款的付款期不能删除';
        END IF;
    END IF;
    PERFORM yiwei.check_payment_plan(v_id, false);
    RETURN v_id;
END $$;

-- Apply a package deal (套餐) to a contract in one step: the package's products go onto the
-- contract at the package quantities, repriced so that these lines add up exactly to the package
-- price. Quantities already on the contract count towards the package; what exceeds a package
-- quantity stays an ordinary line at its own price. Applying the same package again reprices it.
-- Returns the number of package lines.
CREATE FUNCTION yiwei.apply_package(p_contract_id bigint, p_version integer, p_package_id integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    c yiwei.contract;
    pk yiwei.package;
    v_today date := yiwei.company_today();
    v_missing text;
    v_count integer;
    v_cents bigint;
    it record;
    l record;
    v_take numeric;
    v_need numeric;
    v_next integer;
    v_had jsonb;
BEGIN
    PERFORM yiwei.require_permission('orders.contract');
    c := yiwei.contract_for_step(p_contract_id, p_version, ARRAY['draft', 'returned'], '应用套餐');
    SELECT * INTO pk FROM yiwei.package WHERE id = p_package_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '套餐不存在', DETAIL = '套餐';
    END IF;
    IF NOT pk.active OR v_today < coalesce(pk.valid_from, v_today) OR v_today > coalesce(pk.valid_to, v_today) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '套餐',
            MESSAGE = format('套餐“%s”已停用或不在有效期内', pk.name);
    END IF;
    PERFORM yiwei.check_price_list_valid(c.price_list_id, v_today);
    IF pk.price_list_id IS DISTINCT FROM c.price_list_id THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '套餐',
            MESSAGE = format('套餐“%s”属于价格体系“%s”，与合同的价格体系“%s”不同', pk.name,
                             (SELECT name FROM yiwei.price_list WHERE id = pk.price_list_id),
                             (SELECT name FROM yiwei.price_list WHERE id = c.price_list_id));
    END IF;
    PERFORM yiwei.check_price_list_valid(pk.price_list_id, v_today);
    SELECT count(*) INTO v_count FROM yiwei.package_item WHERE package_id = pk.id;
    IF v_count = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('套餐“%s”没有产品', pk.name), DETAIL = '套餐';
    END IF;
    SELECT string_agg(pd.code, '、' ORDER BY pd.code) INTO v_missing
      FROM yiwei.package_item pi JOIN yiwei.product pd ON pd.id = pi.product_id
     WHERE pi.package_id = pk.id
       AND NOT EXISTS (SELECT 1 FROM yiwei.price_list_item i WHERE i.price_list_id = c.price_list_id AND i.product_id = pi.product_id);
    IF v_missing IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '套餐',
            MESSAGE = format('套餐“%s”中的产品 %s 不在合同的价格体系中', pk.name, left(v_missing, 200));
    END IF;

    -- applied before: those lines already hold their share of the package, only the rest is taken
    SELECT coalesce(jsonb_object_agg(product_id::text, quantity), '{}') INTO v_had
      FROM yiwei.contract_line WHERE contract_id = c.id AND package_id = pk.id;
    DELETE FROM yiwei.contract_line WHERE contract_id = c.id AND package_id = pk.id;
    -- ordinary lines of the package's products give their quantity to the package first
    FOR it IN SELECT pi.product_id, pi.quantity FROM yiwei.package_item pi WHERE pi.package_id = pk.id LOOP
        v_need := it.quantity - coalesce((v_had ->> it.product_id::text)::numeric, 0);
        FOR l IN SELECT * FROM yiwei.contract_line
                  WHERE contract_id = c.id AND product_id = it.product_id AND package_id IS NULL
                  ORDER BY line_no LOOP
            EXIT WHEN v_need <= 0;
            v_take := least(l.quantity, v_need);
            v_need := v_need - v_take;
            IF v_take = l.quantity THEN
                DELETE FROM yiwei.contract_line WHERE id = l.id;
            ELSE
                UPDATE yiwei.contract_line SET quantity = quantity - v_take,
                       amount = round(price * (quantity - v_take), 2)
                 WHERE id = l.id;
            END IF;
        END LOOP;
    END LOOP;

    -- shares of the package price by list value; cents by the largest remainder, ties by product code
    v_cents := (pk.price * 100)::bigint;
    SELECT coalesce(max(line_no), 0) INTO v_next FROM yiwei.contract_line WHERE contract_id = c.id;
    WITH items AS (
        SELECT pd.id AS product_id, pd.code, pd.name, pd.style, pd.colour, pd.spec, pd.unit, pi.quantity, i.price AS list_price,
               round(i.price * pi.quantity, 2) AS list_amount
          FROM yiwei.package_item pi
          JOIN yiwei.product pd ON pd.id = pi.product_id
          JOIN yiwei.price_list_item i ON i.price_list_id = c.price_list_id AND i.product_id = pi.product_id
         WHERE pi.package_id = pk.id),
    shares AS (
        SELECT it2.*, v_cents * it2.list_amount / sum(it2.list_amount) OVER () AS exact_cents FROM items it2),
    floored AS (
        SELECT s.*, floor(s.exact_cents)::bigint AS base_cents,
               row_number() OVER (ORDER BY s.exact_cents - floor(s.exact_cents) DESC, s.code, s.product_id) AS rank_no
          FROM shares s),
    allotted AS (
        SELECT f.*, f.base_cents + CASE WHEN f.rank_no <= v_cents - sum(f.base_cents) OVER () THEN 1 ELSE 0 END AS cents
          FROM floored f)
    INSERT INTO yiwei.contract_line (contract_id, store_id, line_no, product_id, product_code, product_name, style, colour,
                                     spec, unit, quantity, list_price, rate, price, amount, package_id, note)
    SELECT c.id, c.store_id, v_next + row_number() OVER (ORDER BY a.code, a.product_id), a.product_id, a.code, a.name,
           coalesce(a.style, ''), coalesce(a.colour, ''), coalesce(a.spec, ''), coalesce(a.unit, ''), a.quantity,
           a.list_price, least(round(round(a.cents / 100.0 / a.quantity, 2) / a.list_price, 4), 9.9999),
           round(a.cents / 100.0 / a.quantity, 2), a.cents / 100.0, pk.id, format('套餐：%s', pk.name)
      FROM allotted a;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    PERFORM yiwei.recalc_contract_totals(c.id);
    -- a contract saved or applied is a change of the contract: its version moves for everyone
    UPDATE yiwei.contract SET updated_at = now() WHERE id = c.id;
    RETURN v_count;
END $$;

-- Design files -----------------------------------------------------------------------------------------

-- The designer (or whoever may edit the contract) adds a new current version; older ones stay as
-- history. Allowed while the contract is being prepared, and after signing while a change order of
-- it is being prepared (the drawing that goes with the change).
CREATE FUNCTION yiwei.upload_design_file(p_contract_id bigint, p_file_name text, p_content_type text, p_data bytea)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    c yiwei.contract;
    v_name text;
    v_max_mb integer := coalesce(yiwei.parameter_int('orders.design_file_max_mb'), 50);
    v_size bigint := coalesce(length(p_data), 0);
    v_version integer;
    v_id bigint;
BEGIN
    PERFORM yiwei.require_permission('orders.contract');
    SELECT * INTO c FROM yiwei.contract WHERE id = p_contract_id FOR UPDATE;
    IF NOT FOUND OR NOT yiwei.in_my_scope(c.store_id, ARRAY[c.guide_id, c.designer_id]) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW404', MESSAGE = '合同不存在或不在您的数据范围内';
    END IF;
    IF c.status NOT IN ('draft', 'returned') AND NOT EXISTS (
            SELECT 1 FROM yiwei.change_order co WHERE co.contract_id = c.id AND co.status IN ('draft', 'returned')) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW409',
            MESSAGE = format('合同 %s 当前为“%s”，不能上传设计文件（签订后的修改请先建改补单）', c.number,
                             yiwei.contract_status_label(c.status));
    END IF;
    v_name := yiwei.clean_text(p_file_name, '文件名', 1, 200);
    IF v_name ~ '[/\\]' THEN
        v_name := regexp_replace(v_name, '^.*[/\\]', '');
    END IF;
    IF lower(v_name) !~ '\.(dwg|dxf|pdf|png|jpe?g|gif|bmp|tiff?|webp|skp|3ds|max|zip|rar|7z)$' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '文件',
            MESSAGE = format('“%s”不是设计文件；可上传 CAD（dwg、dxf、skp）、PDF、图片或压缩包', left(v_name, 60));
    END IF;
    IF v_size = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('文件“%s”是空的，未上传', left(v_name, 60)), DETAIL = '文件';
    END IF;
    IF v_size > v_max_mb::bigint * 1024 * 1024 THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '文件',
            MESSAGE = format('文件“%s”有 %s MB，超过了上限 %s MB', left(v_name, 60),
                             round(v_size / 1048576.0, 1), v_max_mb);
    END IF;
    SELECT coalesce(max(version), 0) + 1 INTO v_version FROM yiwei.design_file WHERE contract_id = c.id;
    UPDATE yiwei.design_file SET current = false WHERE contract_id = c.id AND current;
    INSERT INTO yiwei.design_file (contract_id, store_id, version, file_name, content_type, size_bytes, sha256, data,
                                   current, uploaded_by)
    VALUES (c.id, c.store_id, v_version, v_name, yiwei.clean_text(p_content_type, '文件类型', 0, 100), v_size,
            encode(sha256(p_data), 'hex'), p_data, true, yiwei.current_employee_id())
    RETURNING id INTO v_id;
    RETURN v_id;
END $$;

-- Status steps -------------------------------------------------------------------------------------

CREATE FUNCTION yiwei.submit_contract(p_id bigint, p_version integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    c yiwei.contract;
BEGIN
    PERFORM yiwei.require_permission('orders.contract');
    c := yiwei.contract_for_step(p_id, p_version, ARRAY['draft', 'returned'], '提交审核');
    IF NOT EXISTS (SELECT 1 FROM yiwei.contract_line WHERE contract_id = c.id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '合同还没有明细', DETAIL = '合同明细';
    END IF;
    IF c.expected_delivery_on IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '请填写交货日期', DETAIL = '交货日期';
    END IF;
    PERFORM yiwei.check_payment_plan(c.id, true);
    IF NOT EXISTS (SELECT 1 FROM yiwei.design_file WHERE contract_id = c.id AND current) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '请先上传设计图纸，图审需要图纸', DETAIL = '设计文件';
    END IF;
    UPDATE yiwei.contract SET status = 'submitted', submitted_at = now() WHERE id = c.id;
END $$;

-- 图审: the order-completeness checklist and a comment; passing needs every applicable checklist item
-- (all lines, or a product line on the contract) ticked. p_checklist: [{item_id, ok, note?}].
CREATE FUNCTION yiwei.checked_checklist(p_contract_id bigint, p_checklist jsonb, p_passed boolean) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v jsonb;
    v_missing text;
BEGIN
    IF p_checklist IS NOT NULL AND jsonb_typeof(p_checklist) <> 'array' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '检查项格式不正确', DETAIL = '检查项';
    END IF;
    IF EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(p_checklist, '[]')) x
                WHERE NOT EXISTS (SELECT 1 FROM yiwei.checklist_item ci
                                   WHERE ci.id::text = x ->> 'item_id')) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '检查项不存在', DETAIL = '检查项';
    END IF;
    SELECT coalesce(jsonb_agg(jsonb_build_object('item_id', ci.id, 'name', ci.name,
                                                 'ok', coalesce((x ->> 'ok')::boolean, false),
                                                 'note', left(coalesce(x ->> 'note', ''), 200))
                              ORDER BY ci.sort_order, ci.id), '[]')
      INTO v
      FROM yiwei.checklist_item ci
      LEFT JOIN LATERAL (SELECT y FROM jsonb_array_elements(coalesce(p_checklist, '[]')) y
                          WHERE y ->> 'item_id' = ci.id::text LIMIT 1) s(x) ON true
     WHERE ci.active AND (ci.line_id IS NULL OR ci.line_id IN (
               SELECT pd.line_id FROM yiwei.contract_line l JOIN yiwei.product pd ON pd.id = l.product_id
                WHERE l.contract_id = p_contract_id));
    IF p_passed THEN
        SELECT string_agg(e ->> 'name', '、') INTO v_missing FROM jsonb_array_elements(v) e WHERE NOT (e ->> 'ok')::boolean;
        IF v_missing IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '检查项',
                MESSAGE = format('以下检查项未通过，不能图审通过：%s', left(v_missing, 300));
        END IF;
    END IF;
    RETURN v;
END $$;

CREATE FUNCTION yiwei.review_drawing(p_id bigint, p_version integer, p_passed boolean, p_comment text, p_checklist jsonb)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    c yiwei.contract;
    v_comment text;
    v_checklist jsonb;
BEGIN
    PERFORM yiwei.require_permission('orders.drawing_review');
    c := yiwei.contract_for_step(p_id, p_version, ARRAY['submitted'], '图审');
    PERFORM yiwei.check_not_own_contract(c);
    IF p_passed IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '请选择通过或退回', DETAIL = '审核结果';
    END IF;
    v_comment := yiwei.clean_multiline(p_comment, '审核意见', CASE WHEN p_passed THEN 0 ELSE 1 END, 1000);
    v_checklist := yiwei.checked_checklist(c.id, p_checklist, p_passed);
    INSERT INTO yiwei.contract_review (contract_id, store_id, kind, reviewer_id, passed, comment, checklist)
    VALUES (c.id, c.store_id, 'drawing', yiwei.current_employee_id(), p_passed, v_comment, v_checklist);
    UPDATE yiwei.contract SET status = CASE WHEN p_passed THEN 'drawing_passed' ELSE 'returned' END WHERE id = c.id;
END $$;

-- 审价: the prices still match the price list they were quoted from, and no unexplained discount is
-- below the reviewer's own limit — a deeper discount needs a reviewer of a higher position.
CREATE FUNCTION yiwei.review_price(p_id bigint, p_version integer, p_passed boolean, p_comment text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    c yiwei.contract;
    v_comment text;
    v_lowest numeric;
    v_limit numeric := yiwei.my_min_discount_rate();
    v_on date;
    v_changed text;
BEGIN
    PERFORM yiwei.require_permission('orders.price_review');
    c := yiwei.contract_for_step(p_id, p_version, ARRAY['drawing_passed'], '审价');
    PERFORM yiwei.check_not_own_contract(c);
    IF p_passed IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '请选择通过或退回', DETAIL = '审核结果';
    END IF;
    v_comment := yiwei.clean_multiline(p_comment, '审核意见', CASE WHEN p_passed THEN 0 ELSE 1 END, 1000);
    -- promotions count as they stood when the contract was submitted (the customer was quoted then)
    v_on := (coalesce(c.submitted_at, now()) AT TIME ZONE yiwei.company_timezone())::date;
    v_lowest := yiwei.contract_lowest_unexplained_rate(c.id, v_on);
    IF p_passed THEN
        SELECT string_agg(l.product_code, '、' ORDER BY l.line_no) INTO v_changed
          FROM yiwei.contract_line l
          LEFT JOIN yiwei.price_list_item i ON i.price_list_id = c.price_list_id AND i.product_id = l.product_id
         WHERE l.contract_id = c.id AND i.price IS DISTINCT FROM l.list_price;
        IF v_changed IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '单价',
                MESSAGE = format('以下产品的零售价已与价格体系不符，请退回重新计价：%s', left(v_changed, 300));
        END IF;
        IF v_lowest < v_limit THEN
            RAISE EXCEPTION USING ERRCODE = 'YW403', DETAIL = '审价',
                MESSAGE = format('合同最低折扣 %s 低于您岗位的审价权限 %s，需要更高岗位审价', v_lowest, v_limit);
        END IF;
    END IF;
    INSERT INTO yiwei.contract_review (contract_id, store_id, kind, reviewer_id, passed, comment, lowest_rate)
    VALUES (c.id, c.store_id, 'price', yiwei.current_employee_id(), p_passed, v_comment, v_lowest);
    UPDATE yiwei.contract SET status = CASE WHEN p_passed THEN 'price_passed' ELSE 'returned' END WHERE id = c.id;
END $$;

CREATE FUNCTION yiwei.sign_contract(p_id bigint, p_version integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    c yiwei.contract;
BEGIN
    PERFORM yiwei.require_permission('orders.sign');
    c := yiwei.contract_for_step(p_id, p_version, ARRAY['price_passed'], '签订（须先通过图审和审价）');
    PERFORM yiwei.check_payment_plan(c.id, true);
    UPDATE yiwei.contract SET status = 'signed', signed_at = now() WHERE id = c.id;
    -- the customer becomes signed (and a protected channel lead of theirs converts, see 0103)
    UPDATE yiwei.customer SET stage = 'signed' WHERE id = c.customer_id AND stage <> 'signed';
END $$;

-- One step along signed → in_production → delivered → installed → completed; each step is taken by
-- the people whose work it records.
CREATE FUNCTION yiwei.advance_contract(p_id bigint, p_version integer, p_status text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    c yiwei.contract;
    v_from text;
    v_perms text[];
BEGIN
    v_from := CASE p_status WHEN 'in_production' THEN 'signed' WHEN 'delivered' THEN 'in_production'
                            WHEN 'installed' THEN 'delivered' WHEN 'completed' THEN 'installed' END;
    IF v_from IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '状态',
            MESSAGE = '只能推进到：生产/采购中、已送货、已安装、已完成';
    END IF;
    v_perms := CASE p_status
        WHEN 'in_production' THEN ARRAY['orders.sign', 'inventory.contract_purchase']
        WHEN 'delivered' THEN ARRAY['aftersales.delivery', 'aftersales.dispatch', 'inventory.outbound']
        WHEN 'installed' THEN ARRAY['aftersales.dispatch', 'aftersales.delivery']
        ELSE ARRAY['orders.sign', 'aftersales.dispatch'] END;
    IF NOT (yiwei.has_any_permission(v_perms) OR yiwei.is_installer()) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW403', DETAIL = v_perms[1],
            MESSAGE = format('没有权限将合同改为“%s”', yiwei.contract_status_label(p_status));
    END IF;
    c := yiwei.contract_for_step(p_id, p_version, ARRAY[v_from],
                                 format('改为“%s”（须先为“%s”）', yiwei.contract_status_label(p_status),
                                        yiwei.contract_status_label(v_from)));
    UPDATE yiwei.contract SET status = p_status,
           completed_at = CASE WHEN p_status = 'completed' THEN now() END
     WHERE id = c.id;
END $$;

-- Cancel (作废) before delivery, with a reason. A contract still being prepared may be cancelled by
-- whoever may edit it; a signed one only by someone who may sign.
CREATE FUNCTION yiwei.cancel_contract(p_id bigint, p_version integer, p_reason text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    c yiwei.contract;
BEGIN
    PERFORM yiwei.require_permission('orders.contract');
    c := yiwei.contract_for_step(p_id, p_version,
                                 ARRAY['draft', 'returned', 'submitted', 'drawing_passed', 'price_passed', 'signed', 'in_production'],
                                 '作废（已送货的合同请走改补单或退货）');
    IF c.status IN ('signed', 'in_production') THEN
        PERFORM yiwei.require_permission('orders.sign');
    END IF;
    UPDATE yiwei.contract SET status = 'cancelled', cancelled_at = now(),
           cancel_reason = yiwei.clean_text(p_reason, '作废原因', 1, 200)
     WHERE id = c.id;
    UPDATE yiwei.change_order SET status = 'cancelled', cancelled_at = now()
     WHERE contract_id = c.id AND status NOT IN ('approved', 'cancelled');
END $$;

-- Money received against a part of the plan (the finance module will call this from receipts).
-- A negative amount corrects an earlier entry; a part is never overpaid nor below zero.
CREATE FUNCTION yiwei.record_contract_payment(p_contract_id bigint, p_seq integer, p_amount numeric) RETURNS numeric
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    c yiwei.contract;
    pm yiwei.contract_payment;
    v_paid numeric;
BEGIN
    PERFORM yiwei.require_permission('finance.receipt');
    SELECT * INTO c FROM yiwei.contract WHERE id = p_contract_id;
    IF NOT FOUND OR NOT yiwei.in_my_scope(c.store_id, ARRAY[c.guide_id, c.designer_id]) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW404', MESSAGE = '合同不存在或不在您的数据范围内';
    END IF;
    IF c.status IN ('draft', 'returned', 'cancelled') THEN
        RAISE EXCEPTION USING ERRCODE = 'YW409',
            MESSAGE = format('合同 %s 当前为“%s”，不能收款', c.number, yiwei.contract_status_label(c.status));
    END IF;
    SELECT * INTO pm FROM yiwei.contract_payment WHERE contract_id = c.id AND seq = p_seq FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '付款计划中没有这一期', DETAIL = '付款期';
    END IF;
    p_amount := yiwei.check_money(p_amount, '收款金额');
    IF p_amount IS NULL OR p_amount = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '收款金额不能为 0', DETAIL = '收款金额';
    END IF;
    IF pm.paid_amount + p_amount > pm.amount THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '收款金额',
            MESSAGE = format('第 %s 期应收 %s 元，已收 %s 元，本次最多 %s 元', p_seq, pm.amount, pm.paid_amount,
                             pm.amount - pm.paid_amount);
    END IF;
    IF pm.paid_amount + p_amount < 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '收款金额',
            MESSAGE = format('第 %s 期已收 %s 元，冲减不能超过已收金额', p_seq, pm.paid_amount);
    END IF;
    UPDATE yiwei.contract_payment SET paid_amount = paid_amount + p_amount
     WHERE contract_id = c.id AND seq = p_seq
     RETURNING paid_amount INTO v_paid;
    RETURN v_paid;
END $$;

-- Change and supplement orders (改补单) ----------------------------------------------------------------

CREATE FUNCTION yiwei.change_order_for_step(p_id bigint, p_version integer, p_states text[], p_step text)
RETURNS yiwei.change_order
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    o yiwei.change_order;
    c yiwei.contract;
BEGIN
    SELECT * INTO o FROM yiwei.change_order WHERE id = p_id FOR UPDATE;
    SELECT * INTO c FROM yiwei.contract WHERE id = o.contract_id;
    IF o.id IS NULL OR NOT yiwei.in_my_scope(c.store_id, ARRAY[c.guide_id, c.designer_id]) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW404', MESSAGE = '改补单不存在或不在您的数据范围内';
    END IF;
    PERFORM yiwei.assert_version('yiwei.change_order', p_id, p_version);
    IF o.status <> ALL (p_states) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW409',
            MESSAGE = format('改补单 %s 当前为“%s”，不能%s', o.number, yiwei.change_order_status_label(o.status), p_step);
    END IF;
    RETURN o;
END $$;

-- Create (p_id NULL; p.contract_id) or change a change order in draft/returned. p: kind, reason,
-- lines [{product_id, quantity (negative: taken off the contract), price?, note?}]. Goods added are
-- priced from the contract's price list (subject to the discount limit); goods taken off at the
-- price the customer paid for them.
CREATE FUNCTION yiwei.save_change_order(p_id bigint, p_version integer, p jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    o yiwei.change_order;
    c yiwei.contract;
    v_id bigint := p_id;
    v_kind text := coalesce(p ->> 'kind', '');
    v_reason text;
    x jsonb;
    v_row integer := 0;
    v_product yiwei.product;
    v_qty numeric;
    v_list numeric;
    v_price numeric;
    v_on_contract numeric;
    v_limit numeric := yiwei.my_min_discount_rate();
BEGIN
    PERFORM yiwei.require_permission('orders.change_order');
    IF p_id IS NULL THEN
        SELECT * INTO c FROM yiwei.contract WHERE id = yiwei.input_numeric(p ->> 'contract_id', '合同')::bigint FOR UPDATE;
        IF NOT FOUND OR NOT yiwei.in_my_scope(c.store_id, ARRAY[c.guide_id, c.designer_id]) THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '合同不存在或不在您的数据范围内', DETAIL = '合同';
        END IF;
        IF c.status NOT IN ('signed', 'in_production', 'delivered', 'installed') THEN
            RAISE EXCEPTION USING ERRCODE = 'YW409',
                MESSAGE = format('合同 %s 当前为“%s”，只有已签订、未完成的合同才能建改补单', c.number,
                                 yiwei.contract_status_label(c.status));
        END IF;
    ELSE
        o := yiwei.change_order_for_step(p_id, p_version, ARRAY['draft', 'returned'], '修改');
        SELECT * INTO c FROM yiwei.contract WHERE id = o.contract_id;
    END IF;
    IF v_kind NOT IN ('change', 'supplement') THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '请选择改单或补单', DETAIL = '类型';
    END IF;
    v_reason := yiwei.clean_multiline(p ->> 'reason', '改补原因', 1, 500);
    IF jsonb_typeof(coalesce(p -> 'lines', '[]')) <> 'array' OR jsonb_array_length(coalesce(p -> 'lines', '[]')) > 500 THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '改补明细最多 500 行', DETAIL = '改补明细';
    END IF;
    IF p_id IS NULL THEN
        INSERT INTO yiwei.change_order (number, contract_id, store_id, kind, reason)
        VALUES (yiwei.next_document_number('GB', c.store_id), c.id, c.store_id, v_kind, v_reason)
        RETURNING id INTO v_id;
    ELSE
        UPDATE yiwei.change_order SET kind = v_kind, reason = v_reason WHERE id = v_id;
    END IF;
    DELETE FROM yiwei.change_order_line WHERE change_order_id = v_id;
    FOR x IN SELECT * FROM jsonb_array_elements(coalesce(p -> 'lines', '[]')) LOOP
        v_row := v_row + 1;
        SELECT * INTO v_product FROM yiwei.product WHERE id = yiwei.input_numeric(x ->> 'product_id', '产品')::integer;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('第 %s 行：请选择产品', v_row), DETAIL = '产品';
        END IF;
        v_qty := yiwei.input_numeric(x ->> 'quantity', '数量');
        IF v_qty IS NULL OR v_qty = 0 OR v_qty <> round(v_qty, 3) OR abs(v_qty) >= 1000000000 THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '数量',
                MESSAGE = format('第 %s 行：数量不能为 0，最多三位小数（负数表示减少）', v_row);
        END IF;
        SELECT i.price INTO v_list FROM yiwei.price_list_item i
         WHERE i.price_list_id = c.price_list_id AND i.product_id = v_product.id;
        IF v_list IS NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '产品',
                MESSAGE = format('第 %s 行：产品 %s 不在合同的价格体系中', v_row, v_product.code);
        END IF;
        v_price := yiwei.check_money(yiwei.input_numeric(x ->> 'price', '单价'), '单价');
        IF v_qty < 0 THEN
            -- what is taken off must be on the contract (after the change orders approved so far)
            SELECT coalesce((SELECT sum(l.quantity) FROM yiwei.contract_line l WHERE l.contract_id = c.id AND l.product_id = v_product.id), 0)
                 + coalesce((SELECT sum(ol.quantity) FROM yiwei.change_order_line ol JOIN yiwei.change_order co ON co.id = ol.change_order_id
                              WHERE co.contract_id = c.id AND co.status = 'approved' AND ol.product_id = v_product.id), 0)
              INTO v_on_contract;
            IF -v_qty > v_on_contract THEN
                RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '数量',
                    MESSAGE = format('第 %s 行：合同上 %s 只有 %s，不能减少 %s', v_row, v_product.code, v_on_contract, -v_qty);
            END IF;
            v_price := coalesce(v_price, (SELECT round(sum(l.amount) / sum(l.quantity), 2) FROM yiwei.contract_line l
                                            WHERE l.contract_id = c.id AND l.product_id = v_product.id));
        ELSE
            v_price := coalesce(v_price, v_list);
            IF v_price > v_list THEN
                RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '单价',
                    MESSAGE = format('第 %s 行：单价 %s 高于零售价 %s', v_row, v_price, v_list);
            END IF;
            IF v_price / v_list < v_limit THEN
                RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '单价',
                    MESSAGE = format('第 %s 行：%s 的折扣 %s 低于您岗位的最低折扣 %s', v_row, v_product.code,
                                     round(v_price / v_list, 4), v_limit);
            END IF;
        END IF;
        IF v_price < 0 THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('第 %s 行：单价不能为负数', v_row), DETAIL = '单价';
        END IF;
        INSERT INTO yiwei.change_order_line (change_order_id, store_id, line_no, product_id, product_code, product_name,
                                             style, colour, spec, unit, quantity, list_price, price, amount, note)
        VALUES (v_id, c.store_id, v_row, v_product.id, v_product.code, v_product.name, coalesce(v_product.style, ''),
                coalesce(v_product.colour, ''), coalesce(v_product.spec, ''), coalesce(v_product.unit, ''), v_qty, v_list,
                v_price, round(v_price * v_qty, 2), yiwei.clean_text(x ->> 'note', format('第 %s 行备注', v_row), 0, 200));
    END LOOP;
    UPDATE yiwei.change_order
       SET amount_delta = (SELECT coalesce(sum(amount), 0) FROM yiwei.change_order_line WHERE change_order_id = v_id)
     WHERE id = v_id;
    RETURN v_id;
END $$;

CREATE FUNCTION yiwei.submit_change_order(p_id bigint, p_version integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    o yiwei.change_order;
BEGIN
    PERFORM yiwei.require_permission('orders.change_order');
    o := yiwei.change_order_for_step(p_id, p_version, ARRAY['draft', 'returned'], '提交审核');
    IF NOT EXISTS (SELECT 1 FROM yiwei.change_order_line WHERE change_order_id = o.id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '改补单还没有明细', DETAIL = '改补明细';
    END IF;
    UPDATE yiwei.change_order SET status = 'submitted', submitted_at = now() WHERE id = o.id;
END $$;

-- A change order is reviewed again like the contract: 图审 when submitted, then 审价 (which approves
-- it). Not by its author, nor by the contract's guide or designer.
CREATE FUNCTION yiwei.review_change_order(p_id bigint, p_version integer, p_passed boolean, p_comment text,
                                          p_checklist jsonb DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    o yiwei.change_order;
    c yiwei.contract;
    v_kind text;
    v_comment text;
    v_lowest numeric;
    v_limit numeric := yiwei.my_min_discount_rate();
    v_checklist jsonb := '[]';
BEGIN
    o := yiwei.change_order_for_step(p_id, p_version, ARRAY['submitted', 'drawing_passed'], '审核');
    SELECT * INTO c FROM yiwei.contract WHERE id = o.contract_id;
    v_kind := CASE o.status WHEN 'submitted' THEN 'drawing' ELSE 'price' END;
    PERFORM yiwei.require_permission(CASE v_kind WHEN 'drawing' THEN 'orders.drawing_review' ELSE 'orders.price_review' END);
    PERFORM yiwei.check_not_own_contract(c);
    IF o.created_by = session_user THEN
        RAISE EXCEPTION USING ERRCODE = 'YW403', MESSAGE = format('不能审核自己建立的改补单 %s', o.number);
    END IF;
    IF p_passed IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '请选择通过或退回', DETAIL = '审核结果';
    END IF;
    v_comment := yiwei.clean_multiline(p_comment, '审核意见', CASE WHEN p_passed THEN 0 ELSE 1 END, 1000);
    IF v_kind = 'drawing' THEN
        v_checklist := coalesce(p_checklist, '[]');
        IF jsonb_typeof(v_checklist) <> 'array' THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '检查项格式不正确', DETAIL = '检查项';
        END IF;
    ELSE
        SELECT round(min(ol.price / ol.list_price), 6) INTO v_lowest
          FROM yiwei.change_order_line ol WHERE ol.change_order_id = o.id AND ol.quantity > 0;
        IF p_passed AND v_lowest < v_limit THEN
            RAISE EXCEPTION USING ERRCODE = 'YW403', DETAIL = '审价',
                MESSAGE = format('改补单最低折扣 %s 低于您岗位的审价权限 %s，需要更高岗位审价', v_lowest, v_limit);
        END IF;
    END IF;
    INSERT INTO yiwei.contract_review (contract_id, change_order_id, store_id, kind, reviewer_id, passed, comment,
                                       checklist, lowest_rate)
    VALUES (c.id, o.id, c.store_id, v_kind, yiwei.current_employee_id(), p_passed, v_comment, v_checklist, v_lowest);
    UPDATE yiwei.change_order
       SET status = CASE WHEN NOT p_passed THEN 'returned' WHEN v_kind = 'drawing' THEN 'drawing_passed' ELSE 'approved' END,
           approved_at = CASE WHEN p_passed AND v_kind = 'price' THEN now() END
     WHERE id = o.id;
END $$;

CREATE FUNCTION yiwei.cancel_change_order(p_id bigint, p_version integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    o yiwei.change_order;
BEGIN
    PERFORM yiwei.require_permission('orders.change_order');
    o := yiwei.change_order_for_step(p_id, p_version, ARRAY['draft', 'returned', 'submitted', 'drawing_passed'], '作废');
    UPDATE yiwei.change_order SET status = 'cancelled', cancelled_at = now() WHERE id = o.id;
END $$;

-- 责任人判定: who bears the cost of this change (customer, guide, designer, measurer, factory,
-- installer, driver), why, and a note. May be decided again; the audit trail keeps every decision.
CREATE FUNCTION yiwei.determine_responsibility(p_id bigint, p_version integer, p_party text, p_reason_id integer, p_note text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    o yiwei.change_order;
BEGIN
    PERFORM yiwei.require_permission('orders.responsibility');
    o := yiwei.change_order_for_step(p_id, p_version, ARRAY['draft', 'submitted', 'drawing_passed', 'approved', 'returned'],
                                     '判定责任');
    IF p_party IS NULL OR p_party NOT IN ('customer', 'guide', 'designer', 'measurer', 'factory', 'installer', 'driver') THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '责任方',
            MESSAGE = '责任方须为：客户、导购、设计师、量尺员、工厂、安装工、司机之一';
    END IF;
    IF p_reason_id IS NULL OR NOT EXISTS (SELECT 1 FROM yiwei.responsibility_reason WHERE id = p_reason_id AND active) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '请选择责任原因', DETAIL = '责任原因';
    END IF;
    UPDATE yiwei.change_order
       SET responsible_party = p_party, responsibility_reason_id = p_reason_id,
           responsibility_note = yiwei.clean_multiline(p_note, '判定说明', 0, 500),
           decided_by = yiwei.current_employee_id(), decided_at = now()
     WHERE id = o.id;
END $$;

-- The audit trigger for design files: the row without its content (megabytes of drawing have no
-- place in the audit trail; the sha256 identifies the file).
CREATE FUNCTION yiwei.tg_audit_design_file() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_old jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) - 'data' END;
    v_new jsonb := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) - 'data' END;
BEGIN
    INSERT INTO yiwei.audit_log (actor, employee_id, table_name, row_key, action, old_row, new_row)
    VALUES (session_user, (SELECT e.id FROM yiwei.employee e WHERE e.role_name = session_user),
            TG_TABLE_NAME, coalesce(v_new, v_old) ->> 'id', TG_OP, v_old, v_new);
    RETURN NULL;
END $$;
