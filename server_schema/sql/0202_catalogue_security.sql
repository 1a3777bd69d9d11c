-- Row-level security, grants, audit triggers, table names and list views of the product catalogue.
-- Every employee reads the catalogue; it is written only through the checked functions of 0201.
-- Cost prices (product_cost) are readable only with orders.cost_view or masterdata.product.

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['product_line', 'product_grade', 'supply_package', 'product', 'product_cost',
                             'style_alias', 'price_list', 'price_list_item', 'promotion', 'package', 'package_item',
                             'checklist_item', 'responsibility_reason'] LOOP
        EXECUTE format('ALTER TABLE yiwei.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE yiwei.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY owner_all ON yiwei.%I TO {{owner}} USING (true) WITH CHECK (true)', t);
        IF t <> 'product_cost' THEN
            EXECUTE format('CREATE POLICY read_all ON yiwei.%I FOR SELECT TO {{app}} USING (true)', t);
        END IF;
    END LOOP;
END $$;

-- Costs: the same rows for everyone who may see costs, none for anyone else — so a list joining
-- product_cost shows NULL, never a wrong number, to a guide.
CREATE POLICY cost_read ON yiwei.product_cost FOR SELECT TO {{app}}
    USING ((SELECT yiwei.has_any_permission(ARRAY['orders.cost_view', 'masterdata.product'])));

GRANT SELECT ON yiwei.product_line, yiwei.product_grade, yiwei.supply_package, yiwei.product, yiwei.product_cost,
    yiwei.style_alias, yiwei.price_list, yiwei.price_list_item, yiwei.promotion, yiwei.package, yiwei.package_item,
    yiwei.checklist_item, yiwei.responsibility_reason TO {{app}};

-- tg_audit for rows with columns that must stay out of the audit trail: trigger arguments are the
-- row key's column, then the columns left out. The trail copies whole rows and is read by auditors
-- who may lack the cost permission (as with phone_book), so a cost change is logged with who and
-- when, the amount left out. Any table with a secret or bulky column can use it the same way.
CREATE FUNCTION yiwei.tg_audit_without() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, yiwei, pg_temp AS $$
DECLARE
    v_hidden text[] := TG_ARGV[1:TG_NARGS - 1];
    v_old jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) - v_hidden END;
    v_new jsonb := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) - v_hidden END;
BEGIN
    INSERT INTO yiwei.audit_log (actor, employee_id, table_name, row_key, action, old_row, new_row)
    VALUES (session_user, (SELECT e.id FROM yiwei.employee e WHERE e.role_name = session_user),
            TG_TABLE_NAME, coalesce(v_new, v_old) ->> TG_ARGV[0], TG_OP, v_old, v_new);
    RETURN NULL;
END $$;
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON yiwei.product_cost
    FOR EACH ROW EXECUTE FUNCTION yiwei.tg_audit_without('product_id', 'cost');

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['product_line', 'product_grade', 'supply_package', 'product', 'style_alias', 'price_list',
                             'price_list_item', 'promotion', 'package', 'package_item', 'checklist_item',
                             'responsibility_reason'] LOOP
        EXECUTE format('CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON yiwei.%I
                        FOR EACH ROW EXECUTE FUNCTION yiwei.tg_audit()', t);
    END LOOP;
END $$;

COMMENT ON TABLE yiwei.product_line IS '产品系列';
COMMENT ON TABLE yiwei.product_grade IS '产品品级';
COMMENT ON TABLE yiwei.supply_package IS '总部供货包装';
COMMENT ON TABLE yiwei.product IS '产品信息';
COMMENT ON TABLE yiwei.product_cost IS '产品成本价';
COMMENT ON TABLE yiwei.style_alias IS '款型别名';
COMMENT ON TABLE yiwei.price_list IS '零售价格体系';
COMMENT ON TABLE yiwei.price_list_item IS '价格体系明细';
COMMENT ON TABLE yiwei.promotion IS '促销活动';
COMMENT ON TABLE yiwei.package IS '套餐';
COMMENT ON TABLE yiwei.package_item IS '套餐明细';
COMMENT ON TABLE yiwei.checklist_item IS '订单完整性检查项目';
COMMENT ON TABLE yiwei.responsibility_reason IS '责任原因';

-- Functions: nothing for PUBLIC; the app role gets the checked steps and the helpers forms use.
-- (save_coded_entry, input_ref, product_import_rows and price_list_import_rows are internal:
-- reachable only through the checked functions that test the permission first.)
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA yiwei FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    yiwei.refuse(text, text, text), yiwei.text_problem(text, integer, integer), yiwei.amount_problem(text, boolean),
    yiwei.input_amount(text, text, boolean), yiwei.input_quantity(text, text), yiwei.input_rate(text, text),
    yiwei.input_day(text, text, boolean), yiwei.input_sort_order(text), yiwei.product_code_problem(text),
    yiwei.canonical_style(text),
    yiwei.save_product_line(integer, integer, jsonb), yiwei.save_product_grade(integer, integer, jsonb),
    yiwei.save_supply_package(integer, integer, jsonb), yiwei.save_product(integer, integer, jsonb),
    yiwei.save_style_alias(integer, integer, jsonb), yiwei.delete_style_alias(integer, integer),
    yiwei.save_price_list(integer, integer, jsonb), yiwei.save_price_list_item(bigint, integer, jsonb),
    yiwei.delete_price_list_item(bigint, integer), yiwei.save_promotion(integer, integer, jsonb),
    yiwei.save_package(integer, integer, jsonb), yiwei.save_checklist_item(integer, integer, jsonb),
    yiwei.save_responsibility_reason(integer, integer, jsonb),
    yiwei.list_price(integer, integer, date), yiwei.find_products(text),
    yiwei.import_bool(text), yiwei.import_rows(jsonb), yiwei.refuse_import(jsonb),
    yiwei.check_product_import(jsonb), yiwei.import_products(jsonb),
    yiwei.check_price_list_import(integer, jsonb), yiwei.import_price_list(integer, jsonb)
TO {{app}};

-- List views (security_invoker: the caller's policies apply) ------------------------------------

-- Products with the names of what they refer to. cost comes from product_cost, whose policy gives
-- rows only to those who may see costs: for everyone else the column is NULL.
CREATE VIEW yiwei.product_list WITH (security_invoker = true) AS
SELECT p.id, p.code, p.name, l.name AS line_name, g.name AS grade_name, p.style,
       coalesce((SELECT string_agg(a.alias, '、' ORDER BY a.alias) FROM yiwei.style_alias a
                  WHERE a.style_key = p.style_key AND p.style_key <> ''), '') AS style_aliases,
       p.colour, p.spec, p.unit, sp.name AS supply_package_name, pc.cost, p.active,
       l.code AS line_code, g.code AS grade_code, p.updated_at,
       p.line_id, p.grade_id, p.supply_package_id, p.version
  FROM yiwei.product p
  JOIN yiwei.product_line l ON l.id = p.line_id
  LEFT JOIN yiwei.product_grade g ON g.id = p.grade_id
  LEFT JOIN yiwei.supply_package sp ON sp.id = p.supply_package_id
  LEFT JOIN yiwei.product_cost pc ON pc.product_id = p.id;

-- Price lists with how many products they price and whether they hold today.
CREATE VIEW yiwei.price_list_list WITH (security_invoker = true) AS
SELECT pl.id, pl.code, pl.name, pl.valid_from, pl.valid_to,
       CASE WHEN NOT pl.active THEN '停用'
            WHEN (SELECT yiwei.company_today()) < pl.valid_from THEN '未生效'
            WHEN (SELECT yiwei.company_today()) > pl.valid_to THEN '已过期'
            ELSE '有效' END AS status,
       (SELECT count(*) FROM yiwei.price_list_item i WHERE i.price_list_id = pl.id) AS item_count,
       pl.note, pl.active, pl.version
  FROM yiwei.price_list pl;

CREATE VIEW yiwei.price_list_item_list WITH (security_invoker = true) AS
SELECT i.id, pl.code AS price_list_code, pl.name AS price_list_name, p.code AS product_code, p.name AS product_name,
       l.name AS line_name, p.style, p.colour, p.spec, p.unit, i.price, p.active AS product_active, i.updated_at,
       i.price_list_id, i.product_id, p.line_id, i.version
  FROM yiwei.price_list_item i
  JOIN yiwei.price_list pl ON pl.id = i.price_list_id
  JOIN yiwei.product p ON p.id = i.product_id
  JOIN yiwei.product_line l ON l.id = p.line_id;

-- Packages with their contents and what the products would cost at list price (the saving).
CREATE VIEW yiwei.package_list WITH (security_invoker = true) AS
SELECT pk.id, pk.code, pk.name, pl.name AS price_list_name, pk.price, x.list_total, x.list_total - pk.price AS saving,
       x.item_count, x.items_text, pk.valid_from, pk.valid_to,
       pk.active AND (SELECT yiwei.company_today()) BETWEEN pk.valid_from AND coalesce(pk.valid_to, 'infinity')
           AS current, pk.rules, pk.active, pk.price_list_id, pk.version
  FROM yiwei.package pk
  JOIN yiwei.price_list pl ON pl.id = pk.price_list_id
  LEFT JOIN LATERAL (
      SELECT count(*) AS item_count,
             sum(round(li.price * i.quantity, 2)) AS list_total,
             string_agg(p.code || ' ' || p.name || ' ×' || trim_scale(i.quantity), '、' ORDER BY p.code) AS items_text
        FROM yiwei.package_item i
        JOIN yiwei.product p ON p.id = i.product_id
        LEFT JOIN yiwei.price_list_item li ON li.price_list_id = pk.price_list_id AND li.product_id = i.product_id
       WHERE i.package_id = pk.id) x ON true;

CREATE VIEW yiwei.promotion_list WITH (security_invoker = true) AS
SELECT pr.id, pr.name, coalesce(l.name, '全部系列') AS line_name, pr.min_rate, pr.valid_from, pr.valid_to,
       pr.active AND (SELECT yiwei.company_today()) BETWEEN pr.valid_from AND pr.valid_to AS current,
       pr.note, pr.active, pr.line_id, pr.version
  FROM yiwei.promotion pr
  LEFT JOIN yiwei.product_line l ON l.id = pr.line_id;

CREATE VIEW yiwei.checklist_item_list WITH (security_invoker = true) AS
SELECT c.id, c.name, coalesce(l.name, '全部系列') AS line_name, c.sort_order, c.active, c.line_id, c.version
  FROM yiwei.checklist_item c
  LEFT JOIN yiwei.product_line l ON l.id = c.line_id;

GRANT SELECT ON yiwei.product_list, yiwei.price_list_list, yiwei.price_list_item_list, yiwei.package_list,
    yiwei.promotion_list, yiwei.checklist_item_list TO {{app}};
