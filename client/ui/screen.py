"""The frame every function screen shares: a toolbar of named text actions with a status text at
its right end, above the screen's body (a list, a table or a tree)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolBar, QVBoxLayout, QWidget
from shiboken6 import isValid


class ToolbarScreen(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.actions_by_name: dict[str, QAction] = {}
        self.status = QLabel()
        self.status.setObjectName("status")

    def add_action(self, name: str, text: str, slot, shortcut=None) -> QAction:
        """A toolbar action tests and other code can find by name; its shortcut works while the
        screen has focus, so screens in other docks can use the same keys."""
        action = QAction(text, self)
        action.setObjectName(name)
        action.triggered.connect(slot)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.toolbar.addAction(action)
        # The shortcut's context is the widgets the action is added to: the screen too, not only
        # its toolbar, or Ctrl+N would do nothing while the list has the focus.
        self.addAction(action)
        self.actions_by_name[name] = action
        return action

    def set_body(self, body: QWidget) -> None:
        """Finish the toolbar (status text at the right) and lay out toolbar and body."""
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(spacer)
        self.toolbar.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(body, 1)

    def say(self, message: str) -> None:
        self.status.setText(message)

    def read(self, fn, on_done) -> None:
        """Read in the background (``fn(conn)``, one transaction; retried once after a dropped
        connection) and hand the result to ``on_done`` on the GUI thread, saying so meanwhile;
        a failure is said in the status text. Needs ``self.ctx``."""
        self.say(self.tr("正在读取…"))

        def done(result):
            if isValid(self):
                self.say("")
                on_done(result)

        def failed(error):
            if isValid(self):
                self.say(error.message)

        self.ctx.run(lambda conn, token, report: fn(conn), on_done=done, on_error=failed, retry_on_disconnect=True)
