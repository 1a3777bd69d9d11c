"""客户跟踪 driven as real logins: recording a follow-up, the 待跟踪 list, the refusal of a past
next-contact day beside its field, the customer picker, and what another guide may not do."""

from __future__ import annotations

import datetime as dt

import pytest

from client.customers.followups import DUE_TAB, LOG_TAB, FollowupsScreen
from client.customers.picker import CustomerPicker, load_customer
from client.db.errors import UserFacingError
from tests.db.customer_data import create_customer, token
from tests.db.helpers import refused, scalar


def guide_customer(db, login="hz01.guide1", **fields):
    """A fresh customer of the guide with a name no other test uses: (id, name, full phone)."""
    name = f"跟踪{token()}"[:10]
    customer_id, phone = create_customer(db.connect_as(login), "HZ01", name=name, **fields)
    return customer_id, name, phone


def company_today(db) -> dt.date:
    return scalar(db.admin(), "SELECT yiwei.company_today()")


def open_screen(ctx, qtbot, wait_idle) -> FollowupsScreen:
    screen = FollowupsScreen(ctx)
    qtbot.addWidget(screen)
    wait_idle(ctx)
    return screen


def record(screen, ctx, qtbot, wait_idle, customer_id, **values):
    screen.record_for(customer_id)
    wait_idle(ctx)
    form = screen.dialog
    assert form.values()["customer_id"] == customer_id
    form.set_values(values)
    form.submit()
    wait_idle(ctx)
    return form


def test_follow_up_due_today_is_in_the_due_list_and_the_log(db, make_ctx, qtbot, wait_idle):
    customer_id, name, _phone = guide_customer(db)
    ctx = make_ctx("hz01.guide1")
    screen = open_screen(ctx, qtbot, wait_idle)
    today = company_today(db)
    form = record(screen, ctx, qtbot, wait_idle, customer_id, kind="wechat", content="微信发了橱柜方案，客户说周末来店",
                  next_contact_on=today)
    assert form.result is not None, form.banner_text()
    saved = scalar(db.admin(), "SELECT kind || '|' || content || '|' || next_contact_on::text FROM yiwei.customer_followup"
                               " WHERE id = %s", (form.result,))
    assert saved == f"wechat|微信发了橱柜方案，客户说周末来店|{today.isoformat()}"
    assert "已记录" in screen.status.text()

    screen.due.set_search(name)
    wait_idle(ctx)
    row = screen.due.model.row_of_key(customer_id)
    assert row >= 0
    values = dict(zip((c.key for c in screen.due.spec.columns), screen.due.model.row_values(row)))
    assert values["reason"] == "今日联系" and values["next_contact_on"] == today and values["name"] == name

    screen.tabs.setCurrentIndex(LOG_TAB)
    screen.log.set_search(name)
    wait_idle(ctx)
    row = screen.log.model.row_of_key(form.result)
    assert row >= 0
    values = dict(zip((c.key for c in screen.log.spec.columns), screen.log.model.row_values(row)))
    assert values["kind"] == "微信" and values["author"] == ctx.session.full_name and values["customer"] == name


def test_a_next_contact_day_in_the_past_is_refused_beside_the_field(db, make_ctx, qtbot, wait_idle):
    customer_id, _name, _phone = guide_customer(db)
    ctx = make_ctx("hz01.guide1")
    screen = open_screen(ctx, qtbot, wait_idle)
    yesterday = company_today(db) - dt.timedelta(days=1)
    form = record(screen, ctx, qtbot, wait_idle, customer_id, kind="call", content="电话未接通",
                  next_contact_on=yesterday)
    assert form.result is None and form.isVisible()
    assert form.error_text("next_contact_on") == "下次联系日期不能早于今天"
    assert scalar(db.admin(), "SELECT count(*) FROM yiwei.customer_followup WHERE customer_id = %s", (customer_id,)) == 0
    # the default offered is a few days ahead, which the database accepts
    form.set_values({"next_contact_on": screen.today + dt.timedelta(days=3)})
    form.submit()
    wait_idle(ctx)
    assert form.result is not None


def test_an_overdue_customer_is_due_and_marked(db, make_ctx, qtbot, wait_idle):
    customer_id, name, _phone = guide_customer(db)
    admin = db.admin()
    with admin.cursor() as cur:  # created long ago and never followed up (past the stamp trigger)
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute("UPDATE yiwei.customer SET created_at = now() - interval '30 days' WHERE id = %s", (customer_id,))
    admin.commit()
    ctx = make_ctx("hz01.guide1")
    screen = open_screen(ctx, qtbot, wait_idle)
    screen.show_due(overdue_only=True)
    screen.due.set_search(name)
    wait_idle(ctx)
    row = screen.due.model.row_of_key(customer_id)
    assert row >= 0 and screen.due_marks.is_marked(row)
    values = dict(zip((c.key for c in screen.due.spec.columns), screen.due.model.row_values(row)))
    assert values["reason"] == "超期未跟踪" and values["days"] >= 30
    # a follow-up takes the customer off the list
    screen.due.view.setCurrentIndex(screen.due.model.index(row, 0))
    screen.actions_by_name["record"].trigger()
    wait_idle(ctx)
    screen.dialog.set_values({"content": "回访，客户下月装修", "next_contact_on": None})
    screen.dialog.submit()
    wait_idle(ctx)
    assert screen.dialog.result is not None
    wait_idle(ctx)
    assert screen.due.model.row_of_key(customer_id) < 0


def test_ctrl_n_outside_the_due_list_picks_the_customer_first(db, make_ctx, qtbot, wait_idle):
    customer_id, name, phone = guide_customer(db)
    ctx = make_ctx("hz01.guide1")
    screen = open_screen(ctx, qtbot, wait_idle)
    screen.tabs.setCurrentIndex(LOG_TAB)
    screen.actions_by_name["record"].trigger()
    picker = screen.picker
    assert isinstance(picker, CustomerPicker) and picker.isVisible()
    picker.set_search(phone)        # the whole number, looked up through the phone book
    wait_idle(ctx)
    assert [r["id"] for r in picker.results()] == [customer_id]
    picker.accept_current()
    assert screen.dialog is not None and screen.dialog.values()["customer_id"] == customer_id
    assert name in screen.dialog.windowTitle()
    assert screen.tabs.currentIndex() == LOG_TAB


def test_picker_finds_by_name_and_number_only_in_scope(db, make_ctx, qtbot, wait_idle):
    customer_id, name, phone = guide_customer(db)
    number = scalar(db.admin(), "SELECT number FROM yiwei.customer WHERE id = %s", (customer_id,))
    own = make_ctx("hz01.guide1")
    picker = CustomerPicker(own)
    qtbot.addWidget(picker)
    for needle in (name, number, phone[-4:]):
        picker.set_search(needle)
        wait_idle(own)
        assert customer_id in [r["id"] for r in picker.results()], needle
    other = make_ctx("hz01.guide2")
    theirs = CustomerPicker(other)
    qtbot.addWidget(theirs)
    for needle in (name, phone):
        theirs.set_search(needle)
        wait_idle(other)
        assert theirs.results() == [], needle
        assert "没有找到" in theirs.status.text()


def test_another_guide_can_neither_follow_up_nor_read_the_follow_ups(db, make_ctx, qtbot, wait_idle):
    customer_id, name, _phone = guide_customer(db)
    scalar(db.connect_as("hz01.guide1"), "SELECT yiwei.add_followup(%s, 'visit', '到店看了样品', NULL)", (customer_id,))
    attacker = db.connect_as("hz01.guide2")
    with refused("YW404"):
        scalar(attacker, "SELECT yiwei.add_followup(%s, 'call', '抢单', NULL)", (customer_id,))
    assert scalar(attacker, "SELECT count(*) FROM yiwei.customer_followup WHERE customer_id = %s", (customer_id,)) == 0
    assert scalar(attacker, "SELECT count(*) FROM yiwei.customer_followup_list WHERE customer_id = %s", (customer_id,)) == 0
    assert scalar(attacker, "SELECT count(*) FROM yiwei.customer_followup_due WHERE id = %s", (customer_id,)) == 0
    assert scalar(db.admin(), "SELECT count(*) FROM yiwei.customer_followup WHERE customer_id = %s", (customer_id,)) == 1

    ctx = make_ctx("hz01.guide2")
    screen = open_screen(ctx, qtbot, wait_idle)
    screen.tabs.setCurrentIndex(LOG_TAB)
    screen.log.set_search(name)
    wait_idle(ctx)
    assert screen.log.model.rowCount() == 0
    # and the screen's own path says so instead of opening a form
    screen.dialog = None
    screen.record_for(customer_id)
    wait_idle(ctx)
    assert screen.dialog is None and "不在您的数据范围内" in screen.status.text()


def test_start_item_opens_the_due_tab(db, make_ctx, qtbot, wait_idle):
    ctx = make_ctx("hz01.guide1")
    screen = open_screen(ctx, qtbot, wait_idle)
    screen.tabs.setCurrentIndex(LOG_TAB)
    screen.show_start_item("followup_overdue")
    assert screen.tabs.currentIndex() == DUE_TAB
    assert screen.due.filter_widget("overdue").value() is True
    screen.show_start_item("followup_today")
    assert screen.due.filter_widget("overdue").value() is None


def test_load_customer_is_scoped(db, make_ctx):
    customer_id, name, _phone = guide_customer(db)
    with make_ctx("hz01.guide1").session.engine.begin() as conn:
        assert load_customer(conn, customer_id)["name"] == name
    with pytest.raises(UserFacingError, match="不在您的数据范围内"), make_ctx("hz01.guide2").session.engine.begin() as conn:
        load_customer(conn, customer_id)
