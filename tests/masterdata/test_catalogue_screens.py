"""基础信息 of the catalogue driven through the real screens as real logins: lines, products with
their cost, aliases that find products, price lists with their prices, packages — created and
edited in their windows and forms, read back from the database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from .helpers import edit_form, fill, new_form, opened_form, save, shown_rows


@pytest.fixture
def line(admin_call, tag):
    """A product line of the test's own: (id, code, name)."""
    code, name = f"T{tag.upper()}", f"测试系列{tag}"
    return admin_call("save_product_line", {"code": code, "name": name, "sort_order": 900}), code, name


@pytest.fixture
def product(admin_call, line, tag):
    """A product of the test's own in that line, with a cost: (id, code)."""
    code = f"{line[1]}-001"
    product_id = admin_call("save_product", {"code": code, "name": f"测试地柜{tag}", "line_id": line[0],
                                             "style": f"简欧{tag}", "unit": "米", "cost": "800.00"})
    return product_id, code


def activate(qtbot, screen):
    """Give the screen's window the focus again (a closed dialog or another screen took it), so
    that its shortcuts work."""
    screen.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen, timeout=5000)


def wait_list(qtbot, window):
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=15000)


def test_admin_creates_a_line_with_ctrl_n_and_a_product_with_its_cost(qtbot, open_screen, sql, tag):
    ctx, screen = open_screen("masterdata.product_line")
    form = new_form(qtbot, screen)
    assert form.windowTitle() == "新增产品系列" and form.values()["active"] is True
    fill(qtbot, form, code=f"x{tag}", name=f"整体橱柜{tag}")
    line_id = save(qtbot, form)
    assert sql("SELECT code, name, active, version FROM yiwei.product_line WHERE id = %s", (line_id,)) == [
        (f"X{tag.upper()}", f"整体橱柜{tag}", True, 1)]          # codes are kept in upper case

    ctx, screen = open_screen("masterdata.product")
    assert [a.text() for a in screen.toolbar.actions() if a.objectName()][:4] == [
        "新增产品", "编辑", "从 Excel 导入…", "下载导入模板"]
    form = new_form(qtbot, screen)
    assert form.widget("cost").isVisible()
    fill(qtbot, form, code=f"x{tag}-100", name=f"实木地柜{tag}", line_id=line_id, style="简欧", colour="胡桃木色",
         spec="800×600×720", unit="米", cost="1280.5")
    product_id = save(qtbot, form)
    assert sql("SELECT p.code, p.line_id, p.style, p.unit, c.cost FROM yiwei.product p"
               "  JOIN yiwei.product_cost c ON c.product_id = p.id WHERE p.id = %s", (product_id,)) == [
        (f"X{tag.upper()}-100", line_id, "简欧", "米", Decimal("1280.50"))]

    form = edit_form(qtbot, screen, f"x{tag}-100")
    assert form.values()["cost"] == "1280.50"                # shown to the cent
    fill(qtbot, form, cost="")                               # emptied: no cost any more
    save(qtbot, form)
    assert sql("SELECT count(*) FROM yiwei.product_cost WHERE product_id = %s", (product_id,)) == [(0,)]


def test_cost_with_three_decimals_is_refused_beside_the_field(qtbot, open_screen, sql, line, tag):
    ctx, screen = open_screen("masterdata.product")
    form = new_form(qtbot, screen)
    fill(qtbot, form, code=f"{line[1]}-9", name=f"三位小数{tag}", line_id=line[0], unit="套", cost="12.345")
    form.submit()
    assert form.error_text("cost") == "金额最多两位小数：12.345" and form.isVisible()
    assert sql("SELECT count(*) FROM yiwei.product WHERE code = %s", (f"{line[1]}-9",)) == [(0,)]


def test_an_alias_of_a_style_then_finds_its_products(qtbot, open_screen, sql, product, tag, monkeypatch):
    ctx, screen = open_screen("masterdata.style_alias")
    form = new_form(qtbot, screen)
    fill(qtbot, form, style=f"简欧{tag}", alias=f"欧式简约{tag}")
    with qtbot.waitSignal(form.saved, timeout=10000) as saved:
        qtbot.keyClick(form.widget("alias"), Qt.Key.Key_Return)
    alias_id = saved.args[0]
    assert sql("SELECT style, alias FROM yiwei.style_alias WHERE id = %s", (alias_id,)) == [
        (f"简欧{tag}", f"欧式简约{tag}")]
    wait_list(qtbot, screen.list)
    screen.list.set_search(f"欧式简约{tag}")
    wait_list(qtbot, screen.list)
    assert [(r["style"], r["product_count"]) for r in shown_rows(screen.list)] == [(f"简欧{tag}", 1)]

    # a second alias that is the style written another way is refused beside the field
    screen.actions_by_name["new"].trigger()
    qtbot.waitUntil(lambda: screen.dialog is not form, timeout=10000)
    form = opened_form(qtbot, screen)
    fill(qtbot, form, style=f"简欧{tag}", alias=f"简 欧{tag}")
    form.submit()
    qtbot.waitUntil(lambda: form.error_text("alias") != "", timeout=10000)
    assert "视为同一写法" in form.error_text("alias")

    ctx, products = open_screen("masterdata.product", "hz01.guide1")
    products.list.set_search(f"欧式简约{tag}")               # no product is written with the alias
    wait_list(qtbot, products.list)
    assert [r["code"] for r in shown_rows(products.list)] == [product[1]]

    # 删除 (Del) after asking
    screen.list.set_search(f"欧式简约{tag}")
    wait_list(qtbot, screen.list)
    activate(qtbot, screen)
    screen.list.view.setFocus()
    screen.list.view.selectRow(0)
    monkeypatch.setattr(QMessageBox, "exec", lambda box: next(b for b in box.buttons() if b.text() == "删除").click())
    qtbot.keyClick(screen.list.view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: screen.status.text() == "已删除", timeout=10000)
    assert sql("SELECT count(*) FROM yiwei.style_alias WHERE id = %s", (alias_id,)) == [(0,)]


def test_guide_sees_products_but_no_cost(qtbot, open_screen, sql, product, tag):
    ctx, screen = open_screen("masterdata.product", "hz01.guide1")
    assert "new" not in screen.actions_by_name and "import" not in screen.actions_by_name
    screen.list.set_search(product[1])
    wait_list(qtbot, screen.list)
    rows = shown_rows(screen.list)
    assert [r["code"] for r in rows] == [product[1]] and rows[0]["cost"] is None
    assert "cost" not in screen.list.visible_columns()
    assert sql("SELECT cost FROM yiwei.product_cost WHERE product_id = %s", (product[0],)) == [(Decimal("800.00"),)]
    screen.list.view.setFocus()
    screen.list.view.selectRow(0)
    qtbot.keyClick(screen.list.view, Qt.Key.Key_Return)
    form = opened_form(qtbot, screen)
    assert form.windowTitle() == "查看产品" and form.read_only
    assert not form.widget("cost").isVisibleTo(form) and form.values()["cost"] == ""


def test_price_list_with_its_prices_below(qtbot, open_screen, sql, product, tag):
    ctx, screen = open_screen("masterdata.price_list")
    form = new_form(qtbot, screen)
    fill(qtbot, form, code=f"P{tag}", name=f"测试零售价{tag}")
    form.widget("valid_from").setDate(dt.date(2026, 1, 1))
    list_id = save(qtbot, form)
    assert sql("SELECT code, valid_from, valid_to, active FROM yiwei.price_list WHERE id = %s", (list_id,)) == [
        (f"P{tag.upper()}", dt.date(2026, 1, 1), None, True)]
    wait_list(qtbot, screen.list)
    detail = screen.detail
    qtbot.waitUntil(lambda: detail.master_key == list_id, timeout=10000)
    assert screen.detail_caption.text() == f"“测试零售价{tag}”的产品价格"

    # a price with three decimals: refused beside the field, nothing stored
    before, price_list_form = detail.dialog, screen.dialog
    activate(qtbot, screen)
    detail.list.view.setFocus()
    qtbot.keyClick(detail.list.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: detail.dialog is not before, timeout=10000)
    form = opened_form(qtbot, detail)
    assert screen.dialog is price_list_form                    # Ctrl+N in the prices adds a price only
    assert form.values()["price_list_id"] == list_id
    fill(qtbot, form, product_id=product[0], price="2680.125")
    form.submit()
    assert form.error_text("price") == "金额最多两位小数：2680.125"
    assert sql("SELECT count(*) FROM yiwei.price_list_item WHERE price_list_id = %s", (list_id,)) == [(0,)]
    fill(qtbot, form, price="2680.1")
    with qtbot.waitSignal(form.saved, timeout=10000):
        qtbot.keyClick(form.widget("price"), Qt.Key.Key_Return)
    assert sql("SELECT product_id, price FROM yiwei.price_list_item WHERE price_list_id = %s", (list_id,)) == [
        (product[0], Decimal("2680.10"))]
    wait_list(qtbot, detail.list)
    assert [(r["product_code"], r["price"]) for r in shown_rows(detail.list)] == [(product[1], Decimal("2680.10"))]

    # the same product again: the database refuses it beside the product
    detail.new_record()
    qtbot.waitUntil(lambda: detail.dialog is not form, timeout=10000)
    again = opened_form(qtbot, detail)
    fill(qtbot, again, product_id=product[0], price="1.00")
    again.submit()
    qtbot.waitUntil(lambda: again.error_text("product_id") != "", timeout=10000)
    assert "已在价格体系" in again.error_text("product_id")
    again.done(0)


def test_a_stale_price_edit_names_who_changed_it(qtbot, open_screen, sql, db, product, admin_call, tag):
    list_id = admin_call("save_price_list", {"code": f"S{tag}", "name": f"陈旧测试{tag}", "valid_from": "2026-01-01"})
    item_id = admin_call("save_price_list_item", {"price_list_id": list_id, "product_id": product[0], "price": "100"})
    ctx, screen = open_screen("masterdata.price_list")
    screen.list.set_search(f"陈旧测试{tag}")
    wait_list(qtbot, screen.list)
    qtbot.waitUntil(lambda: screen.detail.master_key == list_id, timeout=10000)
    detail = screen.detail
    wait_list(qtbot, detail.list)
    form = edit_form(qtbot, detail, product[1])
    assert form.values()["price"] == "100.00" and not form.fields.is_field_enabled("product_id")
    admin_call("save_price_list_item", {"price": "120"}, item_id, 1)          # someone else, meanwhile
    fill(qtbot, form, price="110")
    form.submit()
    qtbot.waitUntil(lambda: form.conflict_box is not None, timeout=10000)
    name = sql("SELECT full_name FROM yiwei.employee WHERE login = 'admin'")[0][0]
    assert name in form.conflict_box.text() and "重新加载" in form.conflict_box.text()
    assert sql("SELECT price FROM yiwei.price_list_item WHERE id = %s", (item_id,)) == [(Decimal("120.00"),)]
    form.conflict_box.buttons()[0].click()                                   # 重新加载
    qtbot.waitUntil(lambda: form.values()["price"] == "120.00", timeout=10000)
    form.done(0)


def test_package_with_its_products_and_quantities(qtbot, open_screen, sql, admin_call, product, line, tag):
    second = admin_call("save_product", {"code": f"{line[1]}-002", "name": f"吊柜{tag}", "line_id": line[0],
                                         "unit": "米"})
    list_id = admin_call("save_price_list", {"code": f"K{tag}", "name": f"套餐价格{tag}", "valid_from": "2026-01-01"})
    for product_id, price in ((product[0], "1000"), (second, "500")):
        admin_call("save_price_list_item", {"price_list_id": list_id, "product_id": product_id, "price": price})
    ctx, screen = open_screen("masterdata.package")
    form = new_form(qtbot, screen)
    fill(qtbot, form, code=f"tc{tag}", name=f"厨房套餐{tag}", price_list_id=list_id, price="2200",
         items=f"{product[1].lower()} × 2\n{line[1]}-002 1.5\n{line[1]}-404", rules="须整套购买")
    form.widget("valid_from").setDate(dt.date(2026, 3, 1))
    form.submit()
    qtbot.waitUntil(lambda: form.error_text("items") != "", timeout=10000)
    assert form.error_text("items") == f"产品编码不存在：{line[1]}-404"
    fill(qtbot, form, items=f"{product[1].lower()} × 2\n{line[1]}-002 1.5")
    package_id = save(qtbot, form)
    assert sql("SELECT price, valid_from, rules FROM yiwei.package WHERE id = %s", (package_id,)) == [
        (Decimal("2200.00"), dt.date(2026, 3, 1), "须整套购买")]
    assert sql("SELECT product_id, quantity FROM yiwei.package_item WHERE package_id = %s ORDER BY product_id",
               (package_id,)) == [(product[0], Decimal("2.000")), (second, Decimal("1.500"))]
    wait_list(qtbot, screen.list)
    screen.list.set_search(f"厨房套餐{tag}")
    wait_list(qtbot, screen.list)
    [row] = shown_rows(screen.list)
    assert (row["list_total"], row["saving"], row["item_count"]) == (Decimal("2750.00"), Decimal("550.00"), 2)

    form = edit_form(qtbot, screen, f"厨房套餐{tag}")
    assert form.values()["items"] == f"{product[1]} × 2\n{line[1]}-002 × 1.5"
    fill(qtbot, form, items=f"{product[1]} × 0")
    form.submit()
    assert form.error_text("items") == f"第 1 行（{product[1]}）：数量必须大于 0"
    form.done(0)


@pytest.mark.parametrize(("function", "values", "table", "expected"), [
    ("masterdata.product_grade", {"code": "g", "name": "优等品"}, "product_grade", ("code", "G")),
    ("masterdata.supply_package", {"name": "标准纸箱", "note": "五层瓦楞"}, "supply_package", ("note", "五层瓦楞")),
    ("masterdata.promotion", {"name": "国庆促销", "min_rate": "0.8"}, "promotion", ("min_rate", Decimal("0.8000"))),
    ("masterdata.checklist_item", {"name": "水电位图已确认"}, "checklist_item", ("line_id", None)),
    ("masterdata.responsibility_reason", {"name": "测量尺寸错误"}, "responsibility_reason", ("active", True)),
])
def test_the_other_catalogue_screens_create_their_rows(qtbot, open_screen, sql, tag, function, values, table,
                                                       expected):
    ctx, screen = open_screen(function)
    form = new_form(qtbot, screen)
    typed = {k: (v + tag if k in ("name", "code") else v) for k, v in values.items()}
    fill(qtbot, form, **typed)
    if "valid_from" in form.fields._fields:
        form.widget("valid_from").setDate(dt.date(2026, 10, 1))
        form.widget("valid_to").setDate(dt.date(2026, 10, 7))
    record_id = save(qtbot, form)
    column, value = expected
    if column == "code":
        value += tag.upper()
    assert sql(f"SELECT {column}, version FROM yiwei.{table} WHERE id = %s", (record_id,)) == [(value, 1)]
    wait_list(qtbot, screen.list)
    assert screen.list.current_key() == record_id


def test_promotion_rate_above_one_is_refused_beside_the_field(qtbot, open_screen, sql, tag):
    ctx, screen = open_screen("masterdata.promotion")
    form = new_form(qtbot, screen)
    fill(qtbot, form, name=f"错误折扣{tag}", min_rate="1.2")
    form.widget("valid_from").setDate(dt.date(2026, 10, 1))
    form.widget("valid_to").setDate(dt.date(2026, 9, 1))
    form.submit()
    assert form.error_text("min_rate").startswith("最低折扣须为大于 0、不超过 1 的小数")
    assert form.error_text("valid_to") == "结束日期不能早于开始日期"
    assert sql("SELECT count(*) FROM yiwei.promotion WHERE name = %s", (f"错误折扣{tag}",)) == [(0,)]
