"""合同下单: the contracts the login may see, 新建合同 (Ctrl+N) for a customer chosen with the customers
picker, and each contract opened (Enter, double-click) in its own editor window.

The list reads yiwei.contract_list (row-level security: a guide sees own contracts only); the
editor writes through the checked functions and the list is read again after every write.
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

from client.customers.picker import pick_customer
from client.lists.catalog import get_list
from client.ui.forms import alive
from client.ui.list_view import ListWindow
from client.ui.screen import ToolbarScreen

from .contract_data import header_choices, load_contract, new_contract
from .contract_editor import ContractEditor


class ContractsScreen(ToolbarScreen):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.dialog = None          # the customer picker open now
        self.editors: dict = {}     # contract id (None: new) → its open editor window
        self.editor: ContractEditor | None = None   # the editor opened last (tests look at it)
        self.list = ListWindow(ctx, get_list("contracts"), self)
        self.list.activated.connect(self.open_contract)
        self.list.message_shown.connect(self.say)
        if ctx.session.can("orders.contract"):    # finance finds contracts here to record payments
            self.add_action("new", self.tr("新建合同"), self.new_contract, QKeySequence.StandardKey.New)
        self.add_action("open", self.tr("打开"), self.open_selected)
        self.add_action("print", self.tr("打印"), self.print_selected, QKeySequence.StandardKey.Print)
        self.set_body(self.list)

    def new_contract(self) -> None:
        """新建合同: pick the customer (own customers for a guide), then an empty contract for them."""
        def picked(customer: dict) -> None:
            if not alive(self):
                return

            def read(conn):
                data = new_contract(conn, customer)
                return data, header_choices(conn, data)

            self.read(read, lambda result: self._open_editor(*result))

        self.dialog = pick_customer(self.ctx, self, picked, self.tr("新建合同：选择客户"))

    def open_selected(self) -> None:
        key = self.list.current_key()
        if key is None:
            self.say(self.tr("请先在列表中选择一份合同"))
            return
        self.open_contract(key)

    def open_contract(self, contract_id) -> None:
        """Enter or double-click: the contract's editor (brought to the front when open already)."""
        editor = self.editors.get(contract_id)
        if editor is not None and alive(editor):
            editor.raise_()
            editor.activateWindow()
            self.editor = editor
            return

        def read(conn):
            data = load_contract(conn, contract_id)
            return data, header_choices(conn, data)

        self.read(read, lambda result: self._open_editor(*result))

    def _open_editor(self, data, choices) -> ContractEditor:
        editor = ContractEditor(self.ctx, data, choices, self)
        key = data.id
        self.editors[key] = editor
        self.editor = editor

        def saved(contract_id):
            if alive(self):
                # a new contract is known by its id from its first save on
                if self.editors.get(key) is editor and key is None:
                    del self.editors[None]
                self.editors[contract_id] = editor
                self.list.refresh(select=contract_id)

        editor.saved.connect(saved)
        editor.show()
        return editor

    def print_selected(self) -> None:
        """打印 the selected contracts as one PDF (preview first)."""
        keys = self.list.selected_keys()
        if not keys:
            self.say(self.tr("请先在列表中选择要打印的合同（可多选）"))
            return
        model = self.list.model
        column = model.column_of("number")
        numbers = [model.row_values(model.row_of_key(key))[column] for key in keys]
        from client.ui.print_preview import print_documents

        print_documents(self.ctx, "contract", numbers, self)
