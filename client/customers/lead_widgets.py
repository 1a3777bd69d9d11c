"""Widgets the lead screens share: a lead's details, the table of its conflicts with their evidence,
and the dialog that answers a new report with the conflicts the database found."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from client.masterdata.lists import CHANNEL_KINDS
from client.system.rows_model import RowColumn, RowsModel

from .lead_data import Lead, LeadConflict, format_moment

translate = QCoreApplication.translate
_KIND_LABELS = dict(CHANNEL_KINDS)


def _t(text: str) -> str:
    return translate("leads", text)


def conflict_columns(with_status_now: bool) -> list[RowColumn]:
    """The evidence of a conflict: what collides, the other record, who and when, its status."""
    columns = [
        RowColumn(_t("冲突类型"), lambda c: c.kind_label),
        RowColumn(_t("对方单号"), lambda c: c.other_number),
        RowColumn(_t("渠道"), lambda c: c.other_channel or ""),
        RowColumn(_t("报备人/导购"), lambda c: c.other_person or ""),
        RowColumn(_t("时间"), lambda c: format_moment(c.other_at)),
        RowColumn(_t("客户"), lambda c: c.other_customer_name),
        RowColumn(_t("电话"), lambda c: c.other_phone),
        RowColumn(_t("地址"), lambda c: c.other_address),
        RowColumn(_t("门店"), lambda c: c.other_store),
        RowColumn(_t("当时状态"), lambda c: c.other_status_then),
    ]
    if with_status_now:
        columns.append(RowColumn(_t("当前状态"), lambda c: c.other_status_now or _t("（无权查看）")))
    return columns


class ConflictsTable(QTableView):
    """The conflicts of one lead (a handful of rows, read whole)."""

    def __init__(self, parent=None, *, with_status_now: bool = False):
        super().__init__(parent)
        self.setObjectName("conflicts")
        self.conflicts = RowsModel(conflict_columns(with_status_now), self)
        self.setModel(self.conflicts)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

    def set_conflicts(self, conflicts: list[LeadConflict]) -> None:
        self.conflicts.set_rows(conflicts)
        self.resizeColumnsToContents()

    def text_at(self, row: int, column: int) -> str:
        return self.conflicts.data(self.conflicts.index(row, column)) or ""


def lead_fields(lead: Lead) -> list[tuple[str, str]]:
    """(label, text) of everything an auditor checks, in reading order."""
    channel = lead.channel_name
    kind = _KIND_LABELS.get(lead.channel_kind)
    if kind:
        channel = f"{channel}（{kind}）"
    fields = [
        (_t("报备单号"), lead.number),
        (_t("状态"), lead.status_label),
        (_t("渠道"), channel),
        (_t("家装设计师"), lead.decoration_designer_name or ""),
        (_t("报备人"), lead.reporter_name),
        (_t("报备时间"), format_moment(lead.reported_at)),
        (_t("门店"), lead.store_name),
        (_t("客户"), lead.customer_name),
        (_t("电话"), lead.phone),
        (_t("地址"), lead.address),
        (_t("意向产品"), lead.products),
        (_t("备注"), lead.note),
        (_t("冲突数"), str(lead.conflict_count)),
    ]
    if lead.decided_at is not None:
        fields += [(_t("审核人"), lead.decided_by_name or ""), (_t("审核时间"), format_moment(lead.decided_at)),
                   (_t("审核意见"), lead.decision_reason)]
    if lead.protected_until is not None:
        fields.append((_t("保护期至"), format_moment(lead.protected_until)))
    if lead.customer_number:
        fields.append((_t("客户编号"), lead.customer_number))
    return fields


class LeadDetailPanel(QWidget):
    """A lead's details as label rows (selectable text, so a number can be copied)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("lead_detail")
        self.form = QFormLayout(self)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.lead: Lead | None = None
        self.placeholder = QLabel(_t("请在上方列表中选择一条报备"))
        self.form.addRow(self.placeholder)

    def clear(self, message: str | None = None) -> None:
        self.lead = None
        while self.form.rowCount():
            self.form.removeRow(0)
        self.placeholder = QLabel(message or _t("请在上方列表中选择一条报备"))
        self.form.addRow(self.placeholder)

    def set_lead(self, lead: Lead) -> None:
        self.clear()
        self.form.removeRow(0)
        self.lead = lead
        for label, value in lead_fields(lead):
            shown = QLabel(value)
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            shown.setObjectName(f"detail_{label}")
            self.form.addRow(label + "：", shown)

    def value(self, label: str) -> str:
        """The text shown beside ``label`` (for tests and accessibility)."""
        shown = self.findChild(QLabel, f"detail_{label}")
        return shown.text() if shown is not None else ""


class ReportResultDialog(QDialog):
    """Right after a report: the conflicts the database found, or that there were none."""

    def __init__(self, lead: Lead, conflicts: list[LeadConflict], parent=None):
        super().__init__(parent)
        self.setObjectName("report_result")
        self.lead = lead
        self.setWindowTitle(_t("报备已提交"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table: ConflictsTable | None = None
        if conflicts:
            self.summary.setText(_t("报备 %1（%2）已提交，发现 %3 条冲突，审核时将逐条核对：")
                                 .replace("%1", lead.number).replace("%2", lead.customer_name)
                                 .replace("%3", str(len(conflicts))))
            self.table = ConflictsTable(self)
            self.table.set_conflicts(conflicts)
            layout.addWidget(self.table, 1)
            self.resize(900, 300)
        elif lead.conflict_count:
            # Reporters of the 'own' scope (guides, channel partners) are told that conflicts exist
            # but may not read other people's reports: the evidence is for the auditor.
            self.summary.setText(_t("报备 %1（%2）已提交，发现 %3 条冲突，将由渠道审核核对处理。")
                                 .replace("%1", lead.number).replace("%2", lead.customer_name)
                                 .replace("%3", str(lead.conflict_count)))
        else:
            self.summary.setText(_t("报备 %1（%2）已提交，未发现冲突。")
                                 .replace("%1", lead.number).replace("%2", lead.customer_name))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_t("确定"))
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)


def selected_lead_numbers(window) -> list[str]:
    """The numbers of the leads selected in a lead list window (the current row when none is)."""
    model = window.model
    column = model.column_of("number")
    rows = sorted({index.row() for index in window.view.selectionModel().selectedRows()})
    if not rows and window.view.currentIndex().isValid():
        rows = [window.view.currentIndex().row()]
    return [model.row_values(row)[column] for row in rows]


def print_conflict_sheets(ctx, window, parent) -> bool:
    """打印冲突单 of the leads selected in ``window``: one PDF, previewed before it counts as printed."""
    from client.ui.print_preview import print_documents

    from .lead_documents import CONFLICT_SHEET

    numbers = selected_lead_numbers(window)
    if numbers:
        print_documents(ctx, CONFLICT_SHEET.name, numbers, parent)
    return bool(numbers)
