"""The generic record form, driven as a user would against the real database: client checks beside
the field, server validation mapped to its field, optimistic-lock conflicts offering a reload, and a
connection dropped in the middle of a save leaving nothing saved."""

from __future__ import annotations

import datetime
import threading

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from client.system import employee_forms
from client.system.organisation_data import load_organisation
from client.ui.forms import FieldSpec, RecordForm

from .helpers import find_button, loaded, one, type_text


@pytest.fixture
def open_form(show_form):
    return show_form


@pytest.fixture
def edit_form(show_form):
    def edit(ctx, employee_id):
        org, row = loaded(ctx, lambda conn: (load_organisation(conn), employee_forms.load_employee(conn, employee_id)))
        return show_form(employee_forms.edit_employee_form(ctx, org, row))

    return edit


def type_into(qtbot, widget, text):
    type_text(qtbot, widget, text)


def test_client_checks_show_the_message_beside_the_field_and_focus_it(qtbot, make_ctx, open_form):
    ctx = make_ctx("admin")
    calls = []
    form = open_form(RecordForm(ctx, "测试", [
        FieldSpec("name", "名称", required=True, max_length=5),
        FieldSpec("count", "数量", "integer"),
        FieldSpec("note", "备注", "multiline", max_length=10),
    ], save=lambda conn, values: calls.append(values)))

    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.error_text("name") == "请填写名称"
    assert form.focusWidget() is form.widget("name")
    assert form.fields._fields["name"].error.isVisibleTo(form)

    type_into(qtbot, form.widget("name"), "超过五个字的名称")
    assert form.error_text("name") == ""                  # typing clears the message
    type_into(qtbot, form.widget("count"), "12x")
    qtbot.keyClick(form.widget("count"), Qt.Key.Key_Return)   # Enter saves (after checking)
    assert form.error_text("name") == "名称不能超过 5 个字符"
    assert form.error_text("count") == "数量须为整数"
    assert form.focusWidget() is form.widget("name")   # the top-most wrong field
    assert calls == [] and ctx.tasks.running == 0              # nothing went to the database


def test_enter_saves_in_the_background_and_esc_asks_before_discarding(qtbot, make_ctx, wait_idle, answer, open_form):
    ctx = make_ctx("admin")
    seen_threads = []

    def save(conn, values):
        seen_threads.append(threading.current_thread() is threading.main_thread())
        return conn.execute(text("SELECT :n || '!'"), {"n": values["name"]}).scalar_one()

    form = open_form(RecordForm(ctx, "测试", [FieldSpec("name", "名称", required=True)], save=save,
                                       initial={"id": 7, "version": 3, "name": "旧"}))
    assert form.editing and not form.is_dirty()
    type_into(qtbot, form.widget("name"), "新名称")
    assert form.is_dirty()

    questions = answer("继续编辑")
    qtbot.keyClick(form.widget("name"), Qt.Key.Key_Escape)
    assert questions == ["放弃尚未保存的修改吗？"] and form.isVisible()

    with qtbot.waitSignal(form.saved, timeout=10000) as saved:
        qtbot.keyClick(form.widget("name"), Qt.Key.Key_Return)
        assert form.busy and not form.save_button.isEnabled() and form.progress.isVisibleTo(form)
    assert saved.args == ["新名称!"] and form.result == "新名称!"
    assert seen_threads == [False]                             # never on the GUI thread
    assert not form.isVisible() and form.values()["version"] == 3


def test_server_validation_lands_beside_the_field_the_database_names(
        qtbot, make_ctx, new_employee, wait_idle, db, edit_form, screenshot):
    employee_id = new_employee("form.v422", full_name="校验员")
    ctx = make_ctx("admin")
    form = edit_form(ctx, employee_id)
    type_into(qtbot, form.widget("phone"), "12345678901")      # 11 digits: passes the client, not the server
    form.submit()
    wait_idle(ctx)
    assert form.error_text("phone") == "手机号码格式不正确"    # DETAIL '手机' → the 手机号码 field
    assert form.focusWidget() is form.widget("phone")
    assert form.isVisible() and form.banner_text() == ""
    screenshot(form, "form_validation")

    form.fields.set_values({"store_id": None})
    form.submit()
    assert form.error_text("store_id") == "请选择门店"        # a guide sits in a store: checked before saving
    assert ctx.tasks.running == 0
    assert one(db.admin(), "SELECT phone FROM yiwei.employee WHERE id = %s", (employee_id,)) == ""


def test_server_message_without_a_field_is_shown_at_the_top(qtbot, make_ctx, wait_idle, db, open_form):
    ctx = make_ctx("admin")
    row = loaded(ctx, lambda conn: employee_forms.load_employee(conn, ctx.session.employee_id))
    form = open_form(employee_forms.disable_form(ctx, row))
    type_into(qtbot, form.widget("reason"), "试试停用自己")
    form.confirm_text = None                    # the confirmation question is covered by the screen tests
    form.submit()
    wait_idle(ctx)
    assert form.banner_text() == "不能停用自己的账号" and form.error_text("reason") == ""
    assert one(db.admin(), "SELECT active FROM yiwei.employee WHERE id = %s", (ctx.session.employee_id,)) is True


def test_concurrent_edit_shows_who_changed_it_and_reload_refills(
        qtbot, make_ctx, new_employee, wait_idle, db, edit_form, screenshot):
    employee_id = new_employee("form.conflict", full_name="冲突员工")
    first, second = make_ctx("admin"), make_ctx("admin")
    form_a = edit_form(first, employee_id)
    form_b = edit_form(second, employee_id)

    type_into(qtbot, form_a.widget("full_name"), "甲改的名字")
    with qtbot.waitSignal(form_a.saved, timeout=10000):
        form_a.submit()

    type_into(qtbot, form_b.widget("phone"), "13800001111")
    form_b.submit()
    qtbot.waitUntil(lambda: form_b.conflict_box is not None and form_b.conflict_box.isVisible(), timeout=10000)
    admin_name = first.session.full_name
    box = form_b.conflict_box
    assert box.text().startswith(f"该记录已被 {admin_name} 于 ") and box.text().endswith("修改 — 重新加载？")
    assert form_b.isVisible() and form_b.values()["phone"] == "13800001111"   # nothing lost yet
    screenshot(box, "form_conflict")

    find_button(box, "重新加载").click()
    wait_idle(second)
    assert form_b.values()["full_name"] == "甲改的名字"
    assert form_b.values()["phone"] == ""
    assert form_b.values()["version"] == form_a.values()["version"] + 1
    assert "已重新加载" in form_b.banner_text() and not form_b.is_dirty()

    type_into(qtbot, form_b.widget("phone"), "13800001111")
    with qtbot.waitSignal(form_b.saved, timeout=10000):
        form_b.submit()
    row = one(db.admin(), "SELECT full_name, phone FROM yiwei.employee WHERE id = %s", (employee_id,))
    assert row == ("甲改的名字", "13800001111")


def test_cancelling_the_conflict_keeps_what_the_user_typed(qtbot, make_ctx, new_employee, wait_idle, db, edit_form):
    employee_id = new_employee("form.keep", full_name="保留员工")
    ctx = make_ctx("admin")
    form = edit_form(ctx, employee_id)
    admin = db.admin()
    with admin.cursor() as cur:   # someone else saves first
        cur.execute("UPDATE yiwei.employee SET phone = '13700000000' WHERE id = %s", (employee_id,))
    admin.commit()
    type_into(qtbot, form.widget("full_name"), "我的修改")
    form.submit()
    qtbot.waitUntil(lambda: form.conflict_box is not None and form.conflict_box.isVisible(), timeout=10000)
    find_button(form.conflict_box, "取消").click()
    assert form.values()["full_name"] == "我的修改" and form.isVisible()
    assert "请重新加载后再保存" in form.banner_text()


def kill_own_backend(db):
    """A save function wrapper that does its work, then loses its server process before commit."""

    def wrap(save):
        def dropped(conn, values):
            result = save(conn, values)
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            admin = db.admin()
            admin.autocommit = True
            with admin.cursor() as cur:
                cur.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
            return result

        return dropped

    return wrap


def test_connection_dropped_during_save_saves_nothing_keeps_the_input_and_retry_works(
        qtbot, make_ctx, new_employee, wait_idle, db, edit_form, screenshot):
    employee_id = new_employee("form.drop", full_name="断线员工")
    ctx = make_ctx("admin")
    form = edit_form(ctx, employee_id)
    real_save = form.save_function
    form.save_function = kill_own_backend(db)(real_save)

    type_into(qtbot, form.widget("full_name"), "断线后的名字")
    type_into(qtbot, form.widget("phone"), "13912340000")
    form.submit()
    wait_idle(ctx)
    assert form.isVisible()
    assert "连接已断开" in form.banner_text() and "没有保存" in form.banner_text()
    assert form.values()["full_name"] == "断线后的名字" and form.values()["phone"] == "13912340000"
    assert form.save_button.isEnabled()
    screenshot(form, "form_connection_lost")
    row = one(db.admin(), "SELECT full_name, phone, version FROM yiwei.employee WHERE id = %s", (employee_id,))
    assert row == ("断线员工", "", 1)     # the update ran, the commit never happened

    form.save_function = real_save       # the server is back: the same click saves
    with qtbot.waitSignal(form.saved, timeout=10000):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    row = one(db.admin(), "SELECT full_name, phone, version FROM yiwei.employee WHERE id = %s", (employee_id,))
    assert row == ("断线后的名字", "13912340000", 2)


def test_all_pooled_connections_terminated_before_saving_reconnects(qtbot, make_ctx, new_employee, wait_idle, db, edit_form):
    employee_id = new_employee("form.pool", full_name="重连员工")
    ctx = make_ctx("admin")
    form = edit_form(ctx, employee_id)
    admin = db.admin()
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = %s",
                    (ctx.session.profile.role_for("admin"),))
        assert cur.fetchone()[0] >= 1
    type_into(qtbot, form.widget("full_name"), "重连后保存")
    with qtbot.waitSignal(form.saved, timeout=10000):
        form.submit()
    assert one(admin, "SELECT full_name FROM yiwei.employee WHERE id = %s", (employee_id,)) == "重连后保存"


def test_permission_refused_by_the_database_is_shown(qtbot, make_ctx, new_employee, wait_idle, open_form):
    employee_id = new_employee("form.perm", full_name="权限员工")
    ctx = make_ctx("hz01.manager")     # may view employees of the store, not change them
    org, row = loaded(ctx, lambda conn: (load_organisation(conn), employee_forms.load_employee(conn, employee_id)))
    form = open_form(RecordForm(ctx, "越权编辑", employee_forms.employee_fields(False), initial=row,
                                       save=employee_forms.update_employee))
    employee_forms.EmployeePlacement(form, org)
    form.set_values(row)
    type_into(qtbot, form.widget("full_name"), "越权修改")
    form.submit()
    wait_idle(ctx)
    assert form.banner_text() == "没有权限：员工信息（维护）" and form.isVisible()


@pytest.mark.parametrize("kind,value", [("bool", True), ("date", datetime.date(2026, 11, 28)),
                                         ("multi_choice", [2, 3]), ("choice", 2)])
def test_each_kind_round_trips_its_value(qtbot, make_ctx, kind, value, open_form):
    ctx = make_ctx("admin")
    choices = [(1, "一"), (2, "二"), (3, "三")] if kind in ("choice", "multi_choice") else None
    form = open_form(RecordForm(ctx, "类型", [FieldSpec("f", "字段", kind, choices=choices)], save=None))
    empty = form.values()["f"]
    assert empty in (False, None, [])
    form.set_values({"f": value})
    assert form.values()["f"] == value


def test_choices_load_in_the_background_and_ctrl_s_saves(qtbot, make_ctx, wait_idle, open_form):
    ctx = make_ctx("admin")
    saved_values = []
    regions = lambda conn: conn.exec_driver_sql("SELECT id, name FROM yiwei.region ORDER BY code").all()  # noqa: E731
    east = loaded(ctx, lambda conn: conn.exec_driver_sql("SELECT id FROM yiwei.region WHERE code = 'HD'").scalar())
    form = open_form(RecordForm(ctx, "大区", [FieldSpec("region", "大区", "choice", required=True, choices=regions)],
                                save=lambda conn, values: saved_values.append(values["region"]),
                                initial={"region": east}))
    assert form.busy and not form.save_button.isEnabled()        # choices are still on their way
    wait_idle(ctx)
    assert form.widget("region").currentText() == "华东" and not form.is_dirty()
    with qtbot.waitSignal(form.saved, timeout=10000):
        qtbot.keyClick(form.widget("region"), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert saved_values == [east]
