"""收款登记 driven as real logins, from both screens that open it: 可计提订单 (a contract already at
the rule) and the contract editor of 合同下单 (the deposit of a contract just signed). The paid
amount shows after a save; more than a part's due is refused with the database's message beside the
amount and nothing stored; a reversal within what was paid works, beyond it is refused; a login
without finance.receipt is offered no 收款登记 and the database refuses it anyway."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from client.orders.contract_editor import P_PAID
from client.orders.payments import open_payment_form
from client.ui.forms import RecordForm, alive
from client.ui.registry import load_functions
from tests.db.contract_data import call, new_contract, signed
from tests.db.customer_data import FORBIDDEN, refusal
from tests.masterdata.helpers import shown_rows
from tests.system.helpers import type_text

from . import commission_helpers
from .commission_helpers import ACCOUNTANT_PASSWORD, paid_parts, pay, signed_in_hz02
from .contract_helpers import open_editor
from .review_helpers import contract_number

# the fixtures of the helper module
open_commissionable = commission_helpers.open_commissionable
store_accountant = commission_helpers.store_accountant


def opened_payment_form(qtbot, wait_idle, ctx, owner, before=None) -> RecordForm:
    """The 收款登记 form ``owner`` opened, its plan parts and the contract's heading read."""
    qtbot.waitUntil(lambda: owner.dialog is not before and alive(owner.dialog) and owner.dialog.isVisible()
                    and not owner.dialog.busy, timeout=15000)
    wait_idle(ctx)
    return owner.dialog


def enter(qtbot, wait_idle, ctx, form: RecordForm, seq: int, amount: str) -> None:
    """Pick the part, type the amount, click 登记收款 and wait for the database's answer."""
    combo = form.widget("seq")
    index = combo.findData(seq)
    assert index >= 0, f"part {seq} is not offered"
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    type_text(qtbot, form.widget("amount"), amount)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not form.busy, timeout=15000)
    wait_idle(ctx)


def part_labels(form: RecordForm) -> list[str]:
    combo = form.widget("seq")
    return [combo.itemText(i) for i in range(combo.count()) if combo.itemData(i) is not None]


def listed(qtbot, screen, number: str) -> list[dict]:
    screen.list.set_search(number)
    qtbot.waitUntil(lambda: not screen.list._query_timer.isActive() and not screen.list.is_busy(), timeout=15000)
    return shown_rows(screen.list)


def test_payments_from_the_commissionable_list(
        qtbot, db, admin, cat, wait_idle, store_accountant, open_commissionable, monkeypatch):
    cid = signed(db, admin, cat)                       # 1000.00: deposit 300.00, final 700.00
    pay(db, admin, cid, "500.00", "hz01.finance")      # at the rule (50 %): listed this month
    number = contract_number(admin, cid)
    ctx, screen = open_commissionable(store_accountant, ACCOUNTANT_PASSWORD)
    [row] = listed(qtbot, screen, number)
    assert row["paid_total"] == Decimal("500.00")

    screen.list.view.setFocus()
    screen.list.view.selectRow(0)
    screen.actions_by_name["payment"].trigger()
    form = opened_payment_form(qtbot, wait_idle, ctx, screen)
    assert number in form.findChild(type(screen.rule), "intro").text()
    assert "已收 500.00" in form.findChild(type(screen.rule), "intro").text()
    assert part_labels(form) == ["第 1 期 定金：应收 300.00，已收 300.00", "第 2 期 尾款：应收 700.00，已收 200.00"]

    # more than is due on the part: the database's message beside the amount, nothing stored
    enter(qtbot, wait_idle, ctx, form, 2, "600.00")
    assert form.isVisible()
    assert form.error_text("amount") == "第 2 期应收 700.00 元，已收 200.00 元，本次最多 500.00 元"
    assert paid_parts(admin, cid) == [(1, Decimal("300.00")), (2, Decimal("200.00"))]
    # not an amount at all: said before anything is sent
    enter(qtbot, wait_idle, ctx, form, 2, "五百")
    assert form.isVisible() and "请输入金额" in form.error_text("amount")
    assert paid_parts(admin, cid) == [(1, Decimal("300.00")), (2, Decimal("200.00"))]

    # the rest of the final payment: stored, the form closes, the list shows it paid
    enter(qtbot, wait_idle, ctx, form, 2, "500")
    assert not form.isVisible()
    assert paid_parts(admin, cid) == [(1, Decimal("300.00")), (2, Decimal("700.00"))]
    qtbot.waitUntil(lambda: not screen.list.is_busy(), timeout=15000)
    [row] = shown_rows(screen.list)
    assert (row["paid_total"], row["paid_percent"]) == (Decimal("1000.00"), Decimal("100.00"))

    # a reversal within what was paid (Enter on the row opens the form too)
    screen.list.view.setFocus()
    screen.list.view.selectRow(0)
    qtbot.keyClick(screen.list.view, Qt.Key.Key_Return)
    form = opened_payment_form(qtbot, wait_idle, ctx, screen, before=form)
    enter(qtbot, wait_idle, ctx, form, 2, "-450.00")
    assert not form.isVisible()
    assert paid_parts(admin, cid) == [(1, Decimal("300.00")), (2, Decimal("250.00"))]
    qtbot.waitUntil(lambda: not screen.list.is_busy(), timeout=15000)
    assert shown_rows(screen.list)[0]["paid_total"] == Decimal("550.00")

    # a reversal beyond what the part holds is refused, nothing stored (Ctrl+R: the row stays selected)
    assert screen.list.selected_keys() == [cid], screen.status.text()
    screen.actions_by_name["payment"].trigger()
    form = opened_payment_form(qtbot, wait_idle, ctx, screen, before=form)
    enter(qtbot, wait_idle, ctx, form, 1, "-300.01")
    assert form.isVisible()
    assert form.error_text("amount") == "第 1 期已收 300.00 元，冲减不能超过已收金额"
    assert paid_parts(admin, cid) == [(1, Decimal("300.00")), (2, Decimal("250.00"))]
    # … and one that takes it below the rule: the contract leaves the list
    enter(qtbot, wait_idle, ctx, form, 2, "-250")
    assert not form.isVisible()
    assert paid_parts(admin, cid) == [(1, Decimal("300.00")), (2, Decimal("0.00"))]
    qtbot.waitUntil(lambda: not screen.list.is_busy(), timeout=15000)
    assert shown_rows(screen.list) == []
    monkeypatch.setattr("client.ui.forms.ask", lambda *args, **kwargs: True)   # nothing left open asks


def test_the_deposit_of_a_signed_contract_from_the_contract_editor(
        qtbot, db, admin, cat, wait_idle, open_contracts, monkeypatch):
    cid = signed(db, admin, cat)                       # nothing paid yet: not in 可计提订单
    number = contract_number(admin, cid)
    draft = contract_number(admin, new_contract(db, cat, "hz01.guide1", "HZ01"))
    ctx, screen = open_contracts("hz01.manager")       # the store manager takes the deposit

    editor = open_editor(qtbot, ctx, wait_idle, screen, draft)
    assert not editor.actions_by_name["payment"].isEnabled()     # a draft takes no money
    editor.close()

    editor = open_editor(qtbot, ctx, wait_idle, screen, number)
    assert editor.actions_by_name["payment"].isEnabled()
    assert [editor.plan.item(r, P_PAID).text() for r in range(2)] == ["0.00", "0.00"]
    editor.actions_by_name["payment"].trigger()
    form = opened_payment_form(qtbot, wait_idle, ctx, editor)
    enter(qtbot, wait_idle, ctx, form, 1, "300.01")              # more than the deposit
    assert form.error_text("amount") == "第 1 期应收 300.00 元，已收 0.00 元，本次最多 300.00 元"
    assert paid_parts(admin, cid) == [(1, Decimal("0.00")), (2, Decimal("0.00"))]
    enter(qtbot, wait_idle, ctx, form, 1, "300.00")
    assert not form.isVisible()
    qtbot.waitUntil(lambda: editor.plan.item(0, P_PAID).text() == "300.00", timeout=15000)
    assert paid_parts(admin, cid) == [(1, Decimal("300.00")), (2, Decimal("0.00"))]
    assert "已登记收款" in editor.status.text()
    monkeypatch.setattr("client.ui.forms.ask", lambda *args, **kwargs: True)


def test_a_login_without_finance_receipt_cannot_record_a_payment(
        qtbot, db, admin, cat, wait_idle, open_commissionable, open_contracts):
    cid = signed(db, admin, cat)
    pay(db, admin, cid, "500.00", "hz01.finance")
    number = contract_number(admin, cid)

    ctx, screen = open_commissionable("hd.director")             # sees the list, takes no money
    assert not ctx.session.can("finance.receipt")
    assert "payment" not in screen.actions_by_name
    [_row] = listed(qtbot, screen, number)
    screen.list.view.setFocus()
    screen.list.view.selectRow(0)
    qtbot.keyClick(screen.list.view, Qt.Key.Key_Return)
    wait_idle(ctx)
    assert screen.dialog is None
    assert open_payment_form(ctx, screen, cid) is None

    ctx, contracts = open_contracts("hz01.guide1")               # the guide's own contract: no 收款登记
    editor = open_editor(qtbot, ctx, wait_idle, contracts, number)
    assert "payment" not in editor.actions_by_name

    for login in ("hd.director", "hz01.guide1"):                 # and the database refuses it anyway
        with refusal(FORBIDDEN):
            call(db.connect_as(login), "SELECT yiwei.record_contract_payment(%s, 2, 100.00)", (cid,))
    assert paid_parts(admin, cid) == [(1, Decimal("300.00")), (2, Decimal("200.00"))]


def test_store_finance_finds_the_contract_in_the_contract_list_and_records_the_deposit(
        qtbot, db, admin, cat, wait_idle, open_contracts):
    """Finance clerks have no contract rights of their own: 合同下单 opens for them to find a contract
    and take the customer's money, nothing more."""
    cid = signed(db, admin, cat)
    number = contract_number(admin, cid)
    ctx, screen = open_contracts("hz01.finance")
    assert load_functions()["orders.contracts"].allowed(ctx.session.permissions)   # in the finance menu
    assert "new" not in screen.actions_by_name                   # no 新建合同
    other = signed_in_hz02(db, admin, cat)                       # another store's contract stays unseen
    assert listed(qtbot, screen, contract_number(admin, other)) == []

    editor = open_editor(qtbot, ctx, wait_idle, screen, number)
    assert "sign" not in editor.actions_by_name and not editor.actions_by_name["save"].isEnabled()
    editor.actions_by_name["payment"].trigger()
    form = opened_payment_form(qtbot, wait_idle, ctx, editor)
    enter(qtbot, wait_idle, ctx, form, 1, "300.00")
    assert not form.isVisible()
    assert paid_parts(admin, cid) == [(1, Decimal("300.00")), (2, Decimal("0.00"))]
