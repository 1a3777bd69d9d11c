"""The search-as-you-type picking dialog both the customer picker and the product picker are: a
search box, a results table, a status line, 选择/取消. The search runs in the background after a
pause in typing (a newer search discards an older one's answer); Enter in the box picks the
highlighted row once the results are those of the text typed, ↓/↑ move into the results.

A subclass says what it searches (``fetch``), how a row is shown (``cells``) and what the status
line says; ``picked`` carries the chosen row.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from client.db.errors import UserFacingError

from .forms import alive

SEARCH_DELAY_MS = 300


class SearchPicker(QDialog):
    picked = Signal(object)
    results_loaded = Signal()

    # what a subclass fills in
    result_limit = 50
    numeric_columns: tuple[int, ...] = ()     # right-aligned

    def __init__(self, ctx, parent, *, name: str, title: str, headers: list[str], placeholder: str,
                 size: tuple[int, int], stretch_last: bool = False, term: str = ""):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setModal(True)
        self.resize(*size)
        self.chosen = None
        self.searching = False
        self._generation = 0
        self._results: list = []

        self.search = QLineEdit(self)
        self.search.setObjectName(f"{name}_search")
        self.search.setClearButtonEnabled(True)
        self.search.setMaxLength(60)
        self.search.setPlaceholderText(placeholder)
        self.search.setText(term)
        self.search.installEventFilter(self)
        self.table = QTreeWidget(self)
        self.table.setObjectName(f"{name}_results")
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setHeaderLabels(headers)
        self.table.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.header().setStretchLastSection(stretch_last)
        self.table.itemActivated.connect(lambda *_: self.accept_current())
        self.table.itemDoubleClicked.connect(lambda *_: self.accept_current())
        self.status = QLabel(self)
        self.status.setObjectName(f"{name}_status")
        buttons = QDialogButtonBox(self)
        self.ok_button = buttons.addButton(self.tr("选择"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("pick")
        cancel = buttons.addButton(self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.clicked.connect(self.accept_current)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _t: self._timer.start(SEARCH_DELAY_MS))
        self.search.setFocus()

    # what a subclass says ------------------------------------------------------------------------
    def fetch(self, conn, term: str) -> list:
        """The rows matching ``term`` (runs on the worker thread)."""
        raise NotImplementedError

    def cells(self, row) -> list[str]:
        raise NotImplementedError

    def found_text(self, count: int) -> str:
        raise NotImplementedError

    def none_text(self) -> str:
        raise NotImplementedError

    # searching -----------------------------------------------------------------------------------
    def set_search(self, term: str) -> None:
        """Search now for ``term`` (as if typed and paused)."""
        self.search.blockSignals(True)
        self.search.setText(term)
        self.search.blockSignals(False)
        self.run_search()

    def run_search(self) -> None:
        self._timer.stop()
        self._generation += 1
        generation, term = self._generation, self.search.text()
        self.searching = True
        self.status.setText(self.tr("正在查找…"))
        self.ctx.run(lambda conn, token, report: self.fetch(conn, term),
                     on_done=lambda rows: self._arrived(generation, rows),
                     on_error=lambda error: self._failed(generation, error),
                     label=self.windowTitle(), retry_on_disconnect=True)

    def show_results(self, rows: list) -> None:
        """Show rows found already (by whoever opened the picker) without searching again."""
        self._arrived(self._generation, rows)

    def _arrived(self, generation: int, rows: list) -> None:
        if not alive(self) or generation != self._generation:
            return
        self.searching = False
        self._results = rows
        self.table.clear()
        for index, row in enumerate(rows):
            item = QTreeWidgetItem(self.cells(row))
            for column in self.numeric_columns:
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setData(0, Qt.ItemDataRole.UserRole, index)
            self.table.addTopLevelItem(item)
        if rows:
            self.table.setCurrentItem(self.table.topLevelItem(0))
            more = (self.tr("（仅显示前 {0} 个，请输入更多内容缩小范围）").format(self.result_limit)
                    if len(rows) >= self.result_limit else "")
            self.status.setText(self.found_text(len(rows)) + more)
        else:
            self.status.setText(self.none_text())
        self.ok_button.setEnabled(bool(rows))
        self.results_loaded.emit()

    def _failed(self, generation: int, error: UserFacingError) -> None:
        if alive(self) and generation == self._generation:
            self.searching = False
            self.status.setText(error.message)
            self.results_loaded.emit()

    # picking -------------------------------------------------------------------------------------
    def results(self) -> list:
        return list(self._results)

    def select_row(self, matches) -> bool:
        """Make the first result for which ``matches(row)`` holds the current one."""
        for index, row in enumerate(self._results):
            if matches(row):
                self.table.setCurrentItem(self.table.topLevelItem(index))
                return True
        return False

    def accept_current(self) -> None:
        item = self.table.currentItem()
        if item is None:
            return
        self.chosen = self._results[item.data(0, Qt.ItemDataRole.UserRole)]
        self.accept()
        self.picked.emit(self.chosen)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._timer.isActive() or self.searching:
                    self.run_search()
                else:
                    self.accept_current()
                return True
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self.table.setFocus(Qt.FocusReason.OtherFocusReason)
                return False
        return super().eventFilter(watched, event)


def open_picker(picker: SearchPicker, on_picked) -> SearchPicker:
    """Show the picker window-modal without blocking; ``on_picked(row)`` runs once one is chosen."""
    picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    picker.picked.connect(on_picked)
    picker.open()
    return picker
