"""The life of a contract through the checked functions, as the people who do each step: a guide
quotes with a package, the designer uploads drawings (versions kept, one current), the drawing
review returns it and passes it after the fix, price review, signing, payments against the plan,
commissionable contracts, a change order with its own reviews and responsibility, templates."""

from __future__ import annotations

import datetime
from decimal import Decimal

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
from .customer_data import DENIED, FORBIDDEN, INVALID, refusal
from .helpers import rows, scalar


@pytest.fixture
def admin(db):
    conn = db.admin()
    conn.autocommit = True
    return conn


def package_lines(admin, cid):
    return rows(admin, "SELECT product_code, quantity, price, amount, rate FROM yiwei.contract_line"
                       " WHERE contract_id = %s AND package_id IS NOT NULL ORDER BY line_no", (cid,))


def test_package_lines_sum_exactly_to_the_package_price(db, cat, admin):
    """a1 × 2 (list 2000.00) + a2 × 1 (list 333.33) for 2000.01: shares by list value, the odd cent
    to the largest remainder. An a1 already on the contract counts towards the package; a3 stays."""
    guide = db.connect_as("hz01.guide1")
    cid = new_contract(db, cat, "hz01.guide1", "HZ01", lines=[line(cat, "a1", quantity="3"), line(cat, "a3")])
    assert scalar(guide, "SELECT yiwei.apply_package(%s, %s, %s)", (cid, version(admin, cid), cat.package)) == 2
    got = package_lines(admin, cid)
    assert sum(r[3] for r in got) == Decimal("2000.01")
    # 2000.01 × 2000/2333.33 = 1714.2967…, × 333.33/2333.33 = 285.7133…: the odd cent to a1 (.67 > .33)
    assert [(r[0][-2:], r[1], r[3]) for r in got] == [("A1", Decimal("2.000"), Decimal("1714.30")),
                                                        ("A2", Decimal("1.000"), Decimal("285.71"))]
    assert got[0][2] == Decimal("857.15") and got[1][2] == Decimal("285.71")
    ordinary = rows(admin, "SELECT product_code, quantity, amount FROM yiwei.contract_line"
                           " WHERE contract_id = %s AND package_id IS NULL ORDER BY line_no", (cid,))
    assert [(r[0][-2:], r[1], r[2]) for r in ordinary] == [("A1", Decimal("1.000"), Decimal("1000.00")),
                                                           ("A3", Decimal("1.000"), Decimal("250.00"))]
    assert scalar(admin, "SELECT total FROM yiwei.contract WHERE id = %s", (cid,)) == Decimal("3250.01")
    # applying it again reprices the same set (deterministic), it does not add a second one
    call(guide, "SELECT yiwei.apply_package(%s, %s, %s)", (cid, version(admin, cid), cat.package))
    assert package_lines(admin, cid) == got
    # the package lines are sent back unchanged with the plan; the guide's limit does not apply to them
    lines = rows(admin, "SELECT id, product_id, quantity, price FROM yiwei.contract_line WHERE contract_id = %s"
                        " ORDER BY line_no", (cid,))
    save_contract(guide, {"lines": [{"id": i, "product_id": p, "quantity": str(q), "price": str(pr)} for i, p, q, pr in lines],
                          "payments": plan("3250.01")}, cid, version(admin, cid))
    assert package_lines(admin, cid) == got
    # dropping every line of the package removes it
    save_contract(guide, {"lines": [{"id": i, "product_id": p, "quantity": str(q), "price": str(pr)}
                                    for i, p, q, pr in lines if i not in {r for (r,) in rows(
                                        admin, "SELECT id FROM yiwei.contract_line WHERE package_id IS NOT NULL"
                                               " AND contract_id = %s", (cid,))}],
                          "payments": plan("1250.00")}, cid, version(admin, cid))
    assert package_lines(admin, cid) == []


def test_design_files_keep_history_with_one_current(db, cat, admin):
    cid = new_contract(db, cat, "hz01.guide1", "HZ01", designer_login="hz01.designer")
    designer = db.connect_as("hz01.designer")
    first = upload(designer, cid, "厨房v1.dwg", b"AC1027 first")
    second = upload(designer, cid, "厨房v2.dwg", b"AC1027 second")
    listed = rows(designer, "SELECT id, version, file_name, current, size_bytes, uploaded_by_name FROM yiwei.design_file_list"
                            " WHERE contract_id = %s ORDER BY version", (cid,))
    name = scalar(admin, "SELECT full_name FROM yiwei.employee WHERE login = 'hz01.designer'")
    assert listed == [(first, 1, "厨房v1.dwg", False, 12, name), (second, 2, "厨房v2.dwg", True, 13, name)]
    assert bytes(scalar(designer, "SELECT data FROM yiwei.design_file WHERE id = %s", (first,))) == b"AC1027 first"
    # the audit trail records the upload without the file's content
    audit = scalar(admin, "SELECT new_row FROM yiwei.audit_log WHERE table_name = 'design_file' AND row_key = %s"
                          " AND action = 'INSERT'", (str(second),))
    assert "data" not in audit and audit["sha256"] == scalar(admin, "SELECT encode(sha256('AC1027 second'::bytea), 'hex')")


def test_returned_by_drawing_review_then_fixed_and_signed(db, cat, admin):
    cid = ready_for_review(db, admin, cat)
    director = db.connect_as("hd.director")
    with refusal(INVALID, "审核意见"):       # returning needs a reason
        call(director, "SELECT yiwei.review_drawing(%s, %s, false, '', '[]')", (cid, version(admin, cid)))
    with refusal(INVALID, "检查项") as r:    # passing needs every applicable checklist item ticked
        call(director, "SELECT yiwei.review_drawing(%s, %s, true, '', %s)",
             (cid, version(admin, cid), Json([{"item_id": cat.checklist_all, "ok": True}])))
    assert "柜体尺寸复核" in r.message
    call(director, "SELECT yiwei.review_drawing(%s, %s, false, '吊柜与烟机冲突，请修改', %s)",
         (cid, version(admin, cid), Json([{"item_id": cat.checklist_a, "ok": False, "note": "吊柜高度"}])))
    assert scalar(admin, "SELECT status FROM yiwei.contract WHERE id = %s", (cid,)) == "returned"
    # the designer fixes the drawing, the guide resubmits, both reviews pass, the manager signs
    upload(db.connect_as("hz01.designer"), cid, "厨房平面图-修改.pdf")
    guide = db.connect_as("hz01.guide1")
    call(guide, "SELECT yiwei.submit_contract(%s, %s)", (cid, version(admin, cid)))
    call(director, "SELECT yiwei.review_drawing(%s, %s, true, '已修改', %s)",
         (cid, version(admin, cid), Json(all_checklist_ok(admin, cid))))
    call(director, "SELECT yiwei.review_price(%s, %s, true, '')", (cid, version(admin, cid)))
    customer_id = scalar(admin, "SELECT customer_id FROM yiwei.contract WHERE id = %s", (cid,))
    call(db.connect_as("hz01.manager"), "SELECT yiwei.sign_contract(%s, %s)", (cid, version(admin, cid)))
    assert scalar(admin, "SELECT stage FROM yiwei.customer WHERE id = %s", (customer_id,)) == "signed"
    reviews = rows(guide, "SELECT kind_label, result_label, comment, reviewer_name FROM yiwei.contract_review_list"
                          " WHERE contract_id = %s ORDER BY id", (cid,))
    director_name = scalar(admin, "SELECT full_name FROM yiwei.employee WHERE login = 'hd.director'")
    assert reviews == [("图审", "退回", "吊柜与烟机冲突，请修改", director_name), ("图审", "通过", "已修改", director_name),
                       ("审价", "通过", "", director_name)]
    assert rows(guide, "SELECT status_label, design_file_name FROM yiwei.contract_list WHERE id = %s", (cid,)) == [
        ("已签订", "厨房平面图-修改.pdf")]


def test_a_discount_beyond_the_reviewers_limit_needs_a_higher_position(db, cat, admin):
    """Head office (limit 0.70) prices a line at 0.75; the region director (0.80) may not pass it."""
    cid = new_contract(db, cat, "hz01.guide1", "HZ01", designer_login="hz01.designer")
    save_contract(db.connect_as("hq.boss"), {"lines": [line(cat, "b1", price="600.00")], "payments": plan("600.00")},
                  cid, version(admin, cid))
    upload(db.connect_as("hz01.designer"), cid)
    call(db.connect_as("hz01.guide1"), "SELECT yiwei.submit_contract(%s, %s)", (cid, version(admin, cid)))
    director = db.connect_as("hd.director")
    call(director, "SELECT yiwei.review_drawing(%s, %s, true, '', %s)",
         (cid, version(admin, cid), Json(all_checklist_ok(admin, cid))))
    with refusal(FORBIDDEN) as r:
        call(director, "SELECT yiwei.review_price(%s, %s, true, '')", (cid, version(admin, cid)))
    assert "需要更高岗位审价" in r.message
    call(director, "SELECT yiwei.review_price(%s, %s, false, '折扣超出权限，请总部审价或调整')", (cid, version(admin, cid)))
    assert scalar(admin, "SELECT status FROM yiwei.contract WHERE id = %s", (cid,)) == "returned"


def test_payments_and_commissionable_contracts(db, cat, admin):
    cid = signed(db, admin, cat)
    finance = db.connect_as("hz01.finance")
    with refusal(INVALID, "收款金额"):
        call(finance, "SELECT yiwei.record_contract_payment(%s, 1, 300.01)", (cid,))
    assert scalar(finance, "SELECT yiwei.record_contract_payment(%s, 1, 300.00)", (cid,)) == Decimal("300.00")
    today = scalar(admin, "SELECT yiwei.company_today()")
    hq = db.connect_as("hq.finance")
    period = (today - datetime.timedelta(days=1), today + datetime.timedelta(days=1))
    listed = lambda: {r[0] for r in rows(hq, "SELECT id FROM yiwei.commissionable_contracts(%s, %s)", period)}  # noqa: E731
    assert cid not in listed()               # 30 % paid, the parameter says 50 %
    call(finance, "SELECT yiwei.record_contract_payment(%s, 2, 200.00)", (cid,))
    assert cid in listed()                   # 50 %
    assert rows(hq, "SELECT paid_total, paid_share FROM yiwei.commissionable_contract_list WHERE id = %s", (cid,)) == [
        (Decimal("500.00"), Decimal("0.5000"))]
    # the rule is the parameter: raised to 60 %, the contract drops out again
    pv = scalar(admin, "SELECT version FROM yiwei.parameter WHERE key = 'orders.commission_paid_share'")
    call(db.connect_as("admin"), "SELECT yiwei.set_parameter('orders.commission_paid_share', '60', %s)", (pv,))
    try:
        assert cid not in listed()
    finally:
        call(db.connect_as("admin"), "SELECT yiwei.set_parameter('orders.commission_paid_share', '50', %s)", (pv + 1,))
    with refusal(FORBIDDEN):                 # a guide has no commission list
        call(db.connect_as("hz01.guide1"), "SELECT * FROM yiwei.commissionable_contracts(%s, %s)", period)


def test_change_order_is_reviewed_again_and_responsibility_decided(db, cat, admin):
    cid = signed(db, admin, cat)
    manager = db.connect_as("hz01.manager")
    oid = scalar(manager, "SELECT yiwei.save_change_order(NULL, NULL, %s)", (Json({
        "contract_id": cid, "kind": "supplement", "reason": "量尺错误，补一个吊柜，退一块台面",
        "lines": [line(cat, "a2", quantity="1"), line(cat, "a1", quantity="-1")]}),))
    number = scalar(admin, "SELECT number FROM yiwei.change_order WHERE id = %s", (oid,))
    assert number.startswith("GB-HZ01-")
    assert scalar(admin, "SELECT amount_delta FROM yiwei.change_order WHERE id = %s", (oid,)) == Decimal("-666.67")
    with refusal(INVALID, "数量"):           # cannot take off more than the contract holds
        call(manager, "SELECT yiwei.save_change_order(%s, %s, %s)", (oid, version(admin, oid, "change_order"), Json({
            "kind": "change", "reason": "退两块", "lines": [line(cat, "a1", quantity="-2")]})))
    call(manager, "SELECT yiwei.submit_change_order(%s, %s)", (oid, version(admin, oid, "change_order")))
    director = db.connect_as("hd.director")
    call(director, "SELECT yiwei.review_change_order(%s, %s, true, '图纸已核对', '[]')", (oid, version(admin, oid, "change_order")))
    call(director, "SELECT yiwei.review_change_order(%s, %s, true, '', NULL)", (oid, version(admin, oid, "change_order")))
    assert scalar(admin, "SELECT status FROM yiwei.change_order WHERE id = %s", (oid,)) == "approved"
    with refusal(INVALID, "责任方"):
        call(manager, "SELECT yiwei.determine_responsibility(%s, %s, 'nobody', %s, '')",
             (oid, version(admin, oid, "change_order"), cat.reason))
    call(manager, "SELECT yiwei.determine_responsibility(%s, %s, 'measurer', %s, '量尺漏量吊柜位置')",
         (oid, version(admin, oid, "change_order"), cat.reason))
    assert rows(db.connect_as("hz01.guide1"),
                "SELECT status_label, responsible_party_label, decided_by_name FROM yiwei.change_order_list WHERE id = %s",
                (oid,)) == [("已审核", "量尺员", scalar(admin, "SELECT full_name FROM yiwei.employee WHERE login = 'hz01.manager'"))]
    assert rows(admin, "SELECT kind, passed FROM yiwei.contract_review WHERE change_order_id = %s ORDER BY id", (oid,)) == [
        ("drawing", True), ("price", True)]
    assert scalar(admin, "SELECT changes_total FROM yiwei.contract_list WHERE id = %s", (cid,)) == Decimal("-666.67")


def approve_change(db, admin, cid, *lines) -> int:
    """A change order of the HZ01 manager through 图审 (the region director); returns it before 审价."""
    manager = db.connect_as("hz01.manager")
    oid = scalar(manager, "SELECT yiwei.save_change_order(NULL, NULL, %s)", (Json({
        "contract_id": cid, "kind": "change", "reason": "客户调整", "lines": list(lines)}),))
    call(manager, "SELECT yiwei.submit_change_order(%s, %s)", (oid, version(admin, oid, "change_order")))
    call(db.connect_as("hd.director"), "SELECT yiwei.review_change_order(%s, %s, true, '', '[]')",
         (oid, version(admin, oid, "change_order")))
    return oid


def price_pass(db, admin, oid):
    call(db.connect_as("hd.director"), "SELECT yiwei.review_change_order(%s, %s, true, '', NULL)",
         (oid, version(admin, oid, "change_order")))


def payment_plan_of(admin, cid):
    return rows(admin, "SELECT seq, kind, amount, paid_amount FROM yiwei.contract_payment WHERE contract_id = %s"
                       " ORDER BY seq", (cid,))


def test_an_approved_change_order_moves_what_the_customer_owes(db, cat, admin):
    """The signed contract (1000.00: deposit 300.00, final 700.00) stays as signed; approved change
    orders move the plan and the receivable. Goods added fall on the last open instalment, or a new
    尾款 once all is paid; goods taken off beyond what is unpaid need the refund recorded first."""
    cid = signed(db, admin, cat)
    finance = db.connect_as("hz01.finance")
    call(finance, "SELECT yiwei.record_contract_payment(%s, 1, 300.00)", (cid,))
    owed = lambda: rows(db.connect_as("hz01.guide1"), "SELECT total, changes_total, payable_total, paid_total,"  # noqa: E731
                        " unpaid_total FROM yiwei.contract_list WHERE id = %s", (cid,))[0]

    # +a2 (333.33): onto the final payment, still open
    price_pass(db, admin, approve_change(db, admin, cid, line(cat, "a2")))
    assert payment_plan_of(admin, cid) == [(1, "deposit", Decimal("300.00"), Decimal("300.00")),
                                           (2, "final", Decimal("1033.33"), Decimal("0.00"))]
    assert owed() == (Decimal("1000.00"), Decimal("333.33"), Decimal("1333.33"), Decimal("300.00"), Decimal("1033.33"))
    assert scalar(admin, "SELECT count(*) FROM yiwei.contract_line WHERE contract_id = %s", (cid,)) == 1

    # all paid, then +a3 (250.00): a new 尾款 due today
    call(finance, "SELECT yiwei.record_contract_payment(%s, 2, 1033.33)", (cid,))
    price_pass(db, admin, approve_change(db, admin, cid, line(cat, "a3")))
    today = scalar(admin, "SELECT yiwei.company_today()")
    assert payment_plan_of(admin, cid)[2] == (3, "final", Decimal("250.00"), Decimal("0.00"))
    assert scalar(admin, "SELECT due_on FROM yiwei.contract_payment WHERE contract_id = %s AND seq = 3", (cid,)) == today

    # −a1 (1000.00) with only 250.00 unpaid: refused naming the refund; nothing of it stored
    oid = approve_change(db, admin, cid, line(cat, "a1", quantity="-1"))
    before = payment_plan_of(admin, cid)
    with refusal("YW409") as r:
        price_pass(db, admin, oid)
    assert "冲减收款 750.00 元" in r.message
    assert payment_plan_of(admin, cid) == before
    assert scalar(admin, "SELECT status FROM yiwei.change_order WHERE id = %s", (oid,)) == "drawing_passed"
    assert scalar(admin, "SELECT count(*) FROM yiwei.contract_review WHERE change_order_id = %s AND kind = 'price'",
                  (oid,)) == 0
    assert owed()[1] == Decimal("583.33")

    # finance records the refund; now it passes: the open 尾款 goes, the paid one shrinks to what is kept
    call(finance, "SELECT yiwei.record_contract_payment(%s, 2, -750.00)", (cid,))
    price_pass(db, admin, oid)
    assert payment_plan_of(admin, cid) == [(1, "deposit", Decimal("300.00"), Decimal("300.00")),
                                           (2, "final", Decimal("283.33"), Decimal("283.33"))]
    assert owed() == (Decimal("1000.00"), Decimal("-416.67"), Decimal("583.33"), Decimal("583.33"), Decimal("0.00"))
    # fully paid after the changes: commissionable on what is owed, not on the signed total
    assert rows(db.connect_as("hq.finance"), "SELECT total, paid_share FROM yiwei.commissionable_contract_list"
                                            " WHERE id = %s", (cid,)) == [(Decimal("583.33"), Decimal("1.0000"))]
    # no employee moves a plan by hand
    with refusal(DENIED):
        call(db.connect_as("hq.boss"), "SELECT yiwei.apply_change_to_plan(%s, 100, current_date)", (cid,))


def test_the_rest_of_the_flow_and_cancellation(db, cat, admin):
    cid = signed(db, admin, cat)
    manager = db.connect_as("hz01.manager")
    for status in ("in_production", "delivered", "installed", "completed"):
        call(manager, "SELECT yiwei.advance_contract(%s, %s, %s)", (cid, version(admin, cid), status))
    assert rows(admin, "SELECT status, completed_at IS NOT NULL FROM yiwei.contract WHERE id = %s", (cid,)) == [
        ("completed", True)]
    draft = new_contract(db, cat, "hz01.guide1", "HZ01")
    guide = db.connect_as("hz01.guide1")
    with refusal(INVALID, "作废原因"):
        call(guide, "SELECT yiwei.cancel_contract(%s, %s, '')", (draft, version(admin, draft)))
    call(guide, "SELECT yiwei.cancel_contract(%s, %s, '客户改买别家')", (draft, version(admin, draft)))
    assert scalar(admin, "SELECT status FROM yiwei.contract WHERE id = %s", (draft,)) == "cancelled"
    with refusal("YW409"):
        call(manager, "SELECT yiwei.cancel_contract(%s, %s, '晚了')", (cid, version(admin, cid)))


def test_templates_are_versioned_and_contracts_keep_theirs(db, cat, admin):
    boss = db.connect_as("admin")
    with refusal(INVALID, "合同条款") as r:
        call(boss, "SELECT yiwei.save_contract_template(NULL, NULL, %s)",
             (Json({"name": "橱柜合同", "body": "甲方：{客户姓名}，乙方：{公司全称}"}),))
    assert "{公司全称}" in r.message
    v1 = scalar(boss, "SELECT yiwei.save_contract_template(NULL, NULL, %s)",
                (Json({"name": "橱柜合同", "line_id": cat.line_a, "body": "合同编号：{合同编号}\n甲方：{客户姓名}"}),))
    cid = new_contract(db, cat, "hz01.guide1", "HZ01", template_id=v1)
    v2 = scalar(boss, "SELECT yiwei.save_contract_template(%s, 1, %s)",
                (v1, Json({"name": "橱柜合同", "line_id": cat.line_a, "body": "合同编号：{合同编号}\n甲方：{客户姓名}\n金额：{合同金额大写}"}),))
    with refusal("YW409"):      # saving over the old version again: someone already made version 2
        call(boss, "SELECT yiwei.save_contract_template(%s, 1, %s)", (v1, Json({"name": "橱柜合同", "body": "x"})))
    assert rows(admin, "SELECT version FROM yiwei.contract_template WHERE family_id = %s ORDER BY version", (v1,)) == [(1,), (2,)]
    assert rows(boss, "SELECT id, version FROM yiwei.contract_template_list WHERE family_id = %s", (v1,)) == [(v2, 2)]
    assert scalar(admin, "SELECT template_id FROM yiwei.contract WHERE id = %s", (cid,)) == v1
    with refusal(INVALID, "合同模板"):   # a new contract takes the current version only
        new_contract(db, cat, "hz01.guide1", "HZ01", template_id=v1)
    with refusal(FORBIDDEN):
        call(db.connect_as("hz01.guide1"), "SELECT yiwei.save_contract_template(NULL, NULL, %s)",
             (Json({"name": "x", "body": "x"}),))


def test_position_discount_limit_is_saved_and_kept(db, admin):
    boss = db.connect_as("admin")
    pid = scalar(boss, "SELECT yiwei.create_position('t_rate_pos', '折扣岗位测试', 'store', '', ARRAY['orders.contract'], 0.88)")
    assert str(scalar(admin, "SELECT min_discount_rate FROM yiwei.position WHERE id = %s", (pid,))) == "0.8800"
    # an update that does not know the field keeps the limit; one that does changes it
    call(boss, "SELECT yiwei.update_position(%s, %s, '折扣岗位测试', 'store', '', ARRAY['orders.contract'])",
         (pid, version(admin, pid, "position")))
    assert str(scalar(admin, "SELECT min_discount_rate FROM yiwei.position WHERE id = %s", (pid,))) == "0.8800"
    call(boss, "SELECT yiwei.update_position(%s, %s, '折扣岗位测试', 'store', '', ARRAY['orders.contract'], 0.8)",
         (pid, version(admin, pid, "position")))
    assert str(scalar(admin, "SELECT min_discount_rate FROM yiwei.position WHERE id = %s", (pid,))) == "0.8000"
    # a position made without a limit grants no discount
    plain = scalar(boss, "SELECT yiwei.create_position('t_rate_none', '无折扣岗位测试', 'own', '', ARRAY[]::text[])")
    assert str(scalar(admin, "SELECT min_discount_rate FROM yiwei.position WHERE id = %s", (plain,))) == "1.0000"
