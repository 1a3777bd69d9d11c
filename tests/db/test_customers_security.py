"""Security of customer records, contacts, follow-ups, designer tasks and phones. Each test connects
as a real employee login and tries one attack over a raw connection: reading outside its scope,
reading full phone numbers without customers.phone_full, writing around the checked functions, or
calling steps it has no right to. Every attack is refused or sees nothing; the audit trail names
the real login."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from psycopg2.extras import Json

from client.db.passwords import scram_verifier
from client.demo.company import DEMO_PASSWORD

from .customer_data import (
    DENIED,
    FORBIDDEN,
    INVALID,
    NOT_FOUND,
    add_followup,
    approve,
    create_customer,
    customer_version,
    make_channel,
    masked,
    new_mobile,
    plan_task,
    refusal,
    report_lead,
    save_customer,
    token,
)
from .helpers import employee_id, refused, rows, scalar, store_id

FULL_PHONE = re.compile(r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-[0-9]{7,8}.*)$")


@dataclass
class Scene:
    """Customers of four guides: two of HZ01, one of HZ02 (same region), one of GZ01 (other region).
    guide2's customer has a household contact, a follow-up and a measure task for hz01.designer."""

    hz01_guide1: int
    hz01_guide2: int
    hz02_guide1: int
    gz01_guide1: int
    phones: dict
    contact_phone: str
    followup: int
    task: int

    @property
    def all(self):
        return {self.hz01_guide1, self.hz01_guide2, self.hz02_guide1, self.gz01_guide1}


@pytest.fixture(scope="module")
def scene(demo_db):
    made = {}
    phones = {}
    for login, store in (("hz01.guide1", "HZ01"), ("hz01.guide2", "HZ01"), ("hz02.guide1", "HZ02"),
                         ("gz01.guide1", "GZ01")):
        conn = demo_db.connect_as(login)
        made[login], phones[login] = create_customer(conn, store, name=f"{login}的客户")
    guide2 = demo_db.connect_as("hz01.guide2")
    contact_phone = new_mobile()
    version = customer_version(guide2, made["hz01.guide2"])
    save_customer(guide2, {"name": "hz01.guide2的客户", "community": "测试小区", "room": "101",
                           "contacts": [{"name": "配偶", "relation": "妻子", "phone": contact_phone}]},
                  made["hz01.guide2"], version)
    followup = add_followup(guide2, made["hz01.guide2"])
    task = plan_task(demo_db.connect_as("hz01.manager"), made["hz01.guide2"], "hz01.designer")
    demo_db.close_all()
    return Scene(made["hz01.guide1"], made["hz01.guide2"], made["hz02.guide1"], made["gz01.guide1"],
                 phones, contact_phone, followup, task)


@pytest.fixture
def admin(db):
    return db.admin()


def visible(conn, relation, ids, column="id"):
    return {r[0] for r in rows(conn, f"SELECT {column} FROM yiwei.{relation} WHERE {column} = ANY (%s)", (list(ids),))}


# -- reading: guide, designer, store, region, head office -----------------------------------------

CUSTOMER_RELATIONS = [("customer", "id"), ("customer_list", "id"), ("customer_contact", "customer_id"),
                      ("customer_contact_list", "customer_id"), ("customer_followup", "customer_id"),
                      ("customer_followup_list", "customer_id"), ("designer_task", "customer_id"),
                      ("designer_task_list", "customer_id")]


@pytest.mark.parametrize("relation, column", CUSTOMER_RELATIONS)
def test_guide_cannot_read_colleagues_customers(db, scene, relation, column):
    guide = db.connect_as("hz01.guide1")
    assert scene.hz01_guide2 not in visible(guide, relation, scene.all, column)


@pytest.mark.parametrize("table", ["customer", "customer_contact", "customer_followup", "designer_task"])
def test_guide_reads_nothing_of_a_colleague(db, admin, scene, table):
    guide = db.connect_as("hz01.guide1")
    assert scalar(guide, f"SELECT count(*) FROM yiwei.{table} WHERE guide_id = %s",
                  (employee_id(admin, "hz01.guide2"),)) == 0


def test_guide_reads_own_customer_only(db, admin, scene):
    guide = db.connect_as("hz01.guide1")
    me = employee_id(admin, "hz01.guide1")
    assert visible(guide, "customer_list", scene.all) == {scene.hz01_guide1}
    assert rows(guide, "SELECT DISTINCT guide_id FROM yiwei.customer") == [(me,)]
    assert scalar(guide, "SELECT count(*) FROM yiwei.customer") == scalar(
        admin, "SELECT count(*) FROM yiwei.customer WHERE guide_id = %s OR designer_id = %s", (me, me))


def test_guide_cannot_read_colleagues_followup_or_task_by_id(db, scene):
    guide = db.connect_as("hz01.guide1")
    assert rows(guide, "SELECT * FROM yiwei.customer_followup WHERE id = %s", (scene.followup,)) == []
    assert rows(guide, "SELECT * FROM yiwei.designer_task WHERE id = %s", (scene.task,)) == []
    assert rows(guide, "SELECT * FROM yiwei.customer_followup_list WHERE id = %s", (scene.followup,)) == []
    assert rows(guide, "SELECT * FROM yiwei.designer_task_list WHERE id = %s", (scene.task,)) == []


def test_designer_reads_assigned_customers_and_their_tasks(db, admin, scene):
    designer = db.connect_as("hz01.designer")
    me = employee_id(admin, "hz01.designer")
    assert visible(designer, "customer_list", scene.all) == {scene.hz01_guide2}
    assert visible(designer, "designer_task_list", [scene.task]) == {scene.task}
    assert visible(designer, "customer_contact_list", scene.all, "customer_id") == {scene.hz01_guide2}
    assert visible(designer, "customer_followup_list", [scene.followup]) == {scene.followup}
    # nobody else's customers: every customer the designer reads is assigned to them or has a task of theirs
    assert scalar(designer, """SELECT count(*) FROM yiwei.customer c WHERE c.designer_id IS DISTINCT FROM %(me)s
                                  AND c.guide_id <> %(me)s AND NOT EXISTS (SELECT 1 FROM yiwei.designer_task t
                                                   WHERE t.customer_id = c.id AND t.designer_id = %(me)s)""",
                  {"me": me}) == 0


def test_store_manager_reads_whole_store_not_another(db, admin, scene):
    manager = db.connect_as("hz01.manager")
    assert visible(manager, "customer_list", scene.all) == {scene.hz01_guide1, scene.hz01_guide2}
    hz01 = store_id(admin, "HZ01")
    for relation in ("customer", "customer_contact", "customer_followup", "designer_task"):
        assert {r[0] for r in rows(manager, f"SELECT DISTINCT store_id FROM yiwei.{relation}")} <= {hz01}, relation
    assert scalar(manager, "SELECT count(*) FROM yiwei.customer") == scalar(
        admin, "SELECT count(*) FROM yiwei.customer WHERE store_id = %s", (hz01,))


def test_region_director_reads_region_only(db, admin, scene):
    director = db.connect_as("hd.director")
    assert visible(director, "customer_list", scene.all) == {scene.hz01_guide1, scene.hz01_guide2, scene.hz02_guide1}
    region_stores = {r[0] for r in rows(admin, "SELECT s.id FROM yiwei.store s JOIN yiwei.region r ON r.id = s.region_id"
                                               " WHERE r.code = 'HD'")}
    assert {r[0] for r in rows(director, "SELECT DISTINCT store_id FROM yiwei.customer")} <= region_stores
    assert scalar(director, "SELECT count(*) FROM yiwei.customer") == scalar(
        admin, "SELECT count(*) FROM yiwei.customer WHERE store_id = ANY (%s)", (list(region_stores),))


def test_head_office_reads_every_store(db, admin, scene):
    boss = db.connect_as("hq.boss")
    assert visible(boss, "customer_list", scene.all) == scene.all
    assert scalar(boss, "SELECT count(*) FROM yiwei.customer") == scalar(admin, "SELECT count(*) FROM yiwei.customer")


@pytest.mark.parametrize("login", ["hz01.guide1", "hz01.guide2", "hz01.designer", "hz01.manager", "hd.director", "hq.boss"])
@pytest.mark.parametrize("table, view", [("customer", "customer_list"), ("customer_contact", "customer_contact_list"),
                                         ("customer_followup", "customer_followup_list"),
                                         ("designer_task", "designer_task_list")])
def test_lists_show_every_row_the_login_may_read(db, scene, login, table, view):
    """A list view never loses rows through a join with a table the login reads less of (employees)."""
    conn = db.connect_as(login)
    assert scalar(conn, f"SELECT count(*) FROM yiwei.{view}") == scalar(conn, f"SELECT count(*) FROM yiwei.{table}")


def test_followup_by_region_director_stays_in_the_guides_list(db, admin):
    """The author of a follow-up may be somebody the guide cannot look up (a region director)."""
    guide = db.connect_as("hz01.guide1")
    customer, _phone = create_customer(guide, "HZ01")
    followup = add_followup(db.connect_as("hd.director"), customer, "总监回访：客户对报价满意")
    assert rows(guide, "SELECT author_name FROM yiwei.customer_followup_list WHERE id = %s", (followup,)) == rows(
        admin, "SELECT full_name FROM yiwei.employee WHERE login = 'hd.director'")


@pytest.fixture
def make_employee(db, admin):
    """``make_employee(position code, store code, name)`` → (login, id) of a new employee, disabled
    again after the test so that no other test meets an extra colleague in its pickers."""
    admin_login = db.connect_as("admin")
    made = []

    def make(position_code: str, store_code: str, full_name: str) -> tuple[str, int]:
        login_name = f"{position_code}.{token()}"
        position = scalar(admin_login, "SELECT id FROM yiwei.position WHERE code = %s", (position_code,))
        new_id = scalar(admin_login, "SELECT yiwei.create_employee(%s, %s, %s, %s, NULL, NULL, '', %s)",
                        (login_name, full_name, position, store_id(admin, store_code), scram_verifier(DEMO_PASSWORD)))
        made.append(new_id)
        return login_name, new_id

    yield make
    for employee in made:
        version = scalar(admin_login, "SELECT version FROM yiwei.employee WHERE id = %s", (employee,))
        with admin_login.cursor() as cur:
            cur.execute("SELECT yiwei.disable_employee(%s, %s, '测试结束')", (employee, version))


def test_second_designer_reads_the_customer_of_their_task(db, admin, make_employee):
    """The customer's designer is hz01.designer; a drawing task goes to a colleague, who must see
    the task in their list together with the customer it is for, and nothing else of the store."""
    customer, _phone = create_customer(db.connect_as("hz01.guide2"), "HZ01")
    manager = db.connect_as("hz01.manager")
    plan_task(manager, customer, "hz01.designer")
    login_name, _designer_id = make_employee("designer", "HZ01", "第二设计师")
    task = plan_task(manager, customer, login_name, kind="drawing")
    second = db.connect_as(login_name)
    assert rows(second, "SELECT id, customer_id FROM yiwei.designer_task_list") == [(task, customer)]
    assert rows(second, "SELECT id FROM yiwei.customer_list") == [(customer,)]
    assert rows(second, "SELECT * FROM yiwei.phone_book") == []
    with second.cursor() as cur:
        cur.execute("SELECT yiwei.close_designer_task(%s, %s, true, '图纸已提交')",
                    (task, scalar(second, "SELECT version FROM yiwei.designer_task WHERE id = %s", (task,))))


def test_customers_of_a_guide_moved_to_another_store_stay_in_the_old_stores_list(db, admin, make_employee):
    """The manager must still see (and transfer) them although the guide is no longer a colleague."""
    login_name, guide_id = make_employee("guide", "HZ01", "调店导购")
    admin_login = db.connect_as("admin")
    position = scalar(admin, "SELECT position_id FROM yiwei.employee WHERE id = %s", (guide_id,))
    customer, _phone = create_customer(db.connect_as(login_name), "HZ01")
    with admin_login.cursor() as cur:
        cur.execute("SELECT yiwei.update_employee(%s, %s, '调店导购', %s, %s, NULL, NULL, '')",
                    (guide_id, scalar(admin, "SELECT version FROM yiwei.employee WHERE id = %s", (guide_id,)),
                     position, store_id(admin, "HZ02")))
    manager = db.connect_as("hz01.manager")
    assert rows(manager, "SELECT guide_name FROM yiwei.customer_list WHERE id = %s", (customer,)) == [("调店导购",)]
    assert scalar(manager, "SELECT yiwei.transfer_customers(%s, %s, '导购调店')",
                  ([customer], employee_id(admin, "hz01.guide1"))) == 1


# -- phones --------------------------------------------------------------------------------------

@pytest.mark.parametrize("login", ["hz01.guide1", "hz01.guide2", "hz01.designer"])
def test_no_full_phone_without_permission(db, scene, login):
    conn = db.connect_as(login)
    assert rows(conn, "SELECT * FROM yiwei.phone_book") == []
    for view in ("customer_list", "customer_contact_list", "channel_lead_list"):
        phones = [r[0] for r in rows(conn, f"SELECT phone FROM yiwei.{view}")]
        assert not [p for p in phones if FULL_PHONE.match(p)], view


def test_guide_sees_masked_form_of_own_customer_and_contact(db, scene):
    guide = db.connect_as("hz01.guide2")
    assert scalar(guide, "SELECT phone FROM yiwei.customer_list WHERE id = %s", (scene.hz01_guide2,)) == masked(
        scene.phones["hz01.guide2"])
    assert scalar(guide, "SELECT phone FROM yiwei.customer_contact_list WHERE customer_id = %s",
                  (scene.hz01_guide2,)) == masked(scene.contact_phone)


def test_guide_sees_masked_phone_of_own_lead(db, admin):
    guide = db.connect_as("hz01.guide1")
    phone = new_mobile()
    lead = report_lead(guide, "HZ01", make_channel(db.connect_as("admin")), phone=phone)
    assert scalar(guide, "SELECT phone FROM yiwei.channel_lead_list WHERE id = %s", (lead,)) == masked(phone)


def test_manager_sees_full_phones_of_own_store_only(db, admin, scene):
    manager = db.connect_as("hz01.manager")
    assert dict(rows(manager, "SELECT id, phone FROM yiwei.customer_list WHERE id = ANY (%s)", (list(scene.all),))) == {
        scene.hz01_guide1: scene.phones["hz01.guide1"], scene.hz01_guide2: scene.phones["hz01.guide2"]}
    assert scalar(manager, "SELECT phone FROM yiwei.customer_contact_list WHERE customer_id = %s",
                  (scene.hz01_guide2,)) == scene.contact_phone
    assert {r[0] for r in rows(manager, "SELECT DISTINCT store_id FROM yiwei.phone_book")} == {store_id(admin, "HZ01")}
    assert rows(manager, "SELECT * FROM yiwei.phone_book WHERE phone = %s", (scene.phones["hz02.guide1"],)) == []


def test_full_phones_stay_out_of_customer_rows_and_the_audit_trail(db, admin, scene):
    assert rows(admin, """SELECT tgname FROM pg_trigger WHERE tgrelid = 'yiwei.phone_book'::regclass
                           AND NOT tgisinternal""") == []
    for table in ("customer", "customer_contact", "channel_lead"):
        assert scalar(admin, f"SELECT count(*) FROM yiwei.{table} WHERE phone_masked !~ '[*]' AND phone_masked <> ''") == 0
    for phone in (*scene.phones.values(), scene.contact_phone):
        assert scalar(admin, "SELECT count(*) FROM yiwei.audit_log WHERE concat(old_row::text, new_row::text) LIKE %s",
                      (f"%{phone[3:]}%",)) == 0


@pytest.mark.parametrize("call", [
    "SELECT yiwei.customer_with_phone('13800000000', NULL)",
    "SELECT yiwei.check_customer_phone_free('13800000000', NULL, '手机')",
    "SELECT * FROM yiwei.lead_collisions(NULL, '13800000000', NULL)",
    "SELECT yiwei.customer_evidence(c) FROM yiwei.customer c",
    "SELECT yiwei.lead_evidence(l) FROM yiwei.channel_lead l",
    "SELECT yiwei.lock_household('13800000000', NULL)",
    "SELECT yiwei.customer_for_change(1, NULL)",
    "SELECT yiwei.sync_customer_people(1)",
    "SELECT yiwei.replace_customer_contacts(1, '[]')",
    "SELECT yiwei.check_store_staff(1, 1, 'customers.customer', '导购')",
    "SELECT yiwei.lead_for_audit(1, 1)",
    "SELECT yiwei.tg_customer_signed()",
])
def test_internal_customer_functions_are_not_callable(db, call):
    with refused(DENIED, "0A000"), db.connect_as("hz01.guide1").cursor() as cur:
        cur.execute(call)


def test_phone_search_is_no_oracle_outside_scope(db, scene):
    guide = db.connect_as("hz01.guide1")
    other_phone = scene.phones["hz01.guide2"]
    assert scalar(guide, "SELECT yiwei.find_customers_by_phone(%s)", (other_phone,)) == []
    assert scalar(guide, "SELECT yiwei.find_customers_by_phone(%s)", (scene.contact_phone,)) == []
    assert scalar(guide, "SELECT yiwei.find_customers_by_phone(%s)", (scene.phones["hz01.guide1"],)) == [scene.hz01_guide1]
    with refusal(NOT_FOUND) as refusal_, guide.cursor() as cur:
        cur.execute("SELECT * FROM yiwei.customer_duplicates(%s)", (scene.hz01_guide2,))
    text = f"{refusal_.message} {refusal_.detail or ''}"
    assert other_phone not in text and other_phone[-4:] not in text and "hz01.guide2" not in text


def test_duplicate_search_lists_only_customers_in_scope(db, scene):
    """guide1 records a customer at guide2's address: the duplicate check says nothing about guide2's."""
    guide1 = db.connect_as("hz01.guide1")
    guide2_customer = rows(db.connect_as("hz01.manager"),
                           "SELECT community, building, unit, room FROM yiwei.customer WHERE id = %s",
                           (scene.hz01_guide2,))[0]
    mine, _phone = create_customer(guide1, "HZ01", community=guide2_customer[0], building=guide2_customer[1],
                                   unit=guide2_customer[2], room=guide2_customer[3])
    assert rows(guide1, "SELECT id FROM yiwei.customer_duplicates(%s)", (mine,)) == []
    manager = db.connect_as("hz01.manager")
    assert [r[0] for r in rows(manager, "SELECT id FROM yiwei.customer_duplicates(%s)", (mine,))] == [scene.hz01_guide2]


# -- writing around the checked functions ---------------------------------------------------------

@pytest.mark.parametrize("statement", [
    "INSERT INTO yiwei.customer (number, store_id, guide_id, name) VALUES ('KH-X', 1, 1, '黑客')",
    "UPDATE yiwei.customer SET note = 'x'",
    "UPDATE yiwei.customer SET guide_id = yiwei.current_employee_id()",
    "DELETE FROM yiwei.customer",
    "INSERT INTO yiwei.customer_contact (customer_id, store_id, guide_id, name) VALUES (1, 1, 1, 'x')",
    "DELETE FROM yiwei.customer_followup",
    "UPDATE yiwei.designer_task SET status = 'done', done_at = now()",
    "INSERT INTO yiwei.phone_book (subject, ref_id, store_id, phone) VALUES ('customer', 1, 1, '13800000000')",
    "UPDATE yiwei.phone_book SET owner_id = yiwei.current_employee_id()",
    "DELETE FROM yiwei.phone_book",
    "INSERT INTO yiwei.channel_lead (number, store_id, channel_id, reported_by, customer_name, phone_masked)"
    " VALUES ('BB-X', 1, 1, 1, 'x', 'x')",
    "UPDATE yiwei.channel_lead SET status = 'approved'",
    "DELETE FROM yiwei.channel_lead",
    "INSERT INTO yiwei.lead_conflict (lead_id, store_id, reported_by, kind, other_lead_id, evidence)"
    " VALUES (1, 1, 1, 'lead_phone', 1, '{}')",
    "DELETE FROM yiwei.lead_conflict",
    "UPDATE yiwei.visit SET customer_id = 1",
])
def test_guide_cannot_write_customer_tables_directly(db, statement):
    with refused(DENIED), db.connect_as("hz01.guide1").cursor() as cur:
        cur.execute(statement)


def test_guide_cannot_save_colleagues_customer(db, scene):
    guide = db.connect_as("hz01.guide1")
    with refusal(NOT_FOUND), guide.cursor() as cur:
        cur.execute("SELECT yiwei.save_customer(%s, NULL, %s)", (scene.hz01_guide2, Json({"name": "抢来的客户"})))
    with refusal(NOT_FOUND), guide.cursor() as cur:
        cur.execute("SELECT yiwei.add_followup(%s, 'call', '偷偷跟进', NULL)", (scene.hz01_guide2,))


@pytest.mark.parametrize("call", [
    ("SELECT yiwei.save_customer(%(id)s, NULL, '{\"name\": \"抢来的客户\"}')"),
    ("SELECT yiwei.add_followup(%(id)s, 'call', '偷偷跟进', NULL)"),
    ("SELECT * FROM yiwei.customer_duplicates(%(id)s)"),
    ("SELECT yiwei.link_visit((SELECT min(id) FROM yiwei.visit), %(id)s)"),
])
def test_guide_cannot_reach_colleagues_customer_without_designer(db, admin, call):
    """A customer with no designer yet: the scope check must not treat "no designer" as "maybe me"."""
    customer, _phone = create_customer(db.connect_as("hz01.guide2"), "HZ01")
    guide = db.connect_as("hz01.guide1")
    before = scalar(admin, "SELECT version FROM yiwei.customer WHERE id = %s", (customer,))
    with refusal(NOT_FOUND), guide.cursor() as cur:
        cur.execute(call, {"id": customer})
    assert scalar(admin, "SELECT version FROM yiwei.customer WHERE id = %s", (customer,)) == before
    assert scalar(admin, "SELECT count(*) FROM yiwei.customer_followup WHERE customer_id = %s", (customer,)) == 0


def test_save_customer_ignores_a_new_guide(db, admin):
    guide = db.connect_as("hz01.guide1")
    customer, _phone = create_customer(guide, "HZ01")
    save_customer(guide, {"name": "改了名字", "guide_id": employee_id(admin, "hz01.guide2"), "room": "101",
                          "community": "测试小区"}, customer, customer_version(guide, customer))
    assert rows(admin, "SELECT name, guide_id FROM yiwei.customer WHERE id = %s", (customer,)) == [
        ("改了名字", employee_id(admin, "hz01.guide1"))]


def test_guide_cannot_take_colleagues_customer_by_transfer(db, admin, scene):
    guide = db.connect_as("hz01.guide1")
    with refusal(FORBIDDEN), guide.cursor() as cur:
        cur.execute("SELECT yiwei.transfer_customers(%s, %s, '我来跟')",
                    ([scene.hz01_guide2], employee_id(admin, "hz01.guide1")))
    assert scalar(admin, "SELECT guide_id FROM yiwei.customer WHERE id = %s", (scene.hz01_guide2,)) == employee_id(
        admin, "hz01.guide2")


def test_guide_cannot_create_customer_for_another_guide(db, admin):
    guide = db.connect_as("hz01.guide1")
    before = scalar(admin, "SELECT count(*) FROM yiwei.customer")
    with refusal(FORBIDDEN, "导购"), guide.cursor() as cur:
        cur.execute("SELECT yiwei.save_customer(NULL, NULL, %s)",
                    (Json({"store_id": store_id(admin, "HZ01"), "guide_id": employee_id(admin, "hz01.guide2"),
                           "name": "替别人建", "phone": new_mobile()}),))
    assert scalar(admin, "SELECT count(*) FROM yiwei.customer") == before


def test_guide_cannot_create_customer_in_another_store(db, admin):
    guide = db.connect_as("hz01.guide1")
    with refusal(INVALID, "导购"), guide.cursor() as cur:
        cur.execute("SELECT yiwei.save_customer(NULL, NULL, %s)",
                    (Json({"store_id": store_id(admin, "GZ01"), "name": "外店客户", "phone": new_mobile()}),))


def test_manager_cannot_transfer_to_guide_of_another_store(db, admin, scene):
    manager = db.connect_as("hz01.manager")
    with refusal(INVALID, "接手导购"), manager.cursor() as cur:
        cur.execute("SELECT yiwei.transfer_customers(%s, %s, '调店')",
                    ([scene.hz01_guide1], employee_id(admin, "hz02.guide1")))
    with refusal(NOT_FOUND), manager.cursor() as cur:
        cur.execute("SELECT yiwei.transfer_customers(%s, %s, '抢外店客户')",
                    ([scene.hz02_guide1], employee_id(admin, "hz01.guide1")))
    assert scalar(admin, "SELECT guide_id FROM yiwei.customer WHERE id = %s", (scene.hz01_guide1,)) == employee_id(
        admin, "hz01.guide1")


def test_transfer_moves_the_household_and_is_audited(db, admin):
    guide1 = db.connect_as("hz01.guide1")
    customer, phone = create_customer(guide1, "HZ01")
    followup = add_followup(guide1, customer)
    manager = db.connect_as("hz01.manager")
    guide2_id = employee_id(admin, "hz01.guide2")
    assert scalar(manager, "SELECT yiwei.transfer_customers(%s, %s, '导购离职交接')", ([customer], guide2_id)) == 1
    assert visible(guide1, "customer", [customer]) == set()
    guide2 = db.connect_as("hz01.guide2")
    assert visible(guide2, "customer_list", [customer]) == {customer}
    assert visible(guide2, "customer_followup_list", [followup]) == {followup}
    assert scalar(admin, "SELECT owner_id FROM yiwei.phone_book WHERE subject = 'customer' AND ref_id = %s",
                  (customer,)) == guide2_id
    events = rows(admin, """SELECT actor, new_row ->> 'reason', (new_row ->> 'to_guide')::bigint FROM yiwei.audit_log
                             WHERE table_name = 'customer' AND row_key = %s AND action = 'EVENT'
                               AND new_row ->> 'event' = 'transfer'""", (str(customer),))
    assert events == [(db.profile.role_for("hz01.manager"), "导购离职交接", guide2_id)]
    assert phone not in str(events)


def test_transfer_needs_a_reason(db, admin):
    customer, _phone = create_customer(db.connect_as("hz01.guide1"), "HZ01")
    with refusal(INVALID, "转移原因"), db.connect_as("hz01.manager").cursor() as cur:
        cur.execute("SELECT yiwei.transfer_customers(%s, %s, '  ')", ([customer], employee_id(admin, "hz01.guide2")))


def test_designer_plans_only_own_tasks_and_cannot_close_anothers(db, admin, scene):
    designer = db.connect_as("hz01.designer")
    with refusal(NOT_FOUND), designer.cursor() as cur:  # hz01.guide1's customer is not assigned to the designer
        cur.execute("SELECT yiwei.save_designer_task(NULL, NULL, %s)",
                    (Json({"customer_id": scene.hz01_guide1, "designer_id": employee_id(admin, "hz01.designer"),
                           "kind": "measure", "due_on": "2999-01-01"}),))
    guide = db.connect_as("hz01.guide2")
    with refusal(FORBIDDEN), guide.cursor() as cur:  # a guide has no designer tasks function
        cur.execute("SELECT yiwei.close_designer_task(%s, 1, true, '')", (scene.task,))


# -- audit ---------------------------------------------------------------------------------------

def test_each_step_is_audited_under_the_real_login(db, admin):
    guide, manager, designer = (db.connect_as(login) for login in ("hz01.guide1", "hz01.manager", "hz01.designer"))
    customer, _phone = create_customer(guide, "HZ01")
    followup = add_followup(guide, customer)
    task = plan_task(manager, customer, "hz01.designer")
    with designer.cursor() as cur:
        cur.execute("SELECT yiwei.close_designer_task(%s, %s, true, '已量尺')",
                    (task, scalar(designer, "SELECT version FROM yiwei.designer_task WHERE id = %s", (task,))))

    def actors(table, key, action):
        return {r[0] for r in rows(admin, "SELECT actor FROM yiwei.audit_log WHERE table_name = %s AND row_key = %s"
                                          " AND action = %s", (table, str(key), action))}

    role = db.profile.role_for
    assert actors("customer", customer, "INSERT") == {role("hz01.guide1")}
    assert actors("customer_followup", followup, "INSERT") == {role("hz01.guide1")}
    assert actors("designer_task", task, "INSERT") == {role("hz01.manager")}
    assert role("hz01.designer") in actors("designer_task", task, "UPDATE")
    # the customer's designer was set by the manager's planning, its stage by the designer's measuring
    assert {role("hz01.manager"), role("hz01.designer")} <= actors("customer", customer, "UPDATE")


# -- merge ---------------------------------------------------------------------------------------

def test_merge_keeps_the_duplicates_history(db, admin):
    guide = db.connect_as("hz01.guide1")
    keep, _ = create_customer(guide, "HZ01", name="王先生")
    duplicate, duplicate_phone = create_customer(guide, "HZ01", name="王太太")
    save_customer(guide, {"name": "王太太", "community": "测试小区", "room": "101", "note": "喜欢原木色",
                          "contacts": [{"name": "王母", "relation": "母亲", "phone": new_mobile()}]},
                  duplicate, customer_version(guide, duplicate))
    followup = add_followup(guide, duplicate)
    visit = scalar(guide, "INSERT INTO yiwei.visit (store_id, guide_id, visited_at, party_size) VALUES (%s, %s, now(), 2)"
                          " RETURNING id", (store_id(admin, "HZ01"), employee_id(admin, "hz01.guide1")))
    with guide.cursor() as cur:
        cur.execute("SELECT yiwei.link_visit(%s, %s)", (visit, duplicate))
    with refusal(FORBIDDEN), guide.cursor() as cur:  # merging needs customers.customer.merge
        cur.execute("SELECT yiwei.merge_customers(%s, %s, '重复建档')", (keep, duplicate))

    manager = db.connect_as("hz01.manager")
    with manager.cursor() as cur:
        cur.execute("SELECT yiwei.merge_customers(%s, %s, '夫妻分别建档')", (keep, duplicate))
    assert rows(admin, "SELECT status, merged_into FROM yiwei.customer WHERE id = %s", (duplicate,)) == [("merged", keep)]
    assert scalar(admin, "SELECT customer_id FROM yiwei.customer_followup WHERE id = %s", (followup,)) == keep
    assert scalar(admin, "SELECT customer_id FROM yiwei.visit WHERE id = %s", (visit,)) == keep
    contacts = rows(manager, "SELECT name, phone FROM yiwei.customer_contact_list WHERE customer_id = %s ORDER BY id", (keep,))
    assert [c[0] for c in contacts] == ["王母", "王太太"]
    assert contacts[1][1] == duplicate_phone  # the duplicate's own phone is now a contact of the household
    assert scalar(admin, "SELECT note FROM yiwei.customer WHERE id = %s", (keep,)) == "喜欢原木色"
    assert scalar(guide, "SELECT yiwei.find_customers_by_phone(%s)", (duplicate_phone,)) == [keep]
    with refusal("YW409"), guide.cursor() as cur:  # the merged record takes no more changes
        cur.execute("SELECT yiwei.add_followup(%s, 'call', '还在跟', NULL)", (duplicate,))
    assert rows(admin, """SELECT actor, new_row ->> 'reason' FROM yiwei.audit_log WHERE table_name = 'customer'
                           AND row_key = %s AND new_row ->> 'event' = 'merge'""", (str(keep),)) == [
        (db.profile.role_for("hz01.manager"), "夫妻分别建档")]


def test_merge_moves_the_channel_lead_to_the_kept_record(db, admin):
    desk, auditor = db.connect_as("hq.channeldesk"), db.connect_as("hq.channel")
    phone = new_mobile()
    lead = report_lead(desk, "HZ01", make_channel(db.connect_as("admin")), phone=phone)
    approve(auditor, admin, lead)
    manager = db.connect_as("hz01.manager")
    duplicate = scalar(manager, "SELECT yiwei.customer_from_lead(%s, %s)", (lead, employee_id(admin, "hz01.guide1")))
    keep, _ = create_customer(db.connect_as("hz01.guide1"), "HZ01")
    with manager.cursor() as cur:
        cur.execute("SELECT yiwei.merge_customers(%s, %s, '同一户')", (keep, duplicate))
    assert scalar(admin, "SELECT lead_id FROM yiwei.customer WHERE id = %s", (keep,)) == lead
    assert scalar(admin, "SELECT customer_id FROM yiwei.channel_lead WHERE id = %s", (lead,)) == keep


def test_manager_cannot_merge_across_stores(db, scene):
    with refusal(NOT_FOUND), db.connect_as("hz01.manager").cursor() as cur:
        cur.execute("SELECT yiwei.merge_customers(%s, %s, '跨店合并')", (scene.hz01_guide1, scene.hz02_guide1))
