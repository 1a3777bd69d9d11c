"""修改密码: every employee changes their own password. The old password is proven by opening a
fresh connection with it; the new one goes to the server only as a SCRAM verifier."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget
from sqlalchemy import text

from client.db.connection import connect_raw, engine_for
from client.db.errors import UserFacingError
from client.db.passwords import scram_verifier
from client.ui.forms import ERROR_STYLE, INFO_STYLE, FieldSpec, RecordFields, alive

from .employee_forms import password_errors

translate = QCoreApplication.translate


def login_params(session, password: str) -> dict:
    return {**session.profile.params(), "user": session.profile.role_for(session.login), "password": password}


def verify_password(session, password: str) -> None:
    """Connect once with ``password``; a refused login means the old password is wrong."""
    try:
        probe = connect_raw(login_params(session, password))
    except UserFacingError as exc:
        if exc.kind == "login":
            raise UserFacingError(translate("password", "旧密码不正确"), kind="validation",
                                  detail={"field": "旧密码"}) from exc
        raise
    probe.close()


def use_new_password(session, password: str):
    """From now on the session's engine opens connections with ``password``; returns the old pool.

    The pool is swapped inside the same Engine object because the shell holds that engine (the
    connection monitor probes it, the task runner disposes it to reconnect): a new Engine would leave
    them reconnecting with the old password after the next dropped connection."""
    fresh = engine_for(login_params(session, password))
    old_pool = session.engine.pool
    session.engine.pool = fresh.pool
    return old_pool


def change_own_password(conn, session, old: str, new: str) -> None:
    verify_password(session, old)
    conn.execute(text("SELECT yiwei.change_own_password(:verifier)"), {"verifier": scram_verifier(new)})


def password_fields() -> list[FieldSpec]:
    t = lambda s: translate("password", s)  # noqa: E731
    return [FieldSpec("old_password", t("旧密码"), "password", required=True, max_length=100),
            FieldSpec("new_password", t("新密码"), "password", required=True, max_length=100,
                      placeholder=t("至少 8 位，含字母和数字")),
            FieldSpec("new_password2", t("确认新密码"), "password", required=True, max_length=100)]


def new_password_errors(values: dict) -> dict:
    errors = password_errors(values, "new_password", "new_password2")
    if not errors and values["new_password"] == values["old_password"]:
        errors["new_password"] = translate("password", "新密码不能与旧密码相同")
    return errors


class ChangePasswordPanel(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.busy = False
        session = ctx.session
        intro = QLabel(self.tr("当前登录：%s（%s）。修改后，下次登录请使用新密码。") % (session.full_name, session.login))
        intro.setWordWrap(True)
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.fields = RecordFields(password_fields(), self)
        self.fields.edited.connect(lambda _key: self.banner.hide())
        for key in ("old_password", "new_password", "new_password2"):
            self.fields.widget(key).returnPressed.connect(self.submit)
        self.save_button = QPushButton(self.tr("修改密码"))
        self.save_button.setObjectName("save")
        self.save_button.clicked.connect(self.submit)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.submit,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setFixedWidth(90)
        self.progress.setTextVisible(False)
        self.progress.hide()

        buttons = QHBoxLayout()
        buttons.addWidget(self.progress)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        box = QWidget(self)
        box.setMaximumWidth(520)
        inner = QVBoxLayout(box)
        inner.addWidget(intro)
        inner.addWidget(self.banner)
        inner.addWidget(self.fields)
        inner.addLayout(buttons)
        row = QHBoxLayout()
        row.addWidget(box)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addStretch(1)
        self.fields.focus_first()

    def banner_text(self) -> str:
        return self.banner.text() if not self.banner.isHidden() else ""

    def submit(self) -> None:
        if self.busy:
            return
        self.banner.hide()
        if not self.fields.validate(new_password_errors):
            return
        values = self.fields.values()
        session = self.ctx.session
        self._set_busy(True)
        self.ctx.run(lambda conn, token, report: change_own_password(conn, session, values["old_password"],
                                                                      values["new_password"]),
                     on_done=lambda _r: self._changed(values["new_password"]), on_error=self._failed,
                     label=self.tr("修改密码"))

    def _changed(self, new_password: str) -> None:
        old_pool = use_new_password(self.ctx.session, new_password)
        self.ctx.tasks.submit(lambda token, report: old_pool.dispose())
        if not alive(self):
            return
        self._set_busy(False)
        self.fields.set_values({"old_password": "", "new_password": "", "new_password2": ""})
        self._show(self.tr("密码已修改，下次登录请使用新密码。"), INFO_STYLE)

    def _failed(self, error: UserFacingError) -> None:
        if not alive(self):
            return
        self._set_busy(False)
        if not self.fields.show_server_error(error):
            self._show(error.message, ERROR_STYLE)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.progress.setVisible(busy)
        self.save_button.setEnabled(not busy)

    def _show(self, message: str, style: str) -> None:
        self.banner.setStyleSheet(style)
        self.banner.setText(message)
        self.banner.show()

