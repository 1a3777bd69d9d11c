"""The login window against the real test database: success, wrong password, disabled account,
unreachable server, schema version; remembered servers and users; never the password."""

from __future__ import annotations

import secrets
import socket

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox

from client.db.passwords import scram_verifier
from client.demo.company import DEMO_PASSWORD
from client.ui.login import LoginDialog, ServerSettingsDialog
from client.ui.profiles import EMBEDDED_KEY, ProfileStore, SavedProfile

LOGIN_TIMEOUT_MS = 15000


@pytest.fixture
def store(tmp_path, db):
    """A profile store in a temporary file, knowing the test database as a company server."""
    store = ProfileStore(QSettings(str(tmp_path / "machine.ini"), QSettings.Format.IniFormat))
    p = db.profile
    store.save(SavedProfile("testdb", "测试服务器", "server", p.host, p.port, p.dbname, p.sslmode))
    return store


@pytest.fixture
def dialog(qtbot, store, app):
    dlg = LoginDialog(store=store, preselect="testdb")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def type_and_enter(qtbot, dlg: LoginDialog, user: str, password: str) -> None:
    dlg.userEdit.setText(user)
    dlg.passwordEdit.setText(password)
    qtbot.keyClick(dlg.passwordEdit, Qt.Key.Key_Return)


def wait_for_message(qtbot, dlg: LoginDialog) -> str:
    qtbot.waitUntil(lambda: not dlg.busy and bool(dlg.message), timeout=LOGIN_TIMEOUT_MS)
    return dlg.message


def test_enter_logs_in_in_the_background_and_returns_the_session(qtbot, dialog, store, tmp_path):
    with qtbot.waitSignal(dialog.logged_in, timeout=LOGIN_TIMEOUT_MS) as signal:
        type_and_enter(qtbot, dialog, "hz01.finance", DEMO_PASSWORD)
        assert dialog.busy and dialog.busyBar.isVisible() and not dialog.passwordEdit.isEnabled()
    session = signal.args[0]
    try:
        assert session is dialog.session
        assert session.position_name == "门店财务" and session.store_name == "杭州城西展厅"
        assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()
        assert dialog.passwordEdit.text() == ""
        # Remembered: this server and this user; never the password.
        assert store.last_key() == "testdb"
        assert store.get("testdb").last_user == "hz01.finance"
        store.settings.sync()
        assert DEMO_PASSWORD not in (tmp_path / "machine.ini").read_text(encoding="utf-8")
    finally:
        session.engine.dispose()


def test_wrong_password_is_a_sentence_in_the_dialog(qtbot, dialog):
    type_and_enter(qtbot, dialog, "hz01.finance", "not-the-password")
    assert wait_for_message(qtbot, dialog) == "用户名或密码错误"
    assert dialog.isVisible() and dialog.session is None
    assert dialog.passwordEdit.isEnabled() and dialog.focusWidget() is dialog.passwordEdit
    assert dialog.passwordEdit.selectedText() == "not-the-password"  # retype at once
    assert not dialog.busyBar.isVisible() and dialog.loginButton.text() == "登录"


def test_disabled_account_is_told_so(qtbot, dialog, db):
    admin = db.connect_as("admin")
    login_name = f"ui.leaver{secrets.token_hex(3)}"
    with admin.cursor() as cur:
        cur.execute("SELECT id FROM yiwei.position WHERE code = 'guide'")
        position = cur.fetchone()[0]
        cur.execute("SELECT id FROM yiwei.store WHERE code = 'HZ02'")
        store_id = cur.fetchone()[0]
        cur.execute("SELECT yiwei.create_employee(%s, '离职员工', %s, %s, NULL, NULL, '', %s)",
                    (login_name, position, store_id, scram_verifier("Leave2026x")))
        employee_id = cur.fetchone()[0]
        cur.execute("SELECT version FROM yiwei.employee WHERE id = %s", (employee_id,))
        cur.execute("SELECT yiwei.disable_employee(%s, %s, '离职')", (employee_id, cur.fetchone()[0]))
    type_and_enter(qtbot, dialog, login_name, "Leave2026x")
    assert wait_for_message(qtbot, dialog) == "该账号已停用，请联系系统管理员"


def test_unreachable_server_is_a_sentence_not_a_traceback(qtbot, store, app):
    store.save(SavedProfile("nowhere", "不存在的服务器", "server", "127.0.0.1", free_port(), "yiwei", "disable"))
    dlg = LoginDialog(store=store, preselect="nowhere")
    qtbot.addWidget(dlg)
    dlg.show()
    type_and_enter(qtbot, dlg, "hz01.finance", DEMO_PASSWORD)
    message = wait_for_message(qtbot, dlg)
    assert message == "无法连接数据库服务器，请检查网络和服务器地址"
    assert "Traceback" not in message


def test_incompatible_schema_version_is_explained(qtbot, dialog, monkeypatch):
    import client.db.connection as connection

    monkeypatch.setattr(connection, "head_revision", lambda: "9999_from_the_future")
    type_and_enter(qtbot, dialog, "hz01.finance", DEMO_PASSWORD)
    message = wait_for_message(qtbot, dialog)
    assert message.startswith("数据库结构版本") and "升级" in message


def test_missing_fields_are_asked_for_without_connecting(qtbot, dialog):
    dialog.userEdit.clear()
    qtbot.keyClick(dialog.passwordEdit, Qt.Key.Key_Return)
    assert dialog.message == "请输入登录名" and not dialog.busy and dialog.focusWidget() is dialog.userEdit
    dialog.userEdit.setText("hz01.finance")
    dialog.loginButton.click()
    assert dialog.message == "请输入密码" and not dialog.busy and dialog.focusWidget() is dialog.passwordEdit


def test_escape_closes_the_dialog(qtbot, dialog):
    qtbot.keyClick(dialog.userEdit, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected and not dialog.isVisible()


def test_escape_during_login_abandons_it_and_closes_its_session(qtbot, dialog, monkeypatch):
    import threading

    import client.db.connection as connection

    entered, release = threading.Event(), threading.Event()
    sessions = []
    real_login = connection.login

    def slow_login(profile, login_name, password):
        entered.set()
        release.wait(10)
        session = real_login(profile, login_name, password)
        sessions.append(session)
        return session

    monkeypatch.setattr(connection, "login", slow_login)
    dialog.userEdit.setText("hz01.finance")
    dialog.passwordEdit.setText(DEMO_PASSWORD)
    handle = dialog.start_login()
    assert entered.wait(10)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and handle.token.cancelled
    with qtbot.waitSignal(handle.ended, timeout=LOGIN_TIMEOUT_MS):
        release.set()
    assert dialog.session is None
    # The session that arrived after Esc was closed, not handed out.
    assert sessions and sessions[0].engine.pool.checkedout() == 0


def test_last_user_is_remembered_per_server(qtbot, store, app):
    store.remember_login("testdb", "hz01.finance")
    store.save(SavedProfile("other", "另一台服务器", "server", "10.0.0.9", 5432, "yiwei", "require", last_user="hq.boss"))
    dlg = LoginDialog(store=store)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert dlg.serverCombo.currentData() == "testdb"  # the server used last
    assert dlg.userEdit.text() == "hz01.finance" and dlg.focusWidget() is dlg.passwordEdit
    dlg.select_profile("other")
    assert dlg.userEdit.text() == "hq.boss" and "10.0.0.9:5432/yiwei" in dlg.serverDescription.text()
    dlg.select_profile(EMBEDDED_KEY)
    assert dlg.serverCombo.currentText() == "本机演示服务器"
    assert DEMO_PASSWORD in dlg.hintLabel.text()  # demo accounts are hinted on the demo server only
    dlg.select_profile("other")
    assert dlg.hintLabel.isHidden()
    names = [dlg.serverCombo.itemText(i) for i in range(dlg.serverCombo.count())]
    assert names[0] == "本机演示服务器" and {"测试服务器", "另一台服务器"} <= set(names)


def test_server_settings_dialog_adds_and_edits_a_company_server(qtbot, dialog, store):
    settings = dialog.add_server()
    assert isinstance(settings, ServerSettingsDialog) and settings.windowTitle() == "新建服务器"
    save = settings.buttonBox.button(QDialogButtonBox.StandardButton.Save)
    save.click()
    assert settings.isVisible() and settings.messageLabel.text() == "请填写服务器地址"
    settings.hostEdit.setText("db.example.lan")
    settings.portSpin.setValue(6432)
    settings.databaseEdit.setText("yiwei_company")
    settings.sslCombo.setCurrentIndex(settings.sslCombo.findData("verify-full"))
    settings.nameEdit.setText("公司总部")
    save.click()
    assert not settings.isVisible()
    assert dialog.serverCombo.currentText() == "公司总部"
    saved = dialog.current_profile()
    assert (saved.host, saved.port, saved.dbname, saved.sslmode) == ("db.example.lan", 6432, "yiwei_company",
                                                                     "verify-full")
    # Editing keeps the entry; the same server cannot be added twice.
    edit = dialog.edit_server()
    assert edit.windowTitle() == "修改服务器" and edit.hostEdit.text() == "db.example.lan"
    edit.sslCombo.setCurrentIndex(edit.sslCombo.findData("require"))
    edit.buttonBox.button(QDialogButtonBox.StandardButton.Save).click()
    assert store.get(saved.key).sslmode == "require"
    again = dialog.add_server()
    again.hostEdit.setText("db.example.lan")
    again.portSpin.setValue(6432)
    again.databaseEdit.setText("yiwei_company")
    again.buttonBox.button(QDialogButtonBox.StandardButton.Save).click()
    assert again.isVisible() and again.messageLabel.text() == "已有相同的服务器：公司总部"
    again.reject()


def test_removing_a_server_asks_first(qtbot, dialog, store, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.No)
    assert not dialog.remove_server() and store.get("testdb") is not None
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    assert dialog.remove_server()
    assert store.get("testdb") is None and dialog.serverCombo.currentData() == EMBEDDED_KEY
    assert not dialog.editServerAction.isEnabled() and not dialog.removeServerAction.isEnabled()


def test_profile_for_dsn_creates_once_and_keeps_no_password(tmp_path):
    store = ProfileStore(QSettings(str(tmp_path / "m.ini"), QSettings.Format.IniFormat))
    first = store.profile_for_dsn("postgresql://hz01.finance:secret@db.example.lan:6432/yiwei_co?sslmode=require")
    assert (first.host, first.port, first.dbname, first.sslmode, first.last_user) == (
        "db.example.lan", 6432, "yiwei_co", "require", "hz01.finance")
    again = store.profile_for_dsn("host=db.example.lan port=6432 dbname=yiwei_co sslmode=verify-full")
    assert again.key == first.key and again.sslmode == "verify-full"
    assert [p.key for p in store.profiles()] == [EMBEDDED_KEY, first.key]
    store.settings.sync()
    assert "secret" not in (tmp_path / "m.ini").read_text(encoding="utf-8")


def test_embedded_profile_remembers_its_data_folder(tmp_path):
    store = ProfileStore(QSettings(str(tmp_path / "m.ini"), QSettings.Format.IniFormat))
    assert store.embedded().data_dir is None
    store.ensure_embedded(tmp_path / "demo-data")
    profile = store.get(EMBEDDED_KEY)
    assert profile.is_embedded and profile.data_folder() == (tmp_path / "demo-data").resolve()
    with pytest.raises(ValueError):
        store.remove(EMBEDDED_KEY)
