"""可计提订单 driven as real logins: the screen opens on this month with the rule read from the
parameter; for a chosen period it lists exactly the signed contracts whose paid share reaches
orders.commission_paid_share (checked against a computation of our own over the contract and
payment tables), a store login only its store's; the export holds the same rows, with numbers as
numbers; a period typed backwards means the days between, and the checks behind the list refuse
from > to with a clear message."""

from __future__ import annotations

import datetime
from decimal import Decimal

import openpyxl
import pytest
from PySide6.QtCore import QDate, Qt

from client.db.errors import UserFacingError
from client.lists.catalog import get_list
from client.lists.query import DateRange, ListQuery
from client.orders.commissionable import month_of
from client.ui.registry import load_functions
from tests.db.contract_data import signed
from tests.db.customer_data import FORBIDDEN, INVALID, refusal
from tests.db.helpers import rows, scalar
from tests.masterdata.helpers import shown_rows

from . import commission_helpers
from .commission_helpers import (
    ACCOUNTANT_PASSWORD,
    paid_share_rule,
    pay,
    quiet_day,
    sign_on,
    signed_in_hz02,
)
from .review_helpers import contract_number

# the fixtures of the helper module
open_commissionable = commission_helpers.open_commissionable
store_accountant = commission_helpers.store_accountant

def expected_rows(admin, start: datetime.date, end: datetime.date, store_code: str | None) -> dict:
    """Our own computation of the rule, straight from the tables: signed, not cancelled, signing day
    (company time) in the period, paid × 100 ≥ rule × what is owed (the contract's total plus its
    approved change orders); {number: (owed, paid)}."""
    found = rows(admin, """
        SELECT number, owed, paid FROM (
            SELECT c.number, c.store_id, c.signed_at, c.status,
                   c.total + coalesce((SELECT sum(o.amount_delta) FROM yiwei.change_order o
                                        WHERE o.contract_id = c.id AND o.status = 'approved'), 0) AS owed,
                   coalesce((SELECT sum(p.paid_amount) FROM yiwei.contract_payment p
                              WHERE p.contract_id = c.id), 0) AS paid
              FROM yiwei.contract c) k
          JOIN yiwei.store s ON s.id = k.store_id
         WHERE k.signed_at IS NOT NULL AND k.status <> 'cancelled'
           AND (k.signed_at AT TIME ZONE yiwei.company_timezone())::date BETWEEN %s AND %s
           AND (%s::text IS NULL OR s.code = %s)
           AND paid * 100 >= %s * owed""", (start, end, store_code, store_code, paid_share_rule(admin)))
    return {number: (owed, paid) for number, owed, paid in found}


def choose_period(qtbot, screen, start: datetime.date, end: datetime.date) -> list[dict]:
    """Pick the two dates of 签订日期 (as from the calendar), let the list read, return its rows."""
    widget = screen.list.filter_widget("signed_on")
    widget.start.setDate(QDate(start.year, start.month, start.day))
    widget.end.setDate(QDate(end.year, end.month, end.day))
    qtbot.waitUntil(lambda: not screen.list._query_timer.isActive() and not screen.list.is_busy(), timeout=15000)
    return shown_rows(screen.list)


@pytest.fixture
def contracts(db, admin, cat):
    """Signed on one quiet day: HZ01 contracts of 1000.00 paid just below the rule, exactly at it, in
    full and not at all, and an HZ02 contract paid in full. {name: (id, number)} and the day."""
    rule = paid_share_rule(admin)
    at_rule = Decimal(rule) * 10            # of 1000.00
    day = quiet_day(admin)
    made = {}
    for name, paid in (("below", at_rule - Decimal("0.01")), ("at", at_rule), ("full", Decimal("1000.00")),
                       ("unpaid", Decimal(0))):
        cid = signed(db, admin, cat)
        if paid:
            pay(db, admin, cid, str(paid), "hz01.finance")
        made[name] = cid
    made["other_store"] = signed_in_hz02(db, admin, cat)
    pay(db, admin, made["other_store"], "1000.00", "hz02.finance")
    for cid in made.values():
        sign_on(admin, cid, day)
    return {name: (cid, contract_number(admin, cid)) for name, cid in made.items()}, day


def test_a_store_login_sees_exactly_its_stores_contracts_that_reach_the_rule(
        qtbot, db, admin, contracts, store_accountant, open_commissionable):
    made, day = contracts
    rule = paid_share_rule(admin)
    today = scalar(admin, "SELECT yiwei.company_today()")
    _ctx, screen = open_commissionable(store_accountant, ACCOUNTANT_PASSWORD)
    # opened on this month, the rule read from the parameter and said above the list
    assert screen.paid_share == rule
    assert screen.list.filter_widget("signed_on").value() == month_of(today)
    assert f"{rule}%" in screen.rule.text() and "orders.commission_paid_share" in screen.rule.text()

    shown = choose_period(qtbot, screen, day, day)
    expected = expected_rows(admin, day, day, "HZ01")
    assert set(expected) == {made["at"][1], made["full"][1]}          # what we built, by our own SQL
    assert [r["number"] for r in shown] == sorted(expected)           # the list: exactly those
    for row in shown:
        total, paid = expected[row["number"]]
        assert (row["total"], row["paid_total"], row["unpaid_total"]) == (total, paid, total - paid)
        assert row["paid_percent"] == (paid * 100 / total).quantize(Decimal("0.01"))
        assert row["signed_on"] == day and row["store_name"] == scalar(
            admin, "SELECT name FROM yiwei.store WHERE code = 'HZ01'")
    qtbot.waitUntil(lambda: screen.list.totals.get("paid_total") is not None, timeout=15000)
    assert screen.list.row_count.rows == 2
    assert screen.list.totals["paid_total"] == sum(p for _t, p in expected.values())
    # the database's own function, as this login, agrees (its scope too)
    mine = db.connect_as(store_accountant, ACCOUNTANT_PASSWORD)
    assert sorted(r[0] for r in rows(mine, "SELECT number FROM yiwei.commissionable_contracts(%s, %s)",
                                     (day, day))) == sorted(expected)

    # company-wide (head-office finance): the HZ02 contract paid in full is listed too
    _ctx, head_office = open_commissionable("hq.finance")
    shown = choose_period(qtbot, head_office, day, day)
    company = expected_rows(admin, day, day, None)
    assert set(company) == {made["at"][1], made["full"][1], made["other_store"][1]}
    assert sorted(r["number"] for r in shown) == sorted(company)

    # 本月 goes back to this month
    screen.actions_by_name["this_month"].trigger()
    qtbot.waitUntil(lambda: not screen.list._query_timer.isActive() and not screen.list.is_busy(), timeout=15000)
    assert screen.list.filter_widget("signed_on").value() == month_of(today)
    assert not {r["number"] for r in shown_rows(screen.list)} & {n for _i, n in made.values()}


def test_paying_up_to_the_rule_brings_a_contract_into_the_list(
        qtbot, db, admin, contracts, store_accountant, open_commissionable):
    made, day = contracts
    _ctx, screen = open_commissionable(store_accountant, ACCOUNTANT_PASSWORD)
    assert made["below"][1] not in {r["number"] for r in choose_period(qtbot, screen, day, day)}
    pay(db, admin, made["below"][0], "0.01", "hz01.finance")          # now exactly at the rule
    screen.list.refresh()
    qtbot.waitUntil(lambda: not screen.list.is_busy(), timeout=15000)
    shown = {r["number"] for r in shown_rows(screen.list)}
    assert shown == set(expected_rows(admin, day, day, "HZ01")) == {made["below"][1], made["at"][1], made["full"][1]}


def test_the_export_holds_the_listed_contracts_with_numbers_as_numbers(
        qtbot, admin, contracts, store_accountant, open_commissionable, tmp_path):
    made, day = contracts
    _ctx, screen = open_commissionable(store_accountant, ACCOUNTANT_PASSWORD)
    shown = choose_period(qtbot, screen, day, day)
    assert len(shown) == 2
    path = tmp_path / "可计提订单.xlsx"
    window = screen.list
    window.ask_export_path = lambda: str(path)                        # instead of the file dialog
    with qtbot.waitSignal(window.export_finished, timeout=20000) as finished:
        qtbot.mouseClick(window.export_button, Qt.MouseButton.LeftButton)
    assert finished.args[0].row_count == 2

    sheet = openpyxl.load_workbook(path).active
    assert sheet["A1"].value == "可计提订单"
    assert f"签订日期={day.isoformat()}" in sheet["A2"].value
    header = [c.value for c in sheet[4]]
    titles = {c.key: c.title for c in window.spec.columns}
    assert header == [titles[key] for key in window.visible_columns()]      # the list's columns, as shown
    assert set(titles) <= set(window.visible_columns())                      # … which are all of them
    total_, paid_, unpaid_, share_ = (titles[k] for k in ("total", "paid_total", "unpaid_total", "paid_percent"))
    exported = [dict(zip(header, r)) for r in sheet.iter_rows(min_row=5, max_row=6, values_only=True)]
    expected = expected_rows(admin, day, day, "HZ01")
    assert [r[titles["number"]] for r in exported] == sorted(expected) == sorted([made["at"][1], made["full"][1]])
    for row in exported:
        for title in (total_, paid_, unpaid_, share_):
            assert isinstance(row[title], (int, float)) and not isinstance(row[title], bool), (title, row[title])
        total, paid = expected[row[titles["number"]]]
        assert (Decimal(str(row[total_])), Decimal(str(row[paid_])), Decimal(str(row[unpaid_]))) == (
            total, paid, total - paid)
        assert Decimal(str(row[share_])) == paid * 100 / total
        assert row[titles["store_name"]] == scalar(admin, "SELECT name FROM yiwei.store WHERE code = 'HZ01'")
        signed_on = row[titles["signed_on"]]
        assert (signed_on.date() if isinstance(signed_on, datetime.datetime) else signed_on) == day
    assert sheet.cell(7, 1).value == "合计（2 行）"
    assert Decimal(str(sheet.cell(7, header.index(paid_) + 1).value)) == sum(p for _t, p in expected.values())


def test_a_period_from_after_to(qtbot, db, admin, contracts, store_accountant, open_commissionable):
    made, day = contracts
    _ctx, screen = open_commissionable(store_accountant, ACCOUNTANT_PASSWORD)
    # typed backwards in the filter bar, the dates still mean the days between (the filter's rule)
    later, earlier = day + datetime.timedelta(days=1), day - datetime.timedelta(days=1)
    shown = choose_period(qtbot, screen, later, earlier)
    assert screen.list.filter_widget("signed_on").value() == DateRange(earlier, later)
    assert sorted(r["number"] for r in shown) == sorted(expected_rows(admin, earlier, later, "HZ01"))
    assert {r["number"] for r in shown} >= {made["at"][1], made["full"][1]}
    # the list's query and the database function refuse from > to with a clear message
    with pytest.raises(UserFacingError) as error:
        ListQuery(get_list("commissionable_contracts"), filters={"signed_on": DateRange(later, earlier)})
    assert error.value.message == f"“签订日期”的开始日期 {later} 晚于结束日期 {earlier}"
    with refusal(INVALID, "期间") as refused:
        rows(db.connect_as(store_accountant, ACCOUNTANT_PASSWORD),
             "SELECT * FROM yiwei.commissionable_contracts(%s, %s)", (later, earlier))
    assert "开始日期不晚于结束日期" in refused.message


def test_a_login_without_the_permission_has_no_commissionable_list(db, session_of):
    guide = session_of("hz01.guide1")
    assert not load_functions()["orders.commissionable"].allowed(guide.permissions)
    with refusal(FORBIDDEN):
        rows(db.connect_as("hz01.guide1"), "SELECT * FROM yiwei.commissionable_contracts(current_date, current_date)")
