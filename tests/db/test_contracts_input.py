"""Bad input to the contract functions: each refused with YW422, a clear message and the field
label in DETAIL, and nothing stored. Stale versions are refused with YW409 naming who changed it."""

from __future__ import annotations

import json

import psycopg2
import pytest

from .contract_data import (
    call,
    line,
    new_contract,
    plan,
    save_contract,
    upload,
    version,
)
from .customer_data import CONFLICT, INVALID, refusal
from .helpers import rows, scalar


@pytest.fixture
def admin(db):
    conn = db.admin()
    conn.autocommit = True
    return conn


def snapshot(admin, cid):
    return (rows(admin, "SELECT status, total, list_total, version FROM yiwei.contract WHERE id = %s", (cid,)),
            rows(admin, "SELECT line_no, product_id, quantity, price, amount FROM yiwei.contract_line"
                        " WHERE contract_id = %s ORDER BY line_no", (cid,)),
            rows(admin, "SELECT seq, kind, amount FROM yiwei.contract_payment WHERE contract_id = %s ORDER BY seq", (cid,)))


@pytest.mark.parametrize("bad_line, label, words", [
    ({"quantity": "0"}, "数量", "必须大于 0"),
    ({"quantity": "-2"}, "数量", "必须大于 0"),
    ({"quantity": "1.2345"}, "数量", "三位小数"),
    ({"quantity": "两个"}, "数量", "不是有效的数字"),
    ({"price": "999.999"}, "单价", "最多两位小数"),
    ({"price": "-5.00"}, "单价", "负数"),
    ({"price": "1000.01"}, "单价", "高于零售价"),
    ({"rate": "0.95555"}, "折扣", "四位小数"),
])
def test_bad_line_is_refused_and_nothing_changes(db, cat, admin, bad_line, label, words):
    cid = new_contract(db, cat, "hz01.guide1", "HZ01", payments=plan("1000.00"))
    before = snapshot(admin, cid)
    with refusal(INVALID, label) as r:
        save_contract(db.connect_as("hz01.guide1"),
                      {"lines": [line(cat, "a3"), {**line(cat, "a1"), **bad_line}]}, cid, version(admin, cid))
    assert words in r.message
    assert r.message.startswith("第 2 行") or words == "不是有效的数字"   # the row is named when it is known
    assert snapshot(admin, cid) == before


def test_a_product_outside_the_price_list_is_refused(db, cat, admin):
    cid = new_contract(db, cat, "hz01.guide1", "HZ01")
    with refusal(INVALID, "产品") as r:
        save_contract(db.connect_as("hz01.guide1"), {"lines": [line(cat, "b2")]}, cid, version(admin, cid))
    assert "不在合同的价格体系中" in r.message


def test_payment_plan_must_add_up_to_the_total(db, cat, admin):
    guide = db.connect_as("hz01.guide1")
    cid = new_contract(db, cat, "hz01.guide1", "HZ01", payments=plan("1000.00"))
    before = snapshot(admin, cid)
    with refusal(INVALID, "付款计划") as r:
        save_contract(guide, {"payments": [{"kind": "deposit", "amount": "300.00"}, {"kind": "final", "amount": "699.99"}]},
                      cid, version(admin, cid))
    assert "与合同金额 1000.00 元不符" in r.message
    # more lines without a new plan: the old plan no longer adds up either
    with refusal(INVALID, "付款计划"):
        save_contract(guide, {"lines": [line(cat, "a1", quantity="2")]}, cid, version(admin, cid))
    with refusal(INVALID, "付款金额"):
        save_contract(guide, {"payments": [{"kind": "deposit", "amount": "300.005"}, {"kind": "final", "amount": "699.995"}]},
                      cid, version(admin, cid))
    with refusal(INVALID, "付款计划"):   # the final payment comes last
        save_contract(guide, {"payments": [{"kind": "final", "amount": "700.00"}, {"kind": "progress", "amount": "300.00"}]},
                      cid, version(admin, cid))
    assert snapshot(admin, cid) == before
    # a new contract whose plan does not add up is not created at all
    count = scalar(admin, "SELECT count(*) FROM yiwei.contract")
    with refusal(INVALID, "付款计划"):
        new_contract(db, cat, "hz01.guide1", "HZ01", payments=plan("999.00"))
    assert scalar(admin, "SELECT count(*) FROM yiwei.contract") == count


def test_expired_price_list_is_refused(db, cat, admin):
    count = scalar(admin, "SELECT count(*) FROM yiwei.contract")
    with refusal(INVALID, "价格体系") as r:
        new_contract(db, cat, "hz01.guide1", "HZ01", price_list_id=cat.expired_list)
    assert "已过期" in r.message
    assert scalar(admin, "SELECT count(*) FROM yiwei.contract") == count


@pytest.mark.parametrize("package, words", [
    ("package_expired_list", "价格体系"),
    ("package_other_list", "与合同的价格体系"),
    ("package_missing_product", "不在合同的价格体系中"),
])
def test_package_for_the_wrong_price_list_or_products_is_refused(db, cat, admin, package, words):
    cid = new_contract(db, cat, "hz01.guide1", "HZ01", payments=plan("1000.00"))
    before = snapshot(admin, cid)
    with refusal(INVALID, "套餐") as r:
        call(db.connect_as("hz01.guide1"), "SELECT yiwei.apply_package(%s, %s, %s)",
             (cid, version(admin, cid), getattr(cat, package)))
    assert words in r.message
    assert snapshot(admin, cid) == before


def test_package_on_a_contract_whose_price_list_expired_is_refused(db, cat, admin):
    cid = new_contract(db, cat, "hz01.guide1", "HZ01")
    call(admin, "UPDATE yiwei.contract SET price_list_id = %s WHERE id = %s", (cat.expired_list, cid))
    with refusal(INVALID, "价格体系"):
        call(db.connect_as("hz01.guide1"), "SELECT yiwei.apply_package(%s, %s, %s)",
             (cid, version(admin, cid), cat.package_expired_list))
    assert scalar(admin, "SELECT count(*) FROM yiwei.contract_line WHERE contract_id = %s AND package_id IS NOT NULL",
                  (cid,)) == 0


def test_empty_oversized_or_foreign_uploads_are_refused(db, cat, admin):
    cid = new_contract(db, cat, "hz01.guide1", "HZ01", designer_login="hz01.designer")
    designer = db.connect_as("hz01.designer")
    with refusal(INVALID, "文件") as r:
        upload(designer, cid, data=b"")
    assert "是空的" in r.message
    param_version = scalar(admin, "SELECT version FROM yiwei.parameter WHERE key = 'orders.design_file_max_mb'")
    limit = scalar(admin, "SELECT value FROM yiwei.parameter WHERE key = 'orders.design_file_max_mb'")
    call(db.connect_as("admin"), "SELECT yiwei.set_parameter('orders.design_file_max_mb', '1', %s)", (param_version,))
    try:
        with refusal(INVALID, "文件") as r:
            upload(designer, cid, name="全屋效果图.png", data=b"x" * (1024 * 1024 + 1))
        assert "超过了上限 1 MB" in r.message
        upload(designer, cid, name="全屋效果图.png", data=b"x" * (1024 * 1024))   # exactly the limit is fine
    finally:
        call(db.connect_as("admin"), "SELECT yiwei.set_parameter('orders.design_file_max_mb', %s, %s)",
             (limit, param_version + 1))
    with refusal(INVALID, "文件"):
        upload(designer, cid, name="病毒.exe")
    assert rows(admin, "SELECT file_name FROM yiwei.design_file WHERE contract_id = %s", (cid,)) == [("全屋效果图.png",)]


def test_stale_version_names_who_changed_the_contract(db, cat, admin):
    cid = new_contract(db, cat, "hz01.guide1", "HZ01", payments=plan("1000.00"))
    seen = version(admin, cid)
    save_contract(db.connect_as("hz01.manager"), {"note": "店长改了备注"}, cid, seen)
    manager_name = scalar(admin, "SELECT full_name FROM yiwei.employee WHERE login = 'hz01.manager'")
    with refusal(CONFLICT) as r:
        save_contract(db.connect_as("hz01.guide1"), {"note": "导购的旧版本"}, cid, seen)
    assert manager_name in r.message
    assert json.loads(r.detail)["changed_by"] == manager_name
    with refusal(CONFLICT):
        call(db.connect_as("hz01.guide1"), "SELECT yiwei.apply_package(%s, %s, %s)", (cid, seen, cat.package))
    assert scalar(admin, "SELECT note FROM yiwei.contract WHERE id = %s", (cid,)) == "店长改了备注"


def test_submit_needs_lines_plan_delivery_date_and_a_drawing(db, cat, admin):
    guide = db.connect_as("hz01.guide1")
    cid = new_contract(db, cat, "hz01.guide1", "HZ01")
    with refusal(INVALID, "付款计划"):
        call(guide, "SELECT yiwei.submit_contract(%s, %s)", (cid, version(admin, cid)))
    save_contract(guide, {"payments": plan("1000.00")}, cid, version(admin, cid))
    with refusal(INVALID, "设计文件"):
        call(guide, "SELECT yiwei.submit_contract(%s, %s)", (cid, version(admin, cid)))
    assert scalar(admin, "SELECT status FROM yiwei.contract WHERE id = %s", (cid,)) == "draft"


def test_the_database_refuses_totals_that_do_not_match_the_lines(db, cat, admin):
    """Even the owner (a buggy checked function) cannot commit a total that is not the lines' sum."""
    cid = new_contract(db, cat, "hz01.guide1", "HZ01")
    conn = db.admin()
    with conn.cursor() as cur:
        cur.execute("UPDATE yiwei.contract SET total = total + 1 WHERE id = %s", (cid,))
        with pytest.raises(psycopg2.Error) as exc:
            conn.commit()
    assert exc.value.pgcode == INVALID
    assert str(scalar(admin, "SELECT total FROM yiwei.contract WHERE id = %s", (cid,))) == "1000.00"


def test_position_discount_limit_is_checked(db):
    admin_login = db.connect_as("admin")
    for bad in ("0", "1.5", "0.88888", "-0.9"):
        with refusal(INVALID, "最低折扣"):
            call(admin_login, "SELECT yiwei.create_position('t_bad_rate', '折扣测试岗', 'own', '', ARRAY[]::text[], %s)",
                 (bad,))


@pytest.mark.parametrize("payload, label, words", [
    ({"expected_delivery_on": "2026-02-30"}, "交货日期", "不是有效的日期"),
    ({"expected_delivery_on": "下个月"}, "交货日期", "须为日期"),
    ({"payments": [{"kind": "deposit", "amount": "1000.00", "due_on": "2026/13/01"}]}, "付款日期", "须为日期"),
])
def test_a_date_that_is_no_date_is_refused_naming_the_field(db, cat, admin, payload, label, words):
    cid = new_contract(db, cat, "hz01.guide1", "HZ01", payments=plan("1000.00"))
    before = snapshot(admin, cid), scalar(admin, "SELECT expected_delivery_on FROM yiwei.contract WHERE id = %s", (cid,))
    with refusal(INVALID, label) as r:
        save_contract(db.connect_as("hz01.guide1"), payload, cid, version(admin, cid))
    assert words in r.message
    assert (snapshot(admin, cid),
            scalar(admin, "SELECT expected_delivery_on FROM yiwei.contract WHERE id = %s", (cid,))) == before
