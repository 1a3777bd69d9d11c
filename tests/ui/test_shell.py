"""The client as a whole: login → main window → 注销 → login; `yiwei demo` / `yiwei client`; the
start-up benchmark; embedded servers started by the client are stopped by it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from client.cli.main import main
from client.demo.company import DEMO_PASSWORD
from client.ui.app import ClientShell
from client.ui.benchmark import run_startup_benchmark
from client.ui.main_window import MainWindow
from client.ui.profiles import EMBEDDED_KEY, EmbeddedServers, ProfileStore, SavedProfile


@pytest.fixture
def store(tmp_path, db):
    store = ProfileStore(QSettings(str(tmp_path / "machine.ini"), QSettings.Format.IniFormat))
    p = db.profile
    store.save(SavedProfile("testdb", "测试服务器", "server", p.host, p.port, p.dbname, p.sslmode))
    return store


def test_login_opens_the_main_window_and_logout_returns_to_login(qtbot, store, ui_functions):
    shell = ClientShell(preselect="testdb", store=store)
    shell.start()
    dialog = shell.login_dialog
    qtbot.waitExposed(dialog)
    dialog.userEdit.setText("hz01.warehouse")
    dialog.passwordEdit.setText(DEMO_PASSWORD)
    qtbot.keyClick(dialog.passwordEdit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(), timeout=15000)
    window = shell.window
    assert isinstance(window, MainWindow) and window.session.position_name == "库管"
    assert window.navigation_function_ids() == {f for f in window.allowed}
    window.open_function("uitest.stock")

    window.logout_action.trigger()
    qtbot.waitUntil(lambda: shell.login_dialog is not dialog and shell.login_dialog.isVisible())
    again = shell.login_dialog
    assert not window.isVisible()
    assert again.serverCombo.currentData() == "testdb" and again.userEdit.text() == "hz01.warehouse"
    assert again.passwordEdit.text() == ""
    assert QApplication.instance().quitOnLastWindowClosed()
    again.reject()


def test_startup_benchmark_reports_both_figures(db, app, ui_functions):
    figures = run_startup_benchmark(db.profile, "hz01.finance", DEMO_PASSWORD)
    for key in ("start_to_login_window_ms", "login_to_main_window_ms", "login_ms", "main_window_ms"):
        assert figures[key] > 0
    assert figures["login_to_main_window_ms"] >= figures["login_ms"]
    assert figures["platform"] == "offscreen"


def test_startup_benchmark_reports_a_failed_login(db, app):
    from client.db.errors import UserFacingError

    with pytest.raises(UserFacingError, match="用户名或密码错误"):
        run_startup_benchmark(db.profile, "hz01.finance", "wrong-password")


def test_client_command_preselects_the_server_of_a_dsn(monkeypatch):
    launched = []
    monkeypatch.setattr("client.cli.app_cmd.launch_client", lambda key: launched.append(key) or 0)
    assert main(["client", "--dsn", "host=db.example.lan port=6543 dbname=yiwei_co sslmode=require user=hz01.finance"]) == 0
    profile = ProfileStore().get(launched[0])
    assert (profile.host, profile.port, profile.dbname, profile.sslmode, profile.last_user) == (
        "db.example.lan", 6543, "yiwei_co", "require", "hz01.finance")
    assert main(["client"]) == 0 and launched[1] is None


def test_client_command_without_display_is_a_sentence(monkeypatch, capsys):
    import client.ui.app as app_module

    monkeypatch.setattr(app_module.sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert main(["client"]) == 1
    assert "没有可用的图形界面" in capsys.readouterr().err


def _test_server_data_dir(pg_server) -> Path | None:
    host = pg_server.admin_params.get("host", "")
    base = Path(host).parent if host.startswith("/") else None
    return base if base is not None and (base / "pgdata" / "PG_VERSION").exists() else None


def test_demo_prepares_the_embedded_server_once_and_opens_the_login(pg_server, monkeypatch, capsys):
    if os.environ.get("YIWEI_TEST_DSN"):
        pytest.skip("needs the embedded test server")
    data_dir = _test_server_data_dir(pg_server)
    if data_dir is None:
        pytest.skip("the embedded test server's data folder is not known")
    launched = []
    monkeypatch.setattr("client.cli.app_cmd.launch_client", lambda key: launched.append(key) or 0)
    assert main(["demo", "--data", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "演示公司已创建" in out and f"密码均为 {DEMO_PASSWORD}" in out and "hz01.finance" in out
    assert launched == [EMBEDDED_KEY]
    assert ProfileStore().get(EMBEDDED_KEY).data_folder() == data_dir.resolve()
    assert main(["demo", "--data", str(data_dir)]) == 0
    assert "演示公司已就绪" in capsys.readouterr().out
    # The demo database answers employee logins like a company server would.
    from client.db.connection import login

    profile = ProfileStore().get(EMBEDDED_KEY).resolve()
    session = login(profile, "hq.boss", DEMO_PASSWORD)
    try:
        assert session.scope == "company"
    finally:
        session.engine.dispose()


def test_client_stops_only_embedded_servers_it_started(pg_server):
    data_dir = _test_server_data_dir(pg_server)
    if data_dir is None or os.environ.get("YIWEI_TEST_DSN"):
        pytest.skip("needs the embedded test server")
    servers = EmbeddedServers()
    info = servers.ensure_running(data_dir)
    assert info.running and servers.started == []  # it was running already: not ours to stop
    servers.stop_started()
    from client.embedded.server import EmbeddedServer

    assert EmbeddedServer(data_dir).is_running()
