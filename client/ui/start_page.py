"""What is due today, on the start page: panels that modules register.

A module declares a panel with :func:`register_start_panel` — the permissions that show it, a
``loader(conn) -> [StartItem]`` run in the background as the login (its row-level security decides
what is counted) and the function a click opens. The modules holding panels are named in
``START_PANEL_MODULES`` and imported on first use, like the function and list registries.

:class:`StartPanels` is the widget the welcome page shows: it loads every panel the login may see
in one background task (each panel in its own savepoint, so one failing panel does not hide the
others) and reloads whenever it is shown again.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Callable, Sequence

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from client.db.errors import UserFacingError, is_connection_lost
from client.db.errors import translate as translate_error

from .forms import alive
from .registry import load_functions

log = logging.getLogger("yiwei.ui")

# Module packages whose start_panels.py registers panels.
START_PANEL_MODULES = ["client.customers.start_panels"]

NAMES_SHOWN = 5


@dataclass(frozen=True)
class StartItem:
    """One line of a panel: "今天要跟踪的客户 3  张三、李四、王五". ``key`` is handed to the opened
    screen's ``show_start_item(key)`` (when it has one) so it can show just these rows."""

    key: str
    label: str
    count: int
    names: tuple[str, ...] = ()
    urgent: bool = False          # drawn as a warning when count > 0
    hint: str = ""                # tooltip, e.g. which days count as "soon"
    function_id: str = ""         # what a click opens; empty: the panel's function


@dataclass(frozen=True)
class StartPanel:
    key: str
    title: str
    permissions: tuple[str, ...]
    loader: Callable[[object], Sequence[StartItem]]
    function_id: str
    order: int = 0

    def allowed(self, granted: frozenset[str]) -> bool:
        return not self.permissions or any(p in granted for p in self.permissions)


_PANELS: dict[str, StartPanel] = {}


def register_start_panel(panel: StartPanel) -> StartPanel:
    if panel.key in _PANELS and _PANELS[panel.key] is not panel:
        raise ValueError(f"start panel registered twice: {panel.key}")
    _PANELS[panel.key] = panel
    return panel


def panels_for(granted: frozenset[str]) -> list[StartPanel]:
    """The panels a login with these permissions sees, in order."""
    for name in START_PANEL_MODULES:
        importlib.import_module(name)
    return sorted((p for p in _PANELS.values() if p.allowed(granted)), key=lambda p: (p.order, p.key))


@dataclass
class PanelResult:
    panel: StartPanel
    items: list[StartItem]
    error: str = ""


def load_panels(conn, panels: Sequence[StartPanel]) -> list[PanelResult]:
    """Every panel's items, each read in a savepoint of the one transaction."""
    results = []
    for panel in panels:
        try:
            with conn.begin_nested():
                results.append(PanelResult(panel, list(panel.loader(conn))))
        except Exception as exc:  # one broken panel must not hide the others
            if is_connection_lost(exc):
                raise  # the task reconnects and reads every panel again
            error = exc if isinstance(exc, UserFacingError) else translate_error(exc)
            if error.kind not in ("permission", "not_found", "validation"):
                log.warning("start panel %s failed: %s", panel.key, exc)
            results.append(PanelResult(panel, [], error.message))
    return results


class StartPanels(QWidget):
    """The due-today panels of one login; ``refresh()`` reads them again in the background."""

    loaded = Signal()

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("startPanels")
        self.panels = panels_for(ctx.session.permissions)
        self.results: list[PanelResult] = []
        self.loading = False
        self._again = False
        self.buttons: dict[str, QPushButton] = {}
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setHorizontalSpacing(16)
        self._layout.setVerticalSpacing(12)
        self.status = QLabel(self)
        self.status.setObjectName("startStatus")
        self.setVisible(bool(self.panels))

    def refresh(self) -> None:
        """Read every panel again (a second call while reading reads once more afterwards)."""
        if not self.panels:
            return
        if self.loading:
            self._again = True
            return
        self.loading = True
        panels = list(self.panels)
        if not self.results:
            self.status.setText(self.tr("正在读取今日提醒…"))
            self._layout.addWidget(self.status, 0, 0)
        self.ctx.run(lambda conn, token, report: load_panels(conn, panels), on_done=self._arrived,
                     on_error=self._failed, label=self.tr("今日提醒"), retry_on_disconnect=True)

    def _arrived(self, results: list[PanelResult]) -> None:
        if not alive(self):
            return
        self.loading = False
        self.results = results
        self._build(results)
        self.loaded.emit()
        if self._again:
            self._again = False
            self.refresh()

    def _failed(self, error: UserFacingError) -> None:
        if not alive(self):
            return
        self.loading = False
        self.status.setText(self.tr("今日提醒读取失败：{0}").format(error.message))
        self.loaded.emit()

    # showing -----------------------------------------------------------------------------------
    def item(self, key: str) -> StartItem | None:
        for result in self.results:
            for item in result.items:
                if item.key == key:
                    return item
        return None

    def _clear(self) -> None:
        self.buttons.clear()
        while self._layout.count():
            widget = self._layout.takeAt(0).widget()
            if widget is not None and widget is not self.status:
                widget.deleteLater()
        self.status.setParent(self)
        self.status.hide()

    def _build(self, results: list[PanelResult]) -> None:
        self._clear()
        columns = 2
        for index, result in enumerate(results):
            self._layout.addWidget(self._panel_frame(result), index // columns, index % columns)

    def _panel_frame(self, result: PanelResult) -> QFrame:
        frame = QFrame(self)
        frame.setObjectName(f"startPanel_{result.panel.key}")
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        frame.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(12, 8, 12, 10)
        layout.setSpacing(4)
        title = QLabel(f"<b>{QCoreApplication.translate('start_panels', result.panel.title)}</b>", frame)
        layout.addWidget(title)
        if result.error:
            error = QLabel(self.tr("读取失败：{0}").format(result.error), frame)
            error.setObjectName("startPanelError")
            error.setStyleSheet("color: #c62828;")
            error.setWordWrap(True)
            layout.addWidget(error)
        for item in result.items:
            layout.addWidget(self._item_row(result.panel, item, frame))
        return frame

    def _item_row(self, panel: StartPanel, item: StartItem, parent: QWidget) -> QWidget:
        row = QWidget(parent)
        grid = QGridLayout(row)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        button = QPushButton(f"{item.label}　{item.count}", row)
        button.setObjectName(f"start_{item.key}")
        button.setFlat(True)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setStyleSheet("text-align: left; padding: 2px 4px;"
                             + (" color: #c62828; font-weight: bold;" if item.urgent and item.count else ""))
        function_id = item.function_id or panel.function_id
        if item.hint:
            button.setToolTip(item.hint)
        spec = load_functions().get(function_id)
        if spec is not None and spec.allowed(self.ctx.session.permissions):
            button.clicked.connect(lambda _checked=False, f=function_id, k=item.key: self.open(f, k))
        else:
            button.setEnabled(False)
        self.buttons[item.key] = button
        grid.addWidget(button, 0, 0)
        if item.names:
            more = "…" if item.count > len(item.names) else ""
            names = QLabel("、".join(item.names) + more, row)
            names.setObjectName(f"start_{item.key}_names")
            names.setToolTip("、".join(item.names))
            # the panel keeps its width; names that do not fit are cut, and whole in the tooltip
            names.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            names.setStyleSheet("color: palette(mid);")
            grid.addWidget(names, 0, 1)
        grid.setColumnStretch(1, 1)
        return row

    def open(self, function_id: str, item_key: str) -> None:
        """Open the item's function and let its screen narrow to the item's rows."""
        dock = self.ctx.open_function(function_id)
        widget = dock.widget() if dock is not None and hasattr(dock, "widget") else None
        show = getattr(widget, "show_start_item", None)
        if callable(show):
            show(item_key)
