"""合同改补单 driven as the employees who use it: a store manager picks a signed contract, adds goods
and takes goods off, saves and submits; lines the clerk got wrong are refused before or by the
database with nothing stored; a submitted change order is only shown; 作废 asks first; a change order
returned in 图审 is fixed and passes 图审 and 审价 on the review screens; a reviewer without the
change-order right gets no editing actions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from psycopg2.extras import Json
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from client.orders import change_orders
from client.orders.review_data import change_order_key
from client.orders.review_screen import ReviewScreen
from client.ui.forms import RecordForm
from tests.db.contract_data import call, line, signed, version
from tests.db.helpers import scalar

from .change_order_helpers import (
    change_orders_of,
    fill,
    lines_of,
    number_of,
    pick_contract,
    row_values,
    rows,
    save,
    screen_opener,
    show_row,
    type_product,
    wait_reloaded,
)
from .contract_helpers import type_cell
from .review_helpers import REVIEWER_PASSWORD, contract_number, review, show_item

MANAGER = "hz01.manager"


@pytest.fixture
def open_function(qtbot, make_ctx, wait_idle):
    yield from screen_opener(qtbot, make_ctx, wait_idle)


def draft_change_order(db, admin, cat, contract_id: int, lines=None, reason="客户加一组吊柜") -> int:
    """A draft change order written by the HZ01 manager through the checked function."""
    return scalar(db.connect_as(MANAGER), "SELECT yiwei.save_change_order(NULL, NULL, %s)", (Json({
        "contract_id": contract_id, "kind": "change", "reason": reason,
        "lines": lines or [line(cat, "a2", quantity="1")]}),))


def submitted_change_order(db, admin, cat, contract_id: int) -> int:
    oid = draft_change_order(db, admin, cat, contract_id)
    call(db.connect_as(MANAGER), "SELECT yiwei.submit_change_order(%s, %s)", (oid, version(admin, oid, "change_order")))
    return oid


def status_of(admin, change_order_id: int) -> str:
    return scalar(admin, "SELECT status FROM yiwei.change_order WHERE id = %s", (change_order_id,))


def open_with_enter(qtbot, wait_idle, screen, change_order_id: int, search: str) -> RecordForm:
    """Find the change order in the list and open it with Enter."""
    before = screen.dialog
    show_row(qtbot, wait_idle, screen.list, change_order_id, search)
    qtbot.keyClick(screen.list.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.dialog is not before and screen.dialog.isVisible(), timeout=15000)
    wait_idle(screen.ctx)
    return screen.dialog


def test_a_manager_adds_and_takes_off_goods_saves_and_submits(qtbot, wait_idle, db, admin, cat, open_function):
    cid = signed(db, admin, cat)                   # one a1 at 1000.00
    number = contract_number(admin, cid)
    screen = open_function("orders.change_order", MANAGER)

    form = pick_contract(qtbot, wait_idle, screen, cid, number)
    assert number in form.findChild(QLabel, "intro").text()
    # the contract's products first, with what the contract holds: what is taken off must be on it
    assert form.lines.choices[0][0] == cat.id("a1") and "合同上 1" in form.lines.choices[0][1]
    # typed as a clerk does: part of the code, the product the completer offers, the quantity
    type_product(qtbot, form.lines, 0, cat.products["a2"][1][-6:])
    type_cell(qtbot, form.lines, 0, 1, "2")
    assert form.lines._combo(0).currentData() == cat.id("a2")
    form.lines.add_line()
    form.lines.set_row(1, cat.id("a1"), "-1")
    fill(form, "量尺错误，补两个吊柜，退一个地柜", [], kind="supplement")
    save(qtbot, wait_idle, form)
    assert not form.isVisible(), form.banner_text()

    # what the database holds: goods added at the list price, goods taken off at the price paid
    [(oid, kind, reason, status, delta)] = change_orders_of(admin, cid)
    assert (kind, reason, status, delta) == ("supplement", "量尺错误，补两个吊柜，退一个地柜", "draft", Decimal("-333.34"))
    assert lines_of(admin, oid) == [(cat.id("a2"), Decimal(2), Decimal("333.33"), Decimal("666.66")),
                                    (cat.id("a1"), Decimal(-1), Decimal("1000.00"), Decimal("-1000.00"))]
    assert scalar(admin, "SELECT e.login FROM yiwei.change_order o JOIN yiwei.employee e ON e.role_name = o.created_by"
                         " WHERE o.id = %s", (oid,)) == MANAGER

    # the list shows it, selected, with its amount
    qtbot.waitUntil(lambda: screen.list.model.row_of_key(oid) >= 0 and screen.list.selected_keys() == [oid],
                    timeout=15000)
    shown = row_values(screen.list, oid)
    assert (shown["number"], shown["contract_number"], shown["kind_label"], shown["status_label"],
            shown["amount_delta"]) == (number_of(admin, oid), number, "补单", "草稿", Decimal("-333.34"))
    assert screen.status.text() == "已保存改补单"

    # 提交审核: to 图审
    screen.actions_by_name["submit"].trigger()
    wait_idle(screen.ctx)
    assert status_of(admin, oid) == "submitted"
    assert screen.status.text() == f"已提交改补单 {number_of(admin, oid)}，等待图审"
    wait_reloaded(qtbot, screen.list)
    assert row_values(screen.list, oid)["status_label"] == "待图审"

    # submitted: opened with Enter it is shown, not edited
    shown_form = open_with_enter(qtbot, wait_idle, screen, oid, number_of(admin, oid))
    assert shown_form.read_only and shown_form.save_button.isHidden()
    assert not shown_form.lines.isEnabled()
    assert shown_form.widget("reason").isReadOnly()
    assert "待图审" in shown_form.windowTitle()
    assert [shown_form.lines._combo(r).currentData() for r in range(shown_form.lines.table.rowCount())] == [
        cat.id("a2"), cat.id("a1")]
    shown_form.submit()                            # Ctrl+S on a shown change order does nothing
    wait_idle(screen.ctx)
    assert scalar(admin, "SELECT version FROM yiwei.change_order WHERE id = %s", (oid,)) == version(
        admin, oid, "change_order")
    shown_form.reject()                            # closes without asking
    assert not shown_form.isVisible()


def test_lines_a_clerk_got_wrong_are_refused_and_nothing_is_stored(
        qtbot, wait_idle, db, admin, cat, open_function, monkeypatch):
    cid = signed(db, admin, cat)
    number = contract_number(admin, cid)
    screen = open_function("orders.change_order", MANAGER)
    form = pick_contract(qtbot, wait_idle, screen, cid, number)

    def refused(reason, lines, expected_banner=None, expected_reason_error=""):
        form.lines.table.setRowCount(0)
        fill(form, reason, lines)
        save(qtbot, wait_idle, form)
        assert form.isVisible()
        assert form.error_text("reason") == expected_reason_error
        if expected_banner is not None:
            assert expected_banner in form.banner_text()
        assert change_orders_of(admin, cid) == []

    # a row with a quantity but no product
    refused("退一个地柜", [(None, "-1")], "第 1 行：请选择产品")
    # a product typed over and left without picking one: not the product picked before
    form.lines.table.setRowCount(0)
    fill(form, "退一个地柜", [(cat.id("b1"), "1")])
    type_product(qtbot, form.lines, 0, cat.products["a1"][1][:-1], pick=False)
    save(qtbot, wait_idle, form)
    assert form.isVisible() and form.banner_text() == "第 1 行：请选择产品"
    assert change_orders_of(admin, cid) == []
    # a quantity of zero, and one that is no number
    refused("退一个地柜", [(cat.id("a2"), "1"), (cat.id("a1"), "0")], "第 2 行：请填写数量（不能为 0，负数表示减少）")
    refused("退一个地柜", [(cat.id("a1"), "一个")], "第 1 行：请填写数量")
    # no lines at all (an empty row left over does not count)
    refused("退一个地柜", [(None, "")], "请至少填写一行改补明细")
    # no reason: refused beside the field before anything is sent
    refused("", [(cat.id("a2"), "1")], expected_reason_error="请填写改补原因")
    # taking off more than the contract holds: the database refuses, the form says why
    refused("退两个地柜", [(cat.id("a1"), "-2")], "不能减少 2")
    assert "合同上" in form.banner_text() and cat.products["a1"][1] in form.banner_text()
    # a price above the list price
    refused("补吊柜", [(cat.id("a2"), "1", "400.00")], "高于零售价")

    # what the clerk typed is still there: corrected, it saves
    form.lines.set_row(0, cat.id("a2"), "1", "")
    save(qtbot, wait_idle, form)
    assert not form.isVisible(), form.banner_text()
    [(oid, _kind, reason, status, delta)] = change_orders_of(admin, cid)
    assert (reason, status, delta) == ("补吊柜", "draft", Decimal("333.33"))
    # the refused saves used no number: the series stays gap-free
    series, serial = number_of(admin, oid).rsplit("-", 1)
    previous = scalar(admin, "SELECT max(number) FROM yiwei.change_order WHERE number LIKE %s AND id <> %s",
                      (series + "-%", oid))
    assert int(serial) == (int(previous.rsplit("-", 1)[1]) + 1 if previous else 1)


def test_cancel_asks_first_and_cancels(qtbot, wait_idle, db, admin, cat, open_function, monkeypatch):
    cid = signed(db, admin, cat)
    oid = draft_change_order(db, admin, cat, cid)
    number = number_of(admin, oid)
    screen = open_function("orders.change_order", MANAGER)
    show_row(qtbot, wait_idle, screen.list, oid, number)

    asked = []
    monkeypatch.setattr(change_orders, "ask", lambda *args, **kwargs: asked.append(args[2]) or False)
    screen.actions_by_name["cancel"].trigger()
    wait_idle(screen.ctx)
    assert asked == ["作废选中的改补单吗？"]
    assert status_of(admin, oid) == "draft"        # answered no: nothing happened

    monkeypatch.setattr(change_orders, "ask", lambda *args, **kwargs: asked.append(args[2]) or True)
    screen.actions_by_name["cancel"].trigger()
    wait_idle(screen.ctx)
    assert status_of(admin, oid) == "cancelled"
    assert screen.status.text() == f"已作废改补单 {number}"
    wait_reloaded(qtbot, screen.list)
    assert row_values(screen.list, oid)["status_label"] == "已作废"

    # a cancelled change order can be neither submitted nor cancelled again; the database says why
    screen.actions_by_name["submit"].trigger()
    wait_idle(screen.ctx)
    assert screen.status.text() == f"改补单 {number} 当前为“已作废”，不能提交审核"
    assert status_of(admin, oid) == "cancelled"
    # and it opens read-only
    shown = open_with_enter(qtbot, wait_idle, screen, oid, number)
    assert shown.read_only and shown.save_button.isHidden() and not shown.lines.isEnabled()


def test_a_step_without_a_selection_says_so(qtbot, wait_idle, db, admin, cat, open_function, monkeypatch):
    screen = open_function("orders.change_order", MANAGER)
    screen.list.view.clearSelection()
    asked = []
    monkeypatch.setattr(change_orders, "ask", lambda *args, **kwargs: asked.append(args[2]) or True)
    for name in ("edit", "submit", "cancel"):
        screen.say("")
        screen.actions_by_name[name].trigger()
        assert screen.status.text() == "请先在列表中选择改补单"
    assert asked == [] and screen.dialog is None


def test_a_returned_change_order_is_fixed_and_passes_both_reviews_on_the_review_screens(
        qtbot, make_ctx, wait_idle, db, admin, cat, open_function, monkeypatch):
    cid = signed(db, admin, cat)
    oid = draft_change_order(db, admin, cat, cid, lines=[line(cat, "a2", quantity="1"), line(cat, "a1", quantity="-1")])
    number = number_of(admin, oid)
    manager = open_function("orders.change_order", MANAGER)
    show_row(qtbot, wait_idle, manager.list, oid, number)
    manager.actions_by_name["submit"].trigger()
    wait_idle(manager.ctx)
    assert status_of(admin, oid) == "submitted"

    # 图审 by the region director: the change order is in the queue with its lines and amount
    director_ctx = make_ctx("hd.director")
    drawing = ReviewScreen(director_ctx, "drawing")
    qtbot.addWidget(drawing)
    wait_idle(director_ctx)
    show_item(qtbot, wait_idle, drawing, change_order_key(oid), number)
    assert drawing.item.is_change_order and drawing.item.amount == Decimal("-666.67")
    assert drawing.lines.rowCount() == 2
    form = review(qtbot, wait_idle, drawing, False, "吊柜位置与图纸不符，请核对")
    assert not form.isVisible(), form.banner_text()
    assert status_of(admin, oid) == "returned"

    # returned: the manager opens it for editing, fixes the quantity and submits again
    manager.list.refresh()
    wait_reloaded(qtbot, manager.list)
    edit = open_with_enter(qtbot, wait_idle, manager, oid, number)
    assert not edit.read_only and edit.save_button.isVisible() and edit.lines.isEnabled()
    assert edit.windowTitle() == f"编辑改补单 {number}"
    assert edit.widget("reason").toPlainText() == "客户加一组吊柜"
    edit.lines.set_row(0, cat.id("a2"), "2")
    edit.widget("reason").setPlainText("客户加两组吊柜，退一个地柜")
    before = version(admin, oid, "change_order")
    save(qtbot, wait_idle, edit)
    assert not edit.isVisible(), edit.banner_text()
    assert version(admin, oid, "change_order") > before
    assert rows(admin, "SELECT reason, amount_delta, status FROM yiwei.change_order WHERE id = %s", (oid,)) == [
        ("客户加两组吊柜，退一个地柜", Decimal("-333.34"), "returned")]
    assert [(p, q) for p, q, _price, _amount in lines_of(admin, oid)] == [
        (cat.id("a2"), Decimal(2)), (cat.id("a1"), Decimal(-1))]
    qtbot.waitUntil(lambda: manager.list.selected_keys() == [oid] and not manager.list.is_busy(), timeout=15000)
    manager.actions_by_name["submit"].trigger()
    wait_idle(manager.ctx)
    assert status_of(admin, oid) == "submitted"

    # 图审 passed, then 审价 passed: approved
    drawing.list.refresh()
    show_item(qtbot, wait_idle, drawing, change_order_key(oid), number)
    # the reviewer sees why it was returned, beside the contract's own reviews
    past = drawing.past_reviews
    said = [tuple(past.item(r, c).text() for c in (0, 1, 2, 5)) for r in range(past.rowCount())]
    assert (number, "图审", "退回", "吊柜位置与图纸不符，请核对") in said
    drawing.checklist.check_all()
    form = review(qtbot, wait_idle, drawing, True, "已核对")
    assert not form.isVisible(), form.banner_text()
    assert status_of(admin, oid) == "drawing_passed"
    price = ReviewScreen(director_ctx, "price")
    qtbot.addWidget(price)
    wait_idle(director_ctx)
    show_item(qtbot, wait_idle, price, change_order_key(oid), number)
    assert price.item.amount == Decimal("-333.34")
    form = review(qtbot, wait_idle, price, True, "")
    assert not form.isVisible(), form.banner_text()
    assert status_of(admin, oid) == "approved"
    assert rows(admin, "SELECT kind, passed, comment FROM yiwei.contract_review WHERE change_order_id = %s ORDER BY id",
                (oid,)) == [("drawing", False, "吊柜位置与图纸不符，请核对"), ("drawing", True, "已核对"), ("price", True, "")]

    # approved: shown, not edited; and the contract now holds no a1, so none can be taken off
    manager.list.refresh()
    wait_reloaded(qtbot, manager.list)
    assert row_values(manager.list, oid)["status_label"] == "已审核"
    shown = open_with_enter(qtbot, wait_idle, manager, oid, number)
    assert shown.read_only and shown.save_button.isHidden() and "已审核" in shown.windowTitle()
    shown.reject()
    form = pick_contract(qtbot, wait_idle, manager, cid, contract_number(admin, cid))
    fill(form, "再退一个地柜", [(cat.id("a1"), "-1")])
    save(qtbot, wait_idle, form)
    assert form.isVisible() and "只有 0" in form.banner_text()
    assert [o[0] for o in change_orders_of(admin, cid)] == [oid]
    monkeypatch.setattr("client.ui.forms.ask", lambda *args, **kwargs: True)   # "放弃修改？" yes
    form.reject()
    assert not form.isVisible()


def test_a_reviewer_without_the_change_order_right_only_looks(
        qtbot, wait_idle, db, admin, cat, strict_reviewer, open_function):
    cid = signed(db, admin, cat)
    oid = draft_change_order(db, admin, cat, cid)
    number = number_of(admin, oid)
    # 图审/审价 open 合同改补单 too (to look at what they review), without its editing actions
    screen = open_function("orders.change_order", strict_reviewer, REVIEWER_PASSWORD)
    assert not screen.can_edit
    assert set(screen.actions_by_name) == set()
    shown = open_with_enter(qtbot, wait_idle, screen, oid, number)
    assert shown.read_only and shown.save_button.isHidden() and not shown.lines.isEnabled()
    assert shown.widget("reason").toPlainText() == "客户加一组吊柜"
    # were the save reached anyway, the database refuses it: the right is checked there
    before = version(admin, oid, "change_order")
    shown.read_only = False
    shown.submit()
    qtbot.waitUntil(lambda: not shown.busy, timeout=15000)
    wait_idle(screen.ctx)
    assert shown.banner_text() == "没有权限：合同改补单"
    assert version(admin, oid, "change_order") == before


def test_closing_a_form_with_lines_typed_asks_before_dropping_them(
        qtbot, wait_idle, db, admin, cat, open_function, monkeypatch):
    cid = signed(db, admin, cat)
    screen = open_function("orders.change_order", MANAGER)
    form = pick_contract(qtbot, wait_idle, screen, cid, contract_number(admin, cid))
    asked = []
    monkeypatch.setattr("client.ui.forms.ask", lambda *args, **kwargs: asked.append(args[1]) or False)
    form.reject()                                  # nothing typed yet: closes without a question
    assert asked == [] and not form.isVisible()

    form = pick_contract(qtbot, wait_idle, screen, cid, contract_number(admin, cid))
    form.lines.set_row(0, cat.id("a2"), "1")       # only a line, the reason still empty
    form.reject()
    assert len(asked) == 1 and form.isVisible()    # answered "keep editing"
    assert change_orders_of(admin, cid) == []
