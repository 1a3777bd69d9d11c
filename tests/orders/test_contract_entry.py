"""合同下单 driven as the people who do it: a guide quotes for an own customer with catalogue lines
and a package, the totals shown are those the database stored; a plan that does not add up and a
discount beyond the guide's limit are refused beside the plan and the line; a stale contract asks
to reload; submitted, it is read-only and signed by the store manager once both reviews passed."""

from __future__ import annotations

import datetime
from decimal import Decimal

from PySide6.QtCore import QDate, Qt
from psycopg2.extras import Json

from client.documents.amounts import format_money
from client.orders import contract_editor
from client.orders.contract_editor import DEAL, PRICE, QTY, RATE
from tests.db.contract_data import all_checklist_ok, call, new_contract, save_contract, upload, version
from tests.db.customer_data import create_customer, token

from .contract_helpers import find_rows, open_editor, save, saved, type_cell


def number_of(admin, contract_id: int) -> str:
    with admin.cursor() as cur:
        cur.execute("SELECT number FROM yiwei.contract WHERE id = %s", (contract_id,))
        return cur.fetchone()[0]


def stored_lines(sql, contract_id: int) -> list[tuple]:
    return sql("SELECT product_code, quantity, price, amount, package_id IS NOT NULL FROM yiwei.contract_line"
               " WHERE contract_id = %s ORDER BY line_no", (contract_id,))


def test_guide_quotes_with_catalogue_lines_and_a_package_and_the_totals_are_those_stored(
        qtbot, db, cat, open_contracts, wait_idle, sql):
    name = f"报价客户{token()}"
    create_customer(db.connect_as("hz01.guide1"), "HZ01", name=name)
    ctx, screen = open_contracts("hz01.guide1")

    # Ctrl+N: the customers picker, the guide's own customer found by name, Enter picks it
    screen.list.view.setFocus()
    qtbot.keyClick(screen.list.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: screen.dialog is not None and screen.dialog.isVisible(), timeout=10000)
    picker = screen.dialog
    picker.set_search(name)
    qtbot.waitUntil(lambda: not picker.searching and len(picker.results()) == 1, timeout=10000)
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.editor is not None and screen.editor.isVisible(), timeout=10000)
    editor = screen.editor
    assert editor.status_chip.text() == "新合同"

    prices = editor.left.widget("price_list_id")
    prices.setCurrentIndex(prices.findData(cat.price_list))
    prices.activated.emit(prices.currentIndex())
    delivery = datetime.date.today() + datetime.timedelta(days=45)
    editor.right.widget("expected_delivery_on").setDate(QDate(delivery.year, delivery.month, delivery.day))

    # fast entry: the code and Enter adds the line, the quantity cell opens for the next keys
    editor.quick.setFocus()
    qtbot.keyClicks(editor.quick, cat.products["a3"][1])
    qtbot.keyClick(editor.quick, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(editor.lines) == 1, timeout=10000)
    type_cell(qtbot, editor, 0, QTY, "2")
    type_cell(qtbot, editor, 0, RATE, "0.95")          # 250.00 × 0.95 = 237.50 a piece
    assert editor.table.item(0, PRICE).text() == "237.50"
    assert editor.shown_totals() == ("500.00", "25.00", "475.00")

    # Ins: the product picker, found by the product's name
    editor.table.setFocus()
    qtbot.keyClick(editor.table, Qt.Key.Key_Insert)
    qtbot.waitUntil(lambda: editor.dialog is not None and editor.dialog.isVisible(), timeout=10000)
    picker = editor.dialog
    picker.set_search(sql("SELECT name FROM yiwei.product WHERE id = %s", (cat.id("b1"),))[0][0])
    qtbot.waitUntil(lambda: not picker.searching and len(picker.results()) == 1, timeout=10000)
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(editor.lines) == 2, timeout=10000)
    type_cell(qtbot, editor, 1, PRICE, "760")
    assert editor.table.item(1, RATE).text() == "0.95"

    contract_id = saved(qtbot, ctx, wait_idle, editor)
    assert editor.status_chip.text() == "草稿" and editor.data.header["number"].startswith("HT-HZ01-")

    # 套餐 in one step: a1 × 2 + a2 × 1 for 2000.01, the lines read again as the database priced them
    editor.actions_by_name["package"].trigger()
    qtbot.waitUntil(lambda: editor.dialog is not None and editor.dialog.isVisible() and not editor.dialog.busy,
                    timeout=10000)
    form = editor.dialog
    combo = form.widget("package_id")
    combo.setCurrentIndex(combo.findData(cat.package))
    with qtbot.waitSignal(editor.saved, timeout=15000):
        form.submit()
    wait_idle(ctx)
    assert len(editor.lines) == 4
    assert [editor.table.item(r, DEAL).text() for r in range(4)][2:] == [editor.lines[2].package_name] * 2
    assert sum(line.amount() for line in editor.lines if line.in_package) == Decimal("2000.01")

    # 30/60/10 of the total, to the cent
    editor.tabs.setCurrentIndex(1)
    editor.generate_button.click()
    assert sum(Decimal(p.amount) for p in editor.payments) == Decimal("3235.01")
    saved(qtbot, ctx, wait_idle, editor)

    (list_total, total), = sql("SELECT list_total, total FROM yiwei.contract WHERE id = %s", (contract_id,))
    assert (list_total, total) == (Decimal("3633.33"), Decimal("3235.01"))   # 500 + 800 + 2333.33; 475 + 760 + 2000.01
    assert editor.shown_totals() == (format_money(list_total), format_money(list_total - total), format_money(total))
    shown = [(line.code, Decimal(line.quantity), Decimal(line.price), line.amount(), line.in_package)
             for line in editor.lines]
    assert shown == list(stored_lines(sql, contract_id))
    plan = sql("SELECT kind, amount FROM yiwei.contract_payment WHERE contract_id = %s ORDER BY seq", (contract_id,))
    assert plan == [("deposit", Decimal("970.50")), ("progress", Decimal("1941.00")), ("final", Decimal("323.51"))]
    assert find_rows(qtbot, screen, editor.data.header["number"])[0]["total"] == total


def test_a_plan_that_does_not_add_up_and_a_rate_below_the_limit_are_refused_beside_them(
        qtbot, db, admin, cat, open_contracts, wait_idle, sql):
    contract_id = new_contract(db, cat, "hz01.guide1", "HZ01")          # one a1 at 1000.00, no plan
    ctx, screen = open_contracts("hz01.guide1")
    editor = open_editor(qtbot, ctx, wait_idle, screen, number_of(admin, contract_id))
    before = version(admin, contract_id)

    editor.tabs.setCurrentIndex(1)
    editor.ratio.setText("30/70")
    editor.generate_button.click()
    editor.set_part(0, amount="400.00")                                 # 400 + 700 ≠ 1000
    assert "相差 -100.00" in editor.plan_sum.text()
    save(qtbot, ctx, wait_idle, editor, keys=True)
    assert "付款计划合计 1100.00 元，与合同金额 1000.00 元不符" in editor.plan_error.text()
    assert editor.tabs.currentIndex() == 1 and editor.dirty
    assert version(admin, contract_id) == before
    assert sql("SELECT count(*) FROM yiwei.contract_payment WHERE contract_id = %s", (contract_id,)) == [(0,)]
    editor.set_part(0, amount="300.00")

    # a3 at 0.80 where the guide may go down to 0.90 only
    editor.quick.setText(cat.products["a3"][1])
    qtbot.keyClick(editor.quick, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(editor.lines) == 2, timeout=10000)
    type_cell(qtbot, editor, 1, RATE, "0.8")
    editor.ratio.setText("30/70")
    editor.generate_button.click()
    save(qtbot, ctx, wait_idle, editor)
    assert "第 2 行" in editor.lines_error.text() and "低于您岗位的最低折扣" in editor.lines_error.text()
    assert editor.error_row == 1 and editor.tabs.currentIndex() == 0
    assert editor.table.currentRow() == 1 and editor.table.item(1, PRICE).toolTip() == editor.lines_error.text()
    assert version(admin, contract_id) == before

    # the line's promotion (橱柜节, down to 0.70) allows it
    editor.set_promotion(1, cat.promotion)
    saved(qtbot, ctx, wait_idle, editor)
    assert editor.lines_error.text() == "" and editor.error_row is None
    assert [r[:4] for r in stored_lines(sql, contract_id)] == [
        (cat.products["a1"][1], Decimal("1.000"), Decimal("1000.00"), Decimal("1000.00")),
        (cat.products["a3"][1], Decimal("1.000"), Decimal("200.00"), Decimal("200.00"))]
    assert editor.shown_totals() == ("1,250.00", "50.00", "1,200.00")


def test_a_contract_changed_meanwhile_asks_to_reload(qtbot, db, admin, cat, open_contracts, wait_idle, sql):
    contract_id = new_contract(db, cat, "hz01.guide1", "HZ01")
    ctx, screen = open_contracts("hz01.guide1")
    editor = open_editor(qtbot, ctx, wait_idle, screen, number_of(admin, contract_id))
    save_contract(db.connect_as("hz01.manager"), {"note": "店长改了备注"}, contract_id, version(admin, contract_id))

    type_cell(qtbot, editor, 0, QTY, "3")
    save(qtbot, ctx, wait_idle, editor)
    qtbot.waitUntil(lambda: editor.conflict_box is not None and editor.conflict_box.isVisible(), timeout=10000)
    assert "重新加载" in editor.conflict_box.text() and "修改" in editor.conflict_box.text()
    editor.conflict_box.buttons()[0].click()          # 重新加载
    qtbot.waitUntil(lambda: not editor.dirty and editor.right.values()["note"] == "店长改了备注", timeout=10000)
    assert editor.lines[0].quantity == "1"


def test_submitted_contract_is_read_only_and_the_manager_signs_it_after_both_reviews(
        qtbot, db, admin, cat, open_contracts, wait_idle, sql, monkeypatch):
    contract_id = new_contract(db, cat, "hz01.guide1", "HZ01", designer_login="hz01.designer",
                               payments=[{"kind": "deposit", "amount": "300.00"}, {"kind": "final", "amount": "700.00"}])
    number = number_of(admin, contract_id)
    ctx, screen = open_contracts("hz01.guide1")
    editor = open_editor(qtbot, ctx, wait_idle, screen, number)
    assert "sign" not in editor.actions_by_name            # a guide never signs

    # no drawing yet: the database says so, shown on the design files tab
    editor.actions_by_name["submit"].trigger()
    qtbot.waitUntil(lambda: not editor.busy, timeout=10000)
    wait_idle(ctx)
    assert "请先上传设计图纸" in editor.design.message_text() and editor.tabs.currentWidget() is editor.design

    upload(db.connect_as("hz01.designer"), contract_id)
    editor.reload()
    wait_idle(ctx)
    with qtbot.waitSignal(editor.saved, timeout=15000):
        editor.actions_by_name["submit"].trigger()
    wait_idle(ctx)
    assert editor.status_chip.text() == "待图审"
    assert not editor.actions_by_name["save"].isEnabled() and not editor.quick.isEnabled()
    assert editor.table.editTriggers() == editor.table.EditTrigger.NoEditTriggers
    assert not editor.left.is_field_enabled("price_list_id")

    director = db.connect_as("hd.director")
    call(director, "SELECT yiwei.review_drawing(%s, %s, true, '图纸齐全', %s)",
         (contract_id, version(admin, contract_id), Json(all_checklist_ok(admin, contract_id))))
    call(director, "SELECT yiwei.review_price(%s, %s, true, '')", (contract_id, version(admin, contract_id)))

    ctx, manager_screen = open_contracts("hz01.manager")
    editor = open_editor(qtbot, ctx, wait_idle, manager_screen, number)
    assert editor.status_chip.text() == "待签订"
    assert [r.kind_label for r in editor.data.reviews] == ["图审", "审价"]
    assert editor.reviews.rowCount() == 2 and editor.reviews.item(0, 5).text() == "图纸齐全"
    asked = []
    # the question "签订合同 …吗？" answered 签订
    monkeypatch.setattr(contract_editor, "ask", lambda *args, **kwargs: asked.append(args[2]) or True)
    with qtbot.waitSignal(editor.saved, timeout=15000):
        editor.actions_by_name["sign"].trigger()
    wait_idle(ctx)
    assert asked and number in asked[0]
    assert editor.status_chip.text() == "已签订"
    assert sql("SELECT status, signed_at IS NOT NULL FROM yiwei.contract WHERE id = %s", (contract_id,)) == [("signed", True)]

    # 作废 with a reason: the form's reason is required, the database records it
    editor.actions_by_name["cancel"].trigger()
    qtbot.waitUntil(lambda: editor.dialog is not None and editor.dialog.isVisible(), timeout=10000)
    editor.dialog.widget("reason").setText("客户家中变故，协商解除")
    with qtbot.waitSignal(editor.saved, timeout=15000):
        editor.dialog.submit()
    wait_idle(ctx)
    assert editor.status_chip.text() == "已作废" and "协商解除" in editor.heading.text()
    assert sql("SELECT status, cancel_reason FROM yiwei.contract WHERE id = %s", (contract_id,)) == [
        ("cancelled", "客户家中变故，协商解除")]
