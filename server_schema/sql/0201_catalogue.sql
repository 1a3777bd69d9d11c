-- The product catalogue (产品信息 and its master data): product lines and grades, head-office supply
-- packages, products with style aliases, cost prices (in a table of their own so that row-level
-- security can hide them), retail price lists (零售价格体系), promotions, packages (套餐), the order
-- checklist (订单完整性项目检查) and responsibility reasons (责任原因); the checked functions that
-- keep them, the price lookup and the Excel import pair. Grants, policies, audit and views: 0202.
--
-- Codes are stored in upper case (an Excel sheet may write "cg-001" for CG-001). Prices are
-- numeric(12,2), strictly positive, and a price with more than two decimals is refused, never
-- rounded: the column type would round 12.345 silently, so every write goes through
-- yiwei.price_problem first.

-- Tables ------------------------------------------------------------------------------------------

CREATE TABLE yiwei.product_line (
    id          serial PRIMARY KEY,
    code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{0,19}$'),
    name        text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 30),
    sort_order  integer NOT NULL DEFAULT 0,
    active      boolean NOT NULL DEFAULT true,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT session_user,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL DEFAULT session_user
);

CREATE TABLE yiwei.product_grade (
    id          serial PRIMARY KEY,
    code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{0,19}$'),
    name        text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 30),
    sort_order  integer NOT NULL DEFAULT 0,
    active      boolean NOT NULL DEFAULT true,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT session_user,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL DEFAULT session_user
);

-- 总部供货包装名称: how head office packs a product when it ships it (e.g. "橱柜柜体整装箱").
CREATE TABLE yiwei.supply_package (
    id          serial PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 40),
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    active      boolean NOT NULL DEFAULT true,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT session_user,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL DEFAULT session_user
);

-- No cost column here: every employee reads products, only some may read costs (product_cost).
-- name_key and style_key are the yiwei.text_key forms the search compares.
CREATE TABLE yiwei.product (
    id                 serial PRIMARY KEY,
    code               text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9][A-Z0-9._/-]{0,39}$'),
    name               text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 60),
    line_id            integer NOT NULL REFERENCES yiwei.product_line,
    grade_id           integer REFERENCES yiwei.product_grade,
    style              text NOT NULL DEFAULT '' CHECK (length(style) <= 40),
    colour             text NOT NULL DEFAULT '' CHECK (length(colour) <= 30),
    spec               text NOT NULL DEFAULT '' CHECK (length(spec) <= 60),
    unit               text NOT NULL CHECK (length(btrim(unit)) BETWEEN 1 AND 10),
    supply_package_id  integer REFERENCES yiwei.supply_package,
    active             boolean NOT NULL DEFAULT true,
    name_key           text GENERATED ALWAYS AS (yiwei.text_key(name)) STORED,
    style_key          text GENERATED ALWAYS AS (yiwei.text_key(style)) STORED,
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    created_by         text NOT NULL DEFAULT session_user,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    updated_by         text NOT NULL DEFAULT session_user
);
CREATE INDEX product_line_id ON yiwei.product (line_id);
CREATE INDEX product_grade_id ON yiwei.product (grade_id) WHERE grade_id IS NOT NULL;
CREATE INDEX product_supply_package ON yiwei.product (supply_package_id) WHERE supply_package_id IS NOT NULL;
CREATE INDEX product_style_key ON yiwei.product (style_key);
-- The search's grams (see yiwei.text_grams: pg_trgm cannot serve Chinese) over code, name and style keys.
CREATE INDEX product_grams ON yiwei.product USING gin (yiwei.text_grams(yiwei.text_key(code) || ' ' || name_key || ' ' || style_key));

-- The cost price (成本价), readable only with orders.cost_view or masterdata.product (0202).
CREATE TABLE yiwei.product_cost (
    product_id  integer PRIMARY KEY REFERENCES yiwei.product,
    cost        numeric(12,2) NOT NULL CHECK (cost >= 0),
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT session_user,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL DEFAULT session_user
);

-- 款型别名: another way people write a style ("欧式简约" for 简欧). An alias key belongs to one
-- style only, and is never the style's own key.
CREATE TABLE yiwei.style_alias (
    id          serial PRIMARY KEY,
    style       text NOT NULL CHECK (length(btrim(style)) BETWEEN 1 AND 40),
    style_key   text NOT NULL CHECK (style_key <> ''),
    alias       text NOT NULL CHECK (length(btrim(alias)) BETWEEN 1 AND 40),
    alias_key   text NOT NULL UNIQUE CHECK (alias_key <> ''),
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT session_user,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL DEFAULT session_user,
    CHECK (alias_key <> style_key)
);
CREATE INDEX style_alias_style ON yiwei.style_alias (style_key);

-- 零售价格体系: a price list is valid from valid_from to valid_to (inclusive; NULL = open-ended).
-- Codes may be Chinese ("2026春季零售"), but carry no spaces.
CREATE TABLE yiwei.price_list (
    id          serial PRIMARY KEY,
    code        text NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 30 AND code !~ '[[:space:][:cntrl:]]'),
    name        text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 40),
    valid_from  date NOT NULL,
    valid_to    date,
    active      boolean NOT NULL DEFAULT true,
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT session_user,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL DEFAULT session_user,
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);

-- id: the audit trail's row key (the primary key is the pair).
CREATE TABLE yiwei.price_list_item (
    id             bigserial NOT NULL UNIQUE,
    price_list_id  integer NOT NULL REFERENCES yiwei.price_list,
    product_id     integer NOT NULL REFERENCES yiwei.product,
    price          numeric(12,2) NOT NULL CHECK (price > 0),
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    created_by     text NOT NULL DEFAULT session_user,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    updated_by     text NOT NULL DEFAULT session_user,
    PRIMARY KEY (price_list_id, product_id)
);
CREATE INDEX price_list_item_product ON yiwei.price_list_item (product_id);

-- 促销活动: within its dates, lines of its product line (all lines when line_id is NULL) may go
-- down to min_rate whatever the position's own limit.
CREATE TABLE yiwei.promotion (
    id          serial PRIMARY KEY,
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 40),
    line_id     integer REFERENCES yiwei.product_line,
    min_rate    numeric(5,4) NOT NULL CHECK (min_rate > 0 AND min_rate <= 1),
    valid_from  date NOT NULL,
    valid_to    date NOT NULL,
    active      boolean NOT NULL DEFAULT true,
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT session_user,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL DEFAULT session_user,
    CHECK (valid_to >= valid_from)
);
CREATE INDEX promotion_line_id ON yiwei.promotion (line_id) WHERE line_id IS NOT NULL;

-- 套餐: a fixed set of products (each at least the quantity) sold together for price, priced
-- against one price list.
CREATE TABLE yiwei.package (
    id             serial PRIMARY KEY,
    code           text NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 30 AND code !~ '[[:space:][:cntrl:]]'),
    name           text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 40),
    price_list_id  integer NOT NULL REFERENCES yiwei.price_list,
    price          numeric(14,2) NOT NULL CHECK (price > 0),
    valid_from     date NOT NULL,
    valid_to       date,
    active         boolean NOT NULL DEFAULT true,
    rules          text NOT NULL DEFAULT '' CHECK (length(rules) <= 2000),
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    created_by     text NOT NULL DEFAULT session_user,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    updated_by     text NOT NULL DEFAULT session_user,
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX package_price_list ON yiwei.package (price_list_id);

-- Written only with its package (save_package replaces the set); id is the audit row key.
CREATE TABLE yiwei.package_item (
    id          bigserial NOT NULL UNIQUE,
    package_id  integer NOT NULL REFERENCES yiwei.package,
    product_id  integer NOT NULL REFERENCES yiwei.product,
    quantity    numeric(12,3) NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (package_id, product_id)
);
CREATE INDEX package_item_product ON yiwei.package_item (product_id);

-- 订单完整性项目检查: what the drawing review ticks; an item of one product line (or of all).
CREATE TABLE yiwei.checklist_item (
    id          serial PRIMARY KEY,
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 60),
    line_id     integer REFERENCES yiwei.product_line,
    sort_order  integer NOT NULL DEFAULT 0,
    active      boolean NOT NULL DEFAULT true,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT session_user,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL DEFAULT session_user
);
CREATE UNIQUE INDEX checklist_item_name ON yiwei.checklist_item (coalesce(line_id, 0), name);

-- 责任原因: why a change order happened, chosen when its responsibility is determined.
CREATE TABLE yiwei.responsibility_reason (
    id          serial PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 40),
    sort_order  integer NOT NULL DEFAULT 0,
    active      boolean NOT NULL DEFAULT true,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT session_user,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL DEFAULT session_user
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['product_line', 'product_grade', 'supply_package', 'product', 'product_cost',
                             'style_alias', 'price_list', 'price_list_item', 'promotion', 'package',
                             'checklist_item', 'responsibility_reason'] LOOP
        EXECUTE format('CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON yiwei.%I
                        FOR EACH ROW EXECUTE FUNCTION yiwei.tg_stamp()', t);
    END LOOP;
END $$;

-- Input helpers ----------------------------------------------------------------------------------
-- Each "…_problem" function returns what is wrong with one value (NULL when nothing is): the Excel
-- import check collects these per row and field without raising, the save functions raise them
-- through yiwei.refuse, so a form and an import say the same thing about the same value.

CREATE FUNCTION yiwei.refuse(p_label text, p_problem text, p_value text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF p_problem IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = p_label,
            MESSAGE = p_label || p_problem || CASE WHEN coalesce(btrim(p_value), '') = '' THEN ''
                                                   ELSE format('（%s）', left(btrim(p_value), 30)) END;
    END IF;
END $$;

-- A typed text against its length limits (clean_text's rules, as a reason instead of an error).
CREATE FUNCTION yiwei.text_problem(p_value text, p_min integer, p_max integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN length(btrim(coalesce(p_value, ''))) < p_min THEN '不能为空'
                WHEN length(btrim(coalesce(p_value, ''))) > p_max THEN format('不能超过 %s 个字符', p_max)
                WHEN p_value ~ '[[:cntrl:]]' THEN '含有不可见的控制字符' END
$$;

-- A money amount typed in a form or read from a sheet (JSON number or text). Prices must be > 0,
-- costs may be 0; more than two decimals is refused, never rounded (12.345 is a typing error, and
-- rounding it would store a price nobody agreed to). numeric(12,2) holds less than 10^10.
CREATE FUNCTION yiwei.amount_problem(p_value text, p_allow_zero boolean) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v text := btrim(coalesce(p_value, ''));
    n numeric;
BEGIN
    IF v = '' THEN
        RETURN '不能为空';
    END IF;
    IF length(v) > 40 OR v !~ '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$' THEN
        RETURN '不是有效的数字';
    END IF;
    n := v::numeric;
    IF n < 0 THEN
        RETURN '不能为负数';
    ELSIF n = 0 AND NOT p_allow_zero THEN
        RETURN '必须大于 0';
    ELSIF n <> round(n, 2) THEN
        RETURN '小数位超过两位';
    ELSIF n >= 10000000000 THEN
        RETURN '超出范围';
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION yiwei.input_amount(p_value text, p_label text, p_allow_zero boolean) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    PERFORM yiwei.refuse(p_label, yiwei.amount_problem(p_value, p_allow_zero), p_value);
    RETURN btrim(p_value)::numeric;
END $$;

-- A package quantity: > 0, at most three decimals (numeric(12,3)).
CREATE FUNCTION yiwei.input_quantity(p_value text, p_label text) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v text := btrim(coalesce(p_value, ''));
BEGIN
    IF v !~ '^[+-]?([0-9]{1,12}(\.[0-9]{0,12})?|\.[0-9]{1,12})$' THEN
        PERFORM yiwei.refuse(p_label, CASE WHEN v = '' THEN '不能为空' ELSE '不是有效的数字' END, v);
    END IF;
    IF v::numeric <= 0 THEN
        PERFORM yiwei.refuse(p_label, '必须大于 0', v);
    ELSIF v::numeric <> round(v::numeric, 3) THEN
        PERFORM yiwei.refuse(p_label, '最多三位小数', v);
    ELSIF v::numeric >= 1000000000 THEN
        PERFORM yiwei.refuse(p_label, '超出范围', v);
    END IF;
    RETURN v::numeric;
END $$;

-- A discount rate (price ÷ list price): 0 < rate ≤ 1, at most four decimals; 0.9 = 九折.
CREATE FUNCTION yiwei.input_rate(p_value text, p_label text) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v text := btrim(coalesce(p_value, ''));
BEGIN
    IF v !~ '^([0-9]{1,3}(\.[0-9]{0,12})?|\.[0-9]{1,12})$' OR v::numeric <= 0 OR v::numeric > 1
       OR v::numeric <> round(v::numeric, 4) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = p_label,
            MESSAGE = format('%s须为大于 0、不超过 1 的小数，最多四位（如 0.85 表示八五折）', p_label);
    END IF;
    RETURN v::numeric;
END $$;

-- A sort order (排序): a whole number, 0 when empty.
CREATE FUNCTION yiwei.input_sort_order(p_value text) RETURNS integer
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v text := btrim(coalesce(p_value, ''));
BEGIN
    IF v = '' THEN
        RETURN 0;
    END IF;
    IF v !~ '^-?[0-9]{1,6}$' THEN
        PERFORM yiwei.refuse('排序', '须为整数', v);
    END IF;
    RETURN v::integer;
END $$;

-- A date typed as YYYY-MM-DD; NULL when empty unless required.
CREATE FUNCTION yiwei.input_day(p_value text, p_label text, p_required boolean) RETURNS date
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v text := btrim(coalesce(p_value, ''));
BEGIN
    IF v = '' THEN
        IF p_required THEN
            PERFORM yiwei.refuse(p_label, '不能为空');
        END IF;
        RETURN NULL;
    END IF;
    IF v !~ '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$' THEN
        PERFORM yiwei.refuse(p_label, '须为日期（如 2026-05-01）', v);
    END IF;
    RETURN v::date;
EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
    PERFORM yiwei.refuse(p_label, '不是有效的日期', v);
END $$;

-- Product codes: letters, digits and - _ . /, stored in upper case.
CREATE FUNCTION yiwei.product_code_problem(p_code text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN btrim(coalesce(p_code, '')) = '' THEN '不能为空'
                WHEN upper(btrim(p_code)) !~ '^[A-Z0-9][A-Z0-9._/-]{0,39}$'
                THEN '只能由字母、数字和 - _ . / 组成，以字母或数字开头，最长 40 位' END
$$;

-- The id of a referenced row given in a form (NULL when empty); a value that is no id at all is
-- refused like an unknown one. Internal to the checked functions (not granted: with any table
-- name it would tell whether a row exists), and it runs with their rights.
CREATE FUNCTION yiwei.input_ref(p_value text, p_table regclass, p_label text, p_required boolean) RETURNS integer
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v text := btrim(coalesce(p_value, ''));
    v_found boolean;
BEGIN
    IF v = '' THEN
        IF p_required THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('请选择%s', p_label), DETAIL = p_label;
        END IF;
        RETURN NULL;
    END IF;
    IF v ~ '^[0-9]{1,9}$' THEN
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE id = $1)', p_table) INTO v_found USING v::integer;
    END IF;
    IF NOT coalesce(v_found, false) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('%s不存在', p_label), DETAIL = p_label;
    END IF;
    RETURN v::integer;
END $$;

-- The style a typed style stands for: an alias gives its style ("欧式简约" → 简欧), anything else is
-- kept as typed, so products of one style are written one way.
CREATE FUNCTION yiwei.canonical_style(p_style text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT coalesce((SELECT a.style FROM yiwei.style_alias a WHERE a.alias_key = yiwei.text_key(p_style)),
                    btrim(coalesce(p_style, '')))
$$;

-- Checked steps that keep the catalogue ------------------------------------------------------------

-- Product lines and grades are alike (code, name, order, active): one body, a table each.
CREATE FUNCTION yiwei.save_coded_entry(p_table text, p_what text, p_id integer, p_version integer, p jsonb)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_id integer := p_id;
    v_code text := upper(btrim(coalesce(p ->> 'code', '')));
    v_name text := yiwei.clean_text(p ->> 'name', p_what || '名称', 1, 30);
    v_sort integer := yiwei.input_sort_order(p ->> 'sort_order');
    v_active boolean := coalesce((p ->> 'active')::boolean, true);
    v_taken boolean;
BEGIN
    IF v_code = '' THEN
        PERFORM yiwei.refuse(p_what || '编码', '不能为空');
    ELSIF v_code !~ '^[A-Z0-9][A-Z0-9_-]{0,19}$' THEN
        PERFORM yiwei.refuse(p_what || '编码', '只能由字母、数字、- 和 _ 组成，最长 20 位', v_code);
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM yiwei.%I WHERE code = $1 AND id IS DISTINCT FROM $2)', p_table)
       INTO v_taken USING v_code, p_id;
    IF v_taken THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('%s编码“%s”已存在', p_what, v_code),
            DETAIL = p_what || '编码';
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM yiwei.%I WHERE name = $1 AND id IS DISTINCT FROM $2)', p_table)
       INTO v_taken USING v_name, p_id;
    IF v_taken THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('%s“%s”已存在', p_what, v_name),
            DETAIL = p_what || '名称';
    END IF;
    IF p_id IS NULL THEN
        EXECUTE format('INSERT INTO yiwei.%I (code, name, sort_order, active) VALUES ($1, $2, $3, $4) RETURNING id', p_table)
           INTO v_id USING v_code, v_name, v_sort, v_active;
    ELSE
        PERFORM yiwei.assert_version(('yiwei.' || quote_ident(p_table))::regclass, p_id, p_version);
        EXECUTE format('UPDATE yiwei.%I SET code = $1, name = $2, sort_order = $3, active = $4 WHERE id = $5', p_table)
          USING v_code, v_name, v_sort, v_active, p_id;
    END IF;
    RETURN v_id;
END $$;

CREATE FUNCTION yiwei.save_product_line(p_id integer, p_version integer, p jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    -- the permission first: a caller without it learns nothing from validation messages
    PERFORM yiwei.require_permission('masterdata.product');
    RETURN yiwei.save_coded_entry('product_line', '产品系列', p_id, p_version, p);
END $$;

CREATE FUNCTION yiwei.save_product_grade(p_id integer, p_version integer, p jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    PERFORM yiwei.require_permission('masterdata.product');
    RETURN yiwei.save_coded_entry('product_grade', '产品品级', p_id, p_version, p);
END $$;

CREATE FUNCTION yiwei.save_supply_package(p_id integer, p_version integer, p jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_id integer := p_id;
    v_name text;
    v_note text;
    v_active boolean;
BEGIN
    PERFORM yiwei.require_permission('masterdata.product');
    v_name := yiwei.clean_text(p ->> 'name', '包装名称', 1, 40);
    v_note := yiwei.clean_multiline(p ->> 'note', '备注', 0, 500);
    v_active := coalesce((p ->> 'active')::boolean, true);
    IF EXISTS (SELECT 1 FROM yiwei.supply_package WHERE name = v_name AND id IS DISTINCT FROM p_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('供货包装“%s”已存在', v_name), DETAIL = '包装名称';
    END IF;
    IF p_id IS NULL THEN
        INSERT INTO yiwei.supply_package (name, note, active) VALUES (v_name, v_note, v_active) RETURNING id INTO v_id;
    ELSE
        PERFORM yiwei.assert_version('yiwei.supply_package', p_id, p_version);
        UPDATE yiwei.supply_package SET name = v_name, note = v_note, active = v_active WHERE id = p_id;
    END IF;
    RETURN v_id;
END $$;

-- A product; with "cost" in p also its cost price ("" or null removes it), without it the cost
-- stays as it was. The product's version guards both.
CREATE FUNCTION yiwei.save_product(p_id integer, p_version integer, p jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_id integer := p_id;
    v_code text := upper(btrim(coalesce(p ->> 'code', '')));
    v_name text;
    v_line integer;
    v_grade integer;
    v_package integer;
    v_style text;
    v_colour text;
    v_spec text;
    v_unit text;
    v_active boolean;
    v_cost numeric;
BEGIN
    PERFORM yiwei.require_permission('masterdata.product');
    PERFORM yiwei.refuse('产品编码', yiwei.product_code_problem(v_code), v_code);
    IF EXISTS (SELECT 1 FROM yiwei.product WHERE code = v_code AND id IS DISTINCT FROM p_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('产品编码“%s”已存在', v_code), DETAIL = '产品编码';
    END IF;
    v_name := yiwei.clean_text(p ->> 'name', '产品名称', 1, 60);
    v_line := yiwei.input_ref(p ->> 'line_id', 'yiwei.product_line', '产品系列', true);
    -- a stopped line takes no new products (those already in it may be saved as they are)
    IF NOT (SELECT active FROM yiwei.product_line WHERE id = v_line)
       AND v_line IS DISTINCT FROM (SELECT line_id FROM yiwei.product WHERE id = p_id) THEN
        PERFORM yiwei.refuse('产品系列', '已停用', (SELECT name FROM yiwei.product_line WHERE id = v_line));
    END IF;
    v_grade := yiwei.input_ref(p ->> 'grade_id', 'yiwei.product_grade', '产品品级', false);
    v_package := yiwei.input_ref(p ->> 'supply_package_id', 'yiwei.supply_package', '供货包装', false);
    v_style := yiwei.canonical_style(yiwei.clean_text(p ->> 'style', '款型', 0, 40));
    v_colour := yiwei.clean_text(p ->> 'colour', '颜色', 0, 30);
    v_spec := yiwei.clean_text(p ->> 'spec', '规格', 0, 60);
    v_unit := yiwei.clean_text(p ->> 'unit', '单位', 1, 10);
    v_active := coalesce((p ->> 'active')::boolean, true);
    IF btrim(coalesce(p ->> 'cost', '')) <> '' THEN
        v_cost := yiwei.input_amount(p ->> 'cost', '成本价', true);
    END IF;
    IF p_id IS NULL THEN
        INSERT INTO yiwei.product (code, name, line_id, grade_id, style, colour, spec, unit, supply_package_id, active)
        VALUES (v_code, v_name, v_line, v_grade, v_style, v_colour, v_spec, v_unit, v_package, v_active)
        RETURNING id INTO v_id;
    ELSE
        PERFORM yiwei.assert_version('yiwei.product', p_id, p_version);
        UPDATE yiwei.product
           SET code = v_code, name = v_name, line_id = v_line, grade_id = v_grade, style = v_style, colour = v_colour,
               spec = v_spec, unit = v_unit, supply_package_id = v_package, active = v_active
         WHERE id = p_id;
    END IF;
    IF p ? 'cost' THEN
        IF v_cost IS NULL THEN
            DELETE FROM yiwei.product_cost WHERE product_id = v_id;
        ELSE
            INSERT INTO yiwei.product_cost (product_id, cost) VALUES (v_id, v_cost)
            ON CONFLICT (product_id) DO UPDATE SET cost = EXCLUDED.cost
             WHERE product_cost.cost IS DISTINCT FROM EXCLUDED.cost;
        END IF;
    END IF;
    RETURN v_id;
END $$;

-- An alias of a style. It must not be a style of its own (products written with it would belong to
-- two styles), nor the alias of another style, and a style that is itself an alias gets none.
CREATE FUNCTION yiwei.save_style_alias(p_id integer, p_version integer, p jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_id integer := p_id;
    v_style text;
    v_alias text;
    v_style_key text;
    v_alias_key text;
    v_other text;
    v_count integer;
BEGIN
    PERFORM yiwei.require_permission('masterdata.product');
    v_style := yiwei.clean_text(p ->> 'style', '款型', 1, 40);
    v_alias := yiwei.clean_text(p ->> 'alias', '别名', 1, 40);
    v_style_key := yiwei.text_key(v_style);
    v_alias_key := yiwei.text_key(v_alias);
    IF v_style_key = '' THEN
        PERFORM yiwei.refuse('款型', '不能只有标点或空格');
    END IF;
    IF v_alias_key = '' THEN
        PERFORM yiwei.refuse('别名', '不能只有标点或空格');
    END IF;
    IF v_alias_key = v_style_key THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '别名',
            MESSAGE = format('别名“%s”与款型“%s”视为同一写法，无需添加', v_alias, v_style);
    END IF;
    SELECT style INTO v_other FROM yiwei.style_alias WHERE alias_key = v_style_key AND id IS DISTINCT FROM p_id;
    IF v_other IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '款型',
            MESSAGE = format('“%s”是款型“%s”的别名，请为“%s”添加别名', v_style, v_other, v_other);
    END IF;
    SELECT style INTO v_other FROM yiwei.style_alias WHERE alias_key = v_alias_key AND id IS DISTINCT FROM p_id;
    IF v_other IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '别名',
            MESSAGE = format('“%s”已是款型“%s”的别名', v_alias, v_other);
    END IF;
    SELECT count(*) INTO v_count FROM yiwei.product WHERE style_key = v_alias_key;
    IF v_count > 0 OR EXISTS (SELECT 1 FROM yiwei.style_alias WHERE style_key = v_alias_key AND id IS DISTINCT FROM p_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '别名',
            MESSAGE = format('“%s”本身是一个款型（%s 个产品使用），不能作为别名', v_alias, v_count);
    END IF;
    IF p_id IS NULL THEN
        INSERT INTO yiwei.style_alias (style, style_key, alias, alias_key) VALUES (v_style, v_style_key, v_alias, v_alias_key)
        RETURNING id INTO v_id;
    ELSE
        PERFORM yiwei.assert_version('yiwei.style_alias', p_id, p_version);
        UPDATE yiwei.style_alias SET style = v_style, style_key = v_style_key, alias = v_alias, alias_key = v_alias_key
         WHERE id = p_id;
    END IF;
    RETURN v_id;
END $$;

CREATE FUNCTION yiwei.delete_style_alias(p_id integer, p_version integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    PERFORM yiwei.require_permission('masterdata.product');
    PERFORM yiwei.assert_version('yiwei.style_alias', p_id, p_version);
    DELETE FROM yiwei.style_alias WHERE id = p_id;
END $$;

CREATE FUNCTION yiwei.save_price_list(p_id integer, p_version integer, p jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_id integer := p_id;
    v_code text;
    v_name text;
    v_from date;
    v_to date;
    v_note text;
    v_active boolean;
BEGIN
    PERFORM yiwei.require_permission('masterdata.product');
    v_code := upper(yiwei.clean_text(p ->> 'code', '价格体系编码', 1, 30));
    IF v_code ~ '[[:space:]]' THEN
        PERFORM yiwei.refuse('价格体系编码', '不能含有空格', v_code);
    END IF;
    v_name := yiwei.clean_text(p ->> 'name', '价格体系名称', 1, 40);
    v_from := yiwei.input_day(p ->> 'valid_from', '生效日期', true);
    v_to := yiwei.input_day(p ->> 'valid_to', '截止日期', false);
    IF v_to < v_from THEN
        PERFORM yiwei.refuse('截止日期', '不能早于生效日期', v_to::text);
    END IF;
    v_note := yiwei.clean_multiline(p ->> 'note', '备注', 0, 500);
    v_active := coalesce((p ->> 'active')::boolean, true);
    IF EXISTS (SELECT 1 FROM yiwei.price_list WHERE code = v_code AND id IS DISTINCT FROM p_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('价格体系编码“%s”已存在', v_code), DETAIL = '价格体系编码';
    END IF;
    IF EXISTS (SELECT 1 FROM yiwei.price_list WHERE name = v_name AND id IS DISTINCT FROM p_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('价格体系“%s”已存在', v_name), DETAIL = '价格体系名称';
    END IF;
    IF p_id IS NULL THEN
        INSERT INTO yiwei.price_list (code, name, valid_from, valid_to, note, active)
        VALUES (v_code, v_name, v_from, v_to, v_note, v_active) RETURNING id INTO v_id;
    ELSE
        PERFORM yiwei.assert_version('yiwei.price_list', p_id, p_version);
        UPDATE yiwei.price_list SET code = v_code, name = v_name, valid_from = v_from, valid_to = v_to, note = v_note,
                                    active = v_active
         WHERE id = p_id;
    END IF;
    RETURN v_id;
END $$;

-- One product's price in a price list: p = {price_list_id, product_id, price} (the pair is fixed
-- once saved: a changed pair is a new item).
CREATE FUNCTION yiwei.save_price_list_item(p_id bigint, p_version integer, p jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_id bigint := p_id;
    v_list integer;
    v_product integer;
    v_price numeric;
    v_item yiwei.price_list_item;
BEGIN
    PERFORM yiwei.require_permission('masterdata.product');
    IF p_id IS NULL THEN
        v_list := yiwei.input_ref(p ->> 'price_list_id', 'yiwei.price_list', '价格体系', true);
        v_product := yiwei.input_ref(p ->> 'product_id', 'yiwei.product', '产品', true);
    ELSE
        SELECT * INTO v_item FROM yiwei.price_list_item WHERE id = p_id;
        v_list := v_item.price_list_id;
        v_product := v_item.product_id;
    END IF;
    v_price := yiwei.input_amount(p ->> 'price', '零售价', false);
    IF p_id IS NULL THEN
        IF EXISTS (SELECT 1 FROM yiwei.price_list_item WHERE price_list_id = v_list AND product_id = v_product) THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '产品',
                MESSAGE = format('产品“%s”已在价格体系“%s”中，请修改其价格',
                                 (SELECT code FROM yiwei.product WHERE id = v_product),
                                 (SELECT name FROM yiwei.price_list WHERE id = v_list));
        END IF;
        INSERT INTO yiwei.price_list_item (price_list_id, product_id, price) VALUES (v_list, v_product, v_price)
        RETURNING id INTO v_id;
    ELSE
        PERFORM yiwei.assert_version('yiwei.price_list_item', p_id, p_version);
        UPDATE yiwei.price_list_item SET price = v_price WHERE id = p_id;
    END IF;
    RETURN v_id;
END $$;

CREATE FUNCTION yiwei.delete_price_list_item(p_id bigint, p_version integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    PERFORM yiwei.require_permission('masterdata.product');
    PERFORM yiwei.assert_version('yiwei.price_list_item', p_id, p_version);
    DELETE FROM yiwei.price_list_item WHERE id = p_id;
END $$;

CREATE FUNCTION yiwei.save_promotion(p_id integer, p_version integer, p jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_id integer := p_id;
    v_name text;
    v_line integer;
    v_rate numeric;
    v_from date;
    v_to date;
    v_note text;
    v_active boolean;
BEGIN
    PERFORM yiwei.require_permission('masterdata.promotion');
    v_name := yiwei.clean_text(p ->> 'name', '活动名称', 1, 40);
    v_line := yiwei.input_ref(p ->> 'line_id', 'yiwei.product_line', '产品系列', false);
    v_rate := yiwei.input_rate(p ->> 'min_rate', '最低折扣');
    v_from := yiwei.input_day(p ->> 'valid_from', '开始日期', true);
    v_to := yiwei.input_day(p ->> 'valid_to', '结束日期', true);
    IF v_to < v_from THEN
        PERFORM yiwei.refuse('结束日期', '不能早于开始日期', v_to::text);
    END IF;
    v_note := yiwei.clean_multiline(p ->> 'note', '备注', 0, 500);
    v_active := coalesce((p ->> 'active')::boolean, true);
    IF p_id IS NULL THEN
        INSERT INTO yiwei.promotion (name, line_id, min_rate, valid_from, valid_to, note, active)
        VALUES (v_name, v_line, v_rate, v_from, v_to, v_note, v_active) RETURNING id INTO v_id;
    ELSE
        PERFORM yiwei.assert_version('yiwei.promotion', p_id, p_version);
        UPDATE yiwei.promotion SET name = v_name, line_id = v_line, min_rate = v_rate, valid_from = v_from,
                                   valid_to = v_to, note = v_note, active = v_active
         WHERE id = p_id;
    END IF;
    RETURN v_id;
END $$;

-- A package with its products: p = {code, name, price_list_id, price, valid_from, valid_to, active,
-- rules, items: [{product_id, quantity}]}; the items given replace the old ones. Every product must
-- be priced in the package's price list, and the package lies within the list's validity.
CREATE FUNCTION yiwei.save_package(p_id integer, p_version integer, p jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_id integer := p_id;
    v_code text;
    v_name text;
    v_list yiwei.price_list;
    v_price numeric;
    v_from date;
    v_to date;
    v_rules text;
    v_active boolean;
    v_item jsonb;
    v_product yiwei.product;
    v_items jsonb := '[]';
BEGIN
    PERFORM yiwei.require_permission('masterdata.promotion');
    v_code := upper(yiwei.clean_text(p ->> 'code', '套餐编码', 1, 30));
    IF v_code ~ '[[:space:]]' THEN
        PERFORM yiwei.refuse('套餐编码', '不能含有空格', v_code);
    END IF;
    IF EXISTS (SELECT 1 FROM yiwei.package WHERE code = v_code AND id IS DISTINCT FROM p_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('套餐编码“%s”已存在', v_code), DETAIL = '套餐编码';
    END IF;
    v_name := yiwei.clean_text(p ->> 'name', '套餐名称', 1, 40);
    SELECT * INTO v_list FROM yiwei.price_list
     WHERE id = yiwei.input_ref(p ->> 'price_list_id', 'yiwei.price_list', '价格体系', true);
    v_price := yiwei.input_amount(p ->> 'price', '套餐价', false);
    v_from := yiwei.input_day(p ->> 'valid_from', '开始日期', true);
    v_to := yiwei.input_day(p ->> 'valid_to', '结束日期', false);
    IF v_to < v_from THEN
        PERFORM yiwei.refuse('结束日期', '不能早于开始日期', v_to::text);
    END IF;
    IF v_from < v_list.valid_from OR (v_list.valid_to IS NOT NULL AND coalesce(v_to, 'infinity') > v_list.valid_to) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422',
            DETAIL = CASE WHEN v_from < v_list.valid_from THEN '开始日期' ELSE '结束日期' END,
            MESSAGE = format('套餐的有效期须在价格体系“%s”的有效期（%s 至 %s）之内', v_list.name, v_list.valid_from,
                             coalesce(v_list.valid_to::text, '长期'));
    END IF;
    v_rules := yiwei.clean_multiline(p ->> 'rules', '套餐规则', 0, 2000);
    v_active := coalesce((p ->> 'active')::boolean, true);
    IF jsonb_typeof(p -> 'items') IS DISTINCT FROM 'array' OR jsonb_array_length(p -> 'items') = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '套餐至少包含一个产品', DETAIL = '套餐明细';
    END IF;
    FOR v_item IN SELECT x FROM jsonb_array_elements(p -> 'items') AS x LOOP
        SELECT * INTO v_product FROM yiwei.product
         WHERE id = yiwei.input_ref(v_item ->> 'product_id', 'yiwei.product', '产品', true);
        IF v_items @> jsonb_build_array(jsonb_build_object('product_id', v_product.id)) THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '套餐明细',
                MESSAGE = format('产品“%s %s”在套餐中重复', v_product.code, v_product.name);
        END IF;
        IF NOT EXISTS (SELECT 1 FROM yiwei.price_list_item WHERE price_list_id = v_list.id AND product_id = v_product.id) THEN
            RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '套餐明细',
                MESSAGE = format('产品“%s %s”不在价格体系“%s”中', v_product.code, v_product.name, v_list.name);
        END IF;
        v_items := v_items || jsonb_build_array(jsonb_build_object(
            'product_id', v_product.id,
            'quantity', yiwei.input_quantity(v_item ->> 'quantity', format('产品“%s”的数量', v_product.code))));
    END LOOP;
    IF p_id IS NULL THEN
        INSERT INTO yiwei.package (code, name, price_list_id, price, valid_from, valid_to, rules, active)
        VALUES (v_code, v_name, v_list.id, v_price, v_from, v_to, v_rules, v_active) RETURNING id INTO v_id;
    ELSE
        PERFORM yiwei.assert_version('yiwei.package', p_id, p_version);
        UPDATE yiwei.package SET code = v_code, name = v_name, price_list_id = v_list.id, price = v_price,
                                 valid_from = v_from, valid_to = v_to, rules = v_rules, active = v_active
         WHERE id = p_id;
    END IF;
    -- only what changed: an unchanged item keeps its row (and the audit trail stays quiet)
    DELETE FROM yiwei.package_item i WHERE i.package_id = v_id
       AND NOT v_items @> jsonb_build_array(jsonb_build_object('product_id', i.product_id, 'quantity', i.quantity));
    INSERT INTO yiwei.package_item (package_id, product_id, quantity)
    SELECT v_id, (x ->> 'product_id')::integer, (x ->> 'quantity')::numeric FROM jsonb_array_elements(v_items) x
    ON CONFLICT (package_id, product_id) DO NOTHING;
    RETURN v_id;
END $$;

CREATE FUNCTION yiwei.save_checklist_item(p_id integer, p_version integer, p jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_id integer := p_id;
    v_name text;
    v_line integer;
    v_sort integer;
    v_active boolean;
BEGIN
    PERFORM yiwei.require_permission('masterdata.checklist');
    v_name := yiwei.clean_text(p ->> 'name', '检查项目', 1, 60);
    v_line := yiwei.input_ref(p ->> 'line_id', 'yiwei.product_line', '产品系列', false);
    v_sort := yiwei.input_sort_order(p ->> 'sort_order');
    v_active := coalesce((p ->> 'active')::boolean, true);
    IF EXISTS (SELECT 1 FROM yiwei.checklist_item WHERE name = v_name AND line_id IS NOT DISTINCT FROM v_line
                                                    AND id IS DISTINCT FROM p_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('检查项目“%s”已存在', v_name), DETAIL = '检查项目';
    END IF;
    IF p_id IS NULL THEN
        INSERT INTO yiwei.checklist_item (name, line_id, sort_order, active) VALUES (v_name, v_line, v_sort, v_active)
        RETURNING id INTO v_id;
    ELSE
        PERFORM yiwei.assert_version('yiwei.checklist_item', p_id, p_version);
        UPDATE yiwei.checklist_item SET name = v_name, line_id = v_line, sort_order = v_sort, active = v_active
         WHERE id = p_id;
    END IF;
    RETURN v_id;
END $$;

CREATE FUNCTION yiwei.save_responsibility_reason(p_id integer, p_version integer, p jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_id integer := p_id;
    v_name text;
    v_sort integer;
    v_active boolean;
BEGIN
    PERFORM yiwei.require_permission('masterdata.checklist');
    v_name := yiwei.clean_text(p ->> 'name', '责任原因', 1, 40);
    v_sort := yiwei.input_sort_order(p ->> 'sort_order');
    v_active := coalesce((p ->> 'active')::boolean, true);
    IF EXISTS (SELECT 1 FROM yiwei.responsibility_reason WHERE name = v_name AND id IS DISTINCT FROM p_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('责任原因“%s”已存在', v_name), DETAIL = '责任原因';
    END IF;
    IF p_id IS NULL THEN
        INSERT INTO yiwei.responsibility_reason (name, sort_order, active) VALUES (v_name, v_sort, v_active)
        RETURNING id INTO v_id;
    ELSE
        PERFORM yiwei.assert_version('yiwei.responsibility_reason', p_id, p_version);
        UPDATE yiwei.responsibility_reason SET name = v_name, sort_order = v_sort, active = v_active WHERE id = p_id;
    END IF;
    RETURN v_id;
END $$;

-- Lookups ------------------------------------------------------------------------------------------

-- The list price of a product in a price list on a day (today in the company's time zone when
-- p_on is NULL); a stopped, expired or not yet valid list, or a product it does not hold, is
-- refused with a message the user can act on.
CREATE FUNCTION yiwei.list_price(p_price_list_id integer, p_product_id integer, p_on date DEFAULT NULL)
RETURNS numeric
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_on date := coalesce(p_on, yiwei.company_today());
    v_list yiwei.price_list;
    v_price numeric;
BEGIN
    SELECT * INTO v_list FROM yiwei.price_list WHERE id = p_price_list_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '价格体系不存在', DETAIL = '价格体系';
    ELSIF NOT v_list.active THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = format('价格体系“%s”已停用', v_list.name), DETAIL = '价格体系';
    ELSIF v_on < v_list.valid_from THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '价格体系',
            MESSAGE = format('价格体系“%s”未生效（%s 起生效）', v_list.name, v_list.valid_from);
    ELSIF v_on > v_list.valid_to THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '价格体系',
            MESSAGE = format('价格体系“%s”已过期（有效期至 %s）', v_list.name, v_list.valid_to);
    END IF;
    SELECT price INTO v_price FROM yiwei.price_list_item WHERE price_list_id = p_price_list_id AND product_id = p_product_id;
    IF v_price IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', DETAIL = '产品',
            MESSAGE = coalesce((SELECT format('产品“%s %s”不在价格体系“%s”中', code, name, v_list.name)
                                  FROM yiwei.product WHERE id = p_product_id), '产品不存在');
    END IF;
    RETURN v_price;
END $$;

-- The products a search term finds: by code (whole, or a part of it), by a part of the name or the
-- style, and by any alias of a style — all compared by yiwei.text_key, so "欧式 简约", "欧式简约"
-- and an alias "欧式简约" of 简欧 find the same products. Inactive products are found too (the list
-- shows them greyed); callers that sell filter on active. Ordered by code.
CREATE FUNCTION yiwei.find_products(p_term text) RETURNS integer[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_key text := yiwei.text_key(p_term);
    v_pattern text;
    v_styles text[];
BEGIN
    IF v_key = '' THEN
        RETURN '{}';
    END IF;
    v_pattern := '%' || replace(replace(replace(v_key, '\', '\\'), '%', '\%'), '_', '\_') || '%';
    -- the styles whose alias contains the term ("欧式" finds the alias "欧式简约" of 简欧)
    v_styles := ARRAY(SELECT DISTINCT a.style_key FROM yiwei.style_alias a WHERE a.alias_key LIKE v_pattern);
    RETURN coalesce((
        SELECT array_agg(p.id ORDER BY p.code)
          FROM yiwei.product p
         WHERE p.code = upper(btrim(p_term))
            OR p.style_key = ANY (v_styles)
            OR (yiwei.text_grams(yiwei.text_key(p.code) || ' ' || p.name_key || ' ' || p.style_key)
                    @> yiwei.text_grams(v_key)
                AND (yiwei.text_key(p.code) LIKE v_pattern OR p.name_key LIKE v_pattern OR p.style_key LIKE v_pattern))),
        '{}');
END $$;

-- Excel import -------------------------------------------------------------------------------------
-- The client sends the sheet's rows as a JSON array of objects {"row": 7, field: value, …} (row =
-- the spreadsheet's row number; values as text, JSON numbers or booleans). check_…_import returns
-- every problem as (row_no, field key, reason in Chinese) and writes nothing; import_… checks again
-- in its own transaction and, if anything at all is wrong, refuses the whole batch with YW422 whose
-- MESSAGE names the count and the first problem and whose DETAIL is the JSON object
-- {"problems": [{"row": …, "field": …, "reason": …}, …]} listing all of them; otherwise it writes
-- every row in one statement and returns the number of rows (inserted, updated or already equal).

-- A row's yes/no cell: JSON true/false, or 是/否 and the like; NULL when it is neither.
CREATE FUNCTION yiwei.import_bool(p_value text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN lower(btrim(coalesce(p_value, ''))) IN ('true', 't', '1', 'y', 'yes', '是', '启用', '有效') THEN true
                WHEN lower(btrim(coalesce(p_value, ''))) IN ('false', 'f', '0', 'n', 'no', '否', '停用', '无效') THEN false END
$$;

-- The rows of a batch with their row numbers (the array position + 1 when a row has none).
CREATE FUNCTION yiwei.import_rows(p_rows jsonb) RETURNS TABLE (row_no integer, r jsonb)
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    IF jsonb_typeof(p_rows) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '导入数据须为行的列表', DETAIL = '导入数据';
    END IF;
    RETURN QUERY
        SELECT CASE WHEN x.v ->> 'row' ~ '^[0-9]{1,9}$' THEN (x.v ->> 'row')::integer ELSE x.n::integer + 1 END,
               CASE WHEN jsonb_typeof(x.v) = 'object' THEN x.v ELSE '{}'::jsonb END
          FROM jsonb_array_elements(p_rows) WITH ORDINALITY AS x(v, n);
END $$;

-- A batch of product rows, read once for both the check and the import: the values as they will be
-- stored, the referenced rows found by name or code, and the first row of each code.
CREATE FUNCTION yiwei.product_import_rows(p_rows jsonb)
RETURNS TABLE (row_no integer, code text, name text, line_text text, line_id integer, line_active boolean,
               grade_text text, grade_id integer, style text, colour text, spec text, unit text,
               package_text text, supply_package_id integer, cost_text text, active_text text, active boolean,
               first_row integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT x.row_no, x.code, x.name, x.line_text, l.id, l.active, x.grade_text, g.id, x.style, x.colour, x.spec, x.unit,
           x.package_text, sp.id, x.cost_text, x.active_text, coalesce(yiwei.import_bool(x.active_text), true),
           min(x.row_no) OVER (PARTITION BY x.code)
      FROM (SELECT i.row_no,
                   upper(btrim(coalesce(i.r ->> 'code', ''))) AS code,
                   btrim(coalesce(i.r ->> 'name', '')) AS name,
                   btrim(coalesce(i.r ->> 'line', '')) AS line_text,
                   btrim(coalesce(i.r ->> 'grade', '')) AS grade_text,
                   yiwei.canonical_style(i.r ->> 'style') AS style,
                   btrim(coalesce(i.r ->> 'colour', '')) AS colour,
                   btrim(coalesce(i.r ->> 'spec', '')) AS spec,
                   btrim(coalesce(i.r ->> 'unit', '')) AS unit,
                   btrim(coalesce(i.r ->> 'supply_package', '')) AS package_text,
                   btrim(coalesce(i.r ->> 'cost', '')) AS cost_text,
                   btrim(coalesce(i.r ->> 'active', '')) AS active_text
              FROM yiwei.import_rows(p_rows) i) x
      -- a line or grade by its name (as the key compares it) or its code; the name wins
      LEFT JOIN LATERAL (SELECT pl.id, pl.active FROM yiwei.product_line pl
                          WHERE x.line_text <> '' AND (yiwei.text_key(pl.name) = yiwei.text_key(x.line_text)
                                                       OR pl.code = upper(x.line_text))
                          ORDER BY yiwei.text_key(pl.name) = yiwei.text_key(x.line_text) DESC LIMIT 1) l ON true
      LEFT JOIN LATERAL (SELECT pg.id FROM yiwei.product_grade pg
                          WHERE x.grade_text <> '' AND (yiwei.text_key(pg.name) = yiwei.text_key(x.grade_text)
                                                        OR pg.code = upper(x.grade_text))
                          ORDER BY yiwei.text_key(pg.name) = yiwei.text_key(x.grade_text) DESC LIMIT 1) g ON true
      LEFT JOIN LATERAL (SELECT s.id FROM yiwei.supply_package s
                          WHERE x.package_text <> '' AND yiwei.text_key(s.name) = yiwei.text_key(x.package_text)
                          ORDER BY s.name = x.package_text DESC LIMIT 1) sp ON true
$$;

CREATE FUNCTION yiwei.check_product_import(p_rows jsonb) RETURNS TABLE (row_no integer, field text, reason text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    PERFORM yiwei.require_permission('masterdata.product');
    RETURN QUERY
        SELECT r.row_no, f.field, f.reason
          FROM yiwei.product_import_rows(p_rows) r,
               LATERAL (VALUES
                   ('code', coalesce('产品编码' || yiwei.product_code_problem(r.code),
                                     CASE WHEN r.first_row <> r.row_no THEN format('编码重复（第 %s 行）', r.first_row) END)),
                   ('name', '产品名称' || yiwei.text_problem(r.name, 1, 60)),
                   ('line', CASE WHEN r.line_text = '' THEN '产品系列不能为空'
                                 WHEN r.line_id IS NULL THEN format('产品系列不存在（%s）', left(r.line_text, 30))
                                 WHEN NOT r.line_active THEN format('产品系列已停用（%s）', left(r.line_text, 30)) END),
                   ('grade', CASE WHEN r.grade_text <> '' AND r.grade_id IS NULL
                                  THEN format('产品品级不存在（%s）', left(r.grade_text, 30)) END),
                   ('style', '款型' || yiwei.text_problem(r.style, 0, 40)),
                   ('colour', '颜色' || yiwei.text_problem(r.colour, 0, 30)),
                   ('spec', '规格' || yiwei.text_problem(r.spec, 0, 60)),
                   ('unit', '单位' || yiwei.text_problem(r.unit, 1, 10)),
                   ('supply_package', CASE WHEN r.package_text <> '' AND r.supply_package_id IS NULL
                                           THEN format('供货包装不存在（%s）', left(r.package_text, 30)) END),
                   ('cost', CASE WHEN r.cost_text <> '' THEN '成本价' || yiwei.amount_problem(r.cost_text, true) END),
                   ('active', CASE WHEN r.active_text <> '' AND yiwei.import_bool(r.active_text) IS NULL
                                   THEN '启用须填“是”或“否”' END)) AS f(field, reason)
         WHERE f.reason IS NOT NULL
         ORDER BY 1, 2;
END $$;

-- Refuse a batch with problems (see above for the form of the error).
CREATE FUNCTION yiwei.refuse_import(p_problems jsonb) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF jsonb_array_length(p_problems) > 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422',
            MESSAGE = format('导入数据有 %s 处问题，没有导入任何行。第一处：第 %s 行，%s', jsonb_array_length(p_problems),
                             p_problems -> 0 ->> 'row', p_problems -> 0 ->> 'reason'),
            DETAIL = jsonb_build_object('problems', p_problems)::text;
    END IF;
END $$;

-- Products by code: new codes are inserted, known ones updated (an empty cost keeps the cost as it
-- was; rows equal to what is stored are left alone, so versions and the audit trail only move for
-- real changes).
CREATE FUNCTION yiwei.import_products(p_rows jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_count integer;
BEGIN
    PERFORM yiwei.require_permission('masterdata.product');
    PERFORM yiwei.refuse_import(coalesce((SELECT jsonb_agg(jsonb_build_object('row', c.row_no, 'field', c.field,
                                                                              'reason', c.reason))
                                            FROM yiwei.check_product_import(p_rows) c), '[]'));
    WITH r AS (SELECT * FROM yiwei.product_import_rows(p_rows)),
    saved AS (
        INSERT INTO yiwei.product AS p (code, name, line_id, grade_id, style, colour, spec, unit, supply_package_id, active)
        SELECT r.code, r.name, r.line_id, r.grade_id, r.style, r.colour, r.spec, r.unit, r.supply_package_id, r.active
          FROM r
        ON CONFLICT (code) DO UPDATE
           SET name = EXCLUDED.name, line_id = EXCLUDED.line_id, grade_id = EXCLUDED.grade_id, style = EXCLUDED.style,
               colour = EXCLUDED.colour, spec = EXCLUDED.spec, unit = EXCLUDED.unit,
               supply_package_id = EXCLUDED.supply_package_id, active = EXCLUDED.active
         WHERE (p.name, p.line_id, p.grade_id, p.style, p.colour, p.spec, p.unit, p.supply_package_id, p.active)
               IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.line_id, EXCLUDED.grade_id, EXCLUDED.style, EXCLUDED.colour,
                                 EXCLUDED.spec, EXCLUDED.unit, EXCLUDED.supply_package_id, EXCLUDED.active)
        RETURNING p.id, p.code),
    costs AS (
        INSERT INTO yiwei.product_cost AS c (product_id, cost)
        SELECT coalesce(s.id, old.id), r.cost_text::numeric
          FROM r
          LEFT JOIN saved s ON s.code = r.code
          LEFT JOIN yiwei.product old ON old.code = r.code
         WHERE r.cost_text <> ''
        ON CONFLICT (product_id) DO UPDATE SET cost = EXCLUDED.cost WHERE c.cost IS DISTINCT FROM EXCLUDED.cost)
    SELECT count(*) INTO v_count FROM r;
    RETURN v_count;
END $$;

-- A price list's rows: the product by its code and the price.
CREATE FUNCTION yiwei.price_list_import_rows(p_rows jsonb)
RETURNS TABLE (row_no integer, code text, product_id integer, price_text text, first_row integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
    SELECT x.row_no, x.code, p.id, x.price_text, min(x.row_no) OVER (PARTITION BY x.code)
      FROM (SELECT i.row_no, upper(btrim(coalesce(i.r ->> 'code', ''))) AS code,
                   btrim(coalesce(i.r ->> 'price', '')) AS price_text
              FROM yiwei.import_rows(p_rows) i) x
      LEFT JOIN yiwei.product p ON p.code = x.code
$$;

CREATE FUNCTION yiwei.check_price_list_import(p_price_list_id integer, p_rows jsonb)
RETURNS TABLE (row_no integer, field text, reason text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
BEGIN
    PERFORM yiwei.require_permission('masterdata.product');
    IF NOT EXISTS (SELECT 1 FROM yiwei.price_list WHERE id = p_price_list_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'YW422', MESSAGE = '价格体系不存在', DETAIL = '价格体系';
    END IF;
    RETURN QUERY
        SELECT r.row_no, f.field, f.reason
          FROM yiwei.price_list_import_rows(p_rows) r,
               LATERAL (VALUES
                   ('code', CASE WHEN r.code = '' THEN '产品编码不能为空'
                                 WHEN r.product_id IS NULL THEN format('产品编码不存在（%s）', left(r.code, 40))
                                 WHEN r.first_row <> r.row_no THEN format('编码重复（第 %s 行）', r.first_row) END),
                   ('price', '价格' || yiwei.amount_problem(r.price_text, false))) AS f(field, reason)
         WHERE f.reason IS NOT NULL
         ORDER BY 1, 2;
END $$;

-- Prices by product: new products are added to the list, known ones repriced; products of the list
-- the sheet does not name keep their price (removing one is a deliberate step, not an omission).
CREATE FUNCTION yiwei.import_price_list(p_price_list_id integer, p_rows jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_count integer;
BEGIN
    PERFORM yiwei.require_permission('masterdata.product');
    PERFORM yiwei.refuse_import(coalesce((SELECT jsonb_agg(jsonb_build_object('row', c.row_no, 'field', c.field,
                                                                              'reason', c.reason))
                                            FROM yiwei.check_price_list_import(p_price_list_id, p_rows) c), '[]'));
    WITH r AS (SELECT * FROM yiwei.price_list_import_rows(p_rows)),
    saved AS (
        INSERT INTO yiwei.price_list_item AS i (price_list_id, product_id, price)
        SELECT p_price_list_id, r.product_id, r.price_text::numeric FROM r
        ON CONFLICT (price_list_id, product_id) DO UPDATE SET price = EXCLUDED.price WHERE i.price <> EXCLUDED.price)
    SELECT count(*) INTO v_count FROM r;
    RETURN v_count;
END $$;
