"""What the 可计提订单 and 收款登记 screen tests share: a store-scope login that may see the
commissionable contracts and record payments (no demo position has both at store level), signed
contracts of HZ01 and HZ02 made by real logins through the checked functions, payments recorded
the same way, and 可计提订单 opened through its registered function."""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal

import pytest
from psycopg2.extras import Json

from client.ui.forms import alive
from client.ui.registry import load_functions
from tests.db.contract_data import all_checklist_ok, call, new_contract, plan, upload, version
from tests.db.helpers import rows, scalar

from .review_helpers import make_login

ACCOUNTANT_PASSWORD = "Commission2026x"
PAID_SHARE = "orders.commission_paid_share"


@pytest.fixture(scope="module")
def store_accountant(demo_db) -> str:
    """A login of store HZ01 with 可计提订单 and 收款登记."""
    return make_login(demo_db, "hz01.acct", "提成会计", ACCOUNTANT_PASSWORD,
                      ["orders.commissionable", "finance.receipt"], store="HZ01")


def signed_in_hz02(db, admin, cat, total: str = "1000.00") -> int:
    """A contract of hz02.guide1 through both reviews (HD region director), signed by the HZ02 manager."""
    cid = new_contract(db, cat, "hz02.guide1", "HZ02", payments=plan(total), designer_login="hz02.designer")
    upload(db.connect_as("hz02.designer"), cid)
    call(db.connect_as("hz02.guide1"), "SELECT yiwei.submit_contract(%s, %s)", (cid, version(admin, cid)))
    director = db.connect_as("hd.director")
    call(director, "SELECT yiwei.review_drawing(%s, %s, true, '', %s)",
         (cid, version(admin, cid), Json(all_checklist_ok(admin, cid))))
    call(director, "SELECT yiwei.review_price(%s, %s, true, '')", (cid, version(admin, cid)))
    call(db.connect_as("hz02.manager"), "SELECT yiwei.sign_contract(%s, %s)", (cid, version(admin, cid)))
    return cid


def pay(db, admin, contract_id: int, amount: str, login: str) -> None:
    """Money received as ``login`` through yiwei.record_contract_payment, filling the plan's parts
    in order (the deposit first)."""
    left = Decimal(amount)
    conn = db.connect_as(login)
    for seq, due, paid in rows(admin, "SELECT seq, amount, paid_amount FROM yiwei.contract_payment"
                                      " WHERE contract_id = %s ORDER BY seq", (contract_id,)):
        part = min(left, due - paid)
        if part > 0:
            call(conn, "SELECT yiwei.record_contract_payment(%s, %s, %s)", (contract_id, seq, part))
            left -= part
    assert left == 0, f"the plan of contract {contract_id} holds less than {amount}"


def paid_parts(admin, contract_id: int) -> list[tuple[int, Decimal]]:
    """What the database holds: (seq, paid amount) of each part of the plan."""
    return rows(admin, "SELECT seq, paid_amount FROM yiwei.contract_payment WHERE contract_id = %s ORDER BY seq",
                (contract_id,))


def sign_on(admin, contract_id: int, day: datetime.date) -> None:
    """Move the signing to ``day`` (10:00 company time) — test data of a period no other contract
    falls into; the list reads the signing day as the company's calendar day."""
    call(admin, "UPDATE yiwei.contract SET signed_at = (%s::date + time '10:00') AT TIME ZONE yiwei.company_timezone()"
                " WHERE id = %s", (day, contract_id))


def quiet_day(admin) -> datetime.date:
    """A day in 2012 on which no contract was signed."""
    while True:
        day = datetime.date(2012, 1, 1) + datetime.timedelta(days=secrets.randbelow(360))
        if not scalar(admin, "SELECT count(*) FROM yiwei.contract"
                             " WHERE (signed_at AT TIME ZONE yiwei.company_timezone())::date = %s", (day,)):
            return day


def paid_share_rule(admin) -> int:
    return scalar(admin, "SELECT yiwei.parameter_int(%s)", (PAID_SHARE,))


@pytest.fixture
def open_commissionable(qtbot, make_ctx, wait_idle):
    """``open_commissionable(login, password=None)`` → (ctx, screen): 可计提订单 as the menu builds it,
    shown, its rule read and this month's list loaded."""
    screens = []

    def open_(login_name: str, password: str | None = None):
        ctx = make_ctx(login_name) if password is None else make_ctx(login_name, password)
        screen = load_functions()["orders.commissionable"].factory(ctx, None)
        qtbot.addWidget(screen)
        screen.resize(1300, 600)
        screen.show()
        qtbot.waitExposed(screen)
        qtbot.waitUntil(lambda: screen.paid_share is not None, timeout=15000)
        qtbot.waitUntil(lambda: not screen.list.is_busy(), timeout=15000)
        wait_idle(ctx)
        screens.append(screen)
        return ctx, screen

    yield open_
    for screen in screens:       # a payment form left open would ask "discard?" when closed
        if alive(screen) and alive(screen.dialog):
            screen.dialog.done(0)
