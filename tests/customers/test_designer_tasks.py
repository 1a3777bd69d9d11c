"""设计师任务跟踪 driven as real logins: a manager plans, the designer completes, cancelling needs a
reason, overdue tasks per designer, and a designer cannot plan work for somebody else."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QLabel

from client.customers.designer_tasks import SUMMARY_TAB, DesignerTasksScreen
from client.customers.picker import load_customer
from tests.db.customer_data import create_customer, plan_task, token
from tests.db.helpers import employee_id, refused, scalar


def customer_of_guide1(db, **fields):
    name = f"设计{token()}"[:10]
    customer_id, _phone = create_customer(db.connect_as("hz01.guide1"), "HZ01", name=name, **fields)
    return customer_id, name


def open_screen(ctx, qtbot, wait_idle) -> DesignerTasksScreen:
    screen = DesignerTasksScreen(ctx)
    qtbot.addWidget(screen)
    wait_idle(ctx)
    return screen


def task_state(db, task_id) -> tuple:
    conn = db.admin()
    with conn.cursor() as cur:
        cur.execute("SELECT status, result, done_at IS NOT NULL FROM yiwei.designer_task WHERE id = %s", (task_id,))
        return cur.fetchone()


def test_manager_plans_a_task_through_the_picker(db, make_ctx, qtbot, wait_idle):
    customer_id, name = customer_of_guide1(db)
    ctx = make_ctx("hz01.manager")
    screen = open_screen(ctx, qtbot, wait_idle)
    screen.actions_by_name["new"].trigger()
    picker = screen.picker
    picker.set_search(name)
    wait_idle(ctx)
    assert picker.select_customer(customer_id)
    picker.accept_current()
    wait_idle(ctx)
    form = screen.dialog
    designers = form.widget("designer_id")
    designer = employee_id(db.admin(), "hz01.designer")
    offered = [designers.itemData(i) for i in range(designers.count()) if designers.itemData(i)]
    assert designer in offered
    due = screen.today + dt.timedelta(days=5)
    form.set_values({"designer_id": designer, "kind": "measure", "due_on": due, "note": "带激光尺"})
    form.submit()
    wait_idle(ctx)
    assert form.result is not None, form.banner_text()
    conn = db.admin()
    with conn.cursor() as cur:
        cur.execute("SELECT customer_id, designer_id, kind, due_on, note, status FROM yiwei.designer_task WHERE id = %s",
                    (form.result,))
        assert cur.fetchone() == (customer_id, designer, "measure", due, "带激光尺", "open")
    # the first designer planned becomes the customer's designer
    assert scalar(conn, "SELECT designer_id FROM yiwei.customer WHERE id = %s", (customer_id,)) == designer

    # editing an open task
    screen.list.set_search(name)
    wait_idle(ctx)
    assert screen.list.model.row_of_key(form.result) >= 0
    screen.edit_task(form.result)
    wait_idle(ctx)
    edit = screen.dialog
    assert edit is not form and edit.values()["id"] == form.result
    edit.set_values({"kind": "design", "due_on": due + dt.timedelta(days=2)})
    edit.submit()
    wait_idle(ctx)
    assert edit.result == form.result
    assert scalar(conn, "SELECT kind || ' ' || due_on::text FROM yiwei.designer_task WHERE id = %s",
                  (form.result,)) == f"design {(due + dt.timedelta(days=2)).isoformat()}"


def test_designer_completes_a_task(db, make_ctx, qtbot, wait_idle):
    customer_id, name = customer_of_guide1(db)
    task_id = plan_task(db.connect_as("hz01.manager"), customer_id, "hz01.designer", "measure")
    ctx = make_ctx("hz01.designer")
    screen = open_screen(ctx, qtbot, wait_idle)
    screen.list.set_search(name)
    wait_idle(ctx)
    row = screen.list.model.row_of_key(task_id)
    assert row >= 0
    screen.list.view.setCurrentIndex(screen.list.model.index(row, 0))
    screen.actions_by_name["done"].trigger()
    wait_idle(ctx)
    form = screen.dialog
    assert form.save_button.text() == "完成" and name in form.findChild(QLabel, "intro").text()
    form.set_values({"result": "已量尺，厨房 L 型 3.2 米"})
    form.submit()
    wait_idle(ctx)
    assert form.result == task_id, form.banner_text()
    assert task_state(db, task_id) == ("done", "已量尺，厨房 L 型 3.2 米", True)
    assert scalar(db.admin(), "SELECT stage FROM yiwei.customer WHERE id = %s", (customer_id,)) == "measured"
    # the list shows open tasks by default: the completed one is gone
    assert screen.list.filter_widget("status").value() == "open"
    assert screen.list.model.row_of_key(task_id) < 0
    # a closed task cannot be closed again
    screen.close_task(task_id, False)
    wait_idle(ctx)
    assert screen.dialog is form


def test_cancelling_needs_a_reason(db, make_ctx, qtbot, wait_idle):
    customer_id, _name = customer_of_guide1(db)
    task_id = plan_task(db.connect_as("hz01.manager"), customer_id, "hz01.designer", "drawing")
    ctx = make_ctx("hz01.manager")
    screen = open_screen(ctx, qtbot, wait_idle)
    screen.close_task(task_id, False)
    wait_idle(ctx)
    form = screen.dialog
    form.submit()
    assert form.error_text("result") == "请填写取消原因" and form.result is None
    form.set_values({"result": "客户暂缓装修"})
    form.submit()
    wait_idle(ctx)
    assert form.result == task_id
    assert task_state(db, task_id) == ("cancelled", "客户暂缓装修", False)


def test_a_task_past_its_due_date_shows_as_overdue_per_designer(db, make_ctx, qtbot, wait_idle):
    customer_id, name = customer_of_guide1(db)
    task_id = plan_task(db.connect_as("hz01.manager"), customer_id, "hz01.designer", "design")
    admin = db.admin()
    with admin.cursor() as cur:
        cur.execute("UPDATE yiwei.designer_task SET due_on = yiwei.company_today() - 1 WHERE id = %s", (task_id,))
    admin.commit()
    designer = employee_id(admin, "hz01.designer")
    expected = scalar(admin, "SELECT count(*) FROM yiwei.designer_task WHERE designer_id = %s AND status = 'open'"
                             " AND due_on < (now() AT TIME ZONE 'Asia/Shanghai')::date", (designer,))
    assert expected >= 1
    designer_name = scalar(admin, "SELECT full_name FROM yiwei.employee WHERE id = %s", (designer,))

    ctx = make_ctx("hz01.manager")
    screen = open_screen(ctx, qtbot, wait_idle)
    with qtbot.waitSignal(screen.summary_loaded, timeout=10000):
        screen.tabs.setCurrentIndex(SUMMARY_TAB)
    assert screen.summary.overdue_counts()[designer_name] == expected
    # Enter on the designer's line: their overdue tasks, marked
    for i in range(screen.summary.topLevelItemCount()):
        item = screen.summary.topLevelItem(i)
        if item.text(0) == designer_name:
            screen.summary.itemActivated.emit(item, 0)
    wait_idle(ctx)
    assert screen.tabs.currentIndex() == 0
    assert screen.list.filter_widget("designer").value() == designer
    assert screen.list.filter_widget("overdue").value() is True
    screen.list.set_search(name)
    wait_idle(ctx)
    row = screen.list.model.row_of_key(task_id)
    assert row >= 0 and screen.marks.is_marked(row)


def test_designer_cannot_plan_work_for_another_designer(db, make_ctx, qtbot, wait_idle):
    admin = db.admin()
    designer, manager = employee_id(admin, "hz01.designer"), employee_id(admin, "hz01.manager")
    customer_id, _name = customer_of_guide1(db, designer_id=designer)
    # the raw attack
    attacker = db.connect_as("hz01.designer")
    with refused("YW403"):
        scalar(attacker, "SELECT yiwei.save_designer_task(NULL, NULL, %s::jsonb)",
               ('{"customer_id": %d, "designer_id": %d, "kind": "measure", "due_on": "2099-01-01"}'
                % (customer_id, manager),))

    ctx = make_ctx("hz01.designer")
    screen = open_screen(ctx, qtbot, wait_idle)
    with ctx.session.engine.begin() as conn:
        customer = load_customer(conn, customer_id)
    form = screen.open_new_form(customer)
    wait_idle(ctx)
    field = form.widget("designer_id")
    assert [field.itemData(i) for i in range(field.count()) if field.itemData(i)] == [designer]
    assert form.values()["designer_id"] == designer
    # a client that offered someone else is still refused by the database, and says why
    form.set_choices("designer_id", [(designer, "我"), (manager, "店长")])
    form.set_values({"designer_id": manager})
    form.submit()
    wait_idle(ctx)
    assert form.result is None and "只能为自己安排设计任务" in form.banner_text()
    form.set_values({"designer_id": designer})
    form.submit()
    wait_idle(ctx)
    assert form.result is not None
    assert scalar(admin, "SELECT designer_id FROM yiwei.designer_task WHERE id = %s", (form.result,)) == designer


def test_start_items_narrow_the_list(db, make_ctx, qtbot, wait_idle):
    ctx = make_ctx("hz01.designer")
    screen = open_screen(ctx, qtbot, wait_idle)
    screen.show_start_item("tasks_overdue")
    assert screen.list.filter_widget("overdue").value() is True
    assert screen.list.filter_widget("designer").value() == ctx.session.employee_id
    screen.show_start_item("tasks_due_soon")
    assert screen.list.filter_widget("overdue").value() is None
    assert screen.list.filter_widget("status").value() == "open"
