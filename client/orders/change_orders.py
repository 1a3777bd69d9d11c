"""合同改补单: change and supplement orders of signed contracts. 新建 for a contract picked from the
list of contracts that may still change, goods added (positive quantity, priced from the contract's
price list unless a price is typed) or taken off (negative quantity, at the price the customer paid),
a reason; 提交审核 sends it to 图审 and 审价 again (the review screens), 作废 drops it.

The database checks everything (yiwei.save_change_order / submit_change_order / cancel_change_order):
the contract's state, products on its price list, what is taken off being on the contract, the
saving employee's discount limit, the state and version of the change order.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import text

from client.db.errors import UserFacingError
from client.lists.catalog import get_list
from client.ui.forms import FieldSpec, RecordForm, alive, ask
from client.ui.list_view import ListWindow
from client.ui.screen import ToolbarScreen

from .review_lists import CHANGE_ORDER_KINDS

PERMISSION = "orders.change_order"


def _t(text_: str) -> str:
    return QCoreApplication.translate("change_orders", text_)


# --- data ---------------------------------------------------------------------------------------


def load_change_order(conn, change_order_id: int) -> dict:
    row = conn.execute(text(
        "SELECT o.id, o.version, o.number, o.contract_id, o.contract_number, o.kind, o.reason, o.status,"
        "       o.status_label, o.customer_name"
        "  FROM yiwei.change_order_list o WHERE o.id = :id"), {"id": change_order_id}).mappings().first()
    if row is None:
        raise UserFacingError("改补单不存在或不在您的数据范围内", kind="not_found")
    values = dict(row)
    values["lines"] = [dict(r) for r in conn.execute(text(
        "SELECT product_id, quantity, price, note FROM yiwei.change_order_line WHERE change_order_id = :id"
        " ORDER BY line_no"), {"id": change_order_id}).mappings()]
    return values


def contract_heading(conn, contract_id: int) -> dict:
    row = conn.execute(text("SELECT id, number, customer_name, status_label FROM yiwei.contract_list WHERE id = :id"),
                       {"id": contract_id}).mappings().first()
    if row is None:
        raise UserFacingError("合同不存在或不在您的数据范围内", kind="not_found")
    return dict(row)


def product_choices(conn, contract_id: int) -> list[tuple]:
    """The products of the contract's price list, those on the contract first (what is taken off
    must be on it), each with its list price and the quantity the contract holds."""
    rows = conn.execute(text(
        "SELECT p.id, p.code, p.name, i.price, coalesce(q.quantity, 0)"
        "  FROM yiwei.contract c"
        "  JOIN yiwei.price_list_item i ON i.price_list_id = c.price_list_id"
        "  JOIN yiwei.product p ON p.id = i.product_id"
        "  LEFT JOIN (SELECT product_id, sum(quantity) AS quantity FROM yiwei.contract_line"
        "              WHERE contract_id = :id GROUP BY product_id) q ON q.product_id = p.id"
        " WHERE c.id = :id"
        " ORDER BY q.quantity IS NULL, p.code"), {"id": contract_id})
    choices = []
    for product_id, code, name, price, on_contract in rows:
        label = f"{code} {name}（零售价 {price}）"
        if on_contract:
            label += f"（合同上 {on_contract.normalize():f}）"
        choices.append((product_id, label))
    return choices


def save_change_order(conn, values: dict, lines: list[dict]) -> int:
    payload = {"kind": values["kind"], "reason": values["reason"], "lines": lines}
    if values.get("id") is None:
        payload["contract_id"] = values["contract_id"]
    return conn.execute(text("SELECT yiwei.save_change_order(:id, :version, CAST(:p AS jsonb))"),
                        {"id": values.get("id"), "version": values.get("version"),
                         "p": json.dumps(payload, ensure_ascii=False)}).scalar_one()


def submit_change_order(conn, change_order_id: int, version: int) -> None:
    conn.execute(text("SELECT yiwei.submit_change_order(:id, :version)"), {"id": change_order_id, "version": version})


def cancel_change_order(conn, change_order_id: int, version: int) -> None:
    conn.execute(text("SELECT yiwei.cancel_change_order(:id, :version)"), {"id": change_order_id, "version": version})


def row_of(list_window: ListWindow, key) -> dict:
    """The list's values of the row with ``key`` (number, version… as read)."""
    model = list_window.model
    return dict(zip((c.key for c in list_window.spec.columns), model.row_values(model.row_of_key(key))))


# --- the lines editor ---------------------------------------------------------------------------------


class ChangeLinesEditor(QWidget):
    """改补明细: product, quantity (negative takes it off the contract), price (blank: the list price,
    or for goods taken off the price paid), note."""

    HEADERS = ("产品", "数量", "单价（可空）", "备注")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.choices: list[tuple] = []
        self.edited = False     # lines typed, added, removed or products picked since they were shown
        self.table = QTableWidget(0, len(self.HEADERS), self)
        self.table.setObjectName("change_lines")
        self.table.setHorizontalHeaderLabels([_t(h) for h in self.HEADERS])
        self.table.verticalHeader().setVisible(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(1, 90)
        self.table.setColumnWidth(2, 110)
        self.table.itemChanged.connect(self._edited)
        add = QPushButton(_t("添加行"), self)
        add.setObjectName("add_line")
        add.setShortcut(QKeySequence("Ctrl+Ins"))
        add.setToolTip(_t("添加一行（Ctrl+Insert）"))
        add.clicked.connect(lambda: self.add_line())
        remove = QPushButton(_t("删除行"), self)
        remove.setObjectName("remove_line")
        remove.clicked.connect(self.remove_selected)
        hint = QLabel(_t("数量为负数表示从合同上减少；单价留空：增加按价格体系零售价，减少按客户所付单价"))
        hint.setStyleSheet("color: #616161;")
        hint.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(_t("改补明细：")))
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)
        layout.addLayout(buttons)
        self.setMinimumHeight(240)

    def set_choices(self, choices: list[tuple]) -> None:
        self.choices = choices
        for row in range(self.table.rowCount()):
            combo = self._combo(row)
            wanted = combo.currentData()
            if wanted is None:
                wanted = combo.property("wanted_product")
            self._fill_combo(combo, wanted)

    def _fill_combo(self, combo: QComboBox, wanted) -> None:
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("", None)
        for value, label in self.choices:
            combo.addItem(label, value)
        index = combo.findData(wanted)
        combo.setCurrentIndex(max(index, 0))
        # The lines of a saved change order are filled before the products arrive (in the
        # background): keep each line's product until they do, or reopening it blanks every line.
        combo.setProperty("wanted_product", wanted if index < 0 else None)
        combo.blockSignals(False)

    def _combo(self, row: int) -> QComboBox:
        return self.table.cellWidget(row, 0)

    def _edited(self, *_args) -> None:
        self.edited = True

    def add_line(self, product_id=None, quantity="", price="", note="") -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        combo = QComboBox()
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        # type any part of a code or name to find the product among hundreds
        combo.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        combo.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self._fill_combo(combo, product_id)
        combo.currentIndexChanged.connect(self._edited)
        self.table.setCellWidget(row, 0, combo)
        for column, value in ((1, quantity), (2, price), (3, note)):
            item = QTableWidgetItem("" if value is None else str(value))
            if column in (1, 2):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, column, item)
        combo.setFocus()
        self.edited = True
        return row

    def remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.table.selectionModel().selectedRows()}
                          or ({self.table.currentRow()} if self.table.currentRow() >= 0 else set()), reverse=True):
            self.table.removeRow(row)
            self.edited = True

    def set_lines(self, lines: list[dict]) -> None:
        self.table.setRowCount(0)
        for line in lines:
            quantity = line.get("quantity")
            self.add_line(line.get("product_id"), f"{Decimal(quantity).normalize():f}" if quantity is not None else "",
                          line.get("price") or "", line.get("note") or "")

    def set_row(self, row: int, product_id, quantity: str, price: str = "", note: str = "") -> None:
        combo = self._combo(row)
        combo.setCurrentIndex(max(combo.findData(product_id), 0))
        self.table.item(row, 1).setText(quantity)
        self.table.item(row, 2).setText(price)
        self.table.item(row, 3).setText(note)

    def lines(self) -> tuple[list[dict], str | None]:
        """The lines as save_change_order takes them, and the first problem found (or None)."""
        result = []
        for row in range(self.table.rowCount()):
            combo = self._combo(row)
            product = combo.currentData()
            if product is not None and combo.currentText() != combo.itemText(combo.currentIndex()):
                product = None   # typed over and left without picking: not the product the line shows
            quantity = self.table.item(row, 1).text().strip()
            price = self.table.item(row, 2).text().strip()
            note = self.table.item(row, 3).text().strip()
            if product is None and not quantity and not price and not note:
                continue   # an empty row left over
            if product is None:
                return [], _t("第 %1 行：请选择产品").replace("%1", str(row + 1))
            try:
                if Decimal(quantity) == 0:
                    raise InvalidOperation
            except InvalidOperation:
                return [], _t("第 %1 行：请填写数量（不能为 0，负数表示减少）").replace("%1", str(row + 1))
            line = {"product_id": product, "quantity": quantity, "note": note}
            if price:
                line["price"] = price
            result.append(line)
        if not result:
            return [], _t("请至少填写一行改补明细")
        return result, None


# --- the form -----------------------------------------------------------------------------------------


def change_order_fields() -> list[FieldSpec]:
    return [FieldSpec("kind", _t("类型"), "choice", required=True, choices=CHANGE_ORDER_KINDS),
            FieldSpec("reason", _t("改补原因"), "multiline", required=True, max_length=500)]


def open_change_order_form(ctx, parent, values: dict) -> RecordForm:
    """The editor of a new (values: contract_id) or returned/draft change order (values: id, version…)."""
    contract_id = values["contract_id"]
    editor = ChangeLinesEditor()
    read: dict = {}

    def read_lines(_form_values) -> dict:
        # The lines are read here, on the GUI thread, as the save is sent: save() runs on a worker
        # thread, where the table's widgets must not be touched.
        read["lines"], read["problem"] = editor.lines()
        return {}

    def save(conn, form_values):
        lines, problem = read["lines"], read["problem"]
        if problem:
            raise UserFacingError(problem, kind="validation", detail={"field": "改补明细"})
        return save_change_order(conn, {**form_values, "contract_id": contract_id}, lines)

    title = _t("编辑改补单 %1").replace("%1", values["number"]) if values.get("id") else _t("新建改补单")
    form = RecordForm(ctx, title, change_order_fields(), save=save, check=read_lines, initial=values, parent=parent,
                      message=_t("合同 %1（%2）").replace("%1", values.get("contract_number") or "")
                      .replace("%2", values.get("customer_name") or ""))
    form.setObjectName("change_order_form")
    form.lines = editor
    form.layout().insertWidget(form.layout().count() - 1, editor, 1)
    form.resize(820, 560)
    editor.set_lines(values.get("lines") or [])
    if not values.get("lines"):
        editor.add_line()
    editor.edited = False
    form.dirty_checks.append(lambda: editor.edited)   # closing asks before dropping lines typed

    def choices_arrived(choices):
        if alive(form):
            editor.set_choices(choices)

    ctx.run(lambda conn, token, report: product_choices(conn, contract_id), on_done=choices_arrived,
            on_error=lambda error: alive(form) and form.show_error(error.message), retry_on_disconnect=True)
    form.open()
    return form


class ContractPicker(QDialog):
    """选择合同: the contracts that may still get a change order, as a list with its search."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.setObjectName("contract_picker")
        self.setWindowTitle(_t("选择合同"))
        self.resize(900, 480)
        self.contract_id = None
        self.list = ListWindow(ctx, get_list("changeable_contracts"), self)
        self.list.activated.connect(self.pick)
        buttons = QDialogButtonBox(self)
        ok = buttons.addButton(_t("选择"), QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("pick")
        buttons.addButton(_t("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        ok.clicked.connect(lambda: self.pick(self.list.current_key()))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_t("已签订、尚未完成的合同（Enter 或双击选择）：")))
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)

    def pick(self, contract_id) -> None:
        if contract_id is not None:
            self.contract_id = contract_id
            self.accept()


# --- the screen ---------------------------------------------------------------------------------------


class ChangeOrdersScreen(ToolbarScreen):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.dialog = None
        self.can_edit = ctx.session.can(PERMISSION)
        self.list = ListWindow(ctx, get_list("change_orders"), self)
        self.list.message_shown.connect(self.say)
        self.list.activated.connect(self.open_change_order)
        if self.can_edit:
            self.add_action("new", self.tr("新建改补单"), self.new_change_order, QKeySequence.StandardKey.New)
            self.add_action("edit", self.tr("编辑"), self.open_selected)
            self.add_action("submit", self.tr("提交审核"), self.submit_selected, "Ctrl+Shift+S")
            self.add_action("cancel", self.tr("作废"), self.cancel_selected)
        self.set_body(self.list)

    def _selected(self):
        keys = self.list.selected_keys()
        if not keys:
            self.say(self.tr("请先在列表中选择改补单"))
            return None
        return keys[0]

    def new_change_order(self) -> ContractPicker:
        """新建 (Ctrl+N): pick the contract, then fill in the change order."""
        picker = ContractPicker(self.ctx, self)
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        picker.accepted.connect(lambda: self.new_for_contract(picker.contract_id))
        self.dialog = picker
        picker.open()
        return picker

    def new_for_contract(self, contract_id: int) -> None:
        def start(row):
            self._open({"contract_id": row["id"], "contract_number": row["number"],
                        "customer_name": row["customer_name"], "kind": "change"})

        self.read(lambda conn: contract_heading(conn, contract_id), start)

    def open_change_order(self, change_order_id) -> None:
        """Enter / 编辑: a draft or returned change order opens for editing; any other is shown."""
        self.read(lambda conn: load_change_order(conn, change_order_id), self._open)

    def open_selected(self) -> None:
        key = self._selected()
        if key is not None:
            self.open_change_order(key)

    def _open(self, values: dict) -> None:
        form = open_change_order_form(self.ctx, self, values)
        if values.get("id") and (values["status"] not in ("draft", "returned") or not self.can_edit):
            # what reviewers passed stays as it was: shown, not edited
            form.read_only = True
            form.fields.set_read_only()
            form.lines.setEnabled(False)
            form.save_button.hide()
            form.setWindowTitle(_t("改补单 %1（%2）").replace("%1", values["number"]).replace("%2", values["status_label"]))
        form.saved.connect(lambda change_order_id: alive(self) and (self.say(self.tr("已保存改补单")),
                                                                    self.list.refresh(select=change_order_id)))
        self.dialog = form

    def _step(self, step, done_text: str) -> None:
        key = self._selected()
        if key is None:
            return
        row = row_of(self.list, key)
        number = row["number"]

        def done(_result):
            if alive(self):
                self.say(done_text.replace("%1", number))
                self.list.refresh(select=key)

        def failed(error):
            if alive(self):
                self.say(error.message)

        self.ctx.run(lambda conn, token, report: step(conn, key, row["version"]), on_done=done, on_error=failed,
                     label=done_text)

    def submit_selected(self) -> None:
        """提交审核: to 图审 (the change order goes through both reviews again)."""
        self._step(submit_change_order, self.tr("已提交改补单 %1，等待图审"))

    def cancel_selected(self) -> None:
        if self._selected() is None:
            return
        if ask(self, self.tr("作废改补单"), self.tr("作废选中的改补单吗？"), self.tr("作废"), self.tr("取消")):
            self._step(cancel_change_order, self.tr("已作废改补单 %1"))
