"""员工信息 driven through the real screen: the administrator creates an employee who can then log
in, disables and re-enables, resets a password, assigns extra stores; a viewer only looks."""

from __future__ import annotations

import psycopg2
import pytest
from PySide6.QtCore import Qt

from client.system.employees import EmployeesScreen
from client.ui.forms import RecordForm
import client.system.functions  # noqa: F401  (registers the screens)
from client.ui.registry import FUNCTIONS

from .helpers import one, type_text

PASSWORD = "Neu2026pass"


@pytest.fixture
def screen_of(qtbot, make_ctx, wait_idle):
    def open_screen(login_name: str):
        ctx = make_ctx(login_name)
        screen = EmployeesScreen(ctx)
        qtbot.addWidget(screen)
        screen.resize(1100, 600)
        screen.show()
        qtbot.waitUntil(lambda: not screen.list.is_busy() and screen.list.model.rowCount() > 0, timeout=15000)
        wait_idle(ctx)
        return ctx, screen

    return open_screen


def select_login(qtbot, screen, login_name: str, refresh: bool = False) -> None:
    screen.list.set_search(login_name)
    if refresh:   # after a save the list reads its rows again; wait for that before selecting
        qtbot.waitUntil(lambda: not screen.list.is_busy(), timeout=15000)
    qtbot.waitUntil(lambda: not screen.list.is_busy() and screen.list.model.rowCount() == 1, timeout=15000)
    screen.list.view.setFocus()
    screen.list.view.selectRow(0)


def opened_dialog(qtbot, screen, ctx, wait_idle) -> RecordForm:
    wait_idle(ctx)
    qtbot.waitUntil(lambda: screen.dialog is not None and screen.dialog.isVisible(), timeout=10000)
    return screen.dialog


def choose(form: RecordForm, key: str, value) -> None:
    combo = form.widget(key)
    index = combo.findData(value)
    assert index >= 0, f"{value!r} is not offered in {key}"
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def close_dialog(screen) -> None:
    if screen.dialog is not None and screen.dialog.isVisible():
        screen.dialog.done(0)


def test_admin_creates_an_employee_who_can_then_log_in(qtbot, screen_of, wait_idle, db, screenshot):
    ctx, screen = screen_of("admin")
    screenshot(screen, "employees")
    admin = db.admin()
    guide = one(admin, "SELECT id FROM yiwei.position WHERE code = 'guide'")
    director = one(admin, "SELECT id FROM yiwei.position WHERE code = 'region_director'")
    hz01, sh01 = (one(admin, "SELECT id FROM yiwei.store WHERE code = %s", (c,)) for c in ("HZ01", "SH01"))
    east = one(admin, "SELECT id FROM yiwei.region WHERE code = 'HD'")
    sales = one(admin, "SELECT id FROM yiwei.department WHERE store_id = %s AND name = '销售部'", (hz01,))

    screen.actions_by_name["new"].trigger()
    form = opened_dialog(qtbot, screen, ctx, wait_idle)
    assert not form.is_dirty()

    # a region position sits in a region: the region is asked for, stores follow it
    choose(form, "position_id", director)
    assert form.fields.is_field_enabled("region_id")
    choose(form, "region_id", east)
    offered = [form.widget("store_id").itemData(i) for i in range(form.widget("store_id").count())]
    assert sh01 in offered and all(
        one(admin, "SELECT region_id FROM yiwei.store WHERE id = %s", (s,)) == east for s in offered if s)

    # a guide sits in a store; the region follows the store, departments are the store's (and head office's)
    choose(form, "position_id", guide)
    assert not form.fields.is_field_enabled("region_id")
    choose(form, "store_id", hz01)
    assert form.values()["region_id"] == east
    choose(form, "department_id", sales)
    type_text(qtbot, form.widget("login"), "ui.newguide")
    type_text(qtbot, form.widget("full_name"), "新导购")
    type_text(qtbot, form.widget("phone"), "13600001234")
    type_text(qtbot, form.widget("password"), PASSWORD)
    type_text(qtbot, form.widget("password2"), PASSWORD + "x")
    screenshot(form, "employee_new")
    form.submit()
    assert form.error_text("password2") == "两次输入的密码不一致" and ctx.tasks.running == 0
    type_text(qtbot, form.widget("password2"), PASSWORD)
    with qtbot.waitSignal(form.saved, timeout=10000):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)

    row = one(admin, "SELECT full_name, phone, store_id, region_id, department_id, position_id FROM yiwei.employee"
                     " WHERE login = 'ui.newguide'")
    assert row == ("新导购", "13600001234", hz01, east, sales, guide)
    session = db.session("ui.newguide", PASSWORD)      # the new login works with the password typed
    assert session.full_name == "新导购" and session.store_name == "杭州城西展厅"
    session.engine.dispose()
    select_login(qtbot, screen, "ui.newguide")          # and the list shows the new employee


def test_edit_by_enter_disable_enable_and_reset_password(qtbot, screen_of, wait_idle, db, new_employee, answer):
    employee_id = new_employee("ui.cycle", full_name="轮换员工")
    ctx, screen = screen_of("admin")
    select_login(qtbot, screen, "ui.cycle")

    qtbot.keyClick(screen.list.view, Qt.Key.Key_Return)         # Enter opens the record
    form = opened_dialog(qtbot, screen, ctx, wait_idle)
    assert form.editing and form.values()["id"] == employee_id and form.values()["login"] == "ui.cycle"
    assert form.widget("login").isReadOnly()
    type_text(qtbot, form.widget("full_name"), "轮换员工二")
    with qtbot.waitSignal(form.saved, timeout=10000):
        form.submit()
    wait_idle(ctx)
    qtbot.waitUntil(lambda: not screen.list.is_busy(), timeout=10000)
    assert screen.list.selected_keys() == [employee_id]         # still selected after the list re-read

    screen.dialog = None
    screen.actions_by_name["disable"].trigger()
    form = opened_dialog(qtbot, screen, ctx, wait_idle)
    form.submit()
    assert form.error_text("reason") == "请填写停用原因"
    type_text(qtbot, form.widget("reason"), "离职")
    asked = answer("停用")
    with qtbot.waitSignal(form.saved, timeout=10000):
        form.submit()
    assert asked == ["确定停用员工“轮换员工二（ui.cycle）”吗？"]
    admin = db.admin()
    assert one(admin, "SELECT active, disabled_reason FROM yiwei.employee WHERE id = %s", (employee_id,)) == (False, "离职")
    with pytest.raises(psycopg2.OperationalError, match="not permitted to log in"):
        db.connect_as("ui.cycle")
    wait_idle(ctx)

    select_login(qtbot, screen, "ui.cycle", refresh=True)
    asked = answer("启用")
    screen.actions_by_name["enable"].trigger()
    qtbot.waitUntil(lambda: "已启用" in screen.status.text(), timeout=10000)
    assert asked == ["确定重新启用员工“轮换员工二（ui.cycle）”吗？"]
    db.connect_as("ui.cycle").close()

    screen.dialog = None
    select_login(qtbot, screen, "ui.cycle", refresh=True)
    screen.actions_by_name["reset_password"].trigger()
    form = opened_dialog(qtbot, screen, ctx, wait_idle)
    type_text(qtbot, form.widget("password"), "short1")
    type_text(qtbot, form.widget("password2"), "short1")
    form.submit()
    assert form.error_text("password") == "密码至少 8 位"
    type_text(qtbot, form.widget("password"), "Reset2026ok")
    type_text(qtbot, form.widget("password2"), "Reset2026ok")
    with qtbot.waitSignal(form.saved, timeout=10000):
        form.submit()
    db.connect_as("ui.cycle", "Reset2026ok").close()
    with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
        db.connect_as("ui.cycle")
    wait_idle(ctx)


def test_extra_stores_are_saved_from_the_checklist(qtbot, screen_of, wait_idle, db, new_employee):
    employee_id = new_employee("ui.twostores", position="store_finance", full_name="两店财务")
    ctx, screen = screen_of("admin")
    select_login(qtbot, screen, "ui.twostores")
    screen.actions_by_name["stores"].trigger()
    form = opened_dialog(qtbot, screen, ctx, wait_idle)
    tree = form.widget("stores")
    labels = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert "HZ01 杭州城西展厅" not in labels and "HZ02 杭州滨江展厅" in labels   # own store is not "extra"
    item = tree.topLevelItem(labels.index("HZ02 杭州滨江展厅"))
    item.setCheckState(0, Qt.CheckState.Checked)
    assert form.is_dirty()
    with qtbot.waitSignal(form.saved, timeout=10000):
        form.submit()
    stores = one(db.admin(), "SELECT array_agg(s.code) FROM yiwei.employee_store es JOIN yiwei.store s ON s.id = es.store_id"
                             " WHERE es.employee_id = %s", (employee_id,))
    assert stores == ["HZ02"]
    wait_idle(ctx)


def test_roster_print_opens_the_preview(qtbot, screen_of, wait_idle):
    ctx, screen = screen_of("admin")
    qtbot.waitUntil(lambda: len(screen.print_menu.actions()) > 5, timeout=10000)
    entries = [a.text() for a in screen.print_menu.actions()]
    assert entries[0] == "全公司花名册" and "HZ01 杭州城西展厅" in entries
    next(a for a in screen.print_menu.actions() if a.text() == "HZ01 杭州城西展厅").trigger()
    wait_idle(ctx, timeout=30000)
    from client.ui.print_preview import PrintPreviewDialog

    previews = [d for d in screen.findChildren(PrintPreviewDialog) if d.isVisible()]
    assert len(previews) == 1 and previews[0].page_count >= 1
    previews[0].done(0)


def test_viewer_gets_a_read_only_list_and_a_guide_no_screen(qtbot, screen_of, wait_idle, db, make_ctx):
    guide = make_ctx("hz01.guide1")
    assert not FUNCTIONS["system.employees"].allowed(guide.session.permissions)    # not in the guide's menu
    assert FUNCTIONS["system.change_password"].allowed(guide.session.permissions)
    _ctx, guide_screen = screen_of("hz01.guide1")
    assert set(guide_screen.actions_by_name) == {"view"}          # nothing to change with
    colleagues = one(db.admin(), "SELECT count(*) FROM yiwei.employee e JOIN yiwei.store s ON s.id = e.store_id"
                                 " WHERE s.code = 'HZ01'")
    assert guide_screen.list.model.rowCount() == colleagues       # RLS: the guide's own store only

    ctx, screen = screen_of("hz01.manager")
    assert FUNCTIONS["system.employees"].allowed(ctx.session.permissions)
    assert set(screen.actions_by_name) == {"view"}
    select_login(qtbot, screen, "hz01.guide2")
    qtbot.keyClick(screen.list.view, Qt.Key.Key_Return)
    form = opened_dialog(qtbot, screen, ctx, wait_idle)
    assert form.read_only and not form.save_button.isVisible()
    assert not form.widget("position_id").isEnabled() and form.widget("full_name").isReadOnly()
    assert not form.fields.is_field_enabled("store_id")
    form.submit()                                                  # nothing happens in a view
    assert ctx.tasks.running == 0
    form.reject()
    assert not form.isVisible()


def test_each_store_roster_goes_to_the_print_queue_for_the_stores_in_scope(qtbot, screen_of, wait_idle, monkeypatch, sql):
    from client.ui import print_queue

    queued = []
    monkeypatch.setattr(print_queue, "print_in_queue", lambda ctx, documents, parent: queued.append(list(documents)))
    ctx, screen = screen_of("hd.director")   # the stores of 华东, none of another region
    next(a for a in screen.print_menu.actions() if a.text() == "各店分别打印（打印队列）").trigger()
    wait_idle(ctx)
    region = sql("SELECT s.code FROM yiwei.store s JOIN yiwei.region r ON r.id = s.region_id"
                 " WHERE r.code = 'HD' AND s.active ORDER BY s.code")
    assert queued == [[("roster", code) for (code,) in region]]
    assert {"HZ01", "SH01"} <= {code for (code,) in region} and ("roster", "GZ01") not in queued[0]
