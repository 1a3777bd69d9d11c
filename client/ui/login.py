"""The login window: which server, who, password. Logging in runs in the background.

The dialog remembers servers and the last user of each (client.ui.profiles); the password lives
only in the password field and the login task, and is never written anywhere.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QLabel, QLineEdit, QMenu, QMessageBox,
                               QProgressBar, QPushButton, QSpinBox, QWidget)

from client.db import connection
from client.db.errors import UserFacingError

from .profiles import EMBEDDED_KEY, ProfileStore, SavedProfile, ssl_modes
from .tasks import TaskCancelled, TaskHandle, TaskRunner
from .uifile import child, load_form

_HOST_RE = re.compile(r"^[A-Za-z0-9_.:\-\[\]]+$")


class ServerSettingsDialog(QDialog):
    """Create or edit one company server (host, port, database, TLS mode)."""

    saved = Signal(object)  # SavedProfile

    def __init__(self, store: ProfileStore, profile: SavedProfile | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ServerSettingsDialog")
        self.store = store
        self.profile = profile
        form = load_form("server_settings.ui", self)
        self.nameEdit: QLineEdit = child(form, QLineEdit, "nameEdit")
        self.hostEdit: QLineEdit = child(form, QLineEdit, "hostEdit")
        self.portSpin: QSpinBox = child(form, QSpinBox, "portSpin")
        self.databaseEdit: QLineEdit = child(form, QLineEdit, "databaseEdit")
        self.sslCombo: QComboBox = child(form, QComboBox, "sslCombo")
        self.messageLabel: QLabel = child(form, QLabel, "messageLabel")
        self.buttonBox: QDialogButtonBox = child(form, QDialogButtonBox, "buttonBox")
        for mode, label in ssl_modes():
            self.sslCombo.addItem(label, mode)
        self.sslCombo.setToolTip(self.tr("“加密并验证服务器证书”需要把公司服务器的根证书安装在本机"))
        self.messageLabel.hide()
        self.buttonBox.button(QDialogButtonBox.StandardButton.Save).setDefault(True)
        self.buttonBox.accepted.connect(self.save)
        self.buttonBox.rejected.connect(self.reject)
        if profile is None:
            self.setWindowTitle(self.tr("新建服务器"))
            self.sslCombo.setCurrentIndex(self.sslCombo.findData("prefer"))
        else:
            self.setWindowTitle(self.tr("修改服务器"))
            self.nameEdit.setText(profile.name)
            self.hostEdit.setText(profile.host)
            self.portSpin.setValue(int(profile.port))
            self.databaseEdit.setText(profile.dbname)
            index = self.sslCombo.findData(profile.sslmode)
            self.sslCombo.setCurrentIndex(index if index >= 0 else self.sslCombo.findData("prefer"))
        self.setMinimumWidth(440)

    def _fail(self, message: str, widget: QWidget) -> None:
        self.messageLabel.setText(message)
        self.messageLabel.show()
        widget.setFocus()

    def save(self) -> SavedProfile | None:
        host = self.hostEdit.text().strip()
        dbname = self.databaseEdit.text().strip()
        port = self.portSpin.value()
        if not host:
            return self._fail(self.tr("请填写服务器地址"), self.hostEdit)
        if not _HOST_RE.match(host):
            return self._fail(self.tr("服务器地址只能包含字母、数字、点和横线，例如 db.example.com 或 192.168.1.10"),
                              self.hostEdit)
        if not dbname:
            return self._fail(self.tr("请填写数据库名称"), self.databaseEdit)
        name = self.nameEdit.text().strip() or f"{dbname} @ {host}"
        same = self.store.find(host, port, dbname)
        if same is not None and (self.profile is None or same.key != self.profile.key):
            return self._fail(self.tr("已有相同的服务器：{0}").format(same.name), self.hostEdit)
        if self.profile is None:
            profile = SavedProfile(self.store.new_key(host, port, dbname), name, "server")
        else:
            profile = self.profile
        profile.name, profile.host, profile.port, profile.dbname = name, host, port, dbname
        profile.sslmode = self.sslCombo.currentData()
        self.store.save(profile)
        self.profile = profile
        self.saved.emit(profile)
        self.accept()
        return profile


class LoginDialog(QDialog):
    """Server, login name, password. ``logged_in`` carries the Session; so does ``session``
    after ``exec()`` returns Accepted. Enter logs in, Esc closes (and abandons a running login)."""

    logged_in = Signal(object)  # client.db.connection.Session

    def __init__(self, parent: QWidget | None = None, *, store: ProfileStore | None = None,
                 preselect: str | None = None):
        super().__init__(parent)
        self.setObjectName("LoginDialog")
        self.store = store or ProfileStore()
        self.session = None
        self.profile_key: str | None = None
        # Not a child of the dialog: a login still running when the dialog goes away must be able
        # to report back (and have its session closed) without touching a deleted widget.
        self._runner = TaskRunner()
        self._handle: TaskHandle | None = None
        self._abandoned = False
        self.server_dialog: ServerSettingsDialog | None = None

        form = load_form("login.ui", self)
        self.serverCombo: QComboBox = child(form, QComboBox, "serverCombo")
        self.serverButton: QPushButton = child(form, QPushButton, "serverButton")
        self.serverDescription: QLabel = child(form, QLabel, "serverDescription")
        self.userEdit: QLineEdit = child(form, QLineEdit, "userEdit")
        self.passwordEdit: QLineEdit = child(form, QLineEdit, "passwordEdit")
        self.hintLabel: QLabel = child(form, QLabel, "hintLabel")
        self.messageLabel: QLabel = child(form, QLabel, "messageLabel")
        self.busyBar: QProgressBar = child(form, QProgressBar, "busyBar")
        self.buttonBox: QDialogButtonBox = child(form, QDialogButtonBox, "buttonBox")
        self.setWindowTitle(self.tr("登录"))
        self.loginButton = self.buttonBox.button(QDialogButtonBox.StandardButton.Ok)
        self.loginButton.setText(self.tr("登录"))
        self.loginButton.setDefault(True)
        self.buttonBox.accepted.connect(self.start_login)
        self.buttonBox.rejected.connect(self.reject)

        menu = QMenu(self.serverButton)
        self.addServerAction = menu.addAction(self.tr("新建服务器…"), self.add_server)
        self.editServerAction = menu.addAction(self.tr("修改当前服务器…"), self.edit_server)
        self.removeServerAction = menu.addAction(self.tr("删除当前服务器"), self.remove_server)
        self.serverButton.setMenu(menu)

        self.messageLabel.hide()
        self.busyBar.hide()
        self.serverCombo.currentIndexChanged.connect(self._profile_changed)
        self.reload_profiles(preselect or self.store.last_key())
        self.setMinimumWidth(460)

    # -- profiles ---------------------------------------------------------------------------------
    def reload_profiles(self, select: str | None = None) -> None:
        select = select or self.serverCombo.currentData() or EMBEDDED_KEY
        self.serverCombo.blockSignals(True)
        self.serverCombo.clear()
        for profile in self.store.profiles():
            self.serverCombo.addItem(profile.name, profile.key)
            tip = str(profile.data_folder()) if profile.is_embedded else profile.describe()
            self.serverCombo.setItemData(self.serverCombo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        index = self.serverCombo.findData(select)
        self.serverCombo.setCurrentIndex(index if index >= 0 else 0)
        self.serverCombo.blockSignals(False)
        self._profile_changed()

    def current_profile(self) -> SavedProfile:
        return self.store.get(self.serverCombo.currentData()) or self.store.embedded()

    def _profile_changed(self, *_args) -> None:
        profile = self.current_profile()
        self.serverDescription.setText(profile.describe())
        if profile.is_embedded:
            self.serverDescription.setToolTip(self.tr("数据目录：{0}").format(profile.data_folder()))
        else:
            mode = dict(ssl_modes()).get(profile.sslmode, profile.sslmode)
            self.serverDescription.setToolTip(self.tr("传输加密：{0}").format(mode))
        self.editServerAction.setEnabled(not profile.is_embedded)
        self.removeServerAction.setEnabled(not profile.is_embedded)
        if profile.is_embedded:
            from client.demo.company import DEMO_PASSWORD

            self.hintLabel.setText(self.tr(
                "演示账号的密码均为 {0}，例如 hz01.finance（门店财务）、hz01.warehouse（库管）、hq.boss（总部管理）、"
                "admin（系统管理员）；全部账号可用 yiwei db accounts 查看。").format(DEMO_PASSWORD))
            self.hintLabel.show()
        else:
            self.hintLabel.clear()
            self.hintLabel.hide()
        self.userEdit.setText(profile.last_user)
        self.passwordEdit.clear()
        self.show_message("")
        (self.passwordEdit if profile.last_user else self.userEdit).setFocus()

    def select_profile(self, key: str) -> None:
        index = self.serverCombo.findData(key)
        if index >= 0:
            self.serverCombo.setCurrentIndex(index)

    def _open_server_dialog(self, profile: SavedProfile | None) -> ServerSettingsDialog:
        dialog = ServerSettingsDialog(self.store, profile, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda saved: self.reload_profiles(saved.key))
        self.server_dialog = dialog
        dialog.open()
        return dialog

    def add_server(self) -> ServerSettingsDialog:
        return self._open_server_dialog(None)

    def edit_server(self) -> ServerSettingsDialog | None:
        profile = self.current_profile()
        if profile.is_embedded:
            return None
        return self._open_server_dialog(profile)

    def remove_server(self) -> bool:
        profile = self.current_profile()
        if profile.is_embedded:
            return False
        answer = QMessageBox.question(self, self.tr("删除服务器"),
                                      self.tr("从本机的服务器列表中删除“{0}”？数据库本身不受影响。").format(profile.name))
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self.store.remove(profile.key)
        self.reload_profiles(EMBEDDED_KEY)
        return True

    # -- messages and busy state ------------------------------------------------------------------
    def show_message(self, text: str) -> None:
        self.messageLabel.setText(text)
        self.messageLabel.setVisible(bool(text))

    @property
    def message(self) -> str:
        return self.messageLabel.text() if self.messageLabel.isVisibleTo(self) else ""

    @property
    def busy(self) -> bool:
        return self._handle is not None and not self._handle.done

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.serverCombo, self.serverButton, self.userEdit, self.passwordEdit):
            widget.setEnabled(not busy)
        self.loginButton.setEnabled(not busy)
        self.loginButton.setText(self.tr("正在登录…") if busy else self.tr("登录"))
        self.busyBar.setVisible(busy)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    # -- logging in -------------------------------------------------------------------------------
    def start_login(self) -> TaskHandle | None:
        if self.busy:
            return None
        profile = self.current_profile()
        user = self.userEdit.text().strip()
        password = self.passwordEdit.text()
        if not user:
            self.show_message(self.tr("请输入登录名"))
            self.userEdit.setFocus()
            return None
        if not password:
            self.show_message(self.tr("请输入密码"))
            self.passwordEdit.setFocus()
            return None
        self.show_message("")
        self.profile_key = profile.key

        def log_in(token, report):
            target = profile.resolve()  # starts the embedded server when that is the choice
            token.raise_if_cancelled()
            session = connection.login(target, user, password)
            if token.cancelled:
                session.engine.dispose()
                raise TaskCancelled()
            return session

        self._set_busy(True)
        handle = self._runner.submit(log_in, label=self.tr("登录"), on_done=self._logged_in, on_error=self._failed,
                                     on_cancel=self._cancelled)
        self._handle = handle
        return handle

    def _logged_in(self, session) -> None:
        if self._abandoned:
            session.engine.dispose()
            return
        self.store.remember_login(self.profile_key, self.userEdit.text().strip())
        self.session = session
        self.passwordEdit.clear()
        self._set_busy(False)
        self.logged_in.emit(session)
        self.accept()

    def _failed(self, error: UserFacingError) -> None:
        if self._abandoned:
            return
        self._set_busy(False)
        self.show_message(error.message)
        if error.kind == "login" and not self.userEdit.text().strip():
            self.userEdit.setFocus()
        else:
            self.passwordEdit.setFocus()
            self.passwordEdit.selectAll()

    def _cancelled(self) -> None:
        if not self._abandoned:
            self._set_busy(False)

    def reject(self) -> None:
        if self.busy:
            self._handle.cancel()
        self._abandoned = True
        super().reject()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        (self.passwordEdit if self.userEdit.text() else self.userEdit).setFocus()
