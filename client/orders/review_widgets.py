"""The parts of a review screen beside the queue: the item's details with its current drawing, its
lines (the discounts a price reviewer must judge marked), the order-completeness checklist to tick,
and the reviews it had before."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from client.customers.lead_data import format_moment
from client.documents.amounts import format_money
from client.orders.contract_document import format_quantity, format_rate

from .review_data import ReviewItem, ReviewLine

translate = QCoreApplication.translate
WARNING_STYLE = "color: #c62828; font-weight: bold;"
BEYOND_LIMIT = QColor("#ffcdd2")


def _t(text: str) -> str:
    return translate("reviews", text)


def rate_text(rate: Decimal | None) -> str:
    """0.85 → "0.85（8.5折）": the number the database compares and the way a customer reads it."""
    if rate is None:
        return "—"
    shown = f"{rate.normalize():f}"
    return shown if rate == 1 else f"{shown}（{format_rate(rate)}）"


def file_size_text(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


class ReviewDetailPanel(QWidget):
    """The header of the item under review as label rows (selectable, so a number can be copied)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("review_detail")
        self.form = QFormLayout(self)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.clear()

    def clear(self, message: str | None = None) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        placeholder = QLabel(message or _t("请在上方列表中选择一张待审核的单据"))
        placeholder.setWordWrap(True)
        placeholder.setObjectName("placeholder")
        self.form.addRow(placeholder)

    def set_item(self, item: ReviewItem, limit_text: str = "") -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        kind = _t("合同") if not item.is_change_order else _t("改补单（%1）").replace("%1", item.change_kind_label)
        rows = [(_t("单号"), item.number), (_t("类别"), kind)]
        if item.is_change_order:
            rows.append((_t("合同编号"), item.contract_number))
        rows += [(_t("状态"), item.status_label), (_t("客户"), item.customer_name), (_t("地址"), item.customer_address),
                 (_t("门店"), item.store_name), (_t("导购"), item.guide_name), (_t("设计师"), item.designer_name or "—")]
        if item.is_change_order:
            rows += [(_t("增减金额"), format_money(item.amount)), (_t("改补原因"), item.note)]
        else:
            overall = item.amount / item.list_total if item.list_total else None
            rows += [(_t("合同金额"), format_money(item.amount)),
                     (_t("零售价合计"), format_money(item.list_total or Decimal(0))),
                     (_t("整单折扣"), rate_text(overall.quantize(Decimal("0.0001")) if overall is not None else None)),
                     (_t("交货日期"), item.expected_delivery_on.isoformat() if item.expected_delivery_on else "—"),
                     (_t("备注"), item.note or "—")]
        design = item.design_file
        rows.append((_t("设计图纸"), _t("%1（第 %2 版，%3，%4 于 %5 上传）").replace("%1", design.file_name)
                     .replace("%2", str(design.version)).replace("%3", file_size_text(design.size_bytes))
                     .replace("%4", design.uploaded_by or "—").replace("%5", format_moment(design.uploaded_at))
                     if design else _t("（没有图纸）")))
        if limit_text:
            rows.append((_t("审价权限"), limit_text))
        for label, value in rows:
            shown = QLabel(value)
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            shown.setObjectName(f"detail_{label}")
            if label == _t("审价权限") and "需要" in value:
                shown.setStyleSheet(WARNING_STYLE)
            self.form.addRow(label + "：", shown)

    def value(self, label: str) -> str:
        """The text shown beside ``label`` (tests, accessibility)."""
        shown = self.findChild(QLabel, f"detail_{label}")
        return shown.text() if shown is not None else ""


LINE_HEADERS = ("行", "编码", "产品", "款型/颜色/规格", "单位", "数量", "零售价", "折扣", "单价", "金额", "套餐/促销", "备注")
_NUMERIC = {5, 6, 7, 8, 9}


class ReviewLinesTable(QTableWidget):
    """The item's lines. With a limit, an unexplained rate below it is marked: that line is why the
    price review needs a higher position."""

    def __init__(self, parent=None):
        super().__init__(0, len(LINE_HEADERS), parent)
        self.setObjectName("review_lines")
        self.setHorizontalHeaderLabels([_t(h) for h in LINE_HEADERS])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.marked_rows: list[int] = []

    def set_lines(self, lines: list[ReviewLine], limit: Decimal | None = None) -> None:
        self.setRowCount(0)
        self.marked_rows = []
        lowest = min((line.rate for line in lines if not line.explained), default=None)
        for row, line in enumerate(lines):
            self.insertRow(row)
            values = (str(line.line_no), line.code, line.name, line.description, line.unit,
                      format_quantity(line.quantity), format_money(line.list_price), rate_text(line.rate),
                      format_money(line.price), format_money(line.amount), line.deal, line.note)
            beyond = limit is not None and not line.explained and line.rate < limit
            for column, value in enumerate(values):
                cell = QTableWidgetItem(value)
                if column in _NUMERIC:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if beyond:
                    cell.setBackground(QBrush(BEYOND_LIMIT))
                if column == 7 and lowest is not None and line.rate == lowest and not line.explained:
                    font = QFont(cell.font())
                    font.setBold(True)
                    cell.setFont(font)
                    cell.setToolTip(_t("最低折扣（套餐与有效促销以外）"))
                self.setItem(row, column, cell)
            if beyond:
                self.marked_rows.append(row)
        self.resizeColumnsToContents()

    def text_at(self, row: int, column: int) -> str:
        cell = self.item(row, column)
        return cell.text() if cell is not None else ""


class ChecklistWidget(QListWidget):
    """The order-completeness checklist of the item: each applicable item, ticked when checked."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("review_checklist")

    def set_items(self, items) -> None:
        self.clear()
        for entry in items:
            label = entry.name if not entry.line_name else f"{entry.name}（{entry.line_name}）"
            item = QListWidgetItem(label, self)
            item.setData(Qt.ItemDataRole.UserRole, entry.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)

    def set_checked(self, item_id: int, checked: bool = True) -> None:
        for i in range(self.count()):
            item = self.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == item_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return
        raise LookupError(f"checklist item {item_id} is not shown")

    def check_all(self) -> None:
        for i in range(self.count()):
            self.item(i).setCheckState(Qt.CheckState.Checked)

    def values(self) -> list[dict]:
        """[{item_id, ok}] as review_drawing takes them."""
        return [{"item_id": self.item(i).data(Qt.ItemDataRole.UserRole),
                 "ok": self.item(i).checkState() == Qt.CheckState.Checked} for i in range(self.count())]


class PastReviewsTable(QTableWidget):
    """What reviewers said before (a return and why, before the resubmission)."""

    HEADERS = ("单据", "审核", "结果", "审核人", "时间", "意见")

    def __init__(self, parent=None):
        super().__init__(0, len(self.HEADERS), parent)
        self.setObjectName("past_reviews")
        self.setHorizontalHeaderLabels([_t(h) for h in self.HEADERS])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setStretchLastSection(True)

    def set_reviews(self, reviews) -> None:
        self.setRowCount(0)
        for row, review in enumerate(reviews):
            self.insertRow(row)
            for column, value in enumerate((review.subject, review.kind_label, review.result_label, review.reviewer,
                                            format_moment(review.at), review.comment)):
                cell = QTableWidgetItem(value)
                cell.setToolTip(value)
                self.setItem(row, column, cell)
        self.resizeColumnsToContents()
