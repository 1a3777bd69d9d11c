"""What the review-screen tests share: the catalogue of the contract database tests (made once per
test module), a region reviewer whose discount limit is too high for deep discounts, contracts made
by real logins through the checked functions, and driving the screens as a reviewer does."""

from __future__ import annotations

import secrets

import pytest
from psycopg2.extras import Json

from client.db.passwords import scram_verifier
from tests.db.contract_data import (
    all_checklist_ok,
    call,
    line,
    make_catalogue,
    new_contract,
    plan,
    save_contract,
    setup_positions,
    upload,
    version,
)
from tests.db.customer_data import create_customer, token
from tests.db.helpers import employee_id, scalar

REVIEWER_PASSWORD = "Review2026x"


@pytest.fixture(scope="module")
def cat(demo_db):
    admin = demo_db.admin()
    setup_positions(admin)
    catalogue = make_catalogue(admin)
    admin.close()
    return catalogue


def make_login(demo_db, login_prefix: str, name: str, password: str, permissions: list[str], *,
               store: str | None = None, region: str | None = None, min_rate: str = "1") -> str:
    """A login with a position of its own (made by the administrator, so no demo position changes
    for other tests): store scope with ``store``, region scope with ``region``."""
    conn = demo_db.connect_as("admin")
    tag = secrets.token_hex(3)
    position = scalar(conn, "SELECT yiwei.create_position(%s, %s, %s, '测试岗位', %s, %s)",
                      (f"test_{tag}", f"{name}{tag}", "store" if store else "region", permissions, min_rate))
    store_id = store and scalar(conn, "SELECT id FROM yiwei.store WHERE code = %s", (store,))
    region_id = region and scalar(conn, "SELECT id FROM yiwei.region WHERE code = %s", (region,))
    login = f"{login_prefix}{tag}"
    scalar(conn, "SELECT yiwei.create_employee(%s, %s, %s, %s, %s, NULL, '', %s)",
           (login, name, position, store_id, region_id, scram_verifier(password)))
    conn.close()
    return login


@pytest.fixture(scope="module")
def strict_reviewer(demo_db) -> str:
    """A login of region HD that may review (图审, 审价) but only down to 0.90."""
    return make_login(demo_db, "hd.reviewer", "审价专员", REVIEWER_PASSWORD,
                      ["orders.drawing_review", "orders.price_review"], region="HD", min_rate="0.90")


@pytest.fixture
def admin(db):
    conn = db.admin()
    conn.autocommit = True
    return conn


def submit(db, admin, contract_id: int, guide_login: str = "hz01.guide1") -> None:
    call(db.connect_as(guide_login), "SELECT yiwei.submit_contract(%s, %s)", (contract_id, version(admin, contract_id)))


def priced_by_head_office(db, admin, cat, price: str) -> int:
    """A contract of hz01.guide1 whose b1 (list 800.00) head office priced at ``price``, drawing
    uploaded, submitted and through 图审 by the region director: awaiting 审价."""
    cid = new_contract(db, cat, "hz01.guide1", "HZ01", designer_login="hz01.designer")
    save_contract(db.connect_as("hq.boss"), {"lines": [line(cat, "b1", price=price)], "payments": plan(price)},
                  cid, version(admin, cid))
    upload(db.connect_as("hz01.designer"), cid)
    submit(db, admin, cid)
    call(db.connect_as("hd.director"), "SELECT yiwei.review_drawing(%s, %s, true, '', %s)",
         (cid, version(admin, cid), Json(all_checklist_ok(admin, cid))))
    return cid


def made_by(db, admin, cat, maker_login: str) -> int:
    """A submitted contract of a customer of hz01.guide1 that ``maker_login`` wrote (its creator)."""
    guide = db.connect_as("hz01.guide1")
    customer_id, _phone = create_customer(guide, "HZ01", name=f"代录客户{token()}")
    payload = {"customer_id": customer_id, "price_list_id": cat.price_list, "expected_delivery_on": "2099-01-31",
               "lines": [line(cat, "a1")], "payments": plan("1000.00"),
               "designer_id": employee_id(guide, "hz01.designer")}
    cid = save_contract(db.connect_as(maker_login), payload)
    upload(db.connect_as("hz01.designer"), cid)
    submit(db, admin, cid)
    return cid


def contract_number(admin, contract_id: int) -> str:
    return scalar(admin, "SELECT number FROM yiwei.contract WHERE id = %s", (contract_id,))


def status_of(admin, contract_id: int, table: str = "contract") -> str:
    return scalar(admin, f"SELECT status FROM yiwei.{table} WHERE id = %s", (contract_id,))


def show_item(qtbot, wait_idle, screen, key: str, search: str) -> None:
    """Find the item in the screen's queue by the quick search and make it current."""
    screen.list.set_search(search)
    qtbot.waitUntil(lambda: not screen.list.is_busy() and screen.list.model.row_of_key(key) >= 0, timeout=15000)
    screen.select_item(key)
    qtbot.waitUntil(lambda: screen.item is not None and screen.item.key == key, timeout=15000)
    wait_idle(screen.ctx)


def review(qtbot, wait_idle, screen, passed: bool, comment: str = ""):
    """通过 / 退回 with a comment; returns the dialog (closed when the database accepted it)."""
    form = screen.pass_current() if passed else screen.return_current()
    form.widget("comment").setPlainText(comment)
    form.submit()
    qtbot.waitUntil(lambda: not form.busy, timeout=15000)
    wait_idle(screen.ctx)
    return form
