"""The start page: what is due for the logged-in employee, counted as that login and checked
against counts computed independently in SQL (as the superuser, without the views)."""

from __future__ import annotations

import pytest

from client.ui import start_page
from client.ui.start_page import StartItem, StartPanel, StartPanels, panels_for
from tests.db.customer_data import add_followup, create_customer, make_channel, plan_task, report_lead, token
from tests.db.helpers import employee_id, scalar

TODAY = "(now() AT TIME ZONE 'Asia/Shanghai')::date"


def expected_followups(db, login) -> tuple[int, int]:
    """(customers to contact today or earlier, customers overdue for a follow-up) of an 'own' login."""
    admin = db.admin()
    me = employee_id(admin, login)
    mine = "c.status = 'active' AND (c.guide_id = %(me)s OR c.designer_id = %(me)s)"
    today = scalar(admin, f"SELECT count(*) FROM yiwei.customer c WHERE {mine}"
                          f" AND c.next_contact_on <= {TODAY} AND c.stage <> 'lost'", {"me": me})
    overdue = scalar(admin, f"SELECT count(*) FROM yiwei.customer c WHERE {mine}"
                            "  AND c.stage NOT IN ('signed', 'lost') AND coalesce(c.last_followup_at, c.created_at)"
                            "      < now() - (SELECT value::integer FROM yiwei.parameter"
                            "                  WHERE key = 'customer.followup_reminder_days') * interval '1 day'",
                     {"me": me})
    return today, overdue


def expected_designer_tasks(db, login) -> tuple[int, int]:
    admin = db.admin()
    me = employee_id(admin, login)
    days = scalar(admin, "SELECT value::integer FROM yiwei.parameter WHERE key = 'designer.task_due_warning_days'")
    overdue = scalar(admin, f"SELECT count(*) FROM yiwei.designer_task WHERE designer_id = %s AND status = 'open'"
                            f" AND due_on < {TODAY}", (me,))
    soon = scalar(admin, f"SELECT count(*) FROM yiwei.designer_task WHERE designer_id = %s AND status = 'open'"
                         f" AND due_on BETWEEN {TODAY} AND {TODAY} + %s", (me, days))
    return overdue, soon


def loaded_panels(ctx, qtbot) -> StartPanels:
    panels = StartPanels(ctx)
    qtbot.addWidget(panels)
    with qtbot.waitSignal(panels.loaded, timeout=10000):
        panels.refresh()
    return panels


def test_each_login_gets_the_panels_of_its_permissions(db, session_of):
    keys = {login: [p.key for p in panels_for(session_of(login).permissions)]
            for login in ("hz01.guide1", "hz01.designer", "hz01.manager", "hq.channel", "hz01.finance")}
    assert keys["hz01.guide1"] == ["customers.followup"]
    assert keys["hz01.designer"] == ["customers.followup", "customers.designer_tasks"]
    assert keys["hz01.manager"] == ["customers.followup", "customers.designer_tasks", "customers.lead_audit"]
    assert keys["hq.channel"] == ["customers.lead_audit"]
    assert keys["hz01.finance"] == []


def test_guide_sees_customers_due_today_counted_as_in_sql(db, make_ctx, qtbot):
    guide = db.connect_as("hz01.guide1")
    name = f"今日{token()}"[:10]
    customer_id, _phone = create_customer(guide, "HZ01", name=name)
    add_followup(guide, customer_id, "约好今天再打电话", scalar(guide, "SELECT yiwei.company_today()"))
    today, overdue = expected_followups(db, "hz01.guide1")
    assert today >= 1

    ctx = make_ctx("hz01.guide1")
    panels = loaded_panels(ctx, qtbot)
    due = panels.item("followup_today")
    assert (due.count, panels.item("followup_overdue").count) == (today, overdue)
    assert len(due.names) == min(today, 5)
    assert panels.buttons["followup_today"].text() == f"今天要跟踪的客户　{today}"
    # clicking opens 客户跟踪
    panels.buttons["followup_today"].click()
    assert ctx.opened == ["customers.followups"]


def test_designer_sees_own_overdue_and_soon_due_tasks(db, make_ctx, qtbot):
    customer_id, _phone = create_customer(db.connect_as("hz01.guide1"), "HZ01", name=f"任务{token()}"[:10])
    manager = db.connect_as("hz01.manager")
    late = plan_task(manager, customer_id, "hz01.designer", "measure")
    plan_task(manager, customer_id, "hz01.designer", "design")
    admin = db.admin()
    warning_days = scalar(admin, "SELECT value FROM yiwei.parameter WHERE key = 'designer.task_due_warning_days'")
    with admin.cursor() as cur:
        cur.execute("UPDATE yiwei.designer_task SET due_on = yiwei.company_today() - 2 WHERE id = %s", (late,))
        cur.execute("UPDATE yiwei.parameter SET value = '5' WHERE key = 'designer.task_due_warning_days'")
    admin.commit()
    try:
        overdue, soon = expected_designer_tasks(db, "hz01.designer")
        assert overdue >= 1 and soon >= 1
        ctx = make_ctx("hz01.designer")
        panels = loaded_panels(ctx, qtbot)
        assert panels.item("tasks_overdue").label == "我的逾期设计任务"
        assert (panels.item("tasks_overdue").count, panels.item("tasks_due_soon").count) == (overdue, soon)
        assert "5 天内" in panels.item("tasks_due_soon").hint
    finally:
        with admin.cursor() as cur:
            cur.execute("UPDATE yiwei.parameter SET value = %s WHERE key = 'designer.task_due_warning_days'",
                        (warning_days,))
        admin.commit()


def test_auditor_sees_the_pending_leads(db, make_ctx, qtbot):
    channel = make_channel(db.connect_as("admin"))
    report_lead(db.connect_as("hq.channeldesk"), "HZ01", channel, name="待审客户")
    expected = scalar(db.admin(), "SELECT count(*) FROM yiwei.channel_lead WHERE status = 'pending'")
    assert expected >= 1
    ctx = make_ctx("hq.channel")
    panels = loaded_panels(ctx, qtbot)
    assert [r.panel.key for r in panels.results] == ["customers.lead_audit"]
    assert panels.item("leads_pending").count == expected


def test_a_failing_panel_does_not_hide_the_others(db, make_ctx, qtbot, monkeypatch):
    def broken(conn):
        from sqlalchemy import text

        conn.execute(text("SELECT * FROM yiwei.no_such_view"))
        return []

    def fine(conn):
        return [StartItem("probe", "测试提醒", 1)]

    monkeypatch.setitem(start_page._PANELS, "test.broken", StartPanel("test.broken", "坏的", (), broken, "x", order=-2))
    monkeypatch.setitem(start_page._PANELS, "test.fine", StartPanel("test.fine", "好的", (), fine, "x", order=-1))
    ctx = make_ctx("hz01.finance")
    panels = loaded_panels(ctx, qtbot)
    errors = {r.panel.key: r.error for r in panels.results}
    assert errors["test.broken"] and errors["test.fine"] == ""
    assert panels.item("probe").count == 1
    assert not panels.buttons["probe"].isEnabled()   # its function does not exist


@pytest.fixture
def guide_window(make_window, db):
    def make():
        window = make_window("hz01.guide1")
        return window, window.welcome.panels

    return make


def test_main_window_start_page_loads_after_login_and_again_when_shown(db, guide_window, qtbot):
    window, panels = guide_window()
    qtbot.waitUntil(lambda: panels.item("followup_today") is not None, timeout=10000)
    assert window.welcome.findChild(type(window.welcome.panels.status), "welcomeText") is not None
    before = panels.item("followup_today").count
    assert before == expected_followups(db, "hz01.guide1")[0]

    dock = window.open_function("customers.followups")
    assert not window.welcome.isVisible()
    guide = db.connect_as("hz01.guide1")
    customer_id, _phone = create_customer(guide, "HZ01", name=f"再显{token()}"[:10])
    add_followup(guide, customer_id, "今天回电", scalar(guide, "SELECT yiwei.company_today()"))
    dock.close()
    qtbot.waitUntil(window.welcome.isVisible)
    qtbot.waitUntil(lambda: panels.item("followup_today").count == before + 1, timeout=10000)

    panels.buttons["followup_overdue"].click()
    screen = window.dock("customers.followups").widget()
    assert screen.tabs.currentIndex() == 0
    assert screen.due.filter_widget("overdue").value() is True
