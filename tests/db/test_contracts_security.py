"""Security of contracts. Each test connects as a real employee login and tries one attack over a
raw connection: writing contract tables around the checked functions, signing or reviewing without
the right, changing a signed contract, discounting below the position's limit, reading costs or
another store's contracts, reviewing one's own contract, skipping a status step."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from psycopg2.extras import Json

from .contract_data import (
    all_checklist_ok,
    call,
    line,
    new_contract,
    plan,
    ready_for_review,
    save_contract,
    signed,
    upload,
    version,
)
from .customer_data import DENIED, FORBIDDEN, INVALID, NOT_FOUND, create_customer, refusal
from .helpers import employee_id, rows, scalar

STATE = "YW409"


@pytest.fixture
def admin(db):
    conn = db.admin()
    conn.autocommit = True
    return conn


@dataclass
class Scene:
    guide1: int      # hz01.guide1's, designer hz01.designer
    guide2: int      # hz01.guide2's
    hz02: int        # hz02.guide1's (same region HD)
    gz01: int        # gz01.guide1's (region HN)

    @property
    def all(self):
        return {self.guide1, self.guide2, self.hz02, self.gz01}


@pytest.fixture(scope="module")
def scene(demo_db, cat):
    made = Scene(new_contract(demo_db, cat, "hz01.guide1", "HZ01", designer_login="hz01.designer"),
                 new_contract(demo_db, cat, "hz01.guide2", "HZ01"),
                 new_contract(demo_db, cat, "hz02.guide1", "HZ02"),
                 new_contract(demo_db, cat, "gz01.guide1", "GZ01"))
    upload(demo_db.connect_as("hz01.designer"), made.guide1)
    demo_db.close_all()
    return made


def visible(conn, relation, ids, column="id"):
    return {r[0] for r in rows(conn, f"SELECT {column} FROM yiwei.{relation} WHERE {column} = ANY (%s)", (list(ids),))}


# -- reading: guide, designer, store, region, head office -----------------------------------------

RELATIONS = [("contract", "id"), ("contract_list", "id"), ("contract_line", "contract_id"),
             ("contract_line_list", "contract_id"), ("design_file_list", "contract_id"),
             ("contract_payment", "contract_id")]


@pytest.mark.parametrize("login, expected", [
    ("hz01.guide1", {"guide1"}),
    ("hz01.guide2", {"guide2"}),
    ("hz01.designer", {"guide1"}),
    ("hz01.manager", {"guide1", "guide2"}),
    ("hz02.guide1", {"hz02"}),
    ("hd.director", {"guide1", "guide2", "hz02"}),
    ("hn.director", {"gz01"}),
    ("hq.boss", {"guide1", "guide2", "hz02", "gz01"}),
])
def test_each_login_sees_exactly_its_scope_of_contracts(db, scene, login, expected):
    conn = db.connect_as(login)
    want = {getattr(scene, name) for name in expected}
    assert visible(conn, "contract", scene.all) == want
    assert visible(conn, "contract_list", scene.all) == want
    assert visible(conn, "contract_line", scene.all, "contract_id") == want


def test_store_finance_reads_the_customers_of_its_stores_contracts_and_no_other(db, scene, admin):
    """hz01.finance has no customer rights: it reads the customer of an HZ01 contract (name on the
    receipt), not the customer of another store's contract, not an HZ01 customer without one."""
    finance = db.connect_as("hz01.finance")
    customer_of = {cid: scalar(admin, "SELECT customer_id FROM yiwei.contract WHERE id = %s", (cid,)) for cid in scene.all}
    without_contract, _phone = create_customer(db.connect_as("hz01.guide1"), "HZ01", name="未签约客户")
    seen = visible(finance, "customer", set(customer_of.values()) | {without_contract})
    assert seen == {customer_of[scene.guide1], customer_of[scene.guide2]}
    names = rows(finance, "SELECT customer_name FROM yiwei.contract_list WHERE id = %s", (scene.guide1,))
    assert names == [(scalar(admin, "SELECT name FROM yiwei.customer WHERE id = %s", (customer_of[scene.guide1],)),)]
    # the phone stays masked: the phone book has its own rule
    assert visible(finance, "phone_book", set(customer_of.values()), "ref_id") == set()


@pytest.mark.parametrize("relation, column", RELATIONS)
def test_a_store_cannot_read_another_stores_contract_rows(db, scene, relation, column):
    manager = db.connect_as("hz02.manager")
    assert visible(manager, relation, scene.all, column) <= {scene.hz02}
    assert scene.guide1 not in visible(manager, relation, scene.all, column)


def test_designer_sees_the_design_file_of_the_assigned_contract_only(db, scene):
    designer = db.connect_as("hz01.designer")
    assert visible(designer, "design_file_list", scene.all, "contract_id") == {scene.guide1}
    assert visible(db.connect_as("hz01.guide2"), "design_file", scene.all, "contract_id") == set()


def test_guide_cannot_see_cost_prices(db, scene, cat):
    guide = db.connect_as("hz01.guide1")
    assert scalar(guide, "SELECT count(*) FROM yiwei.product_cost WHERE product_id = %s", (cat.id("a1"),)) == 0
    assert rows(guide, "SELECT cost, margin FROM yiwei.contract_line_list WHERE contract_id = %s",
                (scene.guide1,)) == [(None, None)]
    # head office may see costs: the same view shows them
    boss = db.connect_as("hq.boss")
    cost, margin = rows(boss, "SELECT cost, margin FROM yiwei.contract_line_list WHERE contract_id = %s", (scene.guide1,))[0]
    assert str(cost) == "123.45" and str(margin) == "876.55"


# -- writing around the checked functions -------------------------------------------------------

@pytest.mark.parametrize("statement", [
    "INSERT INTO yiwei.contract (number, customer_id, store_id, guide_id, price_list_id) "
    "SELECT 'HT-X', customer_id, store_id, guide_id, price_list_id FROM yiwei.contract WHERE id = {id}",
    "UPDATE yiwei.contract SET status = 'signed', signed_at = now() WHERE id = {id}",
    "UPDATE yiwei.contract SET total = 1 WHERE id = {id}",
    "DELETE FROM yiwei.contract WHERE id = {id}",
    "UPDATE yiwei.contract_line SET price = 1, amount = 1, rate = 0.001 WHERE contract_id = {id}",
    "INSERT INTO yiwei.contract_line (contract_id, store_id, line_no, product_id, product_code, product_name, quantity,"
    " list_price, rate, price, amount) SELECT contract_id, store_id, 99, product_id, 'X', 'X', 1, 1000, 0.1, 100, 100"
    " FROM yiwei.contract_line WHERE contract_id = {id}",
    "DELETE FROM yiwei.contract_line WHERE contract_id = {id}",
    "UPDATE yiwei.contract_payment SET paid_amount = amount WHERE contract_id = {id}",
    "UPDATE yiwei.design_file SET current = false WHERE contract_id = {id}",
    "DELETE FROM yiwei.design_file WHERE contract_id = {id}",
    "INSERT INTO yiwei.contract_review (contract_id, store_id, kind, passed) VALUES ({id}, 1, 'price', true)",
    "INSERT INTO yiwei.contract_template (family_id, name, version, body) VALUES (1, 'x', 1, 'x')",
    "UPDATE yiwei.position SET min_discount_rate = 0.1",
])
def test_guide_cannot_write_contract_tables_directly(db, scene, admin, statement):
    guide = db.connect_as("hz01.guide1")
    before = rows(admin, "SELECT status, total, version FROM yiwei.contract WHERE id = %s", (scene.guide1,))
    with refusal(DENIED):
        call(guide, statement.format(id=scene.guide1))
    assert rows(admin, "SELECT status, total, version FROM yiwei.contract WHERE id = %s", (scene.guide1,)) == before


def test_guide_cannot_write_a_line_below_the_position_limit(db, cat, admin):
    guide = db.connect_as("hz01.guide1")
    cid = new_contract(db, cat, "hz01.guide1", "HZ01")
    before = rows(admin, "SELECT price FROM yiwei.contract_line WHERE contract_id = %s", (cid,))
    with refusal(INVALID, "单价") as r:
        save_contract(guide, {"lines": [line(cat, "a1", price="899.99")]}, cid, version(admin, cid))
    assert "低于您岗位的最低折扣 0.9000" in r.message
    with refusal(INVALID, "单价"):
        save_contract(guide, {"lines": [line(cat, "a1", rate="0.85")]}, cid, version(admin, cid))
    # an expired promotion explains nothing
    with refusal(INVALID, "促销活动"):
        save_contract(guide, {"lines": [line(cat, "a1", price="750.00", promotion_id=cat.expired_promotion)]},
                      cid, version(admin, cid))
    assert rows(admin, "SELECT price FROM yiwei.contract_line WHERE contract_id = %s", (cid,)) == before
    # at the limit, or below it under a valid promotion of the product's line, the line is accepted
    save_contract(guide, {"lines": [line(cat, "a1", price="900.00"),
                                    line(cat, "a2", price="233.34", promotion_id=cat.promotion)],
                          "payments": plan("1133.34")}, cid, version(admin, cid))
    assert [str(r) for (r,) in rows(admin, "SELECT rate FROM yiwei.contract_line WHERE contract_id = %s ORDER BY line_no",
                                    (cid,))] == ["0.9000", "0.7000"]
    # the promotion's own floor still holds, and it does not cover another product line
    with refusal(INVALID, "单价"):
        save_contract(guide, {"lines": [line(cat, "a2", price="200.00", promotion_id=cat.promotion)]},
                      cid, version(admin, cid))
    with refusal(INVALID, "促销活动"):
        save_contract(guide, {"lines": [line(cat, "b1", price="600.00", promotion_id=cat.promotion)]},
                      cid, version(admin, cid))


def test_a_store_manager_may_discount_deeper_than_a_guide(db, cat, admin):
    cid = new_contract(db, cat, "hz01.guide1", "HZ01")
    manager = db.connect_as("hz01.manager")
    save_contract(manager, {"lines": [line(cat, "a1", price="850.00")], "payments": plan("850.00")}, cid, version(admin, cid))
    with refusal(INVALID, "单价"):
        save_contract(manager, {"lines": [line(cat, "a1", price="849.99")]}, cid, version(admin, cid))


def test_guide_cannot_pass_off_a_line_as_a_package_line(db, cat, admin):
    guide = db.connect_as("hz01.guide1")
    cid = new_contract(db, cat, "hz01.guide1", "HZ01")
    with refusal(INVALID, "套餐"):
        save_contract(guide, {"lines": [line(cat, "a1", price="500.00", package_id=cat.package)]}, cid, version(admin, cid))
    # a real package line sent back with a lower price is refused too
    call(guide, "SELECT yiwei.apply_package(%s, %s, %s)", (cid, version(admin, cid), cat.package))
    lines = rows(admin, "SELECT id, product_id, quantity, price, package_id FROM yiwei.contract_line"
                        " WHERE contract_id = %s ORDER BY line_no", (cid,))
    tampered = [{"id": i, "product_id": p, "quantity": str(q), "price": str(pr if pk is None else pr - 100)}
                for i, p, q, pr, pk in lines]
    with refusal(INVALID, "套餐"):
        save_contract(guide, {"lines": tampered}, cid, version(admin, cid))


def test_guide_cannot_sign_review_or_advance(db, cat, admin):
    cid = ready_for_review(db, admin, cat)
    guide = db.connect_as("hz01.guide1")
    for statement, params in (
            ("SELECT yiwei.review_drawing(%s, %s, true, '', '[]')", ()),
            ("SELECT yiwei.review_price(%s, %s, true, '')", ()),
            ("SELECT yiwei.sign_contract(%s, %s)", ()),
            ("SELECT yiwei.advance_contract(%s, %s, %s)", ("in_production",))):
        with refusal(FORBIDDEN):
            call(guide, statement, (cid, version(admin, cid), *params))
    assert scalar(admin, "SELECT status FROM yiwei.contract WHERE id = %s", (cid,)) == "submitted"
    assert scalar(admin, "SELECT count(*) FROM yiwei.contract_review WHERE contract_id = %s", (cid,)) == 0


def test_guide_cannot_change_a_signed_contract(db, cat, admin):
    cid = signed(db, admin, cat)
    guide = db.connect_as("hz01.guide1")
    before = rows(admin, "SELECT total, version FROM yiwei.contract WHERE id = %s", (cid,))
    with refusal(STATE) as r:
        save_contract(guide, {"lines": [line(cat, "a1", quantity="5")]}, cid, version(admin, cid))
    assert "已签订" in r.message
    with refusal(STATE):
        call(guide, "SELECT yiwei.apply_package(%s, %s, %s)", (cid, version(admin, cid), cat.package))
    with refusal(STATE):
        upload(guide, cid)
    with refusal(FORBIDDEN):   # cancelling a signed contract takes the right to sign
        call(guide, "SELECT yiwei.cancel_contract(%s, %s, '客户反悔')", (cid, version(admin, cid)))
    with refusal(FORBIDDEN):   # and a change order takes the change-order right
        call(guide, "SELECT yiwei.save_change_order(NULL, NULL, %s)",
             (Json({"contract_id": cid, "kind": "change", "reason": "加一组吊柜",
                    "lines": [line(cat, "a2")]}),))
    assert rows(admin, "SELECT total, version FROM yiwei.contract WHERE id = %s", (cid,)) == before


def test_status_moves_only_step_by_step(db, cat, admin):
    cid = new_contract(db, cat, "hz01.guide1", "HZ01", payments=plan("1000.00"), designer_login="hz01.designer")
    director, manager = db.connect_as("hd.director"), db.connect_as("hz01.manager")
    with refusal(STATE):       # a draft cannot be reviewed
        call(director, "SELECT yiwei.review_drawing(%s, %s, true, '', '[]')", (cid, version(admin, cid)))
    with refusal(STATE):       # nor signed
        call(manager, "SELECT yiwei.sign_contract(%s, %s)", (cid, version(admin, cid)))
    upload(db.connect_as("hz01.designer"), cid)
    call(db.connect_as("hz01.guide1"), "SELECT yiwei.submit_contract(%s, %s)", (cid, version(admin, cid)))
    with refusal(STATE):       # price review before drawing review
        call(director, "SELECT yiwei.review_price(%s, %s, true, '')", (cid, version(admin, cid)))
    call(director, "SELECT yiwei.review_drawing(%s, %s, true, '', %s)",
         (cid, version(admin, cid), Json(all_checklist_ok(admin, cid))))
    with refusal(STATE) as r:  # sign before price review
        call(manager, "SELECT yiwei.sign_contract(%s, %s)", (cid, version(admin, cid)))
    assert "待审价" in r.message
    call(director, "SELECT yiwei.review_price(%s, %s, true, '')", (cid, version(admin, cid)))
    call(manager, "SELECT yiwei.sign_contract(%s, %s)", (cid, version(admin, cid)))
    with refusal(STATE):       # no jumping from signed to delivered
        call(manager, "SELECT yiwei.advance_contract(%s, %s, 'delivered')", (cid, version(admin, cid)))
    call(manager, "SELECT yiwei.advance_contract(%s, %s, 'in_production')", (cid, version(admin, cid)))
    assert scalar(admin, "SELECT status FROM yiwei.contract WHERE id = %s", (cid,)) == "in_production"


def test_nobody_reviews_a_contract_they_made(db, cat, admin):
    """The region director creates a contract for a guide's customer: he may not review it."""
    guide = db.connect_as("hz01.guide2")
    customer_id, _ = create_customer(guide, "HZ01", name="总监代下单客户")
    director = db.connect_as("hd.director")
    cid = save_contract(director, {"customer_id": customer_id, "price_list_id": cat.price_list,
                                   "designer_id": employee_id(admin, "hz01.designer"),
                                   "expected_delivery_on": "2099-01-01", "lines": [line(cat, "a1")],
                                   "payments": plan("1000.00")})
    assert scalar(admin, "SELECT guide_id FROM yiwei.contract WHERE id = %s", (cid,)) == employee_id(admin, "hz01.guide2")
    upload(director, cid)
    call(director, "SELECT yiwei.submit_contract(%s, %s)", (cid, version(admin, cid)))
    with refusal(FORBIDDEN) as r:
        call(director, "SELECT yiwei.review_drawing(%s, %s, true, '', %s)",
             (cid, version(admin, cid), Json(all_checklist_ok(admin, cid))))
    assert "自己经手" in r.message
    assert scalar(admin, "SELECT status FROM yiwei.contract WHERE id = %s", (cid,)) == "submitted"


def test_contract_for_a_customer_outside_the_callers_scope_is_refused(db, cat, admin):
    colleague_customer, _ = create_customer(db.connect_as("hz01.guide2"), "HZ01")
    other_store_customer, _ = create_customer(db.connect_as("hz02.guide1"), "HZ02")
    guide = db.connect_as("hz01.guide1")
    count = scalar(admin, "SELECT count(*) FROM yiwei.contract")
    for customer_id in (colleague_customer, other_store_customer, -1):
        with refusal(INVALID, "客户"):
            save_contract(guide, {"customer_id": customer_id, "price_list_id": cat.price_list, "lines": []})
    with refusal(INVALID, "客户"):
        save_contract(db.connect_as("hz02.manager"), {"customer_id": colleague_customer, "price_list_id": cat.price_list})
    assert scalar(admin, "SELECT count(*) FROM yiwei.contract") == count


def test_other_stores_contract_reads_as_not_found(db, scene, admin):
    manager = db.connect_as("hz02.manager")
    with refusal(NOT_FOUND):
        save_contract(manager, {"note": "x"}, scene.guide1, version(admin, scene.guide1))
    with refusal(NOT_FOUND):
        upload(db.connect_as("hz01.guide2"), scene.guide1)


def test_audit_trail_names_the_real_login(db, cat, admin):
    cid = new_contract(db, cat, "hz01.guide1", "HZ01")
    actors = {a for (a,) in rows(admin, "SELECT actor FROM yiwei.audit_log"
                                        " WHERE (table_name = 'contract' AND row_key = %s)"
                                        "    OR (table_name = 'contract_line' AND new_row ->> 'contract_id' = %s)",
                                 (str(cid), str(cid)))}
    assert actors == {scalar(admin, "SELECT role_name FROM yiwei.employee WHERE login = 'hz01.guide1'")}
