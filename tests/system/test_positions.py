"""岗位信息 through the real screen: a position's permissions changed in the checkable tree take effect
for its employees inside the database (yiwei.has_permission as that employee)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.system.positions import PositionsScreen
from client.ui.print_preview import PrintPreviewDialog

from .helpers import one, type_text


@pytest.fixture
def positions_screen(qtbot, make_ctx, wait_idle):
    ctx = make_ctx("admin")
    screen = PositionsScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1000, 560)
    screen.show()
    wait_idle(ctx)
    return ctx, screen


def permission_item(tree, code):
    for i in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(i)
        for j in range(group.childCount()):
            if group.child(j).data(0, Qt.ItemDataRole.UserRole) == code:
                return group.child(j)
    raise AssertionError(f"permission {code} not in the tree")


def has_permission(db, login_name, code):
    conn = db.connect_as(login_name)
    try:
        return one(conn, "SELECT yiwei.has_permission(%s)", (code,))
    finally:
        conn.close()


def opened(qtbot, screen, ctx, wait_idle):
    wait_idle(ctx)
    qtbot.waitUntil(lambda: screen.dialog is not None and screen.dialog.isVisible(), timeout=10000)
    return screen.dialog


def test_new_position_then_permission_changes_reach_its_employees(
        qtbot, positions_screen, wait_idle, db, new_employee, screenshot):
    ctx, screen = positions_screen
    assert screen.model.rowCount() == one(db.admin(), "SELECT count(*) FROM yiwei.position")
    screenshot(screen, "positions")

    screen.actions_by_name["new"].trigger()
    form = opened(qtbot, screen, ctx, wait_idle)
    tree = form.widget("permissions")
    groups = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert groups == ["客户管理", "订单管理", "售后管理", "财务管理", "库存管理", "渠道返利", "统计报表",
                      "基础信息", "系统管理"]
    type_text(qtbot, form.widget("code"), "ui_trial")
    type_text(qtbot, form.widget("name"), "界面试用岗")
    form.widget("scope").setCurrentIndex(form.widget("scope").findData("store"))
    type_text(qtbot, form.widget("description"), "界面测试用")
    permission_item(tree, "customers.visit").setCheckState(0, Qt.CheckState.Checked)
    form.resize(560, 760)
    screenshot(form, "position_edit")
    with qtbot.waitSignal(form.saved, timeout=10000):
        form.submit()
    wait_idle(ctx)

    new_employee("ui.trialist", position="ui_trial")
    assert has_permission(db, "ui.trialist", "customers.visit") is True
    assert has_permission(db, "ui.trialist", "customers.lead_stats") is False

    screen.select_code("ui_trial")
    screen.dialog = None
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_Return)       # Enter opens the position
    form = opened(qtbot, screen, ctx, wait_idle)
    tree = form.widget("permissions")
    assert form.widget("code").isReadOnly() and form.values()["permissions"] == ["customers.visit"]
    permission_item(tree, "customers.visit").setCheckState(0, Qt.CheckState.Unchecked)
    permission_item(tree, "customers.lead_stats").setCheckState(0, Qt.CheckState.Checked)
    group = permission_item(tree, "customers.lead_stats").parent()
    assert group.checkState(0) == Qt.CheckState.PartiallyChecked
    form.widget("scope").setCurrentIndex(form.widget("scope").findData("region"))
    with qtbot.waitSignal(form.saved, timeout=10000):
        form.submit()

    assert has_permission(db, "ui.trialist", "customers.lead_stats") is True
    assert has_permission(db, "ui.trialist", "customers.visit") is False
    assert one(db.admin(), "SELECT scope FROM yiwei.position WHERE code = 'ui_trial'") == "region"
    wait_idle(ctx)


def test_delete_is_refused_while_employees_hold_the_position(qtbot, positions_screen, wait_idle, db, answer):
    ctx, screen = positions_screen
    screen.select_code("guide")
    asked = answer("删除")
    screen.actions_by_name["delete"].trigger()
    wait_idle(ctx)
    assert asked == ["确定删除岗位“导购”吗？"]
    qtbot.waitUntil(lambda: screen.message_box is not None and screen.message_box.isVisible(), timeout=5000)
    assert screen.message_box.text() == "该岗位仍有员工（含已停用员工），不能删除"
    screen.message_box.done(0)
    assert one(db.admin(), "SELECT count(*) FROM yiwei.position WHERE code = 'guide'") == 1

    admin = db.connect_as("admin")
    one(admin, "SELECT yiwei.create_position('ui_unused', '无人岗位', 'own', '', ARRAY[]::text[])")
    screen.refresh()
    wait_idle(ctx)
    screen.select_code("ui_unused")
    answer("删除")
    screen.actions_by_name["delete"].trigger()
    wait_idle(ctx)
    assert one(db.admin(), "SELECT count(*) FROM yiwei.position WHERE code = 'ui_unused'") == 0
    assert "ui_unused" not in [row.code for row in screen.model.rows]


def test_position_sheet_print_opens_the_preview(qtbot, positions_screen, wait_idle):
    ctx, screen = positions_screen
    screen.select_code("store_manager")
    screen.print_selected()
    wait_idle(ctx, timeout=30000)
    previews = [d for d in screen.findChildren(PrintPreviewDialog) if d.isVisible()]
    assert len(previews) == 1 and previews[0].page_count >= 1
    previews[0].done(0)


def test_small_table_models_pass_the_model_tester(positions_screen, qtmodeltester, make_ctx, wait_idle, qtbot):
    _ctx, screen = positions_screen
    assert screen.model.rowCount() > 0
    qtmodeltester.check(screen.model)
    from client.system.parameters import ParametersScreen

    ctx = make_ctx("admin")
    parameters = ParametersScreen(ctx)
    qtbot.addWidget(parameters)
    wait_idle(ctx)
    assert parameters.model.rowCount() > 0
    qtmodeltester.check(parameters.model)
