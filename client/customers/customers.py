"""客户管理: the customer records a login may see, with 新建客户 (Ctrl+N), editing on Enter or
double-click, and the manager's 转移客户 and 合并重复.

Every write is a checked function (save_customer, transfer_customers, merge_customers); the list
reads yiwei.customer_list, whose phone column is full only for logins allowed to see it.
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

from client.lists.catalog import get_list
from client.ui.forms import alive
from client.ui.list_view import ListWindow
from client.ui.screen import ToolbarScreen

from .customer_actions import merge_form, transfer_form
from .customer_data import (
    customer_duplicates,
    customer_history,
    load_choices,
    load_customer,
    transfer_guides,
)
from .customer_form import CustomerForm

TRANSFER = "customers.customer.transfer"
MERGE = "customers.customer.merge"


class CustomersScreen(ToolbarScreen):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.dialog = None          # the dialog open now (tests and the shell may look at it)
        self.list = ListWindow(ctx, get_list("customers"), self)
        self.list.set_filter("status", "active")
        self.list.activated.connect(self.edit_customer)
        self.list.message_shown.connect(self.say)
        self.add_action("new", self.tr("新建客户"), self.new_customer, QKeySequence.StandardKey.New)
        self.add_action("edit", self.tr("编辑"), self.edit_current)
        if ctx.session.can(TRANSFER) or ctx.session.can(MERGE):
            self.toolbar.addSeparator()
        if ctx.session.can(TRANSFER):
            self.add_action("transfer", self.tr("转移客户"), self.transfer_selected)
        if ctx.session.can(MERGE):
            self.add_action("merge", self.tr("合并重复"), self.merge_current)
        self.set_body(self.list)

    # helpers -----------------------------------------------------------------------------------
    def _show(self, dialog, done, select: bool = True) -> None:
        """Open a dialog; when it saved, say ``done(result)`` and read the list again (with the
        saved customer selected when ``select``)."""
        self.dialog = dialog
        dialog.saved.connect(lambda result: alive(self) and self._saved(done(result), result if select else None))
        dialog.open()

    def _saved(self, message: str, select) -> None:
        self.say(message)
        self.refresh_list(select=select)

    def refresh_list(self, select=None) -> None:
        self.list.refresh(select=select)

    def _current(self):
        key = self.list.current_key()
        if key is None:
            keys = self.list.selected_keys()
            key = keys[0] if keys else None
        if key is None:
            self.say(self.tr("请先在列表中选择一位客户"))
        return key

    # record ------------------------------------------------------------------------------------
    def new_customer(self) -> None:
        def opened(choices):
            stores = choices.stores
            # the login itself is the guide when it may be one (always so for a guide)
            initial = {"stage": "new", "store_id": stores[0][0] if len(stores) == 1 else None,
                       "guide_id": self.ctx.session.employee_id}
            self._show(CustomerForm(self.ctx, self.tr("新建客户"), choices, initial=initial, parent=self),
                       lambda _id: self.tr("已建立客户档案"))

        self.read(load_choices, opened)

    def edit_current(self) -> None:
        key = self._current()
        if key is not None:
            self.edit_customer(key)

    def edit_customer(self, customer_id) -> None:
        def read(conn):
            return load_choices(conn), load_customer(conn, customer_id), customer_history(conn, customer_id)

        def opened(data):
            choices, values, history = data
            merged = values["status"] != "active"
            title = self.tr("客户 %s %s") % (values["number"], values["name"])
            if merged:
                title += self.tr("（已合并）")
            self._show(CustomerForm(self.ctx, title, choices, initial=values, history=history, read_only=merged,
                                    reload=lambda conn: load_customer(conn, customer_id), parent=self),
                       lambda _id: self.tr("已保存"))

        self.read(read, opened)

    # manager's steps ---------------------------------------------------------------------------
    def transfer_selected(self) -> None:
        ids = self.list.selected_keys()
        if not ids:
            self.say(self.tr("请先在列表中选择要转移的客户（可多选）"))
            return
        self.read(lambda conn: transfer_guides(conn, ids),
                   lambda data: self._show(transfer_form(self.ctx, ids, *data, parent=self),
                                           lambda count: self.tr("已转移 %d 位客户") % count, select=False))

    def merge_current(self) -> None:
        key = self._current()
        if key is None:
            return

        def read(conn):
            return load_customer(conn, key), customer_duplicates(conn, key)

        def opened(data):
            current, duplicates = data
            if not duplicates:
                self.say(self.tr("没有发现与 %s %s 重复的客户（同一电话、同一地址或同名同小区）")
                         % (current["number"], current["name"]))
                return
            self._show(merge_form(self.ctx, current, duplicates, parent=self),
                       lambda _id: self.tr("已合并，保留的客户已选中"))

        self.read(read, opened)
