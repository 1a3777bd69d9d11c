"""Bad input sent straight to the checked functions (what a modified client could send) is refused
with SQLSTATE YW422 and the field's label in DETAIL, and nothing is stored: no customer, no lead,
no follow-up, no task, no phone. Valid phones are stored in one normalised form."""

from __future__ import annotations

import datetime

import pytest
from psycopg2.extras import Json

from .customer_data import (
    INVALID,
    add_followup,
    company_today,
    create_customer,
    customer_version,
    make_channel,
    new_mobile,
    refusal,
    report_lead,
    save_customer,
    token,
)
from .helpers import employee_id, rows, scalar, store_id

BAD_PHONES = ["12345", "1381234567", "abc", "0571-123", "138123456789", "23812345678", "0571-0888666", "", "   "]


@pytest.fixture
def admin(db):
    return db.admin()


@pytest.fixture
def guide(db):
    return db.connect_as("hz01.guide1")


def counts(admin) -> dict:
    return dict(rows(admin, """SELECT 'customer', count(*) FROM yiwei.customer
                       UNION ALL SELECT 'contact', count(*) FROM yiwei.customer_contact
                       UNION ALL SELECT 'followup', count(*) FROM yiwei.customer_followup
                       UNION ALL SELECT 'task', count(*) FROM yiwei.designer_task
                       UNION ALL SELECT 'lead', count(*) FROM yiwei.channel_lead
                       UNION ALL SELECT 'conflict', count(*) FROM yiwei.lead_conflict
                       UNION ALL SELECT 'phone', count(*) FROM yiwei.phone_book
                       UNION ALL SELECT 'numbers', coalesce(sum(last_value), 0) FROM yiwei.document_counter"""))


def new_customer_payload(admin, **fields) -> dict:
    return {"store_id": store_id(admin, "HZ01"), "name": "赵先生", "phone": new_mobile(),
            "community": f"测试小区{token()}", "room": "101", **fields}


def refused_create(guide, admin, payload, label):
    before = counts(admin)
    admin.rollback()
    with refusal(INVALID, label) as refused_, guide.cursor() as cur:
        cur.execute("SELECT yiwei.save_customer(NULL, NULL, %s)", (Json(payload),))
    assert counts(admin) == before
    admin.rollback()
    return refused_


# -- phones --------------------------------------------------------------------------------------

@pytest.mark.parametrize("phone", BAD_PHONES)
def test_bad_customer_phone_is_refused(guide, admin, phone):
    refused_ = refused_create(guide, admin, new_customer_payload(admin, phone=phone), "手机")
    assert "手机" in refused_.message


@pytest.mark.parametrize("phone", BAD_PHONES[:4])
def test_bad_contact_phone_is_refused(guide, admin, phone):
    refused_create(guide, admin, new_customer_payload(admin, contacts=[{"name": "家人", "phone": phone}]), "联系人电话")


@pytest.mark.parametrize("phone", BAD_PHONES[:4])
def test_bad_lead_phone_is_refused(db, admin, phone):
    desk = db.connect_as("hq.channeldesk")
    channel = make_channel(db.connect_as("admin"))
    before = counts(admin)
    admin.rollback()
    with refusal(INVALID, "客户电话"):
        report_lead(desk, "HZ01", channel, phone=phone)
    assert counts(admin) == before


@pytest.mark.parametrize("typed, stored", [
    ("+86 138 1234 5678", "13812345678"),
    ("+86-138-1234-5678", "13812345678"),
    ("8613812345678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("0571 88886666", "0571-88886666"),
    ("0571-88886666", "0571-88886666"),
    ("（0571）88886666", "0571-88886666"),
    ("0571-88886666-123", "0571-88886666-123"),
    ("010 8888 6666", "010-88886666"),
    ("01088886666", "010-88886666"),
    ("02168881234", "021-68881234"),
    ("075526881234", "0755-26881234"),
    ("0311-8123456", "0311-8123456"),
])
def test_valid_phones_are_normalised(guide, typed, stored):
    assert scalar(guide, "SELECT yiwei.normalize_phone(%s, '手机')", (typed,)) == stored


def test_one_number_typed_two_ways_is_one_customer(guide, admin):
    """Duplicate detection compares the normalised number: a Beijing landline typed without and
    with separators is the same phone."""
    number = "88" + new_mobile()[5:]  # 8 digits that a greedy area code would split as 0108-8xxxxxx
    save_customer(guide, new_customer_payload(admin, phone=f"010{number}"))
    with refusal("YW409", "手机号") as refused_, guide.cursor() as cur:
        cur.execute("SELECT yiwei.save_customer(NULL, NULL, %s)",
                    (Json(new_customer_payload(admin, phone=f"010-{number[:4]} {number[4:]}")),))
    assert "010-****" in refused_.message


def test_stored_phone_is_normalised_and_masked(guide, admin):
    digits = new_mobile()
    customer, _ = create_customer(guide, "HZ01", phone=f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}")
    assert scalar(admin, "SELECT phone FROM yiwei.phone_book WHERE subject = 'customer' AND ref_id = %s",
                  (customer,)) == digits
    assert scalar(admin, "SELECT phone_masked FROM yiwei.customer WHERE id = %s", (customer,)) == (
        f"{digits[:3]}****{digits[-4:]}")


def test_same_phone_twice_is_refused_company_wide(db, admin):
    _customer, phone = create_customer(db.connect_as("gz01.guide1"), "GZ01")
    guide = db.connect_as("hz01.guide1")
    before = counts(admin)
    admin.rollback()
    with refusal("YW409", "手机号") as refused_, guide.cursor() as cur:
        cur.execute("SELECT yiwei.save_customer(NULL, NULL, %s)", (Json(new_customer_payload(admin, phone=phone)),))
    assert phone not in refused_.message  # the message names the customer, with the number masked
    assert counts(admin) == before


# -- texts ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("field, value, label", [
    ("name", "", "客户姓名"),
    ("name", "   ", "客户姓名"),
    ("name", "张" * 31, "客户姓名"),
    ("name", "张\x07三", "客户姓名"),
    ("name", "张\n三", "客户姓名"),
    ("note", "备" * 1001, "备注"),
    ("note", "看中\x1b[31m红色\x1b[0m", "备注"),
    ("community", "小" * 61, "小区"),
    ("room", "1" * 21, "房号"),
    ("address", "路" * 201, "地址"),
    ("tags", ["这是一个特别长的标签名字"], "标签"),
    ("stage", "signed", "阶段"),
    ("stage", "vip", "阶段"),
    ("source_id", -1, "客户来源"),
    ("designer_id", "GUIDE2", "设计师"),
])
def test_bad_customer_field_is_refused(guide, admin, field, value, label):
    if value == "GUIDE2":
        value = employee_id(admin, "hz01.guide2")  # not a designer
    refused_create(guide, admin, new_customer_payload(admin, **{field: value}), label)


def test_longest_allowed_texts_and_multiline_note_are_stored(guide, admin):
    note = "客户要求：\n1. 原木色\n\t2. 周末上门" + "备" * 970
    customer = save_customer(guide, new_customer_payload(admin, name="张" * 30, note=note))
    assert rows(admin, "SELECT name, note FROM yiwei.customer WHERE id = %s", (customer,)) == [("张" * 30, note)]


def test_bad_change_leaves_the_customer_as_it_was(guide, admin):
    customer, _ = create_customer(guide, "HZ01", name="原名")
    version = customer_version(guide, customer)
    with refusal(INVALID, "客户姓名"), guide.cursor() as cur:
        cur.execute("SELECT yiwei.save_customer(%s, %s, %s)", (customer, version, Json({"name": "", "note": "新备注"})))
    assert rows(admin, "SELECT name, note, version FROM yiwei.customer WHERE id = %s", (customer,)) == [("原名", "", version)]


# -- follow-ups and designer tasks ----------------------------------------------------------------

@pytest.mark.parametrize("kind, content, days, label", [
    ("call", "电话", -1, "下次联系"),
    ("call", "电话", 400, "下次联系"),
    ("call", "", None, "跟踪内容"),
    ("call", "跟" * 1001, None, "跟踪内容"),
    ("call", "电话\x07", None, "跟踪内容"),
    ("sms", "短信", None, "跟踪方式"),
])
def test_bad_followup_is_refused(guide, admin, kind, content, days, label):
    customer, _ = create_customer(guide, "HZ01")
    next_on = None if days is None else company_today(guide) + datetime.timedelta(days=days)
    before = counts(admin)
    admin.rollback()
    with refusal(INVALID, label), guide.cursor() as cur:
        cur.execute("SELECT yiwei.add_followup(%s, %s, %s, %s)", (customer, kind, content, next_on))
    assert counts(admin) == before
    assert rows(admin, "SELECT last_followup_at, next_contact_on FROM yiwei.customer WHERE id = %s", (customer,)) == [
        (None, None)]


def test_multiline_followup_is_stored(guide, admin):
    customer, _ = create_customer(guide, "HZ01")
    followup = add_followup(guide, customer, "到店看了样品\r\n下周量尺", company_today(guide))
    assert scalar(admin, "SELECT content FROM yiwei.customer_followup WHERE id = %s", (followup,)) == "到店看了样品\n下周量尺"


@pytest.mark.parametrize("designer, kind, days, label", [
    ("hz01.guide2", "measure", 3, "设计师"),          # a guide is no designer
    ("hz02.designer", "measure", 3, "设计师"),        # a designer of another store
    (None, "measure", 3, "设计师"),
    ("hz01.designer", "paint", 3, "任务类型"),
    ("hz01.designer", "measure", -1, "完成期限"),
    ("hz01.designer", "measure", None, "完成期限"),
])
def test_bad_designer_task_is_refused(db, guide, admin, designer, kind, days, label):
    customer, _ = create_customer(guide, "HZ01")
    manager = db.connect_as("hz01.manager")
    payload = {"customer_id": customer, "designer_id": employee_id(admin, designer) if designer else None, "kind": kind,
               "due_on": None if days is None else (company_today(manager) + datetime.timedelta(days=days)).isoformat()}
    before = counts(admin)
    admin.rollback()
    with refusal(INVALID, label), manager.cursor() as cur:
        cur.execute("SELECT yiwei.save_designer_task(NULL, NULL, %s)", (Json(payload),))
    assert counts(admin) == before
    assert scalar(admin, "SELECT designer_id FROM yiwei.customer WHERE id = %s", (customer,)) is None


# -- leads ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("field, value, label", [
    ("name", "", "客户姓名"),
    ("name", "李" * 31, "客户姓名"),
    ("community", "", "小区"),
    ("room", "1" * 21, "房号"),
    ("note", "备" * 501, "备注"),
    ("note", "\x07", "备注"),
    ("products", "衣柜" * 101, "意向产品"),
    ("store_id", None, "门店"),
])
def test_bad_lead_is_refused(db, admin, field, value, label):
    desk = db.connect_as("hq.channeldesk")
    payload = {"store_id": store_id(admin, "HZ01"), "channel_id": make_channel(db.connect_as("admin")),
               "customer_name": "李女士", "phone": new_mobile(), "community": f"报备小区{token()}", "room": "101"}
    payload["customer_name" if field == "name" else field] = value
    before = counts(admin)
    admin.rollback()
    with refusal(INVALID, label), desk.cursor() as cur:
        cur.execute("SELECT yiwei.report_lead(%s)", (Json(payload),))
    assert counts(admin) == before


def test_guide_reports_only_to_own_store(guide, db, admin):
    with refusal(INVALID, "门店"):
        report_lead(guide, "GZ01", make_channel(db.connect_as("admin")))
