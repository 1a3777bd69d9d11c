"""A dialog to pick a product of the contract's price list by code, name, style or any alias of the
style (``yiwei.find_products``), with its list price. The search runs in the background as the user
types; Enter (or double-click) picks the highlighted product, ↓ moves into the results.
"""

from __future__ import annotations

from typing import Callable

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
from client.documents.amounts import format_money
from client.ui.forms import alive

from .contract_data import PRODUCT_LIMIT, EditLine, find_products

SEARCH_DELAY_MS = 250


class ProductPicker(QDialog):
    picked = Signal(object)           # EditLine
    results_loaded = Signal()

    def __init__(self, ctx, price_list_id: int, term: str = "", parent=None, results: list[EditLine] | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.price_list_id = price_list_id
        self.setObjectName("product_picker")
        self.setWindowTitle(self.tr("选择产品"))
        self.setModal(True)
        self.resize(820, 460)
        self.product: EditLine | None = None
        self.searching = False
        self._generation = 0
        self._results: list[EditLine] = []

        self.search = QLineEdit(self)
        self.search.setObjectName("product_search")
        self.search.setClearButtonEnabled(True)
        self.search.setMaxLength(60)
        self.search.setPlaceholderText(self.tr("产品编码、名称、款型或款型别名"))
        self.search.setText(term)
        self.search.installEventFilter(self)
        self.table = QTreeWidget(self)
        self.table.setObjectName("product_results")
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setHeaderLabels([self.tr("编码"), self.tr("产品"), self.tr("款型"), self.tr("颜色"), self.tr("规格"),
                                    self.tr("单位"), self.tr("零售价")])
        self.table.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemActivated.connect(lambda *_: self.accept_current())
        self.table.itemDoubleClicked.connect(lambda *_: self.accept_current())
        self.status = QLabel(self)
        self.status.setObjectName("product_status")
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
        if results is not None:       # the editor searched already: show those without asking again
            self._arrived(self._generation, results)
        else:
            self.run_search()

    def set_search(self, term: str) -> None:
        self.search.blockSignals(True)
        self.search.setText(term)
        self.search.blockSignals(False)
        self.run_search()

    def run_search(self) -> None:
        self._timer.stop()
        self._generation += 1
        generation, term, price_list = self._generation, self.search.text(), self.price_list_id
        self.searching = True
        self.status.setText(self.tr("正在查找…"))
        self.ctx.run(lambda conn, token, report: find_products(conn, term, price_list),
                     on_done=lambda rows: self._arrived(generation, rows),
                     on_error=lambda error: self._failed(generation, error),
                     label=self.windowTitle(), retry_on_disconnect=True)

    def _arrived(self, generation: int, rows: list[EditLine]) -> None:
        if not alive(self) or generation != self._generation:
            return
        self.searching = False
        self._results = rows
        self.table.clear()
        for index, row in enumerate(rows):
            item = QTreeWidgetItem([row.code, row.name, row.style, row.colour, row.spec, row.unit,
                                    format_money(row.list_price)])
            item.setTextAlignment(6, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setData(0, Qt.ItemDataRole.UserRole, index)
            self.table.addTopLevelItem(item)
        if rows:
            self.table.setCurrentItem(self.table.topLevelItem(0))
            more = self.tr("（仅显示前 %d 个，请输入更多内容缩小范围）") % PRODUCT_LIMIT if len(rows) >= PRODUCT_LIMIT else ""
            self.status.setText(self.tr("找到 %d 个产品") % len(rows) + more)
        else:
            self.status.setText(self.tr("合同的价格体系中没有符合条件的产品"))
        self.ok_button.setEnabled(bool(rows))
        self.results_loaded.emit()

    def _failed(self, generation: int, error: UserFacingError) -> None:
        if alive(self) and generation == self._generation:
            self.searching = False
            self.status.setText(error.message)
            self.results_loaded.emit()

    def results(self) -> list[EditLine]:
        return list(self._results)

    def accept_current(self) -> None:
        item = self.table.currentItem()
        if item is None:
            return
        self.product = self._results[item.data(0, Qt.ItemDataRole.UserRole)]
        self.accept()
        self.picked.emit(self.product)

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


def pick_product(ctx, parent, price_list_id: int, on_picked: Callable[[EditLine], None], term: str = "",
                 results: list[EditLine] | None = None) -> ProductPicker:
    picker = ProductPicker(ctx, price_list_id, term, parent, results)
    picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    picker.picked.connect(on_picked)
    picker.open()
    return picker
