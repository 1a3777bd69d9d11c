"""客户提醒跟踪参数 and 修改密码 through their screens: the database decides what a parameter may
be; a password changes only after the old one is proven by a fresh login."""

from __future__ import annotations

import psycopg2
import pytest
from PySide6.QtCore import Qt

from client.system.parameters import ParametersScreen
from client.system.password import ChangePasswordPanel

from .helpers import one, type_text

KEY = "visit.return_visit_days"


def test_parameter_edit_and_out_of_range_value_rejected_with_nothing_changed(
        qtbot, make_ctx, wait_idle, db, screenshot):
    ctx = make_ctx("admin")
    screen = ParametersScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1000, 420)
    screen.show()
    wait_idle(ctx)
    admin = db.admin()
    assert screen.model.rowCount() == one(admin, "SELECT count(*) FROM yiwei.parameter")
    screenshot(screen, "parameters")
    before = one(admin, "SELECT value, version FROM yiwei.parameter WHERE key = %s", (KEY,))

    screen.select_key(KEY)
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    wait_idle(ctx)
    form = screen.dialog
    assert form is not None and form.isVisible() and form.values()["value"] == int(before[0])
    assert "允许范围：1 – 90" in form.findChild(type(form.banner), "intro").text()

    type_text(qtbot, form.widget("value"), "abc")
    form.submit()
    assert form.error_text("value") == "取值须为整数" and ctx.tasks.running == 0
    type_text(qtbot, form.widget("value"), "0")
    form.submit()
    wait_idle(ctx)
    assert form.banner_text() == "“安装后回访（天）”必须在 1 到 90 之间" and form.isVisible()
    screenshot(form, "parameter_refused")
    assert one(admin, "SELECT value, version FROM yiwei.parameter WHERE key = %s", (KEY,)) == before
    admin.rollback()

    type_text(qtbot, form.widget("value"), "14")
    with qtbot.waitSignal(form.saved, timeout=10000):
        qtbot.keyClick(form.widget("value"), Qt.Key.Key_Return)
    wait_idle(ctx)
    assert one(admin, "SELECT value, version FROM yiwei.parameter WHERE key = %s", (KEY,)) == ("14", before[1] + 1)
    shown = next(row for row in screen.model.rows if row.key == KEY)
    assert shown.value == "14" and screen.status.text() == "已保存"
    restore = db.connect_as("admin")
    one(restore, "SELECT yiwei.set_parameter(%s, %s, %s)", (KEY, before[0], before[1] + 1))


@pytest.fixture
def password_panel(qtbot, make_ctx, new_employee):
    new_employee("ui.pwchange", password="Start2026a", full_name="改密员工")
    ctx = make_ctx("ui.pwchange", "Start2026a")
    panel = ChangePasswordPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(640, 320)
    panel.show()
    return ctx, panel


def fill(qtbot, panel, old, new, again):
    type_text(qtbot, panel.fields.widget("old_password"), old)
    type_text(qtbot, panel.fields.widget("new_password"), new)
    type_text(qtbot, panel.fields.widget("new_password2"), again)


def test_change_own_password_needs_the_old_one_then_the_new_one_works(
        qtbot, password_panel, wait_idle, db, screenshot):
    ctx, panel = password_panel
    engine = ctx.session.engine
    fill(qtbot, panel, "Start2026a", "Fresh2026b", "Fresh2026c")
    panel.submit()
    assert panel.fields.error_text("new_password2") == "两次输入的密码不一致" and ctx.tasks.running == 0
    fill(qtbot, panel, "Start2026a", "weak", "weak")
    panel.submit()
    assert panel.fields.error_text("new_password") == "密码至少 8 位"

    fill(qtbot, panel, "Wrong2026x", "Fresh2026b", "Fresh2026b")
    qtbot.keyClick(panel.fields.widget("new_password2"), Qt.Key.Key_Return)   # Enter changes
    wait_idle(ctx)
    assert panel.fields.error_text("old_password") == "旧密码不正确"
    screenshot(panel, "change_password")
    db.connect_as("ui.pwchange", "Start2026a").close()                # nothing changed

    fill(qtbot, panel, "Start2026a", "Fresh2026b", "Fresh2026b")
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    wait_idle(ctx)
    assert panel.banner_text() == "密码已修改，下次登录请使用新密码。"
    assert panel.fields.values()["old_password"] == ""
    db.connect_as("ui.pwchange", "Fresh2026b").close()
    with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
        db.connect_as("ui.pwchange", "Start2026a")

    # the session keeps working when the pool has to open new connections: they use the new password,
    # through the same engine the shell's connection monitor holds
    assert ctx.session.engine is engine
    admin = db.admin()
    admin.autocommit = True
    one(admin, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = %s",
        (ctx.session.profile.role_for("ui.pwchange"),))
    results = []
    ctx.run(lambda conn, token, report: conn.exec_driver_sql("SELECT current_user").scalar_one(),
            on_done=results.append, on_error=results.append, retry_on_disconnect=True)
    wait_idle(ctx)
    assert results == [ctx.session.profile.role_for("ui.pwchange")]
