"""客户流量管理 driven as a guide and a store manager: entry at the reception, editing, conflicts."""

from __future__ import annotations

import datetime as dt

import pytest

from client.customers.visits import VisitsScreen, load_visit, save_visit
from client.db.errors import UserFacingError


def rows(db, sql, params=()):
    conn = db.admin()
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def test_guide_enters_a_walk_in_visit(make_ctx, wait_idle, qtbot, db):
    ctx = make_ctx("hz01.guide2")
    screen = VisitsScreen(ctx)
    qtbot.addWidget(screen)
    wait_idle(ctx)
    form = screen.new_visit()
    wait_idle(ctx)
    # a guide may only receive visitors themself, in their own store
    guide_field = form.widget("guide_id")
    assert [guide_field.itemData(i) for i in range(guide_field.count()) if guide_field.itemData(i)] == [ctx.session.employee_id]
    form.set_values({"store_id": form.widget("store_id").itemData(form.widget("store_id").count() - 1),
                     "source_id": form.widget("source_id").itemData(1),
                     "visit_time": "25:99", "community": "绿城桂花城", "note": "三口之家，看全屋定制"})
    form.submit()
    assert "时间格式" in form.error_text("visit_time") and form.result is None
    form.set_values({"visit_time": "10:15", "party_size": 3, "intent": "high"})
    form.submit()
    qtbot.waitUntil(lambda: form.result is not None, timeout=10000)
    saved = rows(db, "SELECT v.party_size, v.intent, v.community, v.created_by, to_char(v.visited_at AT TIME ZONE"
                     " 'Asia/Shanghai', 'HH24:MI') FROM yiwei.visit v WHERE id = %s", (form.result,))
    assert saved == [(3, "high", "绿城桂花城", db.profile.role_for("hz01.guide2"), "10:15")]


def test_stale_edit_names_who_changed_the_visit(db, make_ctx):
    manager, guide = make_ctx("hz01.manager"), make_ctx("hz01.guide1")
    visit_id = rows(db, "SELECT max(v.id) FROM yiwei.visit v JOIN yiwei.employee e ON e.id = v.guide_id"
                        " WHERE e.login = 'hz01.guide1'")[0][0]
    with guide.session.engine.begin() as conn:
        mine = load_visit(conn, visit_id)
    with manager.session.engine.begin() as conn:
        theirs = load_visit(conn, visit_id)
        save_visit(conn, {**theirs, "note": "店长补充：周六复访"})
    with pytest.raises(UserFacingError) as info, guide.session.engine.begin() as conn:
        save_visit(conn, {**mine, "note": "导购的备注"})
    assert info.value.kind == "conflict"
    assert manager.session.full_name in info.value.message
    assert rows(db, "SELECT note FROM yiwei.visit WHERE id = %s", (visit_id,)) == [("店长补充：周六复访",)]


def test_guide_cannot_load_a_colleagues_visit(db, make_ctx):
    guide = make_ctx("hz01.guide1")
    other = rows(db, "SELECT max(v.id) FROM yiwei.visit v JOIN yiwei.employee e ON e.id = v.guide_id"
                     " WHERE e.login = 'hz01.guide2'")[0][0]
    with pytest.raises(UserFacingError, match="不在您的数据范围内"), guide.session.engine.begin() as conn:
        load_visit(conn, other)


def test_visit_time_is_stored_in_company_time(db, make_ctx):
    ctx = make_ctx("hz01.manager")
    with ctx.session.engine.begin() as conn:
        store = conn.exec_driver_sql("SELECT id FROM yiwei.store WHERE code = 'HZ01'").scalar()
        source = conn.exec_driver_sql("SELECT id FROM yiwei.customer_source WHERE name = '自然进店'").scalar()
        new_id = save_visit(conn, {"store_id": store, "guide_id": ctx.session.employee_id, "visit_date": dt.date(2026, 11, 1),
                                   "visit_time": "09:05", "party_size": 2, "source_id": source, "intent": "low",
                                   "community": "", "renovation_stage": "", "note": ""})
    stamp = rows(db, "SELECT visited_at AT TIME ZONE 'UTC' FROM yiwei.visit WHERE id = %s", (new_id,))[0][0]
    assert stamp == dt.datetime(2026, 11, 1, 1, 5)


# --- a visit becomes a customer, or a known customer's return; daily traffic -------------------------

def test_guide_links_a_visit_to_an_existing_customer(db, qtbot, make_ctx):
    from tests.customers.test_customers import (
        create_customer,
        insert_visit,
        open_dialog,
        open_screen,
        search,
        select_key,
        unique_name,
        unique_phone,
    )

    phone, name = unique_phone(), unique_name("郑")
    customer = create_customer(db, "hz01.guide1", name=name, phone=phone)
    note = unique_name("复访")
    visit = insert_visit(db, "hz01.guide1", note)
    _ctx, screen = open_screen(qtbot, make_ctx, "hz01.guide1", VisitsScreen)
    search(qtbot, screen, note)
    select_key(qtbot, screen.list, visit)
    picker = open_dialog(qtbot, screen, "link")
    with qtbot.waitSignal(picker.results_loaded, timeout=10000):
        picker.set_search(phone)   # the whole number finds the customer although the guide sees it masked
    assert [r["id"] for r in picker.results()] == [customer]
    picker.accept_current()
    qtbot.waitUntil(lambda: "已关联" in screen.status.text(), timeout=10000)
    assert rows(db, "SELECT customer_id FROM yiwei.visit WHERE id = %s", (visit,)) == [(customer,)]
    shown = search(qtbot, screen, note)
    assert shown[0]["customer"] == name

    # a visit that has its customer is not converted or linked again
    select_key(qtbot, screen.list, visit)
    screen.actions_by_name["convert"].trigger()
    qtbot.waitUntil(lambda: "已是客户" in screen.status.text(), timeout=10000)


def test_daily_traffic_totals_equal_the_visits_counted_in_sql(db, qtbot, make_ctx):
    from client.customers.visits import VisitDailyScreen
    from client.lists.query import DateRange
    from tests.customers.test_customers import (
        insert_visit,
        list_rows,
        open_screen,
        unique_name,
        wait_list,
    )

    insert_visit(db, "hz01.guide2", unique_name("日报"), party_size=3)
    ctx, screen = open_screen(qtbot, make_ctx, "hz01.manager", VisitDailyScreen)
    today = dt.date.today()
    query = screen.list.current_query()
    assert query.filters["day"] == DateRange(today.replace(day=1), today)

    def expected(start, end):
        return rows(db, "SELECT count(*), coalesce(sum(party_size), 0), count(*) FILTER (WHERE intent = 'high'),"
                        "       count(customer_id)"
                        "  FROM yiwei.visit v JOIN yiwei.store s ON s.id = v.store_id"
                        " WHERE s.code = 'HZ01'"
                        "   AND (v.visited_at AT TIME ZONE yiwei.company_timezone())::date BETWEEN %s AND %s",
                    (start, end))[0]

    def shown():
        totals = screen.list.totals
        return tuple(int(totals[key]) for key in ("visits", "people", "high_intent", "converted"))

    assert shown() == expected(today.replace(day=1), today)
    assert shown()[0] > 0
    # per guide and day: every row of today adds up to what the guides received today
    screen.list.set_filter("day", DateRange(today, today))
    wait_list(qtbot, screen.list)
    assert shown() == expected(today, today)
    assert sum(r["visits"] for r in list_rows(screen.list)) == expected(today, today)[0]
    # a guide's report holds only their own visits
    _ctx, guide = open_screen(qtbot, make_ctx, "hz01.guide2", VisitDailyScreen)
    assert {r["guide"] for r in list_rows(guide.list)} == {guide.ctx.session.full_name}
