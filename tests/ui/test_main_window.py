"""The main window of real demo logins: menus by permission, docks, layout per user, keyboard,
status bar, background work and lost connections."""

from __future__ import annotations

import json
import threading

import psycopg2
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from client import __version__
from client.db.connection import engine_for
from client.ui import registry
from client.ui.connection_monitor import ConnectionMonitor
from client.ui.main_window import CHANGE_PASSWORD_FUNCTION, MainWindow, create_context, user_scope
from client.ui.registry import FunctionSpec
from client.ui.settings import UserSettings
from client.ui.tasks import TaskRunner
from server_schema.migrate import head_revision

from .conftest import ProbeScreen


def activate(qtbot, window) -> None:
    with qtbot.waitActive(window):
        window.activateWindow()


def on_top(dock) -> bool:
    """Tabified docks all report isVisible(); the one on top is the one with a visible region."""
    return not dock.visibleRegion().isEmpty()


def allowed_ids(session) -> set[str]:
    return {f.id for f in registry.FUNCTIONS.values() if f.allowed(session.permissions)}


def test_each_position_sees_only_the_functions_it_may_use(make_window):
    seen = {}
    for login_name in ("hz01.guide1", "admin", "hq.boss"):
        window = make_window(login_name)
        ids = window.navigation_function_ids()
        assert ids == allowed_ids(window.session)
        menu_ids = {a.objectName().removeprefix("open_") for a in window.actions() if a.objectName().startswith("open_")}
        assert menu_ids == ids
        seen[login_name] = ids
        window.close()
    assert {"uitest.visits", "uitest.notes"} <= seen["hz01.guide1"]
    assert not {"uitest.employees", "uitest.stock", "uitest.receipts"} & seen["hz01.guide1"]
    assert {"uitest.employees", "uitest.notes"} <= seen["admin"]
    assert not {"uitest.visits", "uitest.stock", "uitest.receipts"} & seen["admin"]
    assert {"uitest.stock", "uitest.employees", "uitest.notes"} <= seen["hq.boss"]
    assert not {"uitest.visits", "uitest.receipts"} & seen["hq.boss"]
    assert len({frozenset(ids) for ids in seen.values()}) == 3


def test_module_menus_show_only_modules_with_allowed_functions(make_window):
    guide = make_window("hz01.guide1")
    titles = [action.text() for action in guide.menuBar().actions()]
    assert titles[0] == "文件(&F)" and titles[-2:] == ["窗口(&W)", "帮助(&H)"]
    assert "客户管理" in titles and "库存管理" not in titles
    assert [m.info.title for m in guide.menu] == titles[1:-2]


def test_functions_open_as_tabified_docks_created_once(make_window, qtbot):
    window = make_window("hq.boss")
    assert window.welcome.isVisible()
    opened = []
    window.function_opened.connect(opened.append)
    stock = window.open_function("uitest.stock")
    notes = window.open_function("uitest.notes")
    employees = window.open_function("uitest.employees")
    assert [d.objectName() for d in (stock, notes, employees)] == ["uitest.stock", "uitest.notes", "uitest.employees"]
    assert set(window.tabifiedDockWidgets(stock)) == {notes, employees}
    features = stock.features()
    assert features & QDockWidget.DockWidgetFeature.DockWidgetFloatable
    assert features & QDockWidget.DockWidgetFeature.DockWidgetClosable
    assert stock.windowTitle() == "库存（测试）" and isinstance(stock.widget(), ProbeScreen)
    assert not window.welcome.isVisible()
    # Opening an open function raises it instead of building it again.
    assert window.open_function("uitest.stock") is stock
    qtbot.waitUntil(lambda: on_top(stock) and not on_top(employees))
    assert ProbeScreen.built == ["uitest.stock", "uitest.notes", "uitest.employees"]
    assert opened == ["uitest.stock", "uitest.notes", "uitest.employees"]
    assert window.navigation.selected_function() == "uitest.stock"


def test_layout_is_saved_per_user_and_restored_at_next_login(make_window, qtbot, db, settings_store):
    window = make_window("hz01.manager")
    window.resize(760, 560)  # within the offscreen screen, so no clamping
    for fid in ("uitest.visits", "uitest.stock", "uitest.notes"):
        window.open_function(fid)
    window.dock("uitest.notes").setFloating(True)
    window.open_function("uitest.stock")
    window.close()
    saved = UserSettings(user_scope(window.session), settings_store)
    assert json.loads(saved.value("layout/open")) == ["uitest.visits", "uitest.stock", "uitest.notes"]

    ProbeScreen.built.clear()
    again = make_window("hz01.manager")
    assert again.open_function_ids() == ["uitest.visits", "uitest.stock", "uitest.notes"]
    assert sorted(ProbeScreen.built) == ["uitest.notes", "uitest.stock", "uitest.visits"]
    visits, stock, notes = (again.dock(f) for f in ("uitest.visits", "uitest.stock", "uitest.notes"))
    assert notes.isFloating() and not stock.isFloating()
    assert again.tabifiedDockWidgets(stock) == [visits]
    qtbot.waitUntil(lambda: on_top(stock) and not on_top(visits))
    assert again.current_dock() is stock
    assert (again.width(), again.height()) == (760, 560)

    # Another person on the same PC starts with their own (empty) layout.
    other = make_window("hz01.guide1")
    assert other.open_function_ids() == [] and other.welcome.isVisible()


def test_restore_skips_functions_the_login_may_no_longer_use(make_window, db, settings_store):
    session = db.session("hz01.guide1")
    settings = UserSettings(user_scope(session), settings_store)
    settings.set_value("layout/open", json.dumps(["uitest.stock", "uitest.visits", "no.such.function"]))
    session.engine.dispose()
    window = make_window("hz01.guide1")
    assert window.open_function_ids() == ["uitest.visits"]


def test_ctrl_l_filter_and_enter_open_functions(make_window, qtbot):
    window = make_window("hz01.manager")
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.focusWidget() is window.navigation.filter
    qtbot.keyClicks(window.navigation.filter, "stock")
    assert window.navigation.function_ids(visible_only=True) == {"uitest.stock"}
    qtbot.keyClick(window.navigation.filter, Qt.Key.Key_Return)
    assert window.open_function_ids() == ["uitest.stock"]
    assert window.focusWidget() is window.dock("uitest.stock").widget().search

    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.navigation.filter, Qt.Key.Key_Escape)
    assert window.navigation.filter.text() == ""
    qtbot.keyClick(window.navigation.filter, Qt.Key.Key_Down)
    tree = window.navigation.tree
    assert window.focusWidget() is tree
    window.navigation.select_function("uitest.notes")
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert window.open_function_ids() == ["uitest.stock", "uitest.notes"]


def test_ctrl_tab_cycles_and_ctrl_w_closes_the_current_dock(make_window, qtbot):
    window = make_window("hq.boss")
    activate(qtbot, window)
    for fid in ("uitest.stock", "uitest.notes", "uitest.employees"):
        window.open_function(fid)
    assert window.current_dock().objectName() == "uitest.employees"
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.current_dock().objectName() == "uitest.stock"  # wraps around
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.current_dock().objectName() == "uitest.notes"
    window.previous_dock_action.trigger()
    assert window.current_dock().objectName() == "uitest.stock"

    # A screen may refuse to close (unsaved changes): Ctrl+W leaves it open.
    window.dock("uitest.stock").widget().allow_close = False
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert "uitest.stock" in window.open_function_ids()
    window.dock("uitest.stock").widget().allow_close = True

    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert window.open_function_ids() == ["uitest.notes", "uitest.employees"]
    qtbot.waitUntil(lambda: window.current_dock() is not None and window.focusWidget() is not None
                    and window.focusWidget().parentWidget() is window.current_dock().widget())
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.current_dock() is not None)
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert window.open_function_ids() == []
    qtbot.waitUntil(window.welcome.isVisible)
    assert not window.close_current_dock()  # nothing left to close


def test_status_bar_tells_who_where_which_server_and_connection(make_window, db):
    finance = make_window("hz01.finance")
    texts = finance.status_texts()
    assert texts["employee"] == f"{finance.session.full_name} · 门店财务"
    assert texts["place"] == "杭州城西展厅"
    assert texts["server"] == f"{db.profile.host}:{db.profile.port}/{db.profile.dbname}"
    assert texts["connection"] == "● 已连接" and texts["busy"] == ""
    assert make_window("hd.director").status_texts()["place"] == "华东"
    assert make_window("hq.boss").status_texts()["place"] == "公司"


def test_busy_indicator_counts_background_tasks(make_window, qtbot):
    window = make_window("hz01.finance")
    release = threading.Event()
    handles = [window.ctx.tasks.submit(lambda token, report: release.wait(10)) for _ in range(2)]
    assert window.status_texts()["busy"] == "后台任务 2 个" and window.busy_bar.isVisible()
    release.set()
    for handle in handles:
        if not handle.done:
            qtbot.waitSignal(handle.ended, timeout=5000).wait()
    qtbot.waitUntil(lambda: window.status_texts()["busy"] == "")
    assert not window.busy_bar.isVisible()


def test_lost_connection_is_shown_and_cleared_when_the_server_answers_again(make_window, qtbot):
    window = make_window("hz01.finance")
    window.monitor.set_interval(50)
    errors = []

    def dropped(token, report):
        raise psycopg2.OperationalError("server closed the connection unexpectedly")

    window.ctx.tasks.submit(dropped, on_error=errors.append)
    qtbot.waitUntil(lambda: "连接已断开" in window.status_texts()["connection"], timeout=5000)
    assert window.connection_label.property("connected") == "false"
    assert errors and errors[0].message == "与数据库服务器的连接已断开，请重试"
    # The probe (SELECT 1 in the background) finds the server and the status returns.
    qtbot.waitUntil(lambda: window.status_texts()["connection"] == "● 已连接", timeout=10000)
    assert window.monitor.probes >= 1 and not window.monitor.probing


def test_probe_keeps_trying_until_the_server_is_back(app, qtbot, db):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    away = engine_for({"host": "127.0.0.1", "port": dead_port, "dbname": "x", "user": "y", "password": "z",
                       "connect_timeout": 2}, pool_size=1)
    runner = TaskRunner()
    monitor = ConnectionMonitor(away, runner, interval_ms=30)
    states = []
    monitor.state_changed.connect(states.append)
    runner.connection_lost.emit()
    qtbot.waitUntil(lambda: monitor.probes >= 3, timeout=10000)
    assert states == [False] and not monitor.connected
    assert monitor.last_error == "无法连接数据库服务器，请检查网络和服务器地址"
    session = db.session("hz01.finance")
    try:
        monitor.engine = session.engine  # the server is reachable again
        qtbot.waitUntil(lambda: monitor.connected, timeout=10000)
        assert states == [False, True] and not monitor.probing
    finally:
        monitor.stop()
        runner.wait_all()
        session.engine.dispose()
        away.dispose()


def test_f1_lists_the_shortcuts_and_about_names_version_and_schema(make_window, qtbot):
    window = make_window("hz01.finance")
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = window.dialogs["shortcuts"]
    qtbot.waitUntil(dialog.isVisible)
    for key in ("Ctrl+S", "Ctrl+N", "Ctrl+F", "Ctrl+E", "Ctrl+P", "Ctrl+W", "Ctrl+L", "Ctrl+Tab", "F1", "Esc"):
        assert key in dialog.text
    assert "保存" in dialog.text and "导出 Excel" in dialog.text and "打印" in dialog.text
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    window.about_action.trigger()
    about = window.dialogs["about"]
    assert __version__ in about.text() and head_revision() in about.text()
    about.close()


def test_change_password_menu_opens_its_function(make_window, monkeypatch):
    if CHANGE_PASSWORD_FUNCTION not in registry.FUNCTIONS:
        spec = FunctionSpec(CHANGE_PASSWORD_FUNCTION, "system", "修改密码",
                            lambda ctx, parent: ProbeScreen(ctx, parent, CHANGE_PASSWORD_FUNCTION))
        monkeypatch.setitem(registry.FUNCTIONS, CHANGE_PASSWORD_FUNCTION, spec)  # removed again afterwards
    window = make_window("hz01.guide1")
    assert window.ctx.open_function == window.open_function
    assert window.change_password_action.isEnabled()
    calls = []
    monkeypatch.setattr(window.ctx, "open_function", calls.append)
    window.change_password_action.trigger()
    assert calls == [CHANGE_PASSWORD_FUNCTION]


def test_logout_saves_the_layout_closes_the_session_and_asks_for_login(make_window, qtbot, settings_store):
    window = make_window("hz01.finance")
    window.open_function("uitest.receipts")
    engine = window.session.engine
    with qtbot.waitSignal(window.logout_requested, timeout=5000):
        window.logout_action.trigger()
    assert not window.isVisible()
    assert json.loads(UserSettings(user_scope(window.session), settings_store).value("layout/open")) == ["uitest.receipts"]
    assert engine.pool.checkedin() == 0 and engine.pool.checkedout() == 0


def test_functions_refused_or_broken_do_not_take_the_window_down(make_window, qtbot, monkeypatch):
    def broken(ctx, parent):
        raise RuntimeError("screen bug")

    spec = FunctionSpec("uitest.broken", "reports", "坏掉的功能", broken)
    monkeypatch.setitem(registry.FUNCTIONS, "uitest.broken", spec)  # removed again afterwards
    window = make_window("hz01.guide1")
    assert window.open_function("uitest.employees") is None
    assert "没有“员工（测试）”的权限" in window.statusBar().currentMessage()
    assert window.open_function("uitest.broken") is None
    box = window.dialogs["error"]
    assert box.isVisible() and "无法打开“坏掉的功能”" in box.text() and "screen bug" not in box.text()
    box.close()
    assert window.open_function_ids() == [] and window.welcome.isVisible()


def test_context_runs_database_work_in_the_background(make_window, qtbot):
    from sqlalchemy import text

    window = make_window("hz01.finance")
    results = []
    handle = window.ctx.run(lambda conn, token, report: conn.execute(text("SELECT yiwei.current_employee_id()")).scalar(),
                            on_done=results.append)
    qtbot.waitSignal(handle.ended, timeout=5000).wait() if not handle.done else None
    qtbot.waitUntil(lambda: bool(results))
    assert results == [window.session.employee_id]


@pytest.mark.parametrize("login_name", ["hz01.guide1"])
def test_window_title_names_company_and_employee(make_window, login_name):
    window = make_window(login_name)
    s = window.session
    assert window.windowTitle() == f"{s.company_name} — {s.full_name}（{s.position_name}）"


def test_main_window_with_two_docks_renders(make_window, qtbot, tmp_path):
    window = make_window("hz01.manager")
    window.resize(1280, 800)
    window.open_function("uitest.visits")
    window.open_function("uitest.stock")
    qtbot.wait(50)
    path = tmp_path / "main.png"
    assert window.grab().save(str(path))
    assert path.stat().st_size > 10_000
    nav = window.navigation_dock
    assert nav.width() < window.width() / 3  # the docks get the room, not the navigation


def test_create_context_scopes_settings_per_login_and_server(db, settings_store, app):
    session = db.session("hz01.finance")
    try:
        ctx = create_context(session, settings_store)
        assert ctx.settings.scope == f"{db.profile.host}:{db.profile.port}_{db.profile.dbname}_hz01.finance"
        assert ctx.tasks.running == 0
    finally:
        session.engine.dispose()


def test_main_window_can_skip_layout_restore(db, qtbot, settings_store, ui_functions):
    session = db.session("hq.boss")
    UserSettings(user_scope(session), settings_store).set_value("layout/open", json.dumps(["uitest.stock"]))
    window = MainWindow(create_context(session, settings_store), restore_layout=False)
    qtbot.addWidget(window)
    assert window.open_function_ids() == []


def test_navigation_filter_model_passes_the_model_tester(make_window, qtmodeltester):
    window = make_window("admin")
    qtmodeltester.check(window.navigation.model)
    window.navigation.filter.setText("员工")   # Chinese titles filter too
    qtmodeltester.check(window.navigation.proxy)
    proxy = window.navigation.proxy
    system = proxy.index(0, 0)
    shown = {proxy.index(row, 0, system).data() for row in range(proxy.rowCount(system))}
    assert proxy.rowCount() == 1 and "员工信息" in shown and all("员工" in title for title in shown)
