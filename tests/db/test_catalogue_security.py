"""Attacks on the catalogue as real employee logins: a guide writing products, prices or costs
directly, calling the checked functions without the permission each one needs, and reading cost
prices through the table, the list view or any function. Plus the schema's own guarantees: RLS
forced on every catalogue table, no write grants, Chinese table names, costs kept out of the
audit trail."""

from __future__ import annotations

import contextlib
import json
from decimal import Decimal

import pytest

from .catalogue_data import (
    COST_VIEWER,
    GUIDE,
    MANAGER,
    call,
    shelf_for_module,
)
from .customer_data import DENIED, FORBIDDEN, refusal, token
from .helpers import rows, scalar

TABLES = ["product_line", "product_grade", "supply_package", "product", "product_cost", "style_alias", "price_list",
          "price_list_item", "promotion", "package", "package_item", "checklist_item", "responsibility_reason"]


@pytest.fixture(scope="module")
def shelf(demo_db):
    return shelf_for_module(demo_db)


@pytest.fixture
def guide(db):
    return db.connect_as(GUIDE)


def test_every_catalogue_table_forces_rls_grants_only_select_and_has_a_chinese_name(sql):
    found = sql("""SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, obj_description(c.oid, 'pg_class')
                     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = 'yiwei' AND c.relname = ANY (%s) ORDER BY 1""", (TABLES,))
    assert [r[0] for r in found] == sorted(TABLES)
    for name, enabled, forced, label in found:
        assert enabled and forced, name
        assert label and any("\u4e00" <= ch <= "\u9fff" for ch in label), name
    app = sql("SELECT rolname FROM pg_roles WHERE rolname LIKE %s", ("%\\_app",))
    writes = sql("""SELECT table_name, privilege_type FROM information_schema.role_table_grants
                     WHERE table_schema = 'yiwei' AND table_name = ANY (%s) AND privilege_type <> 'SELECT'
                       AND grantee = ANY (%s)""", (TABLES, [r[0] for r in app]))
    assert writes == []


def test_a_guide_cannot_write_products_prices_or_costs_directly(db, guide, shelf, sql):
    attempts = [
        ("INSERT INTO yiwei.product (code, name, line_id, unit) VALUES (%s, '偷偷加的', %s, '件')",
         (f"HACK{token().upper()}", shelf.line)),
        ("UPDATE yiwei.product SET name = '改掉' WHERE id = %s", (shelf.id("a"),)),
        ("DELETE FROM yiwei.product WHERE id = %s", (shelf.id("a"),)),
        ("UPDATE yiwei.price_list_item SET price = 1 WHERE price_list_id = %s", (shelf.price_list,)),
        ("INSERT INTO yiwei.price_list_item (price_list_id, product_id, price) VALUES (%s, %s, 1)",
         (shelf.price_list, shelf.id("a"))),
        ("INSERT INTO yiwei.product_cost (product_id, cost) VALUES (%s, 1)", (shelf.id("a"),)),
        ("UPDATE yiwei.product_cost SET cost = 0", ()),
        ("UPDATE yiwei.price_list SET valid_to = NULL WHERE id = %s", (shelf.price_list,)),
        ("INSERT INTO yiwei.promotion (name, min_rate, valid_from, valid_to) VALUES ('x', 0.1, now(), now())", ()),
        ("DELETE FROM yiwei.package_item", ()),
    ]
    for statement, params in attempts:
        with refusal(DENIED), guide.cursor() as cur:
            cur.execute(statement, params)
    assert sql("SELECT name FROM yiwei.product WHERE id = %s", (shelf.id("a"),)) == [(f"地柜a{shelf.t}",)]
    assert sql("SELECT price FROM yiwei.price_list_item WHERE price_list_id = %s AND product_id = %s",
               (shelf.price_list, shelf.id("a"))) == [(Decimal("1000.00"),)]


# Each checked function with the permission it needs and a call that would succeed with it.
def _calls(shelf, today):
    t = token().upper()
    return [
        ("masterdata.product", "save_product_line", (None, None, {"code": f"Q{t}", "name": f"线{t}"})),
        ("masterdata.product", "save_product_grade", (None, None, {"code": f"Q{t}", "name": f"级{t}"})),
        ("masterdata.product", "save_supply_package", (None, None, {"name": f"包装{t}"})),
        ("masterdata.product", "save_product", (None, None, {"code": f"Q{t}", "name": "品", "line_id": shelf.line,
                                                             "unit": "件"})),
        ("masterdata.product", "save_product", (shelf.id("b"), 1, {"code": shelf.code("b"), "name": "改",
                                                                   "line_id": shelf.line, "unit": "件", "cost": "1"})),
        ("masterdata.product", "save_style_alias", (None, None, {"style": f"款{t}", "alias": f"别{t}"})),
        ("masterdata.product", "save_price_list", (None, None, {"code": f"Q{t}", "name": f"价{t}",
                                                                "valid_from": str(today)})),
        ("masterdata.product", "save_price_list_item", (None, None, {"price_list_id": shelf.price_list,
                                                                     "product_id": shelf.id("c"), "price": "1"})),
        ("masterdata.product", "import_products", ([{"row": 2, "code": f"Q{t}", "name": "品", "line": shelf.line_name,
                                                     "unit": "件"}],)),
        ("masterdata.product", "import_price_list", (shelf.price_list, [{"row": 2, "code": shelf.code("a"),
                                                                         "price": "1"}])),
        ("masterdata.promotion", "save_promotion", (None, None, {"name": f"促{t}", "min_rate": "0.5",
                                                                 "valid_from": str(today), "valid_to": str(today)})),
        ("masterdata.promotion", "save_package", (None, None, {"code": f"Q{t}", "name": "套", "price": "1",
                                                               "price_list_id": shelf.price_list, "valid_from": str(today),
                                                               "items": [{"product_id": shelf.id("a"), "quantity": 1}]})),
        ("masterdata.checklist", "save_checklist_item", (None, None, {"name": f"项{t}"})),
        ("masterdata.checklist", "save_responsibility_reason", (None, None, {"name": f"因{t}"})),
    ]


@pytest.mark.parametrize("login", [GUIDE, COST_VIEWER, "hz01.manager"])
def test_save_functions_refuse_employees_without_the_permission(db, shelf, login, sql):
    conn = db.connect_as(login)
    today = scalar(conn, "SELECT yiwei.company_today()")
    before = sql("SELECT count(*) FROM yiwei.audit_log WHERE table_name = ANY (%s)", (TABLES,))
    for permission, function, args in _calls(shelf, today):
        with refusal(FORBIDDEN) as refused_:
            call(conn, function, *args)
        assert refused_.detail == permission, function
    for function, args in (("delete_style_alias", (1, 1)), ("delete_price_list_item", (1, 1)),
                           ("check_product_import", ([{"row": 2, "code": "X"}],)),
                           ("check_price_list_import", (shelf.price_list, [{"row": 2, "code": "X"}]))):
        with refusal(FORBIDDEN), conn.cursor() as cur:
            cur.execute(f"SELECT * FROM yiwei.{function}({', '.join(['%s'] * len(args))})",
                        [json.dumps(a) if isinstance(a, list) else a for a in args])
    assert sql("SELECT count(*) FROM yiwei.audit_log WHERE table_name = ANY (%s)", (TABLES,)) == before


@contextlib.contextmanager
def without_permission(db, code):
    """The admin's position without one permission, restored afterwards."""
    admin = db.admin()
    with admin.cursor() as cur:
        cur.execute("DELETE FROM yiwei.position_permission WHERE permission_code = %s"
                    " AND position_id = (SELECT position_id FROM yiwei.employee WHERE login = 'admin')", (code,))
    admin.commit()
    try:
        yield
    finally:
        with admin.cursor() as cur:
            cur.execute("INSERT INTO yiwei.position_permission (position_id, permission_code)"
                        " SELECT position_id, %s FROM yiwei.employee WHERE login = 'admin'", (code,))
        admin.commit()


@pytest.mark.parametrize("permission", ["masterdata.product", "masterdata.promotion", "masterdata.checklist"])
def test_each_function_needs_its_own_permission_and_only_that(db, shelf, permission):
    """Without exactly one of the three, the admin is refused the functions of that one and still
    allowed the others (so no function checks the wrong code)."""
    conn = db.connect_as(MANAGER, autocommit=False)
    today = scalar(conn, "SELECT yiwei.company_today()")
    conn.rollback()
    with without_permission(db, permission):
        for needed, function, args in _calls(shelf, today):
            if needed == permission:
                with refusal(FORBIDDEN):
                    call(conn, function, *args)
            else:
                assert call(conn, function, *args) is not None, function
                conn.rollback()        # leave nothing behind


def test_a_guide_reads_no_cost_through_the_table_the_list_or_any_function(db, guide, shelf):
    assert rows(guide, "SELECT count(*) FROM yiwei.product_cost") == [(0,)]
    assert rows(guide, "SELECT cost FROM yiwei.product_list WHERE id = ANY (%s)", ([shelf.id("a"), shelf.id("b")],)) == [
        (None,), (None,)]
    # the catalogue itself stays readable
    assert rows(guide, "SELECT code FROM yiwei.product_list WHERE id = %s", (shelf.id("a"),)) == [(shelf.code("a"),)]
    # no function hands a cost out: none of the catalogue's returns it, and the internal ones are not callable
    for function in ("product_import_rows('[]')", "save_coded_entry('product_line', 'x', NULL, NULL, '{}')",
                     "price_list_import_rows('[]')", "input_ref('1', 'yiwei.customer', 'x', true)"):
        with refusal(DENIED), guide.cursor() as cur:
            cur.execute(f"SELECT * FROM yiwei.{function}")
    # the audit trail is not a way round: cost changes are logged without the amount
    logged = rows(db.admin(), "SELECT new_row FROM yiwei.audit_log WHERE table_name = 'product_cost' AND row_key = %s",
                  (str(shelf.id("a")),))
    assert logged and all("cost" not in row for (row,) in logged)


@pytest.mark.parametrize("login", [COST_VIEWER, MANAGER])
def test_cost_viewers_and_catalogue_keepers_see_costs(db, shelf, login):
    conn = db.connect_as(login)
    assert rows(conn, "SELECT cost FROM yiwei.product_list WHERE id = ANY (%s) ORDER BY code",
                ([shelf.id("a"), shelf.id("b")],)) == [(Decimal("100.00"),), (Decimal("55.50"),)]


def test_no_catalogue_function_is_executable_by_public(sql):
    public = sql("""SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE n.nspname = 'yiwei' AND has_function_privilege('public', p.oid, 'EXECUTE')""")
    assert public == []
