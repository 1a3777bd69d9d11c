"""渠道报备审核: pending leads by default; the selected lead beside its conflicts with their evidence
and the current status of every conflicting record; 通过 / 驳回 with a reason; 打印冲突单 of the
selected leads (one PDF) for the channel meeting.

The database decides every audit step (yiwei.approve_lead / reject_lead): it refuses auditing
one's own report, a second approval while another report of the household is protected, a lead
changed meanwhile (version) — the dialog shows its message as it is.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QSplitter, QVBoxLayout, QWidget

from client.lists.catalog import get_list
from client.ui.forms import FieldSpec, RecordForm, alive
from client.ui.list_view import ListWindow
from client.ui.screen import ToolbarScreen

from . import lead_data
from .lead_data import Lead
from .lead_widgets import ConflictsTable, LeadDetailPanel, print_conflict_sheets, selected_lead_numbers

translate = QCoreApplication.translate


def _t(text: str) -> str:
    return translate("lead_audit", text)


class LeadAuditScreen(ToolbarScreen):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.dialog: RecordForm | None = None
        self.lead: Lead | None = None
        self.conflict_rows: list = []
        self._generation = 0

        self.list = ListWindow(ctx, get_list("lead_audit"), self)
        self.list.message_shown.connect(self.say)
        self.list.activated.connect(lambda _key: self.detail_panel.setFocus())
        self.list.set_filter("status", "pending")
        self.list.view.selectionModel().currentRowChanged.connect(lambda *_: self._selection_changed())
        self.list.model.modelReset.connect(self._selection_changed)

        self.approve_action = self.add_action("approve", self.tr("通过"), self.approve_current, "Ctrl+Shift+A")
        self.reject_action = self.add_action("reject", self.tr("驳回"), self.reject_current, "Ctrl+Shift+R")
        self.add_action("print", self.tr("打印冲突单"), self.print_selected, "Ctrl+P")

        self.detail_panel = LeadDetailPanel()
        detail_scroll = QScrollArea()
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setWidget(self.detail_panel)
        self.conflicts = ConflictsTable(with_status_now=True)
        self.conflicts_title = QLabel(_t("冲突记录"))
        self.conflicts_title.setObjectName("conflicts_title")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.conflicts_title)
        right_layout.addWidget(self.conflicts, 1)
        side_by_side = QSplitter(Qt.Orientation.Horizontal)
        side_by_side.setObjectName("side_by_side")
        side_by_side.addWidget(detail_scroll)
        side_by_side.addWidget(right)
        side_by_side.setStretchFactor(0, 2)
        side_by_side.setStretchFactor(1, 5)
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(self.list)
        body.addWidget(side_by_side)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 2)
        self.set_body(body)
        self._update_actions()

    # the selected lead ---------------------------------------------------------------------------
    def _selection_changed(self) -> None:
        lead_id = self.list.current_key()
        self._generation += 1
        generation = self._generation
        if lead_id is None:
            self._show(generation, None)
            return
        self.ctx.run(lambda conn, token, report: (lead_data.load_lead(conn, lead_id),
                                                  lead_data.load_conflicts(conn, lead_id)),
                     on_done=lambda loaded: self._show(generation, loaded),
                     on_error=lambda error: self._show_failed(generation, error))

    def select_lead(self, lead_id) -> None:
        """Make the lead with this id current (as clicking its row would)."""
        row = self.list.model.row_of_key(lead_id)
        if row < 0:
            raise LookupError(f"lead {lead_id} is not in the list")
        self.list.view.selectRow(row)
        self.list.view.setCurrentIndex(self.list.model.index(row, 0))

    def _show(self, generation: int, loaded) -> None:
        if not alive(self) or generation != self._generation:
            return
        if loaded is None:
            self.lead, self.conflict_rows = None, []
            self.detail_panel.clear()
            self.conflicts.set_conflicts([])
            self.conflicts_title.setText(_t("冲突记录"))
        else:
            self.lead, self.conflict_rows = loaded
            self.detail_panel.set_lead(self.lead)
            self.conflicts.set_conflicts(self.conflict_rows)
            self.conflicts_title.setText(_t("冲突记录：%1 条").replace("%1", str(len(self.conflict_rows)))
                                         if self.conflict_rows else _t("冲突记录：未发现冲突"))
        self._update_actions()

    def _show_failed(self, generation: int, error) -> None:
        if alive(self) and generation == self._generation:
            self.lead = None
            self.detail_panel.clear(error.message)
            self.conflicts.set_conflicts([])
            self._update_actions()

    def _update_actions(self) -> None:
        pending = self.lead is not None and self.lead.status == "pending"
        self.approve_action.setEnabled(pending)
        self.reject_action.setEnabled(pending)

    def _reload(self) -> None:
        self.list.refresh()
        self._selection_changed()

    # audit steps -----------------------------------------------------------------------------------
    def _audit(self, title: str, field: FieldSpec, step, done_text: str) -> RecordForm | None:
        lead = self.lead
        if lead is None:
            self.say(self.tr("请先选择一条报备"))
            return None
        form = RecordForm(
            self.ctx, title, [field],
            save=lambda conn, values: step(conn, lead.id, lead.version, values[field.key]),
            initial={"id": lead.id, "version": lead.version}, save_text=title, parent=self,
            message=self.tr("报备 %1：%2，%3，%4").replace("%1", lead.number).replace("%2", lead.channel_name)
            .replace("%3", lead.customer_name).replace("%4", lead.address))
        form.setObjectName(f"audit_{field.key}")
        form.saved.connect(lambda _result: alive(self) and (self.say(done_text.replace("%1", lead.number)),
                                                            self._reload()))
        self.dialog = form
        form.open()
        return form

    def approve_current(self) -> RecordForm | None:
        """通过: the reason is optional; protection starts now."""
        return self._audit(self.tr("通过"), FieldSpec("reason", _t("审核意见"), "multiline", max_length=200),
                           lead_data.approve_lead, self.tr("已通过报备 %1"))

    def reject_current(self) -> RecordForm | None:
        """驳回: a reason is required (the channel is told why)."""
        return self._audit(self.tr("驳回"), FieldSpec("reason", _t("驳回原因"), "multiline", required=True,
                                                    max_length=200),
                           lead_data.reject_lead, self.tr("已驳回报备 %1"))

    # printing ------------------------------------------------------------------------------------
    def selected_numbers(self) -> list[str]:
        return selected_lead_numbers(self.list)

    def print_selected(self) -> None:
        """打印冲突单: the selected leads' conflict sheets as one PDF (preview, then print)."""
        if not print_conflict_sheets(self.ctx, self.list, self):
            self.say(self.tr("请先选择要打印冲突单的报备"))
