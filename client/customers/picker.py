"""A small dialog to pick one customer in the login's scope by name, number, community or phone.

The search runs in the background as the user types. A full phone number is looked up through
``yiwei.find_customers_by_phone`` — people who see masked numbers can still find a customer by the
number the customer tells them; digits alone also match the visible (masked) number's tail.
"""

from __future__ import annotations

import re
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
from sqlalchemy import text

from client.db.errors import UserFacingError
from client.lists.query import escape_like
from client.ui.forms import alive

SEARCH_DELAY_MS = 300
RESULT_LIMIT = 50
_PHONE_LIKE = re.compile(r"^[+\d\s()（）-]{7,}$")

_COLUMNS = ("c.id, c.number, c.name, c.phone, c.store_id, c.store_name, c.guide_id, c.guide_name, c.designer_id,"
            " c.designer_name, c.full_address, c.stage, c.last_followup_at, c.next_contact_on")


def search_customers(conn, needle: str, limit: int = RESULT_LIMIT) -> list[dict]:
    """Active customers in scope matching ``needle`` (empty: the most recently changed ones).
    Short digits match the number as the login sees it (the last four of a masked number)."""
    needle = " ".join((needle or "").split())[:60]
    params: dict = {"limit": limit}
    if not needle:
        where = "TRUE"
    elif _PHONE_LIKE.match(needle):
        # A whole number: found through the phone book, also by a household contact's phone and
        # by people who see the number masked.
        ids = conn.execute(text("SELECT yiwei.find_customers_by_phone(:phone)"), {"phone": needle}).scalar() or []
        params["ids"] = list(ids)
        where = "c.id = ANY (CAST(:ids AS bigint[]))"
    else:
        terms = needle.split()[:4]
        parts = []
        for i, term in enumerate(terms):
            params[f"t{i}"] = f"%{escape_like(term)}%"
            parts.append(f"(c.name ILIKE :t{i} OR c.number ILIKE :t{i} OR c.full_address ILIKE :t{i}"
                         f" OR c.phone LIKE :t{i})")
        where = " AND ".join(parts)
    rows = conn.execute(text(
        f"SELECT {_COLUMNS} FROM yiwei.customer_list c WHERE c.status = 'active' AND {where}"
        " ORDER BY c.updated_at DESC, c.id DESC LIMIT :limit"), params).mappings().all()
    return [dict(row) for row in rows]


def load_customer(conn, customer_id: int) -> dict:
    """One customer in scope as the picker hands it on."""
    row = conn.execute(text(f"SELECT {_COLUMNS} FROM yiwei.customer_list c WHERE c.id = :id"),
                       {"id": customer_id}).mappings().first()
    if row is None:
        raise UserFacingError("客户不存在或不在您的数据范围内", kind="not_found")
    return dict(row)


def describe_customer(customer: dict) -> str:
    """张三（KH-HZ01-202611-000012，导购 王伟）"""
    parts = [customer.get("number") or ""]
    if customer.get("guide_name"):
        parts.append(f"导购 {customer['guide_name']}")
    return f"{customer.get('name', '')}（{'，'.join(p for p in parts if p)}）"


class CustomerPicker(QDialog):
    """Type a name, number, community or phone; Enter or double-click picks the customer."""

    picked = Signal(dict)
    results_loaded = Signal()

    def __init__(self, ctx, parent=None, title: str | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("customer_picker")
        self.setWindowTitle(title or self.tr("选择客户"))
        self.setModal(True)
        self.resize(720, 440)
        self.customer: dict | None = None
        self.searching = False
        self._generation = 0
        self._results: list[dict] = []

        self.search = QLineEdit(self)
        self.search.setObjectName("picker_search")
        self.search.setClearButtonEnabled(True)
        self.search.setMaxLength(60)
        self.search.setPlaceholderText(self.tr("客户姓名、编号、小区或完整手机号"))
        self.search.installEventFilter(self)
        self.table = QTreeWidget(self)
        self.table.setObjectName("picker_results")
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setHeaderLabels([self.tr("客户"), self.tr("客户编号"), self.tr("电话"), self.tr("门店"),
                                    self.tr("导购"), self.tr("地址")])
        self.table.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.header().setStretchLastSection(True)
        self.table.itemActivated.connect(lambda *_: self.accept_current())
        self.table.itemDoubleClicked.connect(lambda *_: self.accept_current())
        self.status = QLabel(self)
        self.status.setObjectName("picker_status")
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
        self.run_search()

    # searching ---------------------------------------------------------------------------------
    def set_search(self, needle: str) -> None:
        """Search now for ``needle`` (as if typed and paused)."""
        self.search.blockSignals(True)
        self.search.setText(needle)
        self.search.blockSignals(False)
        self.run_search()

    def run_search(self) -> None:
        self._timer.stop()
        self._generation += 1
        generation = self._generation
        needle = self.search.text()
        self.searching = True
        self.status.setText(self.tr("正在查找…"))
        self.ctx.run(lambda conn, token, report: search_customers(conn, needle),
                     on_done=lambda rows: self._arrived(generation, rows),
                     on_error=lambda error: self._failed(generation, error),
                     label=self.windowTitle(), retry_on_disconnect=True)

    def _arrived(self, generation: int, rows: list[dict]) -> None:
        if not alive(self) or generation != self._generation:
            return
        self.searching = False
        self._results = rows
        self.table.clear()
        for row in rows:
            item = QTreeWidgetItem([row["name"], row["number"], row["phone"] or "", row["store_name"],
                                    row["guide_name"] or "", row["full_address"] or ""])
            item.setData(0, Qt.ItemDataRole.UserRole, row["id"])
            self.table.addTopLevelItem(item)
        if rows:
            self.table.setCurrentItem(self.table.topLevelItem(0))
            more = self.tr("（仅显示前 {0} 个，请输入更多内容缩小范围）").format(RESULT_LIMIT) if len(rows) >= RESULT_LIMIT else ""
            self.status.setText(self.tr("找到 {0} 个客户").format(len(rows)) + more)
        else:
            self.status.setText(self.tr("没有找到符合条件的客户（只查找您负责范围内的客户）"))
        self.ok_button.setEnabled(bool(rows))
        self.results_loaded.emit()

    def _failed(self, generation: int, error: UserFacingError) -> None:
        if alive(self) and generation == self._generation:
            self.searching = False
            self.status.setText(error.message)
            self.results_loaded.emit()

    # picking -----------------------------------------------------------------------------------
    def results(self) -> list[dict]:
        return list(self._results)

    def select_customer(self, customer_id: int) -> bool:
        for i in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(i)
            if item.data(0, Qt.ItemDataRole.UserRole) == customer_id:
                self.table.setCurrentItem(item)
                return True
        return False

    def accept_current(self) -> None:
        item = self.table.currentItem()
        if item is None:
            return
        customer_id = item.data(0, Qt.ItemDataRole.UserRole)
        self.customer = next(row for row in self._results if row["id"] == customer_id)
        self.accept()
        self.picked.emit(self.customer)

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


def pick_customer(ctx, parent, on_picked: Callable[[dict], None], title: str | None = None) -> CustomerPicker:
    """Open the picker (window-modal, not blocking); ``on_picked(customer)`` runs once one is chosen."""
    picker = CustomerPicker(ctx, parent, title)
    picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    picker.picked.connect(on_picked)
    picker.open()
    return picker
