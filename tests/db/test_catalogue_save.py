"""The checked save functions of the catalogue, as the real admin login: each table is written,
changed with the version the caller saw, refused with YW409 (naming who changed it) when that
version is stale, and audited; list views show what was saved."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from .catalogue_data import MANAGER, call, make_shelf, version
from .customer_data import CONFLICT, INVALID, refusal, token
from .helpers import employee_id, rows, scalar


@pytest.fixture
def manager(db):
    return db.connect_as(MANAGER)


def test_a_product_with_its_cost_is_saved_changed_and_audited(manager, sql):
    shelf = make_shelf(manager)
    pid = shelf.id("a")
    assert sql("SELECT code, name, style, unit, version FROM yiwei.product WHERE id = %s", (pid,)) == [
        (shelf.code("a"), f"地柜a{shelf.t}", "简欧", "件", 1)]
    assert sql("SELECT cost FROM yiwei.product_cost WHERE product_id = %s", (pid,)) == [(Decimal("100.00"),)]

    # codes are stored in upper case; a cost left out stays as it was
    call(manager, "save_product", pid, 1, {"code": shelf.code("a").lower(), "name": "  改名地柜 ", "line_id": shelf.line,
                                           "unit": "套"})
    assert sql("SELECT code, name, unit, grade_id, version FROM yiwei.product WHERE id = %s", (pid,)) == [
        (shelf.code("a"), "改名地柜", "套", None, 2)]
    assert sql("SELECT cost FROM yiwei.product_cost WHERE product_id = %s", (pid,)) == [(Decimal("100.00"),)]

    call(manager, "save_product", pid, 2, {"code": shelf.code("a"), "name": "改名地柜", "line_id": shelf.line, "unit": "套",
                                           "cost": "88.80"})
    assert sql("SELECT cost, version FROM yiwei.product_cost WHERE product_id = %s", (pid,)) == [(Decimal("88.80"), 2)]
    call(manager, "save_product", pid, 3, {"code": shelf.code("a"), "name": "改名地柜", "line_id": shelf.line, "unit": "套",
                                           "cost": ""})
    assert sql("SELECT count(*) FROM yiwei.product_cost WHERE product_id = %s", (pid,)) == [(0,)]

    with refusal(CONFLICT) as stale:
        call(manager, "save_product", pid, 3, {"code": shelf.code("a"), "name": "又改", "line_id": shelf.line, "unit": "套"})
    admin_name = sql("SELECT full_name FROM yiwei.employee WHERE id = %s", (employee_id(manager, MANAGER),))[0][0]
    assert admin_name in stale.message and "修改" in stale.message
    assert sql("SELECT name FROM yiwei.product WHERE id = %s", (pid,)) == [("改名地柜",)]

    audit = sql("SELECT action, employee_id FROM yiwei.audit_log WHERE table_name = 'product' AND row_key = %s"
                " ORDER BY id", (str(pid),))
    assert audit == [(action, employee_id(manager, MANAGER)) for action in ("INSERT", "UPDATE", "UPDATE", "UPDATE")]


def test_lines_grades_and_packages_keep_codes_and_names_unique(manager, sql):
    t = token().upper()
    line = call(manager, "save_product_line", None, None, {"code": f"x{t}", "name": f"衣柜{t}"})
    assert sql("SELECT code, version FROM yiwei.product_line WHERE id = %s", (line,)) == [(f"X{t}", 1)]
    with refusal(INVALID, "产品系列编码") as dup:
        call(manager, "save_product_line", None, None, {"code": f"X{t}", "name": f"别的{t}"})
    assert "已存在" in dup.message
    with refusal(INVALID, "产品系列名称"):
        call(manager, "save_product_line", None, None, {"code": f"Y{t}", "name": f"衣柜{t}"})
    call(manager, "save_product_line", line, 1, {"code": f"X{t}", "name": f"衣柜{t}", "active": False})
    assert sql("SELECT active, version FROM yiwei.product_line WHERE id = %s", (line,)) == [(False, 2)]

    grade = call(manager, "save_product_grade", None, None, {"code": f"G{t}", "name": f"优等{t}"})
    with refusal(INVALID, "产品品级名称"):
        call(manager, "save_product_grade", None, None, {"code": f"H{t}", "name": f"优等{t}"})
    with refusal(CONFLICT):
        call(manager, "save_product_grade", grade, 7, {"code": f"G{t}", "name": f"优等{t}"})

    pack = call(manager, "save_supply_package", None, None, {"name": f"整装箱{t}", "note": "三层瓦楞"})
    with refusal(INVALID, "包装名称"):
        call(manager, "save_supply_package", None, None, {"name": f"整装箱{t}"})
    call(manager, "save_supply_package", pack, 1, {"name": f"整装箱{t}", "note": "五层瓦楞"})
    assert sql("SELECT note, version FROM yiwei.supply_package WHERE id = %s", (pack,)) == [("五层瓦楞", 2)]


def test_price_list_items_and_packages(manager, sql):
    shelf = make_shelf(manager)
    items = sql("SELECT product_id, price FROM yiwei.price_list_item WHERE price_list_id = %s ORDER BY price DESC",
                (shelf.price_list,))
    assert items == [(shelf.id("a"), Decimal("1000.00")), (shelf.id("b"), Decimal("333.33"))]
    item_id = sql("SELECT id FROM yiwei.price_list_item WHERE price_list_id = %s AND product_id = %s",
                  (shelf.price_list, shelf.id("b")))[0][0]
    with refusal(INVALID, "产品") as twice:
        call(manager, "save_price_list_item", None, None,
             {"price_list_id": shelf.price_list, "product_id": shelf.id("b"), "price": "1.00"})
    assert "已在价格体系" in twice.message
    call(manager, "save_price_list_item", item_id, 1, {"price": 350})
    assert call(manager, "list_price", shelf.price_list, shelf.id("b"), None) == Decimal("350.00")

    today = scalar(manager, "SELECT yiwei.company_today()")
    package = call(manager, "save_package", None, None,
                   {"code": f"tc{shelf.t}", "name": f"整厨套餐{shelf.t}", "price_list_id": shelf.price_list,
                    "price": "1999.00", "valid_from": str(today), "rules": "地柜至少两件",
                    "items": [{"product_id": shelf.id("a"), "quantity": "2"},
                              {"product_id": shelf.id("b"), "quantity": 1.5}]})
    assert sql("SELECT code, price FROM yiwei.package WHERE id = %s", (package,)) == [(f"TC{shelf.t}", Decimal("1999.00"))]
    listed = rows(manager, "SELECT item_count, list_total, saving, current FROM yiwei.package_list WHERE id = %s",
                  (package,))
    assert listed == [(2, Decimal("2525.00"), Decimal("526.00"), True)]    # 2 × 1000 + 1.5 × 350

    # the items given replace the old ones; an unchanged item keeps its row
    kept = sql("SELECT id FROM yiwei.package_item WHERE package_id = %s AND product_id = %s", (package, shelf.id("a")))
    call(manager, "save_package", package, 1,
         {"code": f"TC{shelf.t}", "name": f"整厨套餐{shelf.t}", "price_list_id": shelf.price_list, "price": "1999.00",
          "valid_from": str(today), "items": [{"product_id": shelf.id("a"), "quantity": "2.000"}]})
    assert sql("SELECT id, product_id, quantity FROM yiwei.package_item WHERE package_id = %s", (package,)) == [
        (kept[0][0], shelf.id("a"), Decimal("2.000"))]

    call(manager, "delete_price_list_item", item_id, 2)
    assert sql("SELECT count(*) FROM yiwei.price_list_item WHERE id = %s", (item_id,)) == [(0,)]


def test_promotions_checklist_items_and_reasons(manager, sql):
    shelf = make_shelf(manager)
    today = scalar(manager, "SELECT yiwei.company_today()")
    promo = call(manager, "save_promotion", None, None,
                 {"name": f"橱柜节{shelf.t}", "line_id": shelf.line, "min_rate": "0.75", "valid_from": str(today),
                  "valid_to": str(today + datetime.timedelta(days=10))})
    assert rows(manager, "SELECT line_name, min_rate, current FROM yiwei.promotion_list WHERE id = %s", (promo,)) == [
        (shelf.line_name, Decimal("0.7500"), True)]
    everywhere = call(manager, "save_promotion", None, None,
                      {"name": f"全场{shelf.t}", "min_rate": 0.8, "valid_from": str(today), "valid_to": str(today)})
    assert rows(manager, "SELECT line_name FROM yiwei.promotion_list WHERE id = %s", (everywhere,)) == [("全部系列",)]

    item = call(manager, "save_checklist_item", None, None, {"name": f"台面尺寸复核{shelf.t}", "line_id": shelf.line,
                                                             "sort_order": 3})
    with refusal(INVALID, "检查项目"):
        call(manager, "save_checklist_item", None, None, {"name": f"台面尺寸复核{shelf.t}", "line_id": shelf.line})
    # the same name for all lines is another item
    call(manager, "save_checklist_item", None, None, {"name": f"台面尺寸复核{shelf.t}"})
    call(manager, "save_checklist_item", item, 1, {"name": f"台面尺寸复核{shelf.t}", "line_id": shelf.line, "active": False})
    assert sql("SELECT active, sort_order FROM yiwei.checklist_item WHERE id = %s", (item,)) == [(False, 0)]

    reason = call(manager, "save_responsibility_reason", None, None, {"name": f"量尺错误{shelf.t}", "sort_order": 1})
    with refusal(INVALID, "责任原因"):
        call(manager, "save_responsibility_reason", None, None, {"name": f"量尺错误{shelf.t}"})
    with refusal(CONFLICT):
        call(manager, "save_responsibility_reason", reason, 2, {"name": f"量尺错误{shelf.t}"})


def test_list_price_refuses_lists_out_of_date_and_products_not_in_them(manager):
    shelf = make_shelf(manager)
    today = scalar(manager, "SELECT yiwei.company_today()")
    assert call(manager, "list_price", shelf.price_list, shelf.id("a"), today) == Decimal("1000.00")

    with refusal(INVALID, "价格体系") as early:
        call(manager, "list_price", shelf.price_list, shelf.id("a"), today - datetime.timedelta(days=31))
    assert "未生效" in early.message

    v = version(manager, "price_list", shelf.price_list)
    call(manager, "save_price_list", shelf.price_list, v,
         {"code": f"PL{shelf.t}", "name": f"零售{shelf.t}", "valid_from": str(today - datetime.timedelta(days=30)),
          "valid_to": str(today - datetime.timedelta(days=1))})
    with refusal(INVALID, "价格体系") as expired:
        call(manager, "list_price", shelf.price_list, shelf.id("a"), None)
    assert "已过期" in expired.message and f"零售{shelf.t}" in expired.message

    other = call(manager, "save_price_list", None, None, {"code": f"OT{shelf.t}", "name": f"工程{shelf.t}",
                                                          "valid_from": str(today)})
    with refusal(INVALID, "产品") as missing:
        call(manager, "list_price", other, shelf.id("a"), today)
    assert "不在价格体系" in missing.message and shelf.code("a") in missing.message

    call(manager, "save_price_list", other, 1, {"code": f"OT{shelf.t}", "name": f"工程{shelf.t}",
                                                "valid_from": str(today), "active": False})
    with refusal(INVALID, "价格体系") as stopped:
        call(manager, "list_price", other, shelf.id("a"), today)
    assert "已停用" in stopped.message

