"""Channel lead reports (渠道报备) and their audit, as real logins: conflicts are found when a lead
is reported however the address is written, the first approved report wins (also when two auditors
approve at the same moment), protection lapses and converts by itself, and every step is audited
under the real login. Attacks: auditing one's own report, deciding twice, reporting for another
channel, claiming a lead one cannot see, reading the conflict evidence of other people's customers."""

from __future__ import annotations

import threading
import time

import psycopg2
import pytest
from psycopg2.extras import Json

from .customer_data import (
    CONFLICT,
    FORBIDDEN,
    INVALID,
    NOT_FOUND,
    approve,
    create_customer,
    lead_version,
    make_channel,
    make_community,
    masked,
    new_mobile,
    refusal,
    reject,
    report_lead,
    token,
)
from .helpers import employee_id, rows, scalar


@pytest.fixture
def admin(db):
    return db.admin()


@pytest.fixture
def channel(db):
    return make_channel(db.connect_as("admin"))


@pytest.fixture
def desk(db):
    """The channel clerk who enters leads phoned in by partners (not an auditor)."""
    return db.connect_as("hq.channeldesk")


@pytest.fixture
def auditor(db):
    return db.connect_as("hq.channel")


def conflicts(conn, lead):
    return sorted(rows(conn, "SELECT kind, other_lead_id, other_customer_id FROM yiwei.lead_conflict_list"
                             " WHERE lead_id = %s", (lead,)), key=str)


def status(conn, lead):
    return scalar(conn, "SELECT status FROM yiwei.channel_lead_list WHERE id = %s", (lead,))


# -- conflicts found at reporting ----------------------------------------------------------------

def test_same_phone_is_a_conflict_with_evidence(desk, auditor, channel):
    phone = new_mobile()
    first = report_lead(desk, "HZ01", channel, phone=phone, name="陈女士")
    second = report_lead(desk, "HZ02", make_channel(auditor), phone=phone)
    assert conflicts(auditor, second) == [("lead_phone", first, None)]
    evidence = rows(auditor, "SELECT other_number, other_customer_name, other_phone, other_status_then"
                             " FROM yiwei.lead_conflict_list WHERE lead_id = %s", (second,))
    number = scalar(auditor, "SELECT number FROM yiwei.channel_lead WHERE id = %s", (first,))
    assert evidence == [(number, "陈女士", masked(phone), "待审核")]
    assert scalar(auditor, "SELECT conflict_count FROM yiwei.channel_lead_list WHERE id = %s", (second,)) == 1


def test_same_address_written_differently_is_a_conflict(db, desk, auditor, channel):
    tok = token()
    make_community(db.connect_as("admin"), f"金色海岸{tok}花园", [f"滨江金岸{tok}"])
    first = report_lead(desk, "HZ01", channel, community=f"金色海岸{tok}花园", building="3栋", unit="2单元", room="1502")
    second = report_lead(desk, "HZ01", channel, community=f"滨江金岸{tok}小区", building="三幢", unit="二单元", room="1502室")
    third = report_lead(desk, "HZ01", channel, community=f"金色海岸{tok}花园", building="第3号楼", unit="2", room="一五零二")
    assert conflicts(auditor, second) == [("lead_address", first, None)]
    assert conflicts(auditor, third) == sorted([("lead_address", first, None), ("lead_address", second, None)], key=str)
    # another room of the same building is another household
    other = report_lead(desk, "HZ01", channel, community=f"金色海岸{tok}花园", building="3栋", unit="2单元", room="1503")
    assert conflicts(auditor, other) == []


def test_numeral_variants_of_an_unknown_community_are_one_address(desk, auditor, channel):
    tok = token()
    first = report_lead(desk, "HZ01", channel, community=f"翠苑{tok}一期", building="十二栋", unit="1单元", room="301")
    second = report_lead(desk, "HZ01", channel, community=f"翠苑{tok}1期", building="12幢", unit="一单元", room="３０１")
    assert conflicts(auditor, second) == [("lead_address", first, None)]


def test_existing_customer_phone_and_address_are_conflicts(db, desk, auditor, channel):
    guide = db.connect_as("hz01.guide1")
    customer, phone = create_customer(guide, "HZ01")
    lead = report_lead(desk, "HZ01", channel, phone=phone)
    assert conflicts(auditor, lead) == [("customer_phone", None, customer)]
    address = rows(guide, "SELECT community, building, unit, room FROM yiwei.customer WHERE id = %s", (customer,))[0]
    lead2 = report_lead(desk, "HZ01", channel, community=address[0], building=address[1], unit=address[2], room=address[3])
    assert conflicts(auditor, lead2) == [("customer_address", None, customer)]


def test_household_contact_phone_is_a_conflict(db, desk, auditor, channel):
    guide = db.connect_as("hz01.guide1")
    contact_phone = new_mobile()
    customer, _phone = create_customer(guide, "HZ01", contacts=[{"name": "家人", "relation": "父亲", "phone": contact_phone}])
    lead = report_lead(desk, "HZ01", channel, phone=contact_phone)
    assert conflicts(auditor, lead) == [("customer_phone", None, customer)]


# -- the audit ------------------------------------------------------------------------------------

def test_first_approved_report_wins(admin, desk, auditor, channel):
    phone = new_mobile()
    first = report_lead(desk, "HZ01", channel, phone=phone)
    second = report_lead(desk, "HZ01", channel, phone=phone)
    approve(auditor, admin, second)  # the later report was approved first: it wins
    with refusal(CONFLICT) as refused_:
        approve(auditor, admin, first)
    assert "先到先得" in refused_.message
    assert (status(auditor, first), status(auditor, second)) == ("pending", "approved")
    reject(auditor, admin, first, "已有其他渠道报备并通过")
    assert status(auditor, first) == "rejected"


def test_approval_is_audited_under_the_auditors_login(db, admin, desk, auditor, channel):
    lead = report_lead(desk, "HZ01", channel)
    approve(auditor, admin, lead, "电话核实无误")
    changes = rows(admin, """SELECT actor, new_row ->> 'status', new_row ->> 'decision_reason' FROM yiwei.audit_log
                              WHERE table_name = 'channel_lead' AND row_key = %s AND action = 'UPDATE'
                              ORDER BY id DESC LIMIT 1""", (str(lead),))
    assert changes == [(db.profile.role_for("hq.channel"), "approved", "电话核实无误")]
    assert rows(admin, """SELECT actor FROM yiwei.audit_log WHERE table_name = 'channel_lead' AND row_key = %s
                           AND action = 'INSERT'""", (str(lead),)) == [(db.profile.role_for("hq.channeldesk"),)]
    assert scalar(auditor, "SELECT decided_by_name FROM yiwei.channel_lead_list WHERE id = %s", (lead,)) == scalar(
        admin, "SELECT full_name FROM yiwei.employee WHERE login = 'hq.channel'")


def test_auditor_cannot_audit_own_report(admin, auditor, channel):
    lead = report_lead(auditor, "HZ01", channel)
    with refusal(FORBIDDEN):
        approve(auditor, admin, lead)
    with refusal(FORBIDDEN):
        reject(auditor, admin, lead)
    assert status(auditor, lead) == "pending"


def test_reasons_may_run_over_several_lines(admin, desk, auditor, channel):
    lead = report_lead(desk, "HZ01", channel)
    reject(auditor, admin, lead, "电话核实：\r\n客户表示未委托该渠道")
    assert scalar(auditor, "SELECT decision_reason FROM yiwei.channel_lead_list WHERE id = %s", (lead,)) == (
        "电话核实：\n客户表示未委托该渠道")


def test_regional_channel_reports_to_its_regions_stores_only(db, admin, desk):
    admin_login = db.connect_as("admin")
    regional = scalar(admin_login, "SELECT yiwei.save_channel(NULL, NULL, %s)",
                      (Json({"kind": "agent", "name": f"华东中介{token()}",
                             "region_id": scalar(admin, "SELECT id FROM yiwei.region WHERE code = 'HD'")}),))
    report_lead(desk, "NJ01", regional)
    before = scalar(admin, "SELECT count(*) FROM yiwei.channel_lead WHERE channel_id = %s", (regional,))
    with refusal(INVALID, "门店"):
        report_lead(desk, "GZ01", regional)
    assert scalar(admin, "SELECT count(*) FROM yiwei.channel_lead WHERE channel_id = %s", (regional,)) == before


def test_rejecting_needs_a_reason(admin, desk, auditor, channel):
    lead = report_lead(desk, "HZ01", channel)
    with refusal(INVALID, "驳回原因"):
        reject(auditor, admin, lead, "   ")
    assert status(auditor, lead) == "pending"


@pytest.mark.parametrize("first, second", [(approve, reject), (reject, approve), (approve, approve), (reject, reject)])
def test_a_decided_lead_cannot_be_decided_again(admin, desk, auditor, channel, first, second):
    lead = report_lead(desk, "HZ01", channel)
    first(auditor, admin, lead)
    decided = status(auditor, lead)
    with refusal(CONFLICT):
        second(auditor, admin, lead)
    assert status(auditor, lead) == decided


def test_guide_cannot_decide_leads(db, admin, desk, channel):
    lead = report_lead(desk, "HZ01", channel)
    guide = db.connect_as("hz01.guide1")
    with refusal(FORBIDDEN):
        approve(guide, admin, lead)
    with refusal(FORBIDDEN):
        reject(guide, admin, lead)


def test_store_manager_audits_own_store_only(db, admin, desk, channel):
    manager = db.connect_as("hz01.manager")
    with refusal(NOT_FOUND):
        approve(manager, admin, report_lead(desk, "GZ01", channel))
    lead = report_lead(desk, "HZ01", channel)
    approve(manager, admin, lead)
    assert status(manager, lead) == "approved"


def test_stale_version_is_refused(admin, desk, auditor, channel):
    lead = report_lead(desk, "HZ01", channel)
    with refusal(CONFLICT), auditor.cursor() as cur:
        cur.execute("SELECT yiwei.approve_lead(%s, %s, '')", (lead, lead_version(admin, lead) - 1))


# -- signed, expired, converted ------------------------------------------------------------------

def sign(admin, customer):
    """What the contract module will do (as the owner): the customer signs."""
    with admin.cursor() as cur:
        cur.execute("UPDATE yiwei.customer SET stage = 'signed' WHERE id = %s", (customer,))
    admin.commit()


def expire(admin, lead):
    with admin.cursor() as cur:
        cur.execute("UPDATE yiwei.channel_lead SET protected_until = now() - interval '1 day' WHERE id = %s", (lead,))
    admin.commit()


def test_lead_for_a_signed_customer_is_refused(db, admin, desk, auditor, channel):
    customer, phone = create_customer(db.connect_as("hz01.guide1"), "HZ01")
    pending = report_lead(desk, "HZ01", channel, phone=phone)
    sign(admin, customer)
    before = scalar(admin, "SELECT count(*) FROM yiwei.channel_lead")
    with refusal(INVALID, "客户电话") as refused_:
        report_lead(desk, "HZ01", channel, phone=phone)
    assert "已签约" in refused_.message
    assert scalar(admin, "SELECT count(*) FROM yiwei.channel_lead") == before
    with refusal(CONFLICT):  # nor can a report made before the signing be approved after it
        approve(auditor, admin, pending)


def test_protection_lapses_without_any_clerk(db, admin, desk, auditor, channel):
    phone = new_mobile()
    lead = report_lead(desk, "HZ01", channel, phone=phone)
    approve(auditor, admin, lead)
    expire(admin, lead)
    assert status(auditor, lead) == "expired"
    assert scalar(auditor, "SELECT expired FROM yiwei.lead_stats WHERE channel_id = %s", (channel,)) == 1
    with refusal(CONFLICT):  # an expired lead no longer becomes a customer
        scalar(db.connect_as("hz01.manager"), "SELECT yiwei.customer_from_lead(%s, %s)",
               (lead, employee_id(admin, "hz01.guide1")))
    # and no longer blocks another channel's report of the same household
    later = report_lead(desk, "HZ01", make_channel(db.connect_as("admin")), phone=phone)
    assert conflicts(auditor, later) == []
    approve(auditor, admin, later)
    assert status(auditor, later) == "approved"


def test_signing_converts_the_protected_lead(db, admin, desk, auditor, channel):
    lead = report_lead(desk, "HZ01", channel)
    approve(auditor, admin, lead)
    manager = db.connect_as("hz01.manager")
    customer = scalar(manager, "SELECT yiwei.customer_from_lead(%s, %s)", (lead, employee_id(admin, "hz01.guide1")))
    assert rows(manager, "SELECT lead_id, channel_id FROM yiwei.customer WHERE id = %s", (customer,)) == [(lead, channel)]
    sign(admin, customer)
    assert status(auditor, lead) == "converted"
    expire(admin, lead)  # converted leads do not run out
    assert status(auditor, lead) == "converted"


def test_approval_links_the_showroom_customer_and_signing_converts(db, admin, desk, auditor, channel):
    customer, phone = create_customer(db.connect_as("hz01.guide1"), "HZ01")
    lead = report_lead(desk, "HZ01", channel, phone=phone)
    approve(auditor, admin, lead)
    assert rows(admin, "SELECT lead_id, channel_id FROM yiwei.customer WHERE id = %s", (customer,)) == [(lead, channel)]
    sign(admin, customer)
    assert status(auditor, lead) == "converted"


def test_approval_links_the_customer_of_the_phone_before_one_of_the_address(db, admin, desk, auditor, channel):
    guide = db.connect_as("hz01.guide1")
    by_phone, phone = create_customer(guide, "HZ01")
    by_address, _ = create_customer(guide, "HZ01")
    address = rows(guide, "SELECT community, building, unit, room FROM yiwei.customer WHERE id = %s", (by_address,))[0]
    lead = report_lead(desk, "HZ01", channel, phone=phone, community=address[0], building=address[1],
                       unit=address[2], room=address[3])
    approve(auditor, admin, lead)
    assert scalar(admin, "SELECT customer_id FROM yiwei.channel_lead WHERE id = %s", (lead,)) == by_phone
    assert scalar(admin, "SELECT lead_id FROM yiwei.customer WHERE id = %s", (by_phone,)) == lead


def test_a_new_report_after_expiry_is_the_one_converted(db, admin, desk, auditor, channel):
    """The customer still carries the lapsed lead; the new approved lead must take its place, or
    signing would convert nothing and the second channel would lose its rebate."""
    customer, phone = create_customer(db.connect_as("hz01.guide1"), "HZ01")
    old = report_lead(desk, "HZ01", channel, phone=phone)
    approve(auditor, admin, old)
    expire(admin, old)
    new_channel = make_channel(db.connect_as("admin"))
    new = report_lead(desk, "HZ01", new_channel, phone=phone)
    approve(auditor, admin, new)
    assert rows(admin, "SELECT lead_id, channel_id FROM yiwei.customer WHERE id = %s", (customer,)) == [(new, new_channel)]
    sign(admin, customer)
    assert (status(auditor, old), status(auditor, new)) == ("expired", "converted")


def test_two_auditors_approving_conflicting_leads_at_once_one_wins(db, admin, desk, channel):
    phone = new_mobile()
    first = report_lead(desk, "HZ01", channel, phone=phone)
    second = report_lead(desk, "HZ01", make_channel(db.connect_as("admin")), phone=phone)
    versions = {lead: lead_version(admin, lead) for lead in (first, second)}
    admin.rollback()
    one = db.connect_as("hq.channel", autocommit=False)
    other = db.connect_as("hz01.manager", autocommit=False)
    with one.cursor() as cur:
        cur.execute("SELECT yiwei.approve_lead(%s, %s, '先审')", (first, versions[first]))
    outcome = {}

    def approve_second():
        try:
            with other.cursor() as cur:
                cur.execute("SELECT yiwei.approve_lead(%s, %s, '同时审')", (second, versions[second]))
            other.commit()
            outcome["ok"] = True
        except psycopg2.Error as exc:
            outcome["error"] = exc
            other.rollback()

    worker = threading.Thread(target=approve_second)
    worker.start()
    manager_role = db.profile.role_for("hz01.manager")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the second approval queues behind the first
        waiting = scalar(admin, "SELECT count(*) FROM pg_stat_activity WHERE usename = %s AND wait_event_type = 'Lock'",
                         (manager_role,))
        admin.rollback()
        if waiting:
            break
        time.sleep(0.05)
    assert waiting, "the second approval did not wait for the first"
    one.commit()
    worker.join(10)
    assert not worker.is_alive()
    assert "ok" not in outcome and outcome["error"].pgcode == CONFLICT
    assert dict(rows(admin, "SELECT id, status FROM yiwei.channel_lead WHERE id IN (%s, %s)", (first, second))) == {
        first: "approved", second: "pending"}


# -- who may claim and who may read --------------------------------------------------------------

def test_guide_cannot_claim_an_approved_lead_they_cannot_see(db, admin, desk, auditor, channel):
    lead = report_lead(desk, "HZ01", channel)
    approve(auditor, admin, lead)
    guide = db.connect_as("hz01.guide1")
    assert rows(guide, "SELECT id FROM yiwei.channel_lead WHERE id = %s", (lead,)) == []
    with refusal(NOT_FOUND), guide.cursor() as cur:
        cur.execute("SELECT yiwei.customer_from_lead(%s, %s)", (lead, employee_id(admin, "hz01.guide1")))
    assert scalar(admin, "SELECT customer_id FROM yiwei.channel_lead WHERE id = %s", (lead,)) is None


def test_manager_cannot_give_a_lead_to_a_guide_of_another_store(db, admin, desk, auditor, channel):
    lead = report_lead(desk, "HZ01", channel)
    approve(auditor, admin, lead)
    with refusal(INVALID, "导购"), db.connect_as("hz01.manager").cursor() as cur:
        cur.execute("SELECT yiwei.customer_from_lead(%s, %s)", (lead, employee_id(admin, "hz02.guide1")))


def test_reporter_does_not_read_evidence_about_other_guides_customers(db, admin, channel):
    """guide1 reports the phone of guide2's customer: the conflict is counted for the auditor, but
    guide1 learns nothing about guide2's customer (name, number, guide, address)."""
    customer, phone = create_customer(db.connect_as("hz01.guide2"), "HZ01", name="机密客户")
    guide1 = db.connect_as("hz01.guide1")
    lead = report_lead(guide1, "HZ01", channel, phone=phone)
    assert rows(guide1, "SELECT * FROM yiwei.lead_conflict WHERE other_customer_id = %s", (customer,)) == []
    assert rows(guide1, "SELECT * FROM yiwei.lead_conflict_list WHERE lead_id = %s", (lead,)) == []
    assert conflicts(db.connect_as("hz01.manager"), lead) == [("customer_phone", None, customer)]


@pytest.mark.parametrize("login", ["hz01.manager", "hd.director", "hq.channel", "hq.channeldesk", "hz01.guide1"])
def test_lead_lists_show_every_row_the_login_may_read(db, desk, channel, login):
    """Leads entered at head office stay in a store manager's list (the reporter is no colleague)."""
    report_lead(desk, "HZ01", channel)
    conn = db.connect_as(login)
    assert scalar(conn, "SELECT count(*) FROM yiwei.channel_lead_list") == scalar(
        conn, "SELECT count(*) FROM yiwei.channel_lead")
    assert scalar(conn, "SELECT count(*) FROM yiwei.lead_conflict_list") == scalar(
        conn, "SELECT count(*) FROM yiwei.lead_conflict")


# -- the channel partner's own login --------------------------------------------------------------

@pytest.fixture
def partner(db, admin):
    """ch.wanjia, linked to a channel (the demo's, or one made here)."""
    me = employee_id(admin, "ch.wanjia")
    own = scalar(admin, "SELECT channel_id FROM yiwei.employee_channel WHERE employee_id = %s", (me,))
    if own is None:
        admin_login = db.connect_as("admin")
        own = make_channel(admin_login)
        with admin_login.cursor() as cur:
            cur.execute("SELECT yiwei.set_employee_channel(%s, %s)", (me, own))
    return db.connect_as("ch.wanjia"), me, own


def test_partner_reports_for_own_channel_only(db, admin, partner, channel):
    conn, _me, own = partner
    lead = report_lead(conn, "HZ01", channel)  # tries to report for another channel
    assert scalar(admin, "SELECT channel_id FROM yiwei.channel_lead WHERE id = %s", (lead,)) == own


def test_partner_reads_only_own_leads_with_masked_phones(db, admin, partner, desk, channel):
    conn, me, own = partner
    phone = new_mobile()
    mine = report_lead(conn, "HZ01", own, phone=phone)
    report_lead(desk, "HZ01", own)  # the same channel's lead entered by the desk is not the partner's
    assert scalar(conn, "SELECT count(*) FROM yiwei.channel_lead_list") == scalar(
        admin, "SELECT count(*) FROM yiwei.channel_lead WHERE reported_by = %s", (me,))
    assert scalar(conn, "SELECT phone FROM yiwei.channel_lead_list WHERE id = %s", (mine,)) == masked(phone)
    assert rows(conn, "SELECT * FROM yiwei.phone_book") == []
    assert rows(conn, "SELECT * FROM yiwei.customer") == []


def test_partner_reads_no_evidence_about_showroom_customers(db, partner):
    conn, _me, own = partner
    customer, phone = create_customer(db.connect_as("hz01.guide1"), "HZ01", name="展厅老客户")
    lead = report_lead(conn, "HZ01", own, phone=phone)
    assert rows(conn, "SELECT * FROM yiwei.lead_conflict_list WHERE lead_id = %s", (lead,)) == []
    assert scalar(conn, "SELECT conflict_count FROM yiwei.channel_lead_list WHERE id = %s", (lead,)) == 1


def test_partner_cannot_decide_or_write_leads(db, admin, partner, desk, channel):
    conn, _me, _own = partner
    lead = report_lead(desk, "HZ01", channel)
    with refusal(FORBIDDEN):
        approve(conn, admin, lead)
    with refusal("42501"), conn.cursor() as cur:
        cur.execute("UPDATE yiwei.channel_lead SET status = 'approved' WHERE id = %s", (lead,))
