"""Bad input sent straight to the catalogue's checked functions (what a modified client could send)
is refused with YW422, a clear message and the field's label in DETAIL, and nothing is stored.
A price is never rounded: three decimals are refused."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from .catalogue_data import MANAGER, call, shelf_for_module, version
from .customer_data import INVALID, refusal, token
from .helpers import scalar


@pytest.fixture(scope="module")
def shelf(demo_db):
    return shelf_for_module(demo_db)


@pytest.fixture
def manager(db):
    return db.connect_as(MANAGER)


def catalogue_rows(sql) -> tuple:
    return sql("""SELECT (SELECT count(*) FROM yiwei.product), (SELECT count(*) FROM yiwei.product_cost),
                         (SELECT count(*) FROM yiwei.price_list_item), (SELECT count(*) FROM yiwei.package),
                         (SELECT count(*) FROM yiwei.promotion), (SELECT count(*) FROM yiwei.product_line),
                         (SELECT coalesce(sum(price), 0) FROM yiwei.price_list_item)""")[0]


def product(shelf, **fields) -> dict:
    return {"code": f"N{token().upper()}", "name": "新品", "line_id": shelf.line, "unit": "件", **fields}


@pytest.mark.parametrize("price, reason", [
    ("0", "必须大于 0"), ("-5", "不能为负数"), ("12.345", "小数位超过两位"), ("0.001", "小数位超过两位"),
    ("abc", "不是有效的数字"), ("1e3x", "不是有效的数字"), ("", "不能为空"), ("99999999999", "超出范围"),
])
def test_bad_prices_are_refused_never_rounded(manager, shelf, sql, price, reason):
    before = catalogue_rows(sql)
    with refusal(INVALID, "零售价") as refused_:
        call(manager, "save_price_list_item", None, None,
             {"price_list_id": shelf.price_list, "product_id": shelf.id("c"), "price": price})
    assert refused_.message.startswith("零售价" + reason)
    item = sql("SELECT id, version FROM yiwei.price_list_item WHERE price_list_id = %s AND product_id = %s",
               (shelf.price_list, shelf.id("a")))[0]
    with refusal(INVALID, "零售价"):
        call(manager, "save_price_list_item", item[0], item[1], {"price": price})
    assert catalogue_rows(sql) == before


def test_a_json_number_with_three_decimals_is_refused_and_two_or_trailing_zeros_are_fine(manager, shelf, sql):
    item = sql("SELECT id, version FROM yiwei.price_list_item WHERE price_list_id = %s AND product_id = %s",
               (shelf.price_list, shelf.id("b")))[0]
    with refusal(INVALID, "零售价") as refused_:
        call(manager, "save_price_list_item", item[0], item[1], {"price": 333.335})
    assert "小数位超过两位" in refused_.message and "333.335" in refused_.message
    call(manager, "save_price_list_item", item[0], item[1], {"price": "333.300"})
    assert sql("SELECT price FROM yiwei.price_list_item WHERE id = %s", (item[0],)) == [(Decimal("333.30"),)]


@pytest.mark.parametrize("fields, label, words", [
    ({"name": ""}, "产品名称", "不能为空"),
    ({"name": "   "}, "产品名称", "不能为空"),
    ({"name": "长" * 61}, "产品名称", "不能超过 60 个字符"),
    ({"name": "地柜\x07"}, "产品名称", "控制字符"),
    ({"code": ""}, "产品编码", "不能为空"),
    ({"code": "含 空格"}, "产品编码", "只能由"),
    ({"code": "编码"}, "产品编码", "只能由"),
    ({"code": "X" * 41}, "产品编码", "只能由"),
    ({"line_id": None}, "产品系列", "请选择"),
    ({"line_id": 999999}, "产品系列", "不存在"),
    ({"line_id": "abc"}, "产品系列", "不存在"),
    ({"grade_id": 999999}, "产品品级", "不存在"),
    ({"supply_package_id": 999999}, "供货包装", "不存在"),
    ({"unit": ""}, "单位", "不能为空"),
    ({"unit": "平方米每延米套件组"}, None, None),          # 9 characters: fine
    ({"unit": "一二三四五六七八九十十"}, "单位", "不能超过 10 个字符"),
    ({"style": "款" * 41}, "款型", "不能超过"),
    ({"spec": "规" * 61}, "规格", "不能超过"),
    ({"cost": "-1"}, "成本价", "不能为负数"),
    ({"cost": "10.005"}, "成本价", "小数位超过两位"),
])
def test_bad_products_are_refused(manager, shelf, sql, fields, label, words):
    payload = product(shelf, **fields)
    before = catalogue_rows(sql)
    if label is None:
        assert call(manager, "save_product", None, None, payload)
        return
    with refusal(INVALID, label) as refused_:
        call(manager, "save_product", None, None, payload)
    assert words in refused_.message
    assert catalogue_rows(sql) == before


def test_a_stopped_line_takes_no_new_products_and_sort_orders_are_whole_numbers(manager, shelf):
    t = token().upper()
    line = call(manager, "save_product_line", None, None, {"code": f"S{t}", "name": f"停产{t}", "active": False})
    with refusal(INVALID, "产品系列") as refused_:
        call(manager, "save_product", None, None, product(shelf, line_id=line))
    assert "已停用" in refused_.message
    for function, payload in (("save_product_line", {"code": f"T{t}", "name": f"新{t}", "sort_order": "第一"}),
                              ("save_checklist_item", {"name": f"项{t}", "sort_order": "1.5"}),
                              ("save_responsibility_reason", {"name": f"因{t}", "sort_order": "x"})):
        with refusal(INVALID, "排序"):
            call(manager, function, None, None, payload)


def test_a_duplicate_product_code_is_refused_whatever_its_case(manager, shelf):
    with refusal(INVALID, "产品编码") as refused_:
        call(manager, "save_product", None, None, product(shelf, code=shelf.code("a").lower()))
    assert "已存在" in refused_.message


def test_bad_dates_rates_and_packages(manager, shelf, sql):
    today = scalar(manager, "SELECT yiwei.company_today()")
    t = token().upper()
    before = catalogue_rows(sql)
    cases = [
        ("save_price_list", {"code": f"D{t}", "name": f"价{t}", "valid_from": str(today),
                             "valid_to": str(today - datetime.timedelta(days=1))}, "截止日期", "不能早于生效日期"),
        ("save_price_list", {"code": f"D{t}", "name": f"价{t}"}, "生效日期", "不能为空"),
        ("save_price_list", {"code": f"D{t}", "name": f"价{t}", "valid_from": "2026-02-30"}, "生效日期", "不是有效的日期"),
        ("save_price_list", {"code": f"D{t}", "name": f"价{t}", "valid_from": "明天"}, "生效日期", "须为日期"),
        ("save_price_list", {"code": f"D {t}", "name": f"价{t}", "valid_from": str(today)}, "价格体系编码", "空格"),
        ("save_promotion", {"name": f"促{t}", "min_rate": "1.2", "valid_from": str(today), "valid_to": str(today)},
         "最低折扣", "不超过 1"),
        ("save_promotion", {"name": f"促{t}", "min_rate": "0", "valid_from": str(today), "valid_to": str(today)},
         "最低折扣", "大于 0"),
        ("save_promotion", {"name": f"促{t}", "min_rate": "0.88888", "valid_from": str(today), "valid_to": str(today)},
         "最低折扣", "最多四位"),
        ("save_promotion", {"name": f"促{t}", "min_rate": "0.8", "valid_from": str(today)}, "结束日期", "不能为空"),
        ("save_promotion", {"name": f"促{t}", "min_rate": "0.8", "line_id": 999999, "valid_from": str(today),
                            "valid_to": str(today)}, "产品系列", "不存在"),
        ("save_promotion", {"name": "", "min_rate": "0.8", "valid_from": str(today), "valid_to": str(today)},
         "活动名称", "不能为空"),
    ]
    package = {"code": f"K{t}", "name": f"套{t}", "price_list_id": shelf.price_list, "price": "999.00",
               "valid_from": str(today), "items": [{"product_id": shelf.id("a"), "quantity": "1"}]}
    cases += [
        ("save_package", {**package, "price": "999.999"}, "套餐价", "小数位超过两位"),
        ("save_package", {**package, "price": "0"}, "套餐价", "必须大于 0"),
        ("save_package", {**package, "items": []}, "套餐明细", "至少包含一个产品"),
        ("save_package", {**package, "items": [{"product_id": shelf.id("c"), "quantity": 1}]}, "套餐明细",
         "不在价格体系"),
        ("save_package", {**package, "items": [{"product_id": shelf.id("a"), "quantity": 1},
                                               {"product_id": shelf.id("a"), "quantity": 2}]}, "套餐明细", "重复"),
        ("save_package", {**package, "items": [{"product_id": shelf.id("a"), "quantity": "0"}]},
         f"产品“{shelf.code('a')}”的数量", "必须大于 0"),
        ("save_package", {**package, "items": [{"product_id": shelf.id("a"), "quantity": "1.0005"}]},
         f"产品“{shelf.code('a')}”的数量", "最多三位小数"),
        ("save_package", {**package, "valid_from": str(today - datetime.timedelta(days=365))}, "开始日期",
         "之内"),
        ("save_package", {**package, "price_list_id": 999999}, "价格体系", "不存在"),
    ]
    for function, payload, label, words in cases:
        with refusal(INVALID, label) as refused_:
            call(manager, function, None, None, payload)
        assert words in refused_.message, (function, payload, refused_.message)
    assert catalogue_rows(sql) == before


def test_a_missing_version_on_change_is_refused(manager, shelf):
    with refusal(INVALID) as refused_:
        call(manager, "save_product", shelf.id("a"), None, product(shelf, code=shelf.code("a")))
    assert "版本" in refused_.message
    assert version(manager, "product", shelf.id("a")) == 1
