"""The contract editor of 合同下单: one window per contract with its header (customer, price list,
designer, template, delivery date, note), the lines with fast entry, the payment plan, the design
files and the review history, and the steps of its life: 保存, 套餐, 提交审核, 签订, 作废, 打印.

Fast entry: type a code, a name, a style or an alias in the entry line and press Enter — one match
is added at once, several open the product picker — then type the quantity and a rate (0.85) or a
price; the other, the amount and the totals follow as you type, computed exactly as the database
computes them. Ins opens the picker, Ctrl+S saves, Ctrl+P prints, F5 reloads, Esc closes.

Everything is checked again by the database (``save_contract`` and the step functions): its message
is shown beside what it names — a header field, the line (marked in the table), the payment plan,
the design files — and a stale version asks "changed by X at T — reload?". Once submitted the
contract is read-only here (the database refuses changes anyway; later changes are 改补单).
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from client.db.errors import UserFacingError
from client.documents.amounts import format_money
from client.ui.forms import ERROR_STYLE, INFO_STYLE, FieldSpec, RecordFields, RecordForm, alive, ask
from client.ui.screen import ToolbarScreen

from .contract_data import (
    CANCELLABLE_STATES,
    PAYMENT_KINDS,
    SIGNED_CANCEL_STATES,
    ContractData,
    EditLine,
    PaymentPart,
    Promotion,
    apply_package,
    contract_step,
    decimal_text,
    find_products,
    load_contract,
    money_text,
    package_choices,
    parse_decimal,
    parse_ratio,
    plan_by_ratio,
    save_contract,
    totals,
)
from .contract_document import format_rate
from .design_files import DesignFilesPanel
from .payments import PERMISSION as RECEIPT_PERMISSION
from .payments import open_payment_form
from .product_picker import pick_product
from .review_widgets import PastReviewsTable

translate = QCoreApplication.translate

LINE_HEADERS = ("编码", "产品", "款型/颜色/规格", "单位", "数量", "零售价", "折扣", "单价", "金额", "套餐/促销", "备注")
CODE, NAME, DESC, UNIT, QTY, LIST, RATE, PRICE, AMOUNT, DEAL, NOTE = range(len(LINE_HEADERS))
_NUMERIC = {QTY, LIST, RATE, PRICE, AMOUNT}
_EDITABLE = {QTY, RATE, PRICE, DEAL, NOTE}
# The field a database message names → the column of the line it is about.
_LINE_COLUMNS = {"数量": QTY, "单价": PRICE, "折扣": RATE, "产品": CODE, "促销活动": DEAL, "套餐": DEAL, "备注": NOTE}
_LINE_FIELDS = {*_LINE_COLUMNS, "合同明细", "明细"}
_PLAN_FIELDS = {"付款计划", "付款金额", "付款日期"}
_DESIGN_FIELDS = {"设计文件", "文件"}
_ROW = re.compile(r"第 ?(\d+) ?行")
_PART = re.compile(r"第 ?(\d+) ?期")

PAYMENT_HEADERS = ("款项", "金额", "应付日期", "已收")
P_KIND, P_AMOUNT, P_DUE, P_PAID = range(len(PAYMENT_HEADERS))

ERROR_CELL = QColor("#ffcdd2")
PACKAGE_CELL = QColor("#eef3f8")
# How each state reads at a glance: being prepared, waiting for others, binding, dead.
_STATUS_STYLES = {
    "draft": "#fff3e0; color: #e65100", "returned": "#ffebee; color: #c62828",
    "submitted": "#e3f2fd; color: #0d47a1", "drawing_passed": "#e3f2fd; color: #0d47a1",
    "price_passed": "#e8eaf6; color: #283593", "cancelled": "#eeeeee; color: #616161",
}
_BINDING_STYLE = "#e8f5e9; color: #1b5e20"
DEFAULT_RATIO = "30/60/10"


def _t(text: str) -> str:
    return translate("contracts", text)


def header_fields(left: bool) -> list[FieldSpec]:
    if left:
        return [FieldSpec("customer", _t("客户")),
                FieldSpec("price_list_id", _t("价格体系"), "choice", required=True, choices=()),
                FieldSpec("designer_id", _t("设计师"), "choice", choices=())]
    return [FieldSpec("template_id", _t("合同模板"), "choice", choices=()),
            FieldSpec("expected_delivery_on", _t("交货日期"), "date", aliases=("expected_delivery_on",)),
            FieldSpec("note", _t("备注"), max_length=1000)]


class PromotionDelegate(QStyledItemDelegate):
    """The 套餐/促销 cell of an ordinary line: a promotion valid today for the product's line (or none)."""

    def __init__(self, editor: "ContractEditor"):
        super().__init__(editor.table)
        self.editor = editor

    def createEditor(self, parent, option, index):
        line = self.editor.lines[index.row()]
        combo = QComboBox(parent)
        combo.addItem(_t("（无促销）"), None)
        for promotion in self.editor.promotions:
            if promotion.applies_to(line):
                combo.addItem(_t("%s（最低 %s）") % (promotion.name, decimal_text(promotion.min_rate)), promotion.id)
        combo.setCurrentIndex(max(0, combo.findData(line.promotion_id)))
        return combo

    def setModelData(self, combo, model, index):
        self.editor.set_promotion(index.row(), combo.currentData())


class ContractEditor(ToolbarScreen):
    """One contract in a window of its own. ``saved(contract_id)`` after every write."""

    saved = Signal(object)
    loaded = Signal()

    def __init__(self, ctx, data: ContractData, choices: dict, parent=None):
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setObjectName("contract_editor")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.ctx = ctx
        self.data = data
        self.promotions: list[Promotion] = choices.get("promotions", [])
        self.lines: list[EditLine] = []
        self.payments: list[PaymentPart] = []
        self.busy = False
        self.dirty = False
        self.error_row: int | None = None       # the line the database's last message is about
        self.last_error: UserFacingError | None = None
        self.dialog = None                      # a dialog opened from here (套餐, 作废; tests look at it)
        self.conflict_box: QMessageBox | None = None
        self._filling = False
        self.can_edit = ctx.session.can("orders.contract")
        self.can_sign = ctx.session.can("orders.sign")
        self.can_receive = ctx.session.can(RECEIPT_PERMISSION)

        self.add_action("save", self.tr("保存"), self.save, QKeySequence.StandardKey.Save)
        self.toolbar.addSeparator()
        self.add_action("add_product", self.tr("添加产品"), self.open_product_picker, "Ins")
        self.add_action("remove_lines", self.tr("删除行"), self.remove_selected_lines, "Ctrl+Del")
        self.add_action("package", self.tr("套餐…"), self.choose_package)
        self.toolbar.addSeparator()
        self.add_action("submit", self.tr("提交审核"), self.submit)
        if self.can_sign:
            self.add_action("sign", self.tr("签订"), self.sign)
        self.add_action("cancel", self.tr("作废…"), self.cancel_contract)
        if self.can_receive:
            self.add_action("payment", self.tr("收款登记…"), self.record_payment)
        self.toolbar.addSeparator()
        self.add_action("print", self.tr("打印…"), self.print_contract, QKeySequence.StandardKey.Print)
        self.add_action("reload", self.tr("刷新"), self.reload, "F5")
        self.set_body(self._build_body())
        # Ctrl+W closes the window (Esc is the cell editor's: it cancels typing into a line)
        close = QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self)
        close.activated.connect(self.close)

        self.left.set_choices("price_list_id", choices.get("price_list_id", []))
        self.left.set_choices("designer_id", choices.get("designer_id", []))
        self.right.set_choices("template_id", choices.get("template_id", []))
        for fields in self.header:
            fields.edited.connect(self._header_edited)
        self.resize(1180, 780)
        self.show_data(data)

    # building ----------------------------------------------------------------------------------
    def _build_body(self) -> QWidget:
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(8, 6, 8, 6)
        top = QHBoxLayout()
        self.status_chip = QLabel(body)
        self.status_chip.setObjectName("contract_status")
        top.addWidget(self.status_chip)
        self.heading = QLabel(body)
        self.heading.setObjectName("contract_heading")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(self.heading, 1)
        layout.addLayout(top)
        self.banner = QLabel(body)
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        layout.addWidget(self.banner)

        header = QHBoxLayout()
        self.left = RecordFields(header_fields(True), body)
        self.right = RecordFields(header_fields(False), body)
        self.left.set_field_enabled("customer", False)
        self.header = (self.left, self.right)
        header.addWidget(self.left, 1)
        header.addSpacing(24)
        header.addWidget(self.right, 1)
        layout.addLayout(header)

        self.tabs = QTabWidget(body)
        self.tabs.setObjectName("contract_tabs")
        self.tabs.addTab(self._build_lines_tab(), self.tr("合同明细"))
        self.tabs.addTab(self._build_plan_tab(), self.tr("付款计划"))
        self.design = DesignFilesPanel(self.ctx, body)
        self.design.changed.connect(lambda: self.saved.emit(self.data.id))
        self.tabs.addTab(self.design, self.tr("设计文件"))
        self.reviews = PastReviewsTable(body)
        self.tabs.addTab(self.reviews, self.tr("审核记录"))
        layout.addWidget(self.tabs, 1)

        sums = QHBoxLayout()
        self.list_total_label = self._sum_label("list_total", body)
        self.discount_label = self._sum_label("discount_total", body)
        self.total_label = self._sum_label("total", body)
        self.total_label.setStyleSheet("font-weight: bold; font-size: 14px;")
        sums.addStretch(1)
        for caption, label in ((self.tr("零售价合计"), self.list_total_label), (self.tr("优惠"), self.discount_label),
                               (self.tr("合同金额"), self.total_label)):
            sums.addWidget(QLabel(caption + "：", body))
            sums.addWidget(label)
            sums.addSpacing(18)
        layout.addLayout(sums)
        return body

    @staticmethod
    def _sum_label(name: str, parent) -> QLabel:
        label = QLabel(parent)
        label.setObjectName(name)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _build_lines_tab(self) -> QWidget:
        tab = QWidget(self)
        layout = QVBoxLayout(tab)
        self.quick = QLineEdit(tab)
        self.quick.setObjectName("quick_product")
        self.quick.setClearButtonEnabled(True)
        self.quick.setPlaceholderText(self.tr("输入产品编码、名称、款型或别名，回车添加（Ins 打开产品列表）"))
        self.quick.returnPressed.connect(self.quick_add)
        layout.addWidget(self.quick)
        self.table = QTableWidget(0, len(LINE_HEADERS), tab)
        self.table.setObjectName("lines")
        self.table.setHorizontalHeaderLabels([self.tr(h) for h in LINE_HEADERS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, chars in ((CODE, 12), (NAME, 14), (DESC, 18), (UNIT, 4), (QTY, 7), (LIST, 10), (RATE, 7),
                              (PRICE, 10), (AMOUNT, 11), (DEAL, 14)):
            self.table.setColumnWidth(column, self.table.fontMetrics().horizontalAdvance("0") * chars + 16)
        self.table.setItemDelegateForColumn(DEAL, PromotionDelegate(self))
        self.table.cellChanged.connect(self._cell_edited)
        layout.addWidget(self.table, 1)
        self.lines_error = QLabel(tab)
        self.lines_error.setObjectName("lines_error")
        self.lines_error.setStyleSheet(ERROR_STYLE)
        self.lines_error.setWordWrap(True)
        layout.addWidget(self.lines_error)
        return tab

    def _build_plan_tab(self) -> QWidget:
        tab = QWidget(self)
        layout = QVBoxLayout(tab)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("按比例（%）："), tab))
        self.ratio = QLineEdit(DEFAULT_RATIO, tab)
        self.ratio.setObjectName("plan_ratio")
        self.ratio.setMaximumWidth(140)
        self.ratio.setToolTip(self.tr("定金/进度款/尾款的百分比，合计 100，如 30/60/10 或 50/50"))
        self.ratio.returnPressed.connect(self.generate_plan)
        row.addWidget(self.ratio)
        self.generate_button = QPushButton(self.tr("按比例生成"), tab)
        self.generate_button.setObjectName("plan_generate")
        self.generate_button.clicked.connect(self.generate_plan)
        row.addWidget(self.generate_button)
        row.addSpacing(24)
        self.add_part_button = QPushButton(self.tr("添加一期"), tab)
        self.add_part_button.clicked.connect(self.add_part)
        self.remove_part_button = QPushButton(self.tr("删除一期"), tab)
        self.remove_part_button.clicked.connect(self.remove_part)
        row.addWidget(self.add_part_button)
        row.addWidget(self.remove_part_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.plan = QTableWidget(0, len(PAYMENT_HEADERS), tab)
        self.plan.setObjectName("payments")
        self.plan.setHorizontalHeaderLabels([self.tr(h) for h in PAYMENT_HEADERS])
        self.plan.verticalHeader().setVisible(False)
        self.plan.horizontalHeader().setStretchLastSection(True)
        self.plan.setColumnWidth(P_KIND, 110)
        self.plan.setColumnWidth(P_AMOUNT, 140)
        self.plan.setColumnWidth(P_DUE, 140)
        self.plan.cellChanged.connect(self._plan_edited)
        layout.addWidget(self.plan, 1)
        self.plan_sum = QLabel(tab)
        self.plan_sum.setObjectName("plan_sum")
        layout.addWidget(self.plan_sum)
        self.plan_error = QLabel(tab)
        self.plan_error.setObjectName("payments_error")
        self.plan_error.setStyleSheet(ERROR_STYLE)
        self.plan_error.setWordWrap(True)
        layout.addWidget(self.plan_error)
        return tab

    # showing -----------------------------------------------------------------------------------
    @property
    def editable(self) -> bool:
        return self.can_edit and self.data.editable

    def show_data(self, data: ContractData) -> None:
        """Show the contract as read (after opening, a save, a step or a reload)."""
        self.data = data
        h = data.header
        self._filling = True
        try:
            self.left.set_values({"customer": f"{h['customer_name']}（{h['customer_number']}）",
                                  "price_list_id": h.get("price_list_id"), "designer_id": h.get("designer_id")})
            self.right.set_values({"template_id": h.get("template_id"),
                                   "expected_delivery_on": h.get("expected_delivery_on"), "note": h.get("note") or ""})
            self.lines = copy.deepcopy(data.lines)
            self.payments = copy.deepcopy(data.payments)
            self._fill_lines()
            self._fill_plan()
        finally:
            self._filling = False
        for fields in self.header:
            fields.clear_errors()
        self.design.set_files(data.id, data.files,
                              can_upload=self.can_edit and data.status not in ("cancelled", "completed"))
        self.reviews.set_reviews(data.reviews)
        self.dirty = False
        self.error_row = None
        self.lines_error.clear()
        self.plan_error.clear()
        self._show_status()
        self._apply_state()
        self._update_totals()

    def _show_status(self) -> None:
        h = self.data.header
        style = _STATUS_STYLES.get(self.data.status, _BINDING_STYLE)
        self.status_chip.setText(h.get("status_label") or "")
        self.status_chip.setStyleSheet(f"background: {style}; font-weight: bold; font-size: 14px; padding: 3px 10px;"
                                       " border-radius: 4px;")
        parts = [h.get("number") or self.tr("新合同（保存后生成合同编号）"), h["customer_name"],
                 self.tr("门店 %s") % h["store_name"], self.tr("导购 %s") % (h.get("guide_name") or "—")]
        if self.data.status == "cancelled" and h.get("cancel_reason"):
            parts.append(self.tr("作废原因：%s") % h["cancel_reason"])
        returned = [r for r in self.data.reviews if r.result_label == "退回"]
        if self.data.status == "returned" and returned:
            parts.append(self.tr("退回意见：%s") % (returned[-1].comment or "—"))
        self.heading.setText("　".join(parts))
        title = self.tr("合同 %s %s") % (h["number"], h["customer_name"]) if h.get("number") else \
            self.tr("新合同 %s") % h["customer_name"]
        self.setWindowTitle(title)

    def _apply_state(self) -> None:
        editable, status, saved_ = self.editable, self.data.status, self.data.id is not None
        for fields in self.header:
            for key in (spec.key for spec in fields.specs):
                if key != "customer":
                    fields.set_field_enabled(key, editable)
        self.quick.setEnabled(editable)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers if editable
                                   else QAbstractItemView.EditTrigger.NoEditTriggers)
        self.plan.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers if editable
                                  else QAbstractItemView.EditTrigger.NoEditTriggers)
        for widget in (self.ratio, self.generate_button, self.add_part_button, self.remove_part_button):
            widget.setEnabled(editable)
        enabled = {"save": editable, "add_product": editable, "remove_lines": editable, "package": editable,
                   "submit": editable, "sign": status == "price_passed",
                   "cancel": saved_ and self.can_edit and status in CANCELLABLE_STATES
                   and (status not in SIGNED_CANCEL_STATES or self.can_sign),
                   "print": saved_, "reload": saved_,
                   "payment": saved_ and status not in ("draft", "returned", "cancelled")}
        for name, on in enabled.items():
            if name in self.actions_by_name:
                self.actions_by_name[name].setEnabled(on)

    def _fill_lines(self) -> None:
        blocker = self.table.blockSignals(True)
        try:
            self.table.setRowCount(len(self.lines))
            for row in range(len(self.lines)):
                self._render_row(row)
        finally:
            self.table.blockSignals(blocker)

    def _render_row(self, row: int) -> None:
        line = self.lines[row]
        rate = line.rate()
        deal = line.package_name or line.promotion_name
        amount = line.amount()
        values = {CODE: line.code, NAME: line.name, DESC: line.description, UNIT: line.unit, QTY: line.quantity,
                  LIST: money_text(line.list_price), RATE: decimal_text(rate), PRICE: line.price,
                  AMOUNT: money_text(amount), DEAL: deal, NOTE: line.note}
        blocker = self.table.blockSignals(True)
        try:
            for column, value in values.items():
                # the cell is updated in place: replacing it would orphan an editor still committing
                cell = self.table.item(row, column)
                if cell is None:
                    cell = QTableWidgetItem()
                    self.table.setItem(row, column, cell)
                cell.setText(value)
                flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
                if column in _EDITABLE and not line.in_package:
                    flags |= Qt.ItemFlag.ItemIsEditable
                cell.setFlags(flags)
                if column in _NUMERIC:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                cell.setBackground(QBrush(PACKAGE_CELL) if line.in_package else QBrush())
                if line.in_package:
                    cell.setToolTip(self.tr("套餐行：数量与价格由套餐决定；请重新应用套餐或删除整个套餐"))
                else:
                    cell.setToolTip(format_rate(rate) if column == RATE and rate is not None else "")
        finally:
            self.table.blockSignals(blocker)

    def _fill_plan(self) -> None:
        blocker = self.plan.blockSignals(True)
        try:
            self.plan.setRowCount(len(self.payments))
            for row, part in enumerate(self.payments):
                combo = QComboBox(self.plan)
                for value, label in PAYMENT_KINDS:
                    combo.addItem(self.tr(label), value)
                combo.setCurrentIndex(max(0, combo.findData(part.kind)))
                combo.setEnabled(self.editable)
                combo.activated.connect(lambda _i, r=row, c=combo: self._kind_chosen(r, c.currentData()))
                self.plan.setCellWidget(row, P_KIND, combo)
                for column, value in ((P_AMOUNT, part.amount), (P_DUE, part.due_on),
                                      (P_PAID, money_text(part.paid_amount))):
                    cell = QTableWidgetItem(value)
                    if column == P_PAID:
                        cell.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
                    if column != P_DUE:
                        cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    else:
                        cell.setToolTip(self.tr("如 2026-05-01；可不填"))
                    self.plan.setItem(row, column, cell)
        finally:
            self.plan.blockSignals(blocker)
        self._update_plan_sum()

    def _update_totals(self) -> None:
        sums = totals(self.lines)
        self.list_total_label.setText(format_money(sums.list_total))
        self.discount_label.setText(format_money(sums.discount))
        self.total_label.setText(format_money(sums.total))
        self._update_plan_sum()

    def _update_plan_sum(self) -> None:
        total = totals(self.lines).total
        planned = sum((parse_decimal(p.amount) or Decimal(0) for p in self.payments), Decimal("0.00"))
        if not self.payments:
            self.plan_sum.setText(self.tr("还没有付款计划：填写比例后点“按比例生成”，或“添加一期”"))
            self.plan_sum.setStyleSheet("")
            return
        text_ = self.tr("计划合计 %s，合同金额 %s") % (format_money(planned), format_money(total))
        # approved change orders moved the plan of a signed contract: it adds up to what is owed
        changes = self.data.header.get("changes_total") or Decimal(0)
        if changes:
            total += changes
            text_ += self.tr("，改补 %s，应收金额 %s") % (format_money(changes), format_money(total))
        if planned != total:
            text_ += self.tr("，相差 %s") % format_money(total - planned)
        self.plan_sum.setText(text_)
        self.plan_sum.setStyleSheet(ERROR_STYLE if planned != total else INFO_STYLE)

    def shown_totals(self) -> tuple[str, str, str]:
        """零售价合计, 优惠, 合同金额 as shown (tests, accessibility)."""
        return self.list_total_label.text(), self.discount_label.text(), self.total_label.text()

    # editing -----------------------------------------------------------------------------------
    def _changed(self) -> None:
        if not self._filling:
            self.dirty = True
            self._hide_banner()

    def _header_edited(self, key: str) -> None:
        self._changed()
        if key == "price_list_id" and self.lines:
            self.show_banner(self.tr("更换价格体系后，保存时所有明细将按新价格体系重新计价（套餐须先移除）。"), INFO_STYLE)

    def _cell_edited(self, row: int, column: int) -> None:
        if self._filling or row >= len(self.lines):
            return
        line, typed = self.lines[row], self.table.item(row, column).text().strip()
        if column == QTY:
            line.quantity = typed
        elif column == PRICE:
            line.price = typed
        elif column == RATE:
            rate = parse_decimal(typed)
            if rate is None or rate <= 0:
                self.show_line_error(row, RATE, self.tr("第 %d 行：折扣“%s”不是有效的数字（如 0.85 表示八五折）")
                                     % (row + 1, typed))
                return
            line.set_rate(rate)
        elif column == NOTE:
            line.note = typed
        self._changed()
        self._clear_line_error()
        self._render_row(row)
        self._update_totals()

    def set_promotion(self, row: int, promotion_id: int | None) -> None:
        line = self.lines[row]
        line.promotion_id = promotion_id
        line.promotion_name = next((p.name for p in self.promotions if p.id == promotion_id), "")
        self._changed()
        self._render_row(row)

    def add_line(self, line: EditLine) -> None:
        """A product picked or found: a new line with quantity 1 at list price, the quantity cell in
        edit so the next keys typed are the quantity."""
        self.lines.append(copy.deepcopy(line))
        row = len(self.lines) - 1
        self.table.setRowCount(len(self.lines))
        self._render_row(row)
        self._changed()
        self._update_totals()
        self.tabs.setCurrentIndex(0)
        self.table.setCurrentCell(row, QTY)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.table.editItem(self.table.item(row, QTY))

    def quick_add(self) -> None:
        term = self.quick.text().strip()
        price_list = self.left.values().get("price_list_id")
        if not self.editable or not term:
            return
        if price_list is None:
            self.left.show_field_error("price_list_id", self.tr("请先选择价格体系"))
            return

        def found(rows: list[EditLine]) -> None:
            if not alive(self):
                return
            if len(rows) == 1:
                self.quick.clear()
                self.add_line(rows[0])
            elif not rows:
                self.lines_error.setText(self.tr("价格体系中没有与“%s”相符的产品") % term)
            else:
                self.quick.clear()
                self.dialog = pick_product(self.ctx, self, price_list, self.add_line, term, rows)

        self.read(lambda conn: find_products(conn, term, price_list), found)

    def open_product_picker(self) -> None:
        price_list = self.left.values().get("price_list_id")
        if not self.editable:
            return
        if price_list is None:
            self.left.show_field_error("price_list_id", self.tr("请先选择价格体系"))
            return
        self.dialog = pick_product(self.ctx, self, price_list, self.add_line, self.quick.text().strip())

    def remove_selected_lines(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()})
        if not self.editable or not rows:
            return
        packages = {self.lines[r].package_id for r in rows if self.lines[r].in_package}
        if packages:
            names = "、".join(sorted({line.package_name for line in self.lines if line.package_id in packages}))
            if not ask(self, self.tr("删除套餐"), self.tr("套餐“%s”的产品只能整体删除。删除整个套餐吗？") % names,
                       self.tr("删除整个套餐"), self.tr("取消")):
                return
        self.lines = [line for i, line in enumerate(self.lines)
                      if i not in rows and (line.package_id is None or line.package_id not in packages)]
        self._fill_lines()
        self._changed()
        self._clear_line_error()
        self._update_totals()

    # the payment plan ----------------------------------------------------------------------------
    def generate_plan(self) -> None:
        """按比例生成: parts of the total in the typed percentages, summing exactly to the total; due
        dates already typed stay with their part."""
        if not self.editable:
            return
        percents = parse_ratio(self.ratio.text())
        if percents is None:
            self.plan_error.setText(self.tr("比例须为合计 100 的正数，用 / 分隔，如 30/60/10"))
            return
        total = totals(self.lines).total
        if total <= 0:
            self.plan_error.setText(self.tr("合同金额为 0，请先填写合同明细"))
            return
        old = self.payments
        self.payments = [PaymentPart(kind, money_text(amount), old[i].due_on if i < len(old) else "")
                         for i, (kind, amount) in enumerate(plan_by_ratio(total, percents))]
        self.plan_error.clear()
        self._fill_plan()
        self._changed()

    def add_part(self) -> None:
        if self.editable:
            self.payments.append(PaymentPart("progress" if self.payments else "deposit", ""))
            self._fill_plan()
            self._changed()
            self.plan.setCurrentCell(len(self.payments) - 1, P_AMOUNT)

    def remove_part(self) -> None:
        row = self.plan.currentRow()
        if self.editable and 0 <= row < len(self.payments):
            del self.payments[row]
            self._fill_plan()
            self._changed()

    def _kind_chosen(self, row: int, kind: str) -> None:
        if row < len(self.payments):
            self.payments[row].kind = kind
            self._changed()

    def _plan_edited(self, row: int, column: int) -> None:
        if self._filling or row >= len(self.payments):
            return
        typed = self.plan.item(row, column).text().strip()
        if column == P_AMOUNT:
            self.payments[row].amount = typed
        elif column == P_DUE:
            self.payments[row].due_on = typed
        self.plan_error.clear()
        self._changed()
        self._update_plan_sum()

    def set_part(self, row: int, amount: str | None = None, due_on: str | None = None) -> None:
        """Type into a part of the plan as the user does (tests)."""
        if amount is not None:
            self.plan.item(row, P_AMOUNT).setText(amount)
        if due_on is not None:
            self.plan.item(row, P_DUE).setText(due_on)

    # errors ------------------------------------------------------------------------------------
    def show_banner(self, message: str, style: str = ERROR_STYLE) -> None:
        self.banner.setStyleSheet(style)
        self.banner.setText(message)
        self.banner.show()

    def banner_text(self) -> str:
        return self.banner.text() if not self.banner.isHidden() else ""

    def _hide_banner(self) -> None:
        if self.banner.styleSheet() == INFO_STYLE:
            self.banner.hide()

    def _clear_line_error(self) -> None:
        if self.error_row is not None and self.error_row < len(self.lines):
            self._render_row(self.error_row)
        self.error_row = None
        self.lines_error.clear()

    def show_line_error(self, row: int, column: int, message: str) -> None:
        """The message under the lines, the cell it is about marked and focused."""
        self._clear_line_error()
        self.tabs.setCurrentIndex(0)
        self.lines_error.setText(message)
        if 0 <= row < len(self.lines):
            self.error_row = row
            cell = self.table.item(row, column)
            blocker = self.table.blockSignals(True)
            cell.setBackground(QBrush(ERROR_CELL))
            cell.setToolTip(message)
            self.table.blockSignals(blocker)
            self.table.setCurrentCell(row, column)
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_plan_error(self, message: str) -> None:
        self.tabs.setCurrentIndex(1)
        self.plan_error.setText(message)
        match = _PART.search(message)
        if match and int(match.group(1)) <= len(self.payments):
            self.plan.setCurrentCell(int(match.group(1)) - 1, P_AMOUNT)
        self.plan.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_error(self, error: UserFacingError) -> None:
        """A refusal of the database, shown beside what it names."""
        self.last_error = error
        field = (error.detail or {}).get("field") or ""
        if error.kind == "conflict" and (error.detail or {}).get("version") is not None:
            self._ask_reload(error)
            return
        if error.kind == "validation":
            row = _ROW.search(error.message) or _ROW.search(field)
            if row or field in _LINE_FIELDS:
                column = _LINE_COLUMNS.get(_ROW.sub("", field).strip(), PRICE)
                self.show_line_error(int(row.group(1)) - 1 if row else -1, column, error.message)
                return
            if field in _PLAN_FIELDS:
                self.show_plan_error(error.message)
                return
            if field in _DESIGN_FIELDS:
                self.tabs.setCurrentWidget(self.design)
                self.design.show_message(error.message)
                return
            if any(fields.show_server_error(error) for fields in self.header):
                return
        self.show_banner(error.message)

    def _ask_reload(self, error: UserFacingError) -> None:
        """Someone changed the contract since it was read: say who and when, offer to reload."""
        changed = error.message.split("，请重新加载")[0]
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("合同已被他人修改"), self.tr("%s — 重新加载？") % changed,
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("conflict")
        box.setInformativeText(self.tr("重新加载会显示最新保存的内容，本窗口中尚未保存的修改将被放弃。"))
        reload_button = box.addButton(self.tr("重新加载"), QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(self.tr("取消"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(reload_button)
        box.setEscapeButton(cancel)
        box.buttonClicked.connect(lambda button: self.reload() if button is reload_button else None)
        self.show_banner(error.message)
        self.conflict_box = box
        box.open()

    # writing -----------------------------------------------------------------------------------
    def _header_values(self) -> dict:
        h = dict(self.data.header)
        h.update({k: v for k, v in self.left.values().items() if k != "customer"})
        h.update(self.right.values())
        return h

    def _client_problem(self) -> bool:
        """What the client can say before asking the database: a required price list, numbers that
        are no numbers (the database could not name the line for those)."""
        ok = all(fields.validate() for fields in self.header)
        if not ok:
            return True
        for row, line in enumerate(self.lines):
            if line.in_package:
                continue
            if line.quantity_value() is None:
                self.show_line_error(row, QTY, self.tr("第 %d 行：数量“%s”不是有效的数字") % (row + 1, line.quantity))
                return True
            if line.price_value() is None:
                self.show_line_error(row, PRICE, self.tr("第 %d 行：单价“%s”不是有效的数字") % (row + 1, line.price))
                return True
        return False

    def _run_write(self, job, saying: str, message: str, after=None) -> None:
        """Run a write in the background (one transaction); ``job(conn)`` returns the contract id,
        which is then read again in the same transaction and shown."""
        if self.busy:
            return
        self.busy = True
        self.say(saying)
        self._clear_line_error()
        self.plan_error.clear()

        def work(conn, token, report):
            return load_contract(conn, job(conn))

        def done(data: ContractData):
            if not alive(self):
                return
            self.busy = False
            self.show_data(data)
            self.say(message)
            self.saved.emit(data.id)
            if after is not None:
                after()

        def failed(error: UserFacingError):
            if alive(self):
                self.busy = False
                self.say("")
                self.show_error(error)

        self.ctx.run(work, on_done=done, on_error=failed, label=self.windowTitle())

    def save(self, after=None) -> None:
        """保存 (Ctrl+S): header, lines and plan in one call of save_contract."""
        if not self.editable or self.busy:
            return
        self._hide_banner()
        self.banner.hide()
        if self._client_problem():
            return
        header, lines, payments = self._header_values(), copy.deepcopy(self.lines), copy.deepcopy(self.payments)
        self._run_write(lambda conn: save_contract(conn, header, lines, payments), self.tr("正在保存…"),
                        self.tr("已保存"), after if callable(after) else None)

    def _saved_first(self, then) -> bool:
        """Steps work on the saved contract: save what was typed first, then take the step."""
        if self.dirty or self.data.id is None:
            self.save(after=then)
            return True
        return False

    def _step(self, step: str, saying: str, message: str) -> None:
        contract_id, version = self.data.id, self.data.header["version"]

        def job(conn):
            contract_step(conn, step, contract_id, version)
            return contract_id

        self._run_write(job, saying, message)

    def submit(self) -> None:
        """提交审核: to 图审 (lines, delivery date, a plan adding up and a current design file needed)."""
        if not self.editable or self._saved_first(self.submit):
            return
        self._step("submit", self.tr("正在提交审核…"), self.tr("已提交审核，等待图审"))

    def sign(self) -> None:
        if self.data.status != "price_passed" or not self.can_sign:
            return
        if ask(self, self.tr("签订合同"), self.tr("签订合同 %s（合同金额 %s）吗？签订后合同生效，修改须走改补单。")
               % (self.data.header["number"], format_money(self.data.header["total"])), self.tr("签订"), self.tr("取消")):
            self._step("sign", self.tr("正在签订…"), self.tr("合同已签订"))

    def cancel_contract(self) -> None:
        """作废 with a reason (a form of its own: the reason is required, the database checks the rest)."""
        if self.data.id is None or not self.actions_by_name["cancel"].isEnabled():
            return
        contract_id, version = self.data.id, self.data.header["version"]

        def cancel(conn, values):
            contract_step(conn, "cancel", contract_id, version, values["reason"])
            return load_contract(conn, contract_id)

        form = RecordForm(self.ctx, self.tr("作废合同 %s") % self.data.header["number"],
                          [FieldSpec("reason", self.tr("作废原因"), required=True, max_length=200)],
                          save=cancel, save_text=self.tr("作废"),
                          message=self.tr("作废后合同不能再修改或签订；未审核的改补单一并作废。"), parent=self)
        form.setObjectName("cancel_form")
        form.saved.connect(lambda data: alive(self) and self._stepped(data, self.tr("合同已作废")))
        self.dialog = form
        form.open()

    def choose_package(self) -> None:
        """套餐: pick a package valid today on the contract's price list and apply it in one step; the
        lines are read again as the database repriced them."""
        if not self.editable or self._saved_first(self.choose_package):
            return
        contract_id, version, price_list = self.data.id, self.data.header["version"], self.data.header["price_list_id"]

        def apply(conn, values):
            apply_package(conn, contract_id, version, values["package_id"])
            return load_contract(conn, contract_id)

        form = RecordForm(self.ctx, self.tr("应用套餐"),
                          [FieldSpec("package_id", self.tr("套餐"), "choice", required=True,
                                     choices=lambda conn: package_choices(conn, price_list))],
                          save=apply, save_text=self.tr("应用套餐"),
                          message=self.tr("套餐的产品按套餐数量加入合同（合同中已有的同款产品先计入套餐），"
                                          "各行按零售价比例分摊套餐价。"), parent=self)
        form.setObjectName("package_form")
        form.saved.connect(lambda data: alive(self) and self._stepped(data, self.tr("已应用套餐")))
        self.dialog = form
        form.open()

    def record_payment(self) -> None:
        """收款登记 against a part of the plan (finance.receipt); the plan's 已收 is read again after."""
        if "payment" not in self.actions_by_name or not self.actions_by_name["payment"].isEnabled():
            return
        contract_id = self.data.id

        def recorded(_paid) -> None:
            if alive(self):
                self.read(lambda conn: load_contract(conn, contract_id),
                          lambda data: self._stepped(data, self.tr("已登记收款")))

        self.dialog = open_payment_form(self.ctx, self, contract_id, on_saved=recorded)

    def _stepped(self, data: ContractData, message: str) -> None:
        self.show_data(data)
        self.say(message)
        self.saved.emit(data.id)

    def reload(self) -> None:
        """Read the contract again (F5; after a conflict), dropping what was not saved."""
        if self.data.id is None or self.busy:
            return
        contract_id = self.data.id
        self.read(lambda conn: load_contract(conn, contract_id), self._reloaded)

    def _reloaded(self, data: ContractData) -> None:
        self.show_data(data)
        self.show_banner(self.tr("已重新加载最新内容。"), INFO_STYLE)
        self.loaded.emit()

    def print_contract(self) -> None:
        """打印 (Ctrl+P): the contract PDF through the print path (preview first unless this PC prints
        contracts directly); what is printed is what is saved."""
        if self.data.id is None:
            return
        if self.dirty:
            self.say(self.tr("请先保存，再打印"))
            return
        from client.ui.print_preview import print_documents

        print_documents(self.ctx, "contract", [self.data.header["number"]], self)

    # closing -----------------------------------------------------------------------------------
    def closeEvent(self, event) -> None:
        if self.busy or (self.editable and self.dirty and not ask(
                self, self.windowTitle(), self.tr("放弃尚未保存的修改吗？"), self.tr("放弃修改"), self.tr("继续编辑"))):
            event.ignore()
            return
        super().closeEvent(event)

