"""The main window: navigation of the functions the login may use, one dock per opened function,
a status bar that says who is logged in where and whether the server answers.

Docks are created on first use by ``FunctionSpec.factory(ctx, parent)``, tabified with the other
function docks, floatable and closable; their ``objectName`` is the function id, so the layout
saved per user (``saveState``) finds them again at the next login.
"""

from __future__ import annotations

import json
import logging

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSize, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QDialog, QDialogButtonBox, QDockWidget, QLabel,
                               QLineEdit, QMainWindow, QMessageBox, QProgressBar, QTabWidget, QTreeView,
                               QVBoxLayout, QWidget)

from client import __version__
from client.db.connection import Session
from client.db.errors import UserFacingError

from .connection_monitor import ConnectionMonitor
from .context import AppContext
from .registry import FUNCTIONS, FunctionSpec, MenuModule, menu_for
from .settings import UserSettings
from .start_page import StartPanels
from .tasks import TaskRunner

log = logging.getLogger("yiwei.ui")

LAYOUT_VERSION = 1
FUNCTION_ID_ROLE = Qt.ItemDataRole.UserRole + 1
CHANGE_PASSWORD_FUNCTION = "system.change_password"
NAVIGATION_DOCK = "navigation"
NAVIGATION_WIDTH = 240


def user_scope(session: Session) -> str:
    """Settings scope of one login on one database: layouts never mix between people or servers."""
    p = session.profile
    return f"{p.host}:{p.port}/{p.dbname}/{session.login.strip().lower()}"


def create_context(session: Session, settings_store=None) -> AppContext:
    """What every screen of this login gets: session, task runner (reconnecting on lost
    connections by dropping the pool's dead connections), and the user's settings."""
    runner = TaskRunner(reconnect=session.engine.dispose)
    return AppContext(session=session, tasks=runner, settings=UserSettings(user_scope(session), settings_store))


def place_label(session: Session) -> str:
    from PySide6.QtCore import QCoreApplication

    return session.store_name or session.region_name or QCoreApplication.translate("MainWindow", "公司")


class FunctionDock(QDockWidget):
    """The dock of one function. Before closing it asks its widget ``confirm_close()`` when the
    widget has one (e.g. a form with unsaved changes), so nothing is lost by Ctrl+W."""

    closed = Signal(str)

    def __init__(self, spec: FunctionSpec, parent: QWidget):
        super().__init__(spec.title, parent)
        self.spec = spec
        self.setObjectName(spec.id)
        self.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def confirm_close(self) -> bool:
        check = getattr(self.widget(), "confirm_close", None)
        return bool(check()) if callable(check) else True

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.confirm_close():
            event.ignore()
            return
        super().closeEvent(event)
        if event.isAccepted():
            self.closed.emit(self.objectName())


class FunctionFilterModel(QSortFilterProxyModel):
    """Keeps functions whose title or id contains the typed text (modules with a match stay)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setAutoAcceptChildRows(True)
        # kept as typed: Qt's fixed-string filter escapes every CJK character into a regex
        self.needle = ""

    def set_needle(self, text: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9; invalidateFilter() is deprecated there
            self.beginFilterChange()
            self.needle = text.strip()
            self.endFilterChange()
        else:
            self.needle = text.strip()
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        needle = self.needle
        if not needle:
            return True
        index = self.sourceModel().index(source_row, 0, source_parent)
        haystack = f"{index.data(Qt.ItemDataRole.DisplayRole) or ''} {index.data(FUNCTION_ID_ROLE) or ''}"
        return needle.casefold() in haystack.casefold()


class NavigationPanel(QWidget):
    """Filter field plus the tree of modules and functions. Enter opens the selected function."""

    open_requested = Signal(str)

    def __init__(self, menu: list[MenuModule], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("navigationPanel")
        self.filter = QLineEdit(self)
        self.filter.setObjectName("navigationFilter")
        self.filter.setPlaceholderText(self.tr("查找功能（Ctrl+L）"))
        self.filter.setClearButtonEnabled(True)
        self.model = QStandardItemModel(self)
        self.proxy = FunctionFilterModel(self)
        self.proxy.setSourceModel(self.model)
        self.tree = QTreeView(self)
        self.tree.setObjectName("navigationTree")
        self.tree.setModel(self.proxy)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAlternatingRowColors(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        self.populate(menu)
        self.filter.textChanged.connect(self._filter_changed)
        self.filter.returnPressed.connect(self._open_from_filter)
        self.filter.installEventFilter(self)
        self.tree.activated.connect(self._activated)
        self.tree.installEventFilter(self)

    def populate(self, menu: list[MenuModule]) -> None:
        self.model.clear()
        for module in menu:
            module_item = QStandardItem(module.info.title)
            module_item.setEditable(False)
            font = module_item.font()
            font.setBold(True)
            module_item.setFont(font)
            for spec in module.functions:
                item = QStandardItem(spec.title)
                item.setEditable(False)
                item.setData(spec.id, FUNCTION_ID_ROLE)
                tip = spec.title if not spec.shortcut else f"{spec.title}（{spec.shortcut}）"
                item.setToolTip(tip)
                module_item.appendRow(item)
            self.model.appendRow(module_item)
        self.tree.expandAll()
        first = self.first_function_index()
        if first.isValid():
            self.tree.setCurrentIndex(first)

    def function_ids(self, visible_only: bool = False) -> set[str]:
        model = self.proxy if visible_only else self.model
        ids = set()
        for row in range(model.rowCount()):
            parent = model.index(row, 0)
            for child_row in range(model.rowCount(parent)):
                fid = model.index(child_row, 0, parent).data(FUNCTION_ID_ROLE)
                if fid:
                    ids.add(fid)
        return ids

    def first_function_index(self) -> QModelIndex:
        for row in range(self.proxy.rowCount()):
            parent = self.proxy.index(row, 0)
            if self.proxy.rowCount(parent):
                return self.proxy.index(0, 0, parent)
        return QModelIndex()

    def select_function(self, function_id: str) -> bool:
        for row in range(self.proxy.rowCount()):
            parent = self.proxy.index(row, 0)
            for child_row in range(self.proxy.rowCount(parent)):
                index = self.proxy.index(child_row, 0, parent)
                if index.data(FUNCTION_ID_ROLE) == function_id:
                    self.tree.setCurrentIndex(index)
                    return True
        return False

    def selected_function(self) -> str | None:
        return self.tree.currentIndex().data(FUNCTION_ID_ROLE)

    def focus_filter(self) -> None:
        self.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter.selectAll()

    def _filter_changed(self, text: str) -> None:
        self.proxy.set_needle(text)
        self.tree.expandAll()
        current = self.tree.currentIndex()
        if not current.isValid() or not current.data(FUNCTION_ID_ROLE):
            first = self.first_function_index()
            if first.isValid():
                self.tree.setCurrentIndex(first)

    def _open_from_filter(self) -> None:
        fid = self.selected_function()
        if fid is None:
            first = self.first_function_index()
            fid = first.data(FUNCTION_ID_ROLE) if first.isValid() else None
        if fid:
            self.open_requested.emit(fid)

    def _activated(self, index: QModelIndex) -> None:
        fid = index.data(FUNCTION_ID_ROLE)
        if fid:
            self.open_requested.emit(fid)
        else:
            self.tree.setExpanded(index, not self.tree.isExpanded(index))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if watched is self.filter:
                if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown):
                    self.tree.setFocus(Qt.FocusReason.OtherFocusReason)
                    if not self.tree.currentIndex().isValid():
                        self.tree.setCurrentIndex(self.first_function_index())
                    return True
                if key == Qt.Key.Key_Escape and self.filter.text():
                    self.filter.clear()
                    return True
            elif watched is self.tree and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                # Enter opens on every platform (item views leave it to the style otherwise).
                self._activated(self.tree.currentIndex())
                return True
        return super().eventFilter(watched, event)


class ShortcutsDialog(QDialog):
    """F1: every keyboard shortcut of the shell and the ones every list and form keeps."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle(self.tr("快捷键"))
        rows = [
            (self.tr("导航"), None),
            ("Ctrl+L", self.tr("查找功能：光标移到左侧功能导航的查找框")),
            (self.tr("↑ ↓ / Enter"), self.tr("在功能导航中选择 / 打开所选功能")),
            ("Ctrl+Tab", self.tr("切换到下一个窗口")),
            ("Ctrl+Shift+Tab", self.tr("切换到上一个窗口")),
            ("Ctrl+W", self.tr("关闭当前窗口")),
            ("F1", self.tr("显示本帮助")),
            ("Ctrl+Q", self.tr("退出易维")),
            (self.tr("列表与单据"), None),
            ("Ctrl+N", self.tr("新建记录")),
            ("Ctrl+S", self.tr("保存")),
            ("Ctrl+F", self.tr("搜索 / 筛选")),
            ("Ctrl+E", self.tr("导出 Excel")),
            ("Ctrl+P", self.tr("打印")),
            (self.tr("Enter / 双击"), self.tr("打开所选记录")),
            ("Esc", self.tr("关闭对话框（不保存）")),
        ]
        html = ["<table cellspacing='0' cellpadding='4'>"]
        for key, text in rows:
            if text is None:
                html.append(f"<tr><td colspan='2' style='padding-top:8px'><b>{key}</b></td></tr>")
            else:
                html.append(f"<tr><td style='padding-right:18px'><code>{key}</code></td><td>{text}</td></tr>")
        html.append("</table>")
        label = QLabel("".join(html), self)
        label.setObjectName("shortcutsTable")
        label.setTextFormat(Qt.TextFormat.RichText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 12)
        layout.addWidget(label)
        layout.addWidget(buttons)

    @property
    def text(self) -> str:
        return self.findChild(QLabel, "shortcutsTable").text()


class WelcomePage(QWidget):
    """Shown while no function is docked in the main area: a greeting, what is due today for this
    login (the start panels modules register, read in the background each time the page is shown)
    and how to get around."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("welcomePage")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        title = QLabel(self.tr("{0}，您好").format(ctx.session.full_name), self)
        title.setObjectName("welcomeTitle")
        font = title.font()
        font.setPointSize(18)
        title.setFont(font)
        self.panels = StartPanels(ctx, self)
        self.panels.setMaximumWidth(880)
        text = QLabel(self.tr(
            "从左侧的功能导航打开要用的功能，每个功能是一个可以停靠、并排、浮动的窗口；"
            "窗口的位置会为您保存，下次登录时恢复。<br><br>"
            "<b>Ctrl+L</b> 查找功能，<b>Enter</b> 打开，<b>Ctrl+Tab</b> 切换窗口，"
            "<b>Ctrl+W</b> 关闭窗口，<b>F1</b> 查看全部快捷键。"), self)
        text.setObjectName("welcomeText")
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setMaximumWidth(560)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 40, 48, 40)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addSpacing(12)
        layout.addWidget(self.panels)
        layout.addSpacing(12)
        layout.addWidget(text)
        layout.addStretch(2)

    def showEvent(self, event) -> None:
        # shown after login and again whenever the last docked function closes: read afresh
        super().showEvent(event)
        self.panels.refresh()


class MainWindow(QMainWindow):
    """The shell of one logged-in employee. ``ctx.open_function`` is this window's open_function."""

    logout_requested = Signal()
    function_opened = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, restore_layout: bool = True):
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.ctx = ctx
        self.session: Session = ctx.session
        ctx.open_function = self.open_function
        self.menu: list[MenuModule] = menu_for(self.session.permissions)
        self.allowed: dict[str, FunctionSpec] = {f.id: f for m in self.menu for f in m.functions}
        self._docks: dict[str, FunctionDock] = {}
        self._recent: list[str] = []         # function ids, most recently used first
        self._logging_out = False
        self._shut_down = False
        self.dialogs: dict[str, QWidget] = {}  # non-modal dialogs shown last (help, about)

        self.setWindowTitle(self.tr("{0} — {1}（{2}）").format(self.session.company_name, self.session.full_name,
                                                              self.session.position_name))
        self.setDockOptions(QMainWindow.DockOption.AllowTabbedDocks | QMainWindow.DockOption.AllowNestedDocks
                            | QMainWindow.DockOption.GroupedDragging)
        self.setTabPosition(Qt.DockWidgetArea.AllDockWidgetAreas, QTabWidget.TabPosition.North)
        self.setDocumentMode(False)
        self.welcome = WelcomePage(ctx, self)
        self.setCentralWidget(self.welcome)

        self.navigation = NavigationPanel(self.menu, self)
        self.navigation.open_requested.connect(self.open_function)
        self.navigation_dock = QDockWidget(self.tr("功能导航"), self)
        self.navigation_dock.setObjectName(NAVIGATION_DOCK)
        self.navigation_dock.setWidget(self.navigation)
        self.navigation_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.navigation_dock.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.navigation_dock)

        self._build_menus()
        self._build_status_bar()
        self.monitor = ConnectionMonitor(self.session.engine, ctx.tasks, parent=self)
        self.monitor.state_changed.connect(self._connection_changed)
        self.monitor.probe_failed.connect(lambda message: self.connection_label.setToolTip(message))
        ctx.tasks.busy_changed.connect(self._busy_changed)
        QApplication.instance().focusChanged.connect(self._focus_changed)
        self.tabifiedDockWidgetActivated.connect(self._dock_activated)
        self.resize(1280, 800)
        if restore_layout:
            self.restore_layout()
        self._update_central()

    # -- menus and shortcuts ----------------------------------------------------------------------
    def _action(self, text: str, slot, shortcut=None, name: str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, (list, tuple)):
                action.setShortcuts([QKeySequence(s) for s in shortcut])
            else:
                action.setShortcut(QKeySequence(shortcut))
        if name:
            action.setObjectName(name)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)  # shortcuts work even while the menu bar is hidden
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("文件(&F)"))
        self.change_password_action = self._action(self.tr("修改密码(&P)…"),
                                                   lambda: self.ctx.open_function(CHANGE_PASSWORD_FUNCTION),
                                                   name="changePasswordAction")
        self.change_password_action.setEnabled(CHANGE_PASSWORD_FUNCTION in FUNCTIONS)
        file_menu.addAction(self.change_password_action)
        file_menu.addSeparator()
        self.logout_action = self._action(self.tr("注销(&L)"), self.logout, name="logoutAction")
        file_menu.addAction(self.logout_action)
        self.quit_action = self._action(self.tr("退出(&X)"), self.close, "Ctrl+Q", name="quitAction")
        file_menu.addAction(self.quit_action)

        self.module_menus = {}
        for module in self.menu:
            menu = bar.addMenu(module.info.title)
            menu.setObjectName(f"menu_{module.info.key}")
            self.module_menus[module.info.key] = menu
            for spec in module.functions:
                action = self._action(spec.title, lambda fid=spec.id: self.open_function(fid), spec.shortcut,
                                      name=f"open_{spec.id}")
                menu.addAction(action)

        window_menu = bar.addMenu(self.tr("窗口(&W)"))
        self.find_function_action = self._action(self.tr("查找功能(&F)"), self.focus_navigation, "Ctrl+L",
                                                 name="findFunctionAction")
        window_menu.addAction(self.find_function_action)
        self.next_dock_action = self._action(self.tr("下一个窗口(&N)"), lambda: self.cycle_docks(1), "Ctrl+Tab",
                                             name="nextDockAction")
        window_menu.addAction(self.next_dock_action)
        self.previous_dock_action = self._action(self.tr("上一个窗口(&P)"), lambda: self.cycle_docks(-1),
                                                 ["Ctrl+Shift+Tab", "Ctrl+Shift+Backtab"], name="previousDockAction")
        window_menu.addAction(self.previous_dock_action)
        self.close_dock_action = self._action(self.tr("关闭当前窗口(&C)"), self.close_current_dock, "Ctrl+W",
                                              name="closeDockAction")
        window_menu.addAction(self.close_dock_action)
        self.close_all_action = self._action(self.tr("关闭全部窗口(&A)"), self.close_all_docks, name="closeAllAction")
        window_menu.addAction(self.close_all_action)
        window_menu.addSeparator()
        nav_toggle = self.navigation_dock.toggleViewAction()
        nav_toggle.setText(self.tr("显示功能导航(&V)"))
        window_menu.addAction(nav_toggle)

        help_menu = bar.addMenu(self.tr("帮助(&H)"))
        self.shortcuts_action = self._action(self.tr("快捷键(&K)"), self.show_shortcuts, "F1", name="shortcutsAction")
        help_menu.addAction(self.shortcuts_action)
        self.about_action = self._action(self.tr("关于易维(&A)"), self.show_about, name="aboutAction")
        help_menu.addAction(self.about_action)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setSizeGripEnabled(True)

        def label(name: str, text: str, tip: str = "") -> QLabel:
            widget = QLabel(text, self)
            widget.setObjectName(name)
            if tip:
                widget.setToolTip(tip)
            return widget

        s, p = self.session, self.session.profile
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setObjectName("statusBusyBar")
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedSize(QSize(70, 12))
        self.busy_label = label("statusBusy", "")
        self.employee_label = label("statusEmployee", f"{s.full_name} · {s.position_name}",
                                    self.tr("登录名：{0}").format(s.login))
        self.place_label = label("statusPlace", place_label(s), s.company_name)
        self.server_label = label("statusServer", f"{p.host}:{p.port}/{p.dbname}",
                                  self.tr("服务器 {0}:{1}，数据库 {2}，传输加密 {3}").format(p.host, p.port, p.dbname,
                                                                                           p.sslmode))
        self.connection_label = label("statusConnection", "")
        for widget in (self.busy_bar, self.busy_label, self.employee_label, self.place_label, self.server_label,
                       self.connection_label):
            bar.addPermanentWidget(widget)
        self._busy_changed(self.ctx.tasks.running)
        self._connection_changed(True)

    # -- status -----------------------------------------------------------------------------------
    def _busy_changed(self, count: int) -> None:
        self.busy_bar.setVisible(count > 0)
        self.busy_label.setVisible(count > 0)
        self.busy_label.setText(self.tr("后台任务 {0} 个").format(count) if count else "")

    def _connection_changed(self, connected: bool) -> None:
        label = self.connection_label
        if connected:
            label.setText(self.tr("● 已连接"))
            label.setToolTip(self.tr("数据库服务器正常应答"))
        else:
            label.setText(self.tr("● 连接已断开，正在重连…"))
            label.setToolTip(self.tr("正在每 {0} 秒尝试重新连接服务器").format(self.monitor.interval_ms // 1000 or 1))
            self.statusBar().showMessage(self.tr("与数据库服务器的连接已断开，正在自动重连…"), 8000)
        label.setProperty("connected", "true" if connected else "false")
        label.style().unpolish(label)
        label.style().polish(label)

    def status_texts(self) -> dict[str, str]:
        """The status bar as the user reads it (tests, support)."""
        return {"employee": self.employee_label.text(), "place": self.place_label.text(),
                "server": self.server_label.text(), "connection": self.connection_label.text(),
                "busy": self.busy_label.text() if self.busy_label.isVisibleTo(self) else ""}

    # -- docks ------------------------------------------------------------------------------------
    def dock(self, function_id: str) -> FunctionDock | None:
        return self._docks.get(function_id)

    def open_docks(self) -> list[FunctionDock]:
        return list(self._docks.values())

    def open_function_ids(self) -> list[str]:
        return list(self._docks)

    def navigation_function_ids(self) -> set[str]:
        return self.navigation.function_ids()

    def _docked_area_docks(self) -> list[FunctionDock]:
        return [d for d in self._docks.values() if not d.isFloating()]

    def _create_dock(self, spec: FunctionSpec) -> FunctionDock:
        dock = FunctionDock(spec, self)
        widget = spec.factory(self.ctx, dock)
        dock.setWidget(widget)
        anchor = next((d for d in reversed(self._docked_area_docks())), None)
        if anchor is None:
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        else:
            self.tabifyDockWidget(anchor, dock)
        self._docks[spec.id] = dock
        dock.closed.connect(self._dock_closed)
        dock.topLevelChanged.connect(lambda _floating: self._update_central())
        self._update_central()
        if anchor is None and not self.navigation_dock.isFloating():
            # The first function dock takes the room of the welcome page, not half the navigation.
            self.resizeDocks([self.navigation_dock, dock], [NAVIGATION_WIDTH, max(400, self.width() - NAVIGATION_WIDTH)],
                             Qt.Orientation.Horizontal)
        return dock

    def open_function(self, function_id: str) -> FunctionDock | None:
        """Open (or raise, if already open) the dock of a function this login may use."""
        spec = self.allowed.get(function_id)
        if spec is None:
            known = FUNCTIONS.get(function_id)
            if known is None:
                self.statusBar().showMessage(self.tr("没有这个功能：{0}").format(function_id), 5000)
            else:
                self.statusBar().showMessage(self.tr("您的岗位没有“{0}”的权限").format(known.title), 5000)
            return None
        dock = self._docks.get(function_id)
        if dock is None:
            try:
                dock = self._create_dock(spec)
            except UserFacingError as exc:
                self._show_open_error(spec, exc.message)
                return None
            except Exception:
                log.exception("opening function %s failed", function_id)
                from .crash import log_file

                self._show_open_error(spec, self.tr("程序错误，详情已记录在 {0}").format(log_file()))
                return None
            self.function_opened.emit(function_id)
        self.raise_dock(dock)
        return dock

    def _show_open_error(self, spec: FunctionSpec, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("无法打开"),
                          self.tr("无法打开“{0}”：{1}").format(spec.title, message), QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialogs["error"] = box
        box.open()

    def raise_dock(self, dock: FunctionDock) -> None:
        dock.show()
        dock.raise_()
        if dock.isFloating():
            dock.activateWindow()
        self._touch(dock.objectName())
        self.navigation.select_function(dock.objectName())
        widget = dock.widget()
        target = _focus_target(widget) if widget is not None else None
        (target or dock).setFocus(Qt.FocusReason.OtherFocusReason)

    def _touch(self, function_id: str) -> None:
        if function_id in self._recent:
            self._recent.remove(function_id)
        self._recent.insert(0, function_id)

    def current_dock(self) -> FunctionDock | None:
        """The dock holding the keyboard focus, else the one used last that is on screen."""
        widget = QApplication.focusWidget()
        while widget is not None:
            if isinstance(widget, FunctionDock) and self._docks.get(widget.objectName()) is widget:
                return widget
            widget = widget.parentWidget()
        # Every raise and tab activation moves a dock to the front of _recent, so the first one
        # is on top of its tab group (tabified docks all report isVisible()).
        for fid in self._recent:
            dock = self._docks.get(fid)
            if dock is not None and not dock.isHidden():
                return dock
        return None

    def close_current_dock(self) -> bool:
        dock = self.current_dock()
        if dock is None:
            return False
        return dock.close()

    def close_all_docks(self) -> bool:
        for dock in list(self._docks.values()):
            if not dock.close():
                return False
        return True

    def cycle_docks(self, step: int = 1) -> FunctionDock | None:
        ids = list(self._docks)
        if not ids:
            return None
        current = self.current_dock()
        position = ids.index(current.objectName()) if current is not None else -step
        dock = self._docks[ids[(position + step) % len(ids)]]
        self.raise_dock(dock)
        return dock

    def _dock_closed(self, function_id: str) -> None:
        dock = self._docks.pop(function_id, None)
        if function_id in self._recent:
            self._recent.remove(function_id)
        if dock is not None:
            self.removeDockWidget(dock)
        self._update_central()
        if self._shut_down:
            return
        # Keep the keyboard in the window: focus the dock now on top, or the navigation.
        QTimer.singleShot(0, self._focus_after_close)

    def _focus_after_close(self) -> None:
        if self._shut_down:
            return
        dock = self.current_dock()
        if dock is None and self._docks:
            dock = next(iter(self._docks.values()))
        if dock is not None:
            self.raise_dock(dock)
        else:
            self.navigation.tree.setFocus()

    def _dock_activated(self, dock: QDockWidget) -> None:
        if isinstance(dock, FunctionDock) and dock.objectName() in self._docks:
            self._touch(dock.objectName())

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        widget = new
        while widget is not None:
            if isinstance(widget, FunctionDock):
                if self._docks.get(widget.objectName()) is widget:
                    self._touch(widget.objectName())
                return
            widget = widget.parentWidget()

    def _update_central(self) -> None:
        # With a function docked in the main area the docks take all the room; with none, the
        # welcome page fills it so the window is never an empty grey field.
        self.welcome.setVisible(not self._docked_area_docks())

    def focus_navigation(self) -> None:
        self.navigation_dock.show()
        self.navigation_dock.raise_()
        self.navigation.focus_filter()

    # -- help -------------------------------------------------------------------------------------
    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialogs["shortcuts"] = dialog
        dialog.open()
        return dialog

    def about_text(self) -> str:
        from server_schema.migrate import head_revision

        return self.tr("<h3>易维 {0}</h3><p>家居建材经销商管理系统</p>"
                       "<p>数据库结构版本：{1}<br>服务器：{2}:{3}/{4}<br>当前用户：{5}（{6}）</p>").format(
            __version__, head_revision(), self.session.profile.host, self.session.profile.port,
            self.session.profile.dbname, self.session.full_name, self.session.login)

    def show_about(self) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("关于易维"), self.about_text(),
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("aboutBox")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialogs["about"] = box
        box.open()
        return box

    # -- layout -----------------------------------------------------------------------------------
    def save_layout(self) -> None:
        s = self.ctx.settings
        s.set_value("layout/state", self.saveState(LAYOUT_VERSION))
        s.set_value("layout/geometry", self.saveGeometry())
        s.set_value("layout/open", json.dumps(list(self._docks)))
        current = self.current_dock()
        s.set_value("layout/current", current.objectName() if current is not None else "")
        s.sync()

    def saved_open_functions(self) -> list[str]:
        raw = self.ctx.settings.value("layout/open", "[]")
        try:
            ids = json.loads(raw) if isinstance(raw, str) else list(raw or [])
        except ValueError:
            ids = []
        return [fid for fid in ids if isinstance(fid, str)]

    def restore_layout(self) -> list[str]:
        """Re-create the docks that were open (those the login may still use), then put every
        dock back where it was. Returns the ids of the docks re-created."""
        restored = []
        for fid in self.saved_open_functions():
            spec = self.allowed.get(fid)
            if spec is None or fid in self._docks:
                continue
            try:
                self._create_dock(spec)
            except Exception:
                log.exception("restoring function %s failed", fid)
                continue
            restored.append(fid)
        state = self.ctx.settings.value("layout/state")
        if state:
            self.restoreState(state, LAYOUT_VERSION)
        geometry = self.ctx.settings.value("layout/geometry")
        if geometry:
            self.restoreGeometry(geometry)
        current = self.ctx.settings.value("layout/current", "")
        for fid in reversed(restored):
            self._touch(fid)
        if current in self._docks:
            self._touch(current)
            self._docks[current].raise_()
        self._update_central()
        return restored

    def has_saved_geometry(self) -> bool:
        return bool(self.ctx.settings.value("layout/geometry"))

    def show_with_saved_geometry(self) -> None:
        if self.has_saved_geometry():
            self.show()
        else:
            self.showMaximized()
        current = self.current_dock()
        if current is not None:
            self.raise_dock(current)
        else:
            self.navigation.tree.setFocus()

    # -- leaving ----------------------------------------------------------------------------------
    def logout(self) -> bool:
        self._logging_out = True
        closed = self.close()
        if not closed:
            self._logging_out = False
        return closed

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._shut_down:
            event.accept()
            return
        refusing = next((d for d in self._docks.values() if not d.confirm_close()), None)
        if refusing is not None:
            self.raise_dock(refusing)
            event.ignore()
            self._logging_out = False
            return
        self.save_layout()
        self._shutdown()
        event.accept()
        super().closeEvent(event)
        if self._logging_out:
            self.logout_requested.emit()

    def _shutdown(self) -> None:
        """Stop watching, cancel background work, close this login's connections."""
        self._shut_down = True
        self.monitor.stop()
        try:
            QApplication.instance().focusChanged.disconnect(self._focus_changed)
        except (RuntimeError, TypeError):
            pass
        self.ctx.tasks.cancel_all()
        self.ctx.tasks.wait_all(5000)
        self.session.engine.dispose()


def _focus_target(widget: QWidget) -> QWidget | None:
    """The widget that should get the keyboard when a dock comes up."""
    proxy = widget.focusProxy() or widget
    if proxy.focusPolicy() & Qt.FocusPolicy.TabFocus:
        return proxy
    for candidate in widget.findChildren(QWidget):
        if candidate.focusPolicy() & Qt.FocusPolicy.TabFocus and candidate.isEnabled() and not candidate.isHidden():
            return candidate
    return None
