"""渠道报备 and 渠道报备审核 driven through the real windows as real logins: a clerk reports, a second
channel's report of the same phone shows the first as a conflict, the auditor sees both side by side,
the first valid approval wins, a rejection needs a reason, nobody audits their own report."""

from __future__ import annotations

import json

import psycopg2
import pytest

from client.customers.lead_audit import LeadAuditScreen
from client.customers.lead_widgets import ReportResultDialog
from client.customers.leads import LeadsScreen
from client.ui.forms import RecordForm

from .lead_helpers import (
    CHANNEL_A,
    CHANNEL_B,
    DESIGNER_A,
    ensure_channels,
    lead_row,
    one,
    random_phone,
    report_as,
    store_id,
)


@pytest.fixture
def channels(db):
    return ensure_channels(db)


def submit_report(qtbot, wait_idle, screen: LeadsScreen, **values) -> ReportResultDialog:
    """Fill 新增报备 as a clerk would and wait for the conflicts dialog that answers it."""
    wait_idle(screen.ctx)
    form = screen.new_lead()
    assert form is not None
    wait_idle(screen.ctx)
    form.set_values(values)
    form.submit()
    qtbot.waitUntil(lambda: isinstance(screen.dialog, ReportResultDialog), timeout=15000)
    return screen.dialog


def wait_for_lead(qtbot, wait_idle, screen: LeadAuditScreen, lead_id: int) -> None:
    """Select the lead in the audit list and wait until its details and conflicts are shown."""
    wait_idle(screen.ctx)
    qtbot.waitUntil(lambda: screen.list.model.row_of_key(lead_id) >= 0 and not screen.list.is_busy(), timeout=15000)
    screen.select_lead(lead_id)
    qtbot.waitUntil(lambda: screen.lead is not None and screen.lead.id == lead_id, timeout=15000)
    wait_idle(screen.ctx)


def test_second_channel_report_shows_the_first_and_the_first_valid_approval_wins(
        qtbot, make_ctx, wait_idle, db, channels):
    phone = random_phone()
    hz01 = store_id(db, "HZ01")

    # The channel clerk takes a call from channel A ...
    desk = make_ctx("hq.channeldesk")
    leads = LeadsScreen(desk)
    qtbot.addWidget(leads)
    first = submit_report(qtbot, wait_idle, leads, store_id=hz01, channel_id=channels[CHANNEL_A],
                          customer_name="周先生", phone=phone, community="翠苑三区", building="3栋", unit="1单元",
                          room="1502", products="全屋定制、沙发", note="周末看房")
    assert "未发现冲突" in first.summary.text() and first.table is None
    first_id, first_number = first.lead.id, first.lead.number
    first.accept()

    # ... and then from channel B about the same household: the first report is the evidence.
    second = submit_report(qtbot, wait_idle, leads, store_id=hz01, channel_id=channels[CHANNEL_B],
                           customer_name="周太太", phone=phone[:3] + " " + phone[3:7] + " " + phone[7:],
                           community="翠苑三区", building="三栋", unit="1", room="1502室", products="餐桌")
    assert "发现 2 条冲突" in second.summary.text() or "发现 1 条冲突" in second.summary.text()
    table = second.table
    evidence = [[table.text_at(r, c) for c in range(table.conflicts.columnCount())]
                for r in range(table.conflicts.rowCount())]
    kinds = {row[0] for row in evidence}
    assert kinds <= {"同一电话的报备", "同一地址的报备"} and "同一电话的报备" in kinds
    phone_conflict = next(row for row in evidence if row[0] == "同一电话的报备")
    assert phone_conflict[1] == first_number and phone_conflict[2] == CHANNEL_A
    assert phone_conflict[3] == desk.session.full_name and phone_conflict[9] == "待审核"
    assert phone not in " ".join(phone_conflict)          # evidence carries the masked phone only
    second_id, second_number = second.lead.id, second.lead.number
    second.accept()

    # The auditor sees the second lead beside its conflict with the first, and the first's status now.
    auditor = make_ctx("hq.channel")
    audit = LeadAuditScreen(auditor)
    qtbot.addWidget(audit)
    wait_idle(auditor)
    assert audit.list.filter_widget("status").value() == "pending"
    audit.list.set_search(phone)
    wait_for_lead(qtbot, wait_idle, audit, second_id)
    assert audit.detail_panel.value("报备单号") == second_number
    assert audit.detail_panel.value("电话") == phone             # the auditor may see full phones on screen
    assert audit.conflicts.text_at(0, 1) == first_number
    assert audit.conflicts.text_at(0, 10) == "待审核"
    assert "1 条" in audit.conflicts_title.text() or "2 条" in audit.conflicts_title.text()

    # The first valid report is approved ...
    wait_for_lead(qtbot, wait_idle, audit, first_id)
    form = audit.approve_current()
    wait_idle(auditor)
    with qtbot.waitSignal(form.saved, timeout=15000):
        form.submit()
    assert lead_row(db, first_id)["status"] == "approved"

    # ... so approving the second is refused by the database, with its message shown.
    wait_for_lead(qtbot, wait_idle, audit, second_id)
    assert audit.conflicts.text_at(0, 10) == "已通过"          # the current status of the first report
    form = audit.approve_current()
    wait_idle(auditor)
    form.submit()
    qtbot.waitUntil(lambda: form.banner_text() != "", timeout=15000)
    assert "已有有效报备" in form.banner_text() and first_number in form.banner_text()
    assert CHANNEL_A in form.banner_text()
    assert lead_row(db, second_id)["status"] == "pending"
    form.done(0)

    # Rejecting needs a reason.
    form = audit.reject_current()
    wait_idle(auditor)
    form.submit()
    assert form.error_text("reason") == "请填写驳回原因"
    form.set_values({"reason": "同一客户已由诚品家装报备在先"})
    with qtbot.waitSignal(form.saved, timeout=15000):
        form.submit()
    row = lead_row(db, second_id)
    assert row["status"] == "rejected" and row["decision_reason"] == "同一客户已由诚品家装报备在先"


def test_auditor_cannot_approve_a_lead_reported_by_themself(qtbot, make_ctx, wait_idle, db, channels):
    own_id, own_number = report_as(db, "hq.channel", store_id=store_id(db, "HZ02"), channel_id=channels[CHANNEL_B],
                                   customer_name="吴女士", phone=random_phone(), community="滨江金色海岸")
    ctx = make_ctx("hq.channel")
    audit = LeadAuditScreen(ctx)
    qtbot.addWidget(audit)
    audit.list.set_search(own_number)
    wait_for_lead(qtbot, wait_idle, audit, own_id)
    form = audit.approve_current()
    wait_idle(ctx)
    form.submit()
    qtbot.waitUntil(lambda: form.banner_text() != "", timeout=15000)
    assert "不能审核自己提交的报备" in form.banner_text()
    assert lead_row(db, own_id)["status"] == "pending"


def test_rejecting_without_a_reason_is_refused_by_the_database(db, channels):
    """The attack: calling reject_lead with an empty reason from psql, skipping the form."""
    lead_id, _number = report_as(db, "hq.channeldesk", store_id=store_id(db, "SH01"), channel_id=channels[CHANNEL_A],
                                 customer_name="钱先生", phone=random_phone(), community="仁恒河滨花园")
    conn = db.connect_as("hq.channel")
    with pytest.raises(psycopg2.Error) as info:
        one(conn, "SELECT yiwei.reject_lead(%s, %s, '  ')", (lead_id, lead_row(db, lead_id)["version"]))
    assert info.value.pgcode == "YW422" and "驳回原因" in info.value.diag.message_primary
    assert lead_row(db, lead_id)["status"] == "pending"


def test_a_guide_sees_only_own_reports(qtbot, make_ctx, wait_idle, db, channels):
    hz01 = store_id(db, "HZ01")
    mine, _ = report_as(db, "hz01.guide1", store_id=hz01, channel_id=channels[CHANNEL_A], customer_name="郑先生",
                        phone=random_phone(), community="龙湖天街花园")
    colleague, _ = report_as(db, "hz01.guide2", store_id=hz01, channel_id=channels[CHANNEL_A], customer_name="孙女士",
                             phone=random_phone(), community="龙湖天街花园")
    ctx = make_ctx("hz01.guide1")
    leads = LeadsScreen(ctx)
    qtbot.addWidget(leads)
    wait_idle(ctx)
    qtbot.waitUntil(lambda: not leads.list.is_busy(), timeout=15000)
    shown = [leads.list.model.key_at(r) for r in range(leads.list.model.rowCount())]
    own = {r[0] for r in _rows(db, "SELECT l.id FROM yiwei.channel_lead l JOIN yiwei.employee e ON e.id = l.reported_by"
                                   " WHERE e.login = 'hz01.guide1'")}
    assert mine in shown and colleague not in shown
    assert set(shown) == own
    reporter = leads.list.model.column_of("reporter")
    assert {leads.list.model.row_values(r)[reporter] for r in range(len(shown))} == {ctx.session.full_name}
    # a guide sees the phone masked, as the view shows it
    phone = leads.list.model.column_of("phone")
    assert all("****" in leads.list.model.row_values(r)[phone] for r in range(len(shown)))


def test_a_guide_is_told_of_conflicts_but_not_shown_a_colleagues_report(qtbot, make_ctx, wait_idle, db, channels):
    hz01 = store_id(db, "HZ01")
    phone = random_phone()
    report_as(db, "hz01.guide2", store_id=hz01, channel_id=channels[CHANNEL_A], customer_name="钱女士",
              phone=phone, community="龙湖天街花园", room="602")
    ctx = make_ctx("hz01.guide1")
    leads = LeadsScreen(ctx)
    qtbot.addWidget(leads)
    dialog = submit_report(qtbot, wait_idle, leads, store_id=hz01, channel_id=channels[CHANNEL_B],
                           customer_name="钱先生", phone=phone, community="龙湖天街花园", room="602")
    text = dialog.summary.text()
    assert "发现" in text and "将由渠道审核核对处理" in text and dialog.lead.conflict_count >= 1
    # the evidence (who reported, for whom) is the auditor's: no table, no colleague's name
    assert dialog.table is None and "钱女士" not in text


def test_channel_partner_reports_for_its_own_channel_only(qtbot, make_ctx, wait_idle, db, channels):
    admin = db.connect_as("admin")
    partner_id = one(admin, "SELECT id FROM yiwei.employee WHERE login = 'ch.wanjia'")
    own_channel = one(admin, "SELECT channel_id FROM yiwei.employee_channel WHERE employee_id = %s", (partner_id,))
    if own_channel is None:
        one(admin, "SELECT yiwei.set_employee_channel(%s, %s)::text", (partner_id, channels[CHANNEL_A]))
        own_channel = channels[CHANNEL_A]
    own_name = one(admin, "SELECT name FROM yiwei.channel WHERE id = %s", (own_channel,))

    ctx = make_ctx("ch.wanjia")
    leads = LeadsScreen(ctx)
    qtbot.addWidget(leads)
    wait_idle(ctx)
    form = leads.new_lead()
    wait_idle(ctx)
    channel = form.widget("channel_id")
    assert not channel.isEnabled() and channel.currentText() == own_name
    assert [channel.itemData(i) for i in range(channel.count()) if channel.itemData(i)] == [own_channel]
    designers = set(form.designer_ids())
    in_channel = {r[0] for r in _rows(db, "SELECT id FROM yiwei.decoration_designer WHERE active AND channel_id = %s",
                                      (own_channel,))}
    assert designers == in_channel
    form.set_values({"store_id": store_id(db, "HZ01"), "customer_name": "冯先生", "phone": random_phone(),
                     "community": "绿城桂花城", "room": "801"})
    form.submit()
    qtbot.waitUntil(lambda: isinstance(leads.dialog, ReportResultDialog), timeout=15000)
    assert lead_row(db, form.result)["channel_id"] == own_channel


def test_form_offers_the_channels_designers_and_the_communities(qtbot, make_ctx, wait_idle, db, channels):
    admin = db.connect_as("admin")
    community = "翠苑四区（报备测试）"
    if not one(admin, "SELECT count(*) FROM yiwei.community WHERE name = %s", (community,)):
        one(admin, "SELECT yiwei.save_community(NULL, NULL, %s::jsonb)", (json.dumps({"name": community}),))
    ctx = make_ctx("hq.channeldesk")
    leads = LeadsScreen(ctx)
    qtbot.addWidget(leads)
    wait_idle(ctx)
    form = leads.new_lead()
    wait_idle(ctx)
    assert channels[DESIGNER_A] in form.designer_ids()
    form.set_values({"channel_id": channels[CHANNEL_B]})
    assert channels[DESIGNER_A] not in form.designer_ids()
    form.set_values({"channel_id": channels[CHANNEL_A]})
    assert channels[DESIGNER_A] in form.designer_ids()
    assert community in form.communities.stringList()
    form.done(0)


def test_store_manager_makes_the_customer_of_an_approved_lead(qtbot, make_ctx, wait_idle, db, channels):
    hz01 = store_id(db, "HZ01")
    lead_id, number = report_as(db, "hq.channeldesk", store_id=hz01, channel_id=channels[CHANNEL_B],
                                customer_name="何先生", phone=random_phone(), community="万科城一期", room="2201")
    one(db.connect_as("hq.channel"), "SELECT yiwei.approve_lead(%s, %s, '')::text",
        (lead_id, lead_row(db, lead_id)["version"]))

    ctx = make_ctx("hz01.manager")
    leads = LeadsScreen(ctx)
    qtbot.addWidget(leads)
    leads.list.set_search(number)
    wait_idle(ctx)
    qtbot.waitUntil(lambda: leads.list.model.row_of_key(lead_id) >= 0, timeout=15000)
    row = leads.list.model.row_of_key(lead_id)
    leads.list.view.setCurrentIndex(leads.list.model.index(row, 0))
    leads.convert_current()
    qtbot.waitUntil(lambda: isinstance(leads.dialog, RecordForm) and leads.dialog.objectName() == "lead_customer_form",
                    timeout=15000)
    form = leads.dialog
    wait_idle(ctx)
    guide = form.widget("guide_id")
    guide1 = one(db.admin(), "SELECT id FROM yiwei.employee WHERE login = 'hz01.guide1'")
    offered = [guide.itemData(i) for i in range(guide.count()) if guide.itemData(i)]
    assert guide1 in offered
    form.set_values({"guide_id": guide1})
    with qtbot.waitSignal(form.saved, timeout=15000):
        form.submit()
    customer = _rows(db, "SELECT c.number, c.guide_id, c.channel_id, c.lead_id FROM yiwei.customer c"
                         "  JOIN yiwei.channel_lead l ON l.customer_id = c.id WHERE l.id = %s", (lead_id,))
    assert customer == [(form.result, guide1, channels[CHANNEL_B], lead_id)]


def _rows(db, sql: str, params=()) -> list:
    conn = db.admin()
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def test_clerk_finds_a_lead_by_the_whole_phone_it_sees_masked(qtbot, make_ctx, wait_idle, db, channels):
    phone = random_phone()
    lead_id, _ = report_as(db, "hq.channeldesk", store_id=store_id(db, "NJ01"), channel_id=channels[CHANNEL_A],
                           customer_name="卫先生", phone=phone, community="仁恒河滨花园")
    ctx = make_ctx("hq.channeldesk")
    leads = LeadsScreen(ctx)
    qtbot.addWidget(leads)
    leads.list.set_search(phone)
    wait_idle(ctx)
    qtbot.waitUntil(lambda: not leads.list.is_busy(), timeout=15000)
    assert [leads.list.model.key_at(r) for r in range(leads.list.model.rowCount())] == [lead_id]
    assert leads.list.model.row_values(0)[leads.list.model.column_of("phone")] == phone[:3] + "****" + phone[-4:]


def test_a_guide_cannot_probe_a_colleagues_lead_by_phone(db, channels):
    """The attack: asking find_leads_by_phone about a number a colleague reported."""
    phone = random_phone()
    report_as(db, "hz01.guide2", store_id=store_id(db, "HZ01"), channel_id=channels[CHANNEL_B],
              customer_name="蒋女士", phone=phone, community="绿城桂花城")
    assert one(db.connect_as("hz01.guide1"), "SELECT yiwei.find_leads_by_phone(%s)", (phone,)) == []
    assert len(one(db.connect_as("hz01.guide2"), "SELECT yiwei.find_leads_by_phone(%s)", (phone,))) == 1
    assert one(db.connect_as("hz01.warehouse"), "SELECT yiwei.find_leads_by_phone(%s)", (phone,)) == []
