"""客户管理 driven through its window as real logins: a walk-in becomes a customer, phones are masked
for guides and found by the whole number anyway, guides see only their own customers, the
database's refusals land beside the fields, a manager transfers and merges, exports stay masked."""

from __future__ import annotations

import json
import secrets

import openpyxl
import pytest

from client.customers.customers import CustomersScreen
from client.customers.visits import VisitsScreen

# --- helpers (also used by test_visits.py) -------------------------------------------------------

def unique_phone() -> str:
    return "139" + "".join(secrets.choice("0123456789") for _ in range(8))


def masked(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


def unique_name(prefix: str = "测") -> str:
    return prefix + "".join(secrets.choice("甲乙丙丁戊己庚辛壬癸") for _ in range(4))


def admin_rows(db, query: str, params=()):
    conn = db.admin()
    try:
        with conn.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall()
    finally:
        conn.rollback()
        conn.close()


def store_id(db, code: str = "HZ01") -> int:
    return admin_rows(db, "SELECT id FROM yiwei.store WHERE code = %s", (code,))[0][0]


def employee_id(db, login: str) -> int:
    return admin_rows(db, "SELECT id FROM yiwei.employee WHERE login = %s", (login,))[0][0]


def create_customer(db, login: str, **values) -> int:
    """A customer created as ``login`` through the checked function (its own guide)."""
    conn = db.connect_as(login)
    payload = {"store_id": store_id(db), "name": unique_name(), "phone": unique_phone(), **values}
    with conn.cursor() as cur:
        cur.execute("SELECT yiwei.save_customer(NULL, NULL, %s::jsonb)", (json.dumps(payload, ensure_ascii=False),))
        return cur.fetchone()[0]


def insert_visit(db, guide_login: str, note: str, community: str = "绿城桂花城", party_size: int = 2) -> int:
    """A walk-in visit received by ``guide_login`` in HZ01 this minute (the desk enters minutes)."""
    conn = db.admin()
    try:
        with conn.cursor() as cur:
            cur.execute("INSERT INTO yiwei.visit (store_id, guide_id, visited_at, party_size, intent, community, note,"
                        " source_id) SELECT %s, %s, date_trunc('minute', now()), %s, 'high', %s, %s, id"
                        "  FROM yiwei.customer_source"
                        " WHERE name = '自然进店' RETURNING id",
                        (store_id(db), employee_id(db, guide_login), party_size, community, note))
            visit_id = cur.fetchone()[0]
        conn.commit()
        return visit_id
    finally:
        conn.close()


def wait_list(qtbot, window, timeout: int = 20000) -> None:
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=timeout)


def list_rows(window) -> list[dict]:
    """The rows a list window shows, by column key."""
    keys = [c.key for c in window.spec.columns]
    return [dict(zip(keys, window.model.row_values(row))) for row in range(window.model.rowCount())]


def open_screen(qtbot, make_ctx, login: str, screen_class=CustomersScreen):
    ctx = make_ctx(login)
    screen = screen_class(ctx)
    qtbot.addWidget(screen)
    wait_list(qtbot, screen.list)
    return ctx, screen


def search(qtbot, screen, text: str) -> list[dict]:
    screen.list.set_search(text)
    wait_list(qtbot, screen.list)
    return list_rows(screen.list)


def select_key(qtbot, window, key) -> None:
    qtbot.waitUntil(lambda: window.model.row_of_key(key) >= 0, timeout=10000)
    window.view.selectRow(window.model.row_of_key(key))


def open_dialog(qtbot, screen, action: str):
    screen.dialog = None
    screen.actions_by_name[action].trigger()
    qtbot.waitUntil(lambda: screen.dialog is not None and not getattr(screen.dialog, "_loading", False),
                    timeout=10000)
    return screen.dialog


def submit(qtbot, form) -> None:
    form.submit()
    qtbot.waitUntil(lambda: not form.busy, timeout=10000)


# --- tests -------------------------------------------------------------------------------------

def test_guide_converts_a_walk_in_and_finds_the_customer_by_phone(db, qtbot, make_ctx):
    note = unique_name("来访")
    guide_id = employee_id(db, "hz01.guide1")
    visit_id = insert_visit(db, "hz01.guide1", note)

    ctx, visits = open_screen(qtbot, make_ctx, "hz01.guide1", VisitsScreen)
    assert search(qtbot, visits, note)[0]["customer"] is None
    select_key(qtbot, visits.list, visit_id)
    form = open_dialog(qtbot, visits, "convert")
    assert form.values()["community"] == "绿城桂花城"
    assert form.widget("source_id").currentText() == "自然进店"
    phone, name = unique_phone(), unique_name("王")
    form.set_values({"name": name, "phone": phone, "building": "3幢", "unit": "2单元", "room": "1202"})
    submit(qtbot, form)
    assert form.result is not None, form.banner_text()
    wait_list(qtbot, visits.list)
    shown = search(qtbot, visits, note)
    assert shown[0]["customer"] == name and shown[0]["customer_number"].startswith("KH-HZ01-")

    stored = admin_rows(db, "SELECT c.name, c.guide_id, c.stage, c.community, c.room, pb.phone, v.customer_id"
                            "  FROM yiwei.customer c JOIN yiwei.phone_book pb ON pb.subject = 'customer'"
                            "   AND pb.ref_id = c.id JOIN yiwei.visit v ON v.id = %s WHERE c.id = %s",
                        (visit_id, form.result))
    assert stored == [(name, guide_id, "contacted", "绿城桂花城", "1202", phone, form.result)]

    # the guide's customer list: masked phone, yet found by the whole number
    _ctx, customers = open_screen(qtbot, make_ctx, "hz01.guide1")
    found = search(qtbot, customers, phone)
    assert [(r["name"], r["phone"]) for r in found] == [(name, masked(phone))]
    assert search(qtbot, customers, name)[0]["phone"] == masked(phone)
    # the manager (customers.phone_full) sees the number
    _ctx, manager = open_screen(qtbot, make_ctx, "hz01.manager")
    assert [(r["name"], r["phone"]) for r in search(qtbot, manager, phone)] == [(name, phone)]


def test_guide_does_not_see_a_colleagues_customers(db, qtbot, make_ctx):
    phone, name = unique_phone(), unique_name("李")
    create_customer(db, "hz01.guide2", name=name, phone=phone)
    _ctx, screen = open_screen(qtbot, make_ctx, "hz01.guide1")
    assert search(qtbot, screen, name) == []
    assert search(qtbot, screen, phone) == []
    screen.list.set_search("")
    wait_list(qtbot, screen.list)
    assert {r["guide"] for r in list_rows(screen.list)} <= {screen.ctx.session.full_name}
    _ctx, colleague = open_screen(qtbot, make_ctx, "hz01.guide2")
    assert [r["name"] for r in search(qtbot, colleague, phone)] == [name]


def test_duplicate_phone_is_refused_naming_the_other_customer(db, qtbot, make_ctx):
    phone = unique_phone()
    first = create_customer(db, "hz01.guide1", phone=phone)
    number = admin_rows(db, "SELECT number FROM yiwei.customer WHERE id = %s", (first,))[0][0]
    _ctx, screen = open_screen(qtbot, make_ctx, "hz01.guide2")
    form = open_dialog(qtbot, screen, "new")
    # a guide creates their own customers: the guide field is them and cannot be changed
    assert form.values()["guide_id"] == screen.ctx.session.employee_id
    assert not form.fields.is_field_enabled("guide_id")
    name = unique_name("赵")
    form.set_values({"name": name, "phone": phone})
    submit(qtbot, form)
    assert form.result is None
    assert number in form.error_text("phone") and "请勿重复建档" in form.error_text("phone")
    assert admin_rows(db, "SELECT count(*) FROM yiwei.customer WHERE name = %s", (name,)) == [(0,)]


@pytest.mark.parametrize("values, field, message", [
    ({"phone": "12345"}, "phone", "不是有效的手机或固定电话号码"),
    ({"name": ""}, "name", "请填写客户姓名"),
    ({"note": "长" * 1001}, "note", "不能超过 1000 个字符"),
    ({"tags": "全屋定制、这是一个非常非常长的标签"}, "tags", "超过 10 个字"),
])
def test_invalid_values_are_shown_beside_their_field(db, qtbot, make_ctx, values, field, message):
    _ctx, screen = open_screen(qtbot, make_ctx, "hz01.guide1")
    form = open_dialog(qtbot, screen, "new")
    name = unique_name("钱")
    form.set_values({"name": name, "phone": unique_phone(), **values})
    submit(qtbot, form)
    assert form.result is None
    assert message in form.error_text(field)
    assert admin_rows(db, "SELECT count(*) FROM yiwei.customer WHERE name = %s", (name,)) == [(0,)]


def test_guide_creates_a_customer_with_contacts_and_tags(db, qtbot, make_ctx):
    _ctx, screen = open_screen(qtbot, make_ctx, "hz01.guide1")
    form = open_dialog(qtbot, screen, "new")
    name, phone, spouse = unique_name("孙"), unique_phone(), unique_phone()
    designer = employee_id(db, "hz01.designer")
    assert designer in [form.widget("designer_id").itemData(i) for i in range(form.widget("designer_id").count())]
    form.set_values({"name": name, "phone": phone, "community": "万科城一期", "tags": "全屋定制，老人房、全屋定制",
                     "special": True, "note": "只在周末联系", "designer_id": designer})
    form.contacts.add_row({"name": "配偶", "relation": "妻子", "phone": spouse})
    submit(qtbot, form)
    assert form.result is not None, form.banner_text()
    stored = admin_rows(db, "SELECT tags, special, designer_id, (SELECT array_agg(cc.name || ':' || pb.phone)"
                            " FROM yiwei.customer_contact cc JOIN yiwei.phone_book pb ON pb.subject = 'contact'"
                            " AND pb.ref_id = cc.id WHERE cc.customer_id = c.id) FROM yiwei.customer c WHERE id = %s",
                        (form.result,))
    assert stored == [(["全屋定制", "老人房"], True, designer, [f"配偶:{spouse}"])]

    # editing as the guide: the masked phones are kept, the customer is found by the spouse's phone
    assert [r["name"] for r in search(qtbot, screen, spouse)] == [name]
    screen.dialog = None
    screen.list.activated.emit(form.result)
    qtbot.waitUntil(lambda: screen.dialog is not None, timeout=10000)
    edit = screen.dialog
    assert edit.values()["phone"] == masked(phone)
    assert edit.contacts.contacts()[0]["phone"] == masked(spouse)
    edit.set_values({"room": "801"})
    submit(qtbot, edit)
    assert edit.result == form.result, edit.banner_text()
    assert admin_rows(db, "SELECT c.room, pb.phone FROM yiwei.customer c JOIN yiwei.phone_book pb"
                          " ON pb.subject = 'customer' AND pb.ref_id = c.id WHERE c.id = %s",
                      (form.result,)) == [("801", phone)]


def test_manager_transfers_a_customer_to_another_guide(db, qtbot, make_ctx):
    phone, name = unique_phone(), unique_name("周")
    customer = create_customer(db, "hz01.guide1", name=name, phone=phone)
    _ctx, manager = open_screen(qtbot, make_ctx, "hz01.manager")
    search(qtbot, manager, phone)
    select_key(qtbot, manager.list, customer)
    form = open_dialog(qtbot, manager, "transfer")
    guide2 = employee_id(db, "hz01.guide2")
    form.set_values({"guide_id": guide2})
    submit(qtbot, form)
    assert form.result is None and "请填写转移原因" in form.error_text("reason")
    form.set_values({"reason": "导购离职"})
    submit(qtbot, form)
    assert form.result == 1, form.banner_text()
    assert admin_rows(db, "SELECT guide_id FROM yiwei.customer WHERE id = %s", (customer,)) == [(guide2,)]

    _ctx, guide1 = open_screen(qtbot, make_ctx, "hz01.guide1")
    assert search(qtbot, guide1, phone) == []
    _ctx, guide2_screen = open_screen(qtbot, make_ctx, "hz01.guide2")
    assert [r["name"] for r in search(qtbot, guide2_screen, phone)] == [name]


def test_guide_has_no_transfer_or_merge(qtbot, make_ctx):
    _ctx, screen = open_screen(qtbot, make_ctx, "hz01.guide1")
    assert "transfer" not in screen.actions_by_name and "merge" not in screen.actions_by_name


def test_manager_merges_two_duplicates(db, qtbot, make_ctx, monkeypatch):
    name = unique_name("吴")
    room = str(secrets.randbelow(9000) + 1000)
    address = {"community": "龙湖天街花园", "building": "5幢", "unit": "1单元", "room": room}
    keep = create_customer(db, "hz01.guide1", name=name, tags=["全屋定制"], **address)
    duplicate_phone = unique_phone()
    duplicate = create_customer(db, "hz01.guide1", name=name + "先生", phone=duplicate_phone, tags=["急装"], **address)
    guide = db.connect_as("hz01.guide1")
    with guide.cursor() as cur:
        cur.execute("SELECT yiwei.add_followup(%s, 'call', '约周六到店', NULL)", (duplicate,))
        followup = cur.fetchone()[0]

    _ctx, manager = open_screen(qtbot, make_ctx, "hz01.manager")
    search(qtbot, manager, name)
    select_key(qtbot, manager.list, keep)
    monkeypatch.setattr("client.ui.forms.ask", lambda *args, **kwargs: True)  # "确定合并？" answered yes
    form = open_dialog(qtbot, manager, "merge")
    choices = [form.widget("duplicate_id").itemData(i) for i in range(form.widget("duplicate_id").count())]
    assert duplicate in choices
    form.set_values({"duplicate_id": duplicate, "keep": "current", "reason": "同一套房子重复建档"})
    submit(qtbot, form)
    assert form.result == keep, form.banner_text()

    assert admin_rows(db, "SELECT status, merged_into FROM yiwei.customer WHERE id = %s",
                      (duplicate,)) == [("merged", keep)]
    assert admin_rows(db, "SELECT customer_id FROM yiwei.customer_followup WHERE id = %s", (followup,)) == [(keep,)]
    assert admin_rows(db, "SELECT tags FROM yiwei.customer WHERE id = %s", (keep,)) == [(["全屋定制", "急装"],)]
    # the duplicate's phone is now a household contact of the customer kept
    assert [r["name"] for r in search(qtbot, manager, duplicate_phone)] == [name]
    # the merged record is only shown when asked for, read-only
    manager.list.set_filter("status", "merged")
    assert [r["name"] for r in search(qtbot, manager, name)] == [name + "先生"]
    manager.dialog = None
    manager.list.activated.emit(duplicate)
    qtbot.waitUntil(lambda: manager.dialog is not None, timeout=10000)
    assert manager.dialog.read_only and "已合并" in manager.dialog.windowTitle()
    # and the database refuses to change it anyway
    raw = db.connect_as("hz01.manager")
    with pytest.raises(Exception, match="已合并到"), raw.cursor() as cur:
        cur.execute("SELECT yiwei.save_customer(%s, NULL, %s::jsonb)", (duplicate, json.dumps({"name": "x"})))


def test_guide_export_holds_only_masked_phones(db, qtbot, make_ctx, tmp_path):
    phone = unique_phone()
    create_customer(db, "hz01.guide1", phone=phone)
    _ctx, screen = open_screen(qtbot, make_ctx, "hz01.guide1")
    window = screen.list
    path = tmp_path / "客户.xlsx"
    with qtbot.waitSignal(window.export_finished, timeout=20000) as finished:
        assert window.export_to(path)
    assert finished.args[0].row_count == window.row_count.rows > 0
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[4]]
    phones = [row[header.index("手机")] for row in sheet.iter_rows(min_row=5, values_only=True)
              if row[0] and not str(row[0]).startswith("合计")]
    assert masked(phone) in phones and phone not in phones
    assert phones and all("****" in p for p in phones)


def test_phone_search_as_a_raw_login_finds_nothing_outside_the_scope(db):
    """The lookup behind the quick search is no oracle: a guide asking for a colleague's
    customer's phone gets nothing back."""
    phone = unique_phone()
    create_customer(db, "hz01.guide2", phone=phone)
    conn = db.connect_as("hz01.guide1")
    with conn.cursor() as cur:
        cur.execute("SELECT yiwei.find_customers_by_phone(%s)", (phone,))
        assert cur.fetchone()[0] == []
        cur.execute("SELECT count(*) FROM yiwei.customer_list WHERE phone = %s", (phone,))
        assert cur.fetchone()[0] == 0


def test_a_login_without_customer_rights_learns_nothing_from_the_lookups(db):
    """hz01.warehouse (store scope, no customer function) asks the lookups behind the quick search
    and the merge dialog about a customer of its own store: no ids, no names."""
    phone, name = unique_phone(), unique_name("冯")
    room = str(secrets.randbelow(9000) + 1000)
    customer = create_customer(db, "hz01.guide1", name=name, phone=phone, community="万科城一期", room=room)
    create_customer(db, "hz01.guide1", name=name, community="万科城一期", room=room)
    conn = db.connect_as("hz01.warehouse")
    with conn.cursor() as cur:
        cur.execute("SELECT yiwei.find_customers_by_phone(%s)", (phone,))
        assert cur.fetchone()[0] == []
        with pytest.raises(Exception, match="没有权限"):
            cur.execute("SELECT name FROM yiwei.customer_duplicates(%s)", (customer,))
