"""责任人判定 driven as the store manager who decides: the change orders not decided yet, a decision
(who bears it, why, a note) saved and shown with who decided it, decided again with the first
decision filled in and both kept in the audit trail; a decision without a reason refused beside the
field; a login without the right is offered no such screen and refused by the database if it gets
one anyway; another region's director does not see the store's change orders."""

from __future__ import annotations

import pytest
from psycopg2.extras import Json

from client.orders.responsibility import ResponsibilityScreen
from client.ui.registry import menu_for
from tests.db.contract_data import call, line, signed, version
from tests.db.helpers import scalar

from .change_order_helpers import (
    number_of,
    row_values,
    rows,
    save,
    screen_opener,
    show_row,
    wait_reloaded,
)
from .review_helpers import REVIEWER_PASSWORD

MANAGER = "hz01.manager"


@pytest.fixture
def open_function(qtbot, make_ctx, wait_idle):
    yield from screen_opener(qtbot, make_ctx, wait_idle)


def submitted_change_order(db, admin, cat) -> int:
    """A change order of a signed HZ01 contract, written and submitted by the HZ01 manager."""
    cid = signed(db, admin, cat)
    manager = db.connect_as(MANAGER)
    oid = scalar(manager, "SELECT yiwei.save_change_order(NULL, NULL, %s)", (Json({
        "contract_id": cid, "kind": "supplement", "reason": "量尺漏量吊柜位置，补一个吊柜",
        "lines": [line(cat, "a2", quantity="1")]}),))
    call(manager, "SELECT yiwei.submit_change_order(%s, %s)", (oid, version(admin, oid, "change_order")))
    return oid


def decision(admin, change_order_id: int) -> tuple:
    """(party, reason id, note, decider's login) as stored."""
    [row] = rows(admin, "SELECT o.responsible_party, o.responsibility_reason_id, o.responsibility_note, e.login"
                        "  FROM yiwei.change_order o LEFT JOIN yiwei.employee e ON e.id = o.decided_by"
                        " WHERE o.id = %s", (change_order_id,))
    return row


def open_decision(qtbot, wait_idle, screen, change_order_id: int, number: str):
    """Find the change order in the list, 判定责任 (Ctrl+D); the form with its choices and the decision
    made so far loaded."""
    show_row(qtbot, wait_idle, screen.list, change_order_id, number)
    before = screen.dialog
    screen.actions_by_name["decide"].trigger()
    form = screen.dialog
    assert form is not before and form.isVisible()
    qtbot.waitUntil(lambda: not form.busy, timeout=15000)
    wait_idle(screen.ctx)
    return form


def choose(form, key: str, value) -> None:
    combo = form.widget(key)
    index = combo.findData(value)
    assert index > 0, f"{value!r} is not among the choices of {key}"
    combo.setCurrentIndex(index)


def test_a_manager_decides_who_bears_a_change_order_and_may_decide_again(
        qtbot, wait_idle, db, admin, cat, open_function):
    oid = submitted_change_order(db, admin, cat)
    number = number_of(admin, oid)
    screen = open_function("orders.responsibility", MANAGER)
    assert screen.list.filter_widget("decided").value() is False   # opens on what is not decided yet

    form = open_decision(qtbot, wait_idle, screen, oid, number)
    assert number in form.findChild(type(screen.status), "intro").text()
    assert "量尺漏量吊柜位置" in form.findChild(type(screen.status), "intro").text()
    assert form.widget("party").currentData() is None and form.widget("reason_id").currentData() is None
    choose(form, "party", "measurer")
    choose(form, "reason_id", cat.reason)
    form.widget("note").setPlainText("量尺员漏量吊柜位置，费用由量尺员承担")
    save(qtbot, wait_idle, form)
    assert not form.isVisible(), form.banner_text()

    assert decision(admin, oid) == ("measurer", cat.reason, "量尺员漏量吊柜位置，费用由量尺员承担", MANAGER)
    assert screen.status.text() == f"已判定改补单 {number} 的责任"
    # decided: it leaves the list of undecided ones, and is shown among the decided with who decided
    wait_reloaded(qtbot, screen.list)
    assert screen.list.model.row_of_key(oid) < 0
    screen.list.set_filter("decided", True)
    shown = show_row(qtbot, wait_idle, screen.list, oid, number)
    reason_name = scalar(admin, "SELECT name FROM yiwei.responsibility_reason WHERE id = %s", (cat.reason,))
    assert (shown["responsible_party_label"], shown["responsibility_reason_name"], shown["decided_by_name"]) == (
        "量尺员", reason_name, screen.ctx.session.full_name)
    assert shown["status_label"] == "待图审"        # deciding takes no workflow step

    # decided again: the form shows the first decision; the audit trail keeps both
    form = open_decision(qtbot, wait_idle, screen, oid, number)
    assert (form.widget("party").currentData(), form.widget("reason_id").currentData(),
            form.widget("note").toPlainText()) == ("measurer", cat.reason, "量尺员漏量吊柜位置，费用由量尺员承担")
    assert not form.is_dirty()
    choose(form, "party", "factory")
    form.widget("note").setPlainText("复核：工厂图纸错误")
    save(qtbot, wait_idle, form)
    assert not form.isVisible(), form.banner_text()
    assert decision(admin, oid) == ("factory", cat.reason, "复核：工厂图纸错误", MANAGER)
    assert [r for (r,) in rows(admin, "SELECT new_row ->> 'responsible_party' FROM yiwei.audit_log"
                                      " WHERE table_name = 'change_order' AND row_key = %s"
                                      "   AND new_row ->> 'responsible_party' IS NOT NULL ORDER BY id",
                                      (str(oid),))][-2:] == ["measurer", "factory"]
    wait_reloaded(qtbot, screen.list)
    assert row_values(screen.list, oid)["responsible_party_label"] == "工厂"


def test_a_decision_without_a_reason_is_refused_beside_the_field(
        qtbot, wait_idle, db, admin, cat, open_function, monkeypatch):
    oid = submitted_change_order(db, admin, cat)
    before = version(admin, oid, "change_order")
    screen = open_function("orders.responsibility", MANAGER)
    form = open_decision(qtbot, wait_idle, screen, oid, number_of(admin, oid))

    save(qtbot, wait_idle, form)                   # nothing chosen: the first field says so
    assert form.isVisible() and form.error_text("party") == "请选择责任方"
    choose(form, "party", "customer")
    form.widget("note").setPlainText("客户临时改主意")
    save(qtbot, wait_idle, form)
    assert form.isVisible()
    assert form.error_text("party") == "" and form.error_text("reason_id") == "请选择责任原因"
    assert form.widget("reason_id").hasFocus()
    assert decision(admin, oid) == (None, None, "", None)
    assert version(admin, oid, "change_order") == before

    # Esc on what was typed asks first; answered "继续编辑" the form stays
    asked = []
    monkeypatch.setattr("client.ui.forms.ask", lambda *args, **kwargs: asked.append(args[2]) or False)
    form.reject()
    assert asked == ["放弃尚未保存的修改吗？"] and form.isVisible()
    choose(form, "reason_id", cat.reason)
    save(qtbot, wait_idle, form)
    assert not form.isVisible(), form.banner_text()
    assert decision(admin, oid) == ("customer", cat.reason, "客户临时改主意", MANAGER)


def test_a_login_without_the_right_gets_no_screen_and_the_database_refuses_it(
        qtbot, make_ctx, wait_idle, db, admin, cat, strict_reviewer, open_function):
    oid = submitted_change_order(db, admin, cat)
    number = number_of(admin, oid)
    # the menu offers 责任人判定 to the store manager, not to the contract's guide nor to a reviewer
    assert "orders.responsibility" in {f.id for m in menu_for(db.session(MANAGER).permissions) for f in m.functions}
    for login, password in (("hz01.guide1", None), (strict_reviewer, REVIEWER_PASSWORD)):
        session = db.session(login) if password is None else db.session(login, password)
        offered = {f.id for m in menu_for(session.permissions) for f in m.functions}
        session.engine.dispose()
        assert "orders.responsibility" not in offered, login

    # the guide who wrote the contract sees its change order; given the screen anyway, the database
    # refuses the decision with a sentence the guide understands, and nothing is stored
    ctx = make_ctx("hz01.guide1")
    screen = ResponsibilityScreen(ctx)
    qtbot.addWidget(screen)
    wait_reloaded(qtbot, screen.list)
    form = open_decision(qtbot, wait_idle, screen, oid, number)
    choose(form, "party", "guide")
    choose(form, "reason_id", cat.reason)
    save(qtbot, wait_idle, form)
    assert form.isVisible() and form.banner_text() == "没有权限：责任人判定"
    assert decision(admin, oid) == (None, None, "", None)
    form.read_only = True
    form.reject()

    # a region director decides about the stores of the region, and sees no other region's
    assert show_row(qtbot, wait_idle, open_function("orders.responsibility", "hd.director").list, oid,
                    number)["number"] == number
    other = open_function("orders.responsibility", "hn.director")
    other.list.set_search(number)
    wait_reloaded(qtbot, other.list)
    assert other.list.current_query().search == number and other.list.model.rowCount() == 0
