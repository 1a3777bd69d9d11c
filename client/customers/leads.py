"""渠道报备: the leads the login may see, 新增报备 (Ctrl+N), a lead's conflicts, and 转为客户 for an
approved lead when its customer comes to the showroom.

The form only gathers what was said on the phone; the database numbers the lead, checks it for
conflicts (same phone, same address, existing customers) and keeps the evidence, which the screen
shows right after saving. A channel's own user reports for that channel only: the database forces
it, and the form shows the channel fixed.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QStringListModel, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QCompleter, QDialog, QDialogButtonBox, QLineEdit, QSplitter, QStyle, QVBoxLayout

from client.lists.catalog import get_list
from client.ui.forms import FieldSpec, RecordForm, alive, inform
from client.ui.list_view import ListWindow
from client.ui.screen import ToolbarScreen

from . import lead_data
from .lead_data import DesignerChoice, Lead, ReportContext
from .lead_widgets import ConflictsTable, LeadDetailPanel, ReportResultDialog, print_conflict_sheets

translate = QCoreApplication.translate


def _t(text: str) -> str:
    return translate("leads", text)


def report_fields() -> list[FieldSpec]:
    return [
        FieldSpec("store_id", _t("门店"), "choice", required=True, choices=lead_data.report_store_choices,
                  aliases=("报备门店",)),
        FieldSpec("channel_id", _t("渠道"), "choice", required=True, choices=lead_data.channel_choices,
                  aliases=("报备渠道",)),
        FieldSpec("decoration_designer_id", _t("家装设计师"), "choice", choices=[(None, "")]),
        FieldSpec("customer_name", _t("客户姓名"), required=True, max_length=30),
        FieldSpec("phone", _t("客户电话"), required=True, max_length=30, placeholder=_t("手机 11 位，或固话如 0571-88886666")),
        FieldSpec("community", _t("小区"), required=True, max_length=60, placeholder=_t("输入或选择小区")),
        FieldSpec("building", _t("楼栋"), max_length=20, placeholder=_t("如 3栋")),
        FieldSpec("unit", _t("单元"), max_length=20, placeholder=_t("如 2单元")),
        FieldSpec("room", _t("房号"), max_length=20, placeholder=_t("如 1502")),
        FieldSpec("products", _t("意向产品"), max_length=200, placeholder=_t("如 全屋定制、沙发")),
        FieldSpec("note", _t("备注"), "multiline", max_length=500),
    ]


class LeadReportForm(RecordForm):
    """新增报备. Designers follow the chosen channel; the community field suggests the company's
    communities while typing (an alias or a new name is accepted as typed)."""

    def __init__(self, ctx, context: ReportContext, parent=None):
        initial = {"store_id": context.home_store_id}
        if context.own_channel_id is not None:
            initial["channel_id"] = context.own_channel_id
        super().__init__(ctx, _t("新增报备"), report_fields(), save=lead_data.report_lead, initial=initial,
                         parent=parent, save_text=_t("提交报备"))
        self.setObjectName("lead_report_form")
        self.report_context = context
        self.designers: list[DesignerChoice] = []
        if context.own_channel_id is not None:
            self.set_choices("channel_id", [(context.own_channel_id, context.own_channel_name)])
            self.fields.set_field_enabled("channel_id", False)
            self.widget("channel_id").setToolTip(_t("渠道用户只能为本渠道报备"))
        self.communities = QStringListModel(self)
        completer = QCompleter(self.communities, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setMaxVisibleItems(15)
        community: QLineEdit = self.widget("community")
        community.setCompleter(completer)
        # A drop-down arrow lists every community, as an editable combo box would.
        show_all = community.addAction(self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowDown),
                                       QLineEdit.ActionPosition.TrailingPosition)
        show_all.setToolTip(_t("列出全部小区"))
        show_all.triggered.connect(self._show_all_communities)
        self.valueChanged.connect(self._value_changed)
        ctx.run(lambda conn, token, report: (lead_data.designer_choices(conn), lead_data.community_names(conn)),
                on_done=self._extras_loaded, on_error=lambda error: alive(self) and self.show_error(error.message),
                retry_on_disconnect=True)

    def _extras_loaded(self, extras) -> None:
        if not alive(self):
            return
        self.designers, names = extras
        self.communities.setStringList(names)
        self._filter_designers()

    def _show_all_communities(self) -> None:
        completer = self.widget("community").completer()
        completer.setCompletionPrefix("")
        completer.complete()

    def _value_changed(self, key: str) -> None:
        if key == "channel_id":
            self._filter_designers()
        elif key == "decoration_designer_id":
            # Picking a designer first fills in the designer's channel.
            chosen = self.values().get("decoration_designer_id")
            designer = next((d for d in self.designers if d.id == chosen), None)
            if designer is not None and designer.channel_id is not None and self.values().get("channel_id") is None \
                    and self.fields.is_field_enabled("channel_id"):
                self.fields.set_values({"channel_id": designer.channel_id})

    def _filter_designers(self) -> None:
        channel = self.values().get("channel_id")
        shown = [d for d in self.designers if channel is None or d.channel_id == channel]
        self.fields.set_choices("decoration_designer_id", [(None, "")] + [(d.id, d.label) for d in shown])

    def designer_ids(self) -> list[int]:
        """The designers offered now (for tests)."""
        combo = self.widget("decoration_designer_id")
        return [combo.itemData(i) for i in range(combo.count()) if combo.itemData(i) is not None]


def open_customer_form(ctx, lead: Lead, parent) -> RecordForm:
    """转为客户: pick who takes the customer of an approved lead; the database makes the customer."""
    fields = [FieldSpec("guide_id", _t("接待导购"), "choice", required=True,
                        choices=lambda conn: lead_data.lead_guide_choices(conn, lead.id), aliases=("导购",))]
    # a guide takes the customer themself; a manager chooses
    initial = {"guide_id": ctx.session.employee_id} if ctx.session.scope == "own" else {}
    form = RecordForm(ctx, _t("报备转为客户"), fields,
                      save=lambda conn, values: lead_data.customer_from_lead(conn, lead.id, values["guide_id"]),
                      initial=initial, save_text=_t("建立客户档案"), parent=parent,
                      message=_t("为报备 %1（%2，%3）建立客户档案，客户归属所选导购，并带上渠道与报备。")
                      .replace("%1", lead.number).replace("%2", lead.customer_name).replace("%3", lead.store_name))
    form.setObjectName("lead_customer_form")
    form.open()
    return form


class LeadViewDialog(QDialog):
    """One lead with its conflicts (Enter on a lead in 渠道报备)."""

    def __init__(self, lead: Lead, conflicts, parent=None):
        super().__init__(parent)
        self.setObjectName("lead_view")
        self.setWindowTitle(_t("报备 %1").replace("%1", lead.number))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.detail = LeadDetailPanel(splitter)
        self.detail.set_lead(lead)
        self.conflicts = ConflictsTable(splitter)
        self.conflicts.set_conflicts(conflicts)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_t("关闭"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(1000, 420)


class LeadsScreen(ToolbarScreen):
    """渠道报备: the list of leads in scope, 新增报备 (Ctrl+N), 查看 (Enter) and 转为客户."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.context: ReportContext | None = None
        self._open_when_ready = False
        self.dialog: QDialog | None = None
        self.list = ListWindow(ctx, get_list("channel_leads"), self)
        self.list.activated.connect(self.view_lead)
        self.list.message_shown.connect(self.say)
        self.add_action("new", self.tr("新增报备"), self.new_lead, QKeySequence.StandardKey.New)
        self.add_action("view", self.tr("查看冲突"), self.view_current)
        if ctx.session.can("customers.customer"):
            self.add_action("to_customer", self.tr("转为客户"), self.convert_current)
        if ctx.session.can("customers.lead_audit"):
            self.add_action("print", self.tr("打印冲突单"), self.print_selected, "Ctrl+P")
        self.set_body(self.list)
        ctx.run(lambda conn, token, report: lead_data.report_context(conn), on_done=self._context_loaded,
                on_error=lambda error: alive(self) and self.say(error.message), retry_on_disconnect=True)

    def _context_loaded(self, context: ReportContext) -> None:
        if not alive(self):
            return
        self.context = context
        if self._open_when_ready:
            self._open_when_ready = False
            self.new_lead()

    def new_lead(self) -> LeadReportForm | None:
        if self.context is None:   # the login's channel is still being read; open once it is known
            self._open_when_ready = True
            return None
        form = LeadReportForm(self.ctx, self.context, self)
        form.saved.connect(self._reported)
        self.dialog = form
        form.open()
        return form

    def _reported(self, lead_id: int) -> None:
        if not alive(self):
            return
        self.list.refresh()
        self.say(self.tr("已提交报备，正在检查冲突…"))
        self.ctx.run(lambda conn, token, report: (lead_data.load_lead(conn, lead_id),
                                                  lead_data.load_conflicts(conn, lead_id)),
                     on_done=self._show_report_result, on_error=self._failed)

    def _show_report_result(self, loaded) -> None:
        if not alive(self):
            return
        lead, conflicts = loaded
        self.say(self.tr("已提交报备 %1").replace("%1", lead.number))
        self.dialog = ReportResultDialog(lead, conflicts, self)
        self.dialog.open()

    def view_current(self) -> None:
        if self.list.current_key() is not None:
            self.view_lead(self.list.current_key())

    def view_lead(self, lead_id) -> None:
        def show(loaded):
            if alive(self):
                self.dialog = LeadViewDialog(*loaded, parent=self)
                self.dialog.open()

        self.ctx.run(lambda conn, token, report: (lead_data.load_lead(conn, lead_id),
                                                  lead_data.load_conflicts(conn, lead_id)),
                     on_done=show, on_error=self._failed)

    def print_selected(self) -> None:
        if not print_conflict_sheets(self.ctx, self.list, self):
            self.say(self.tr("请先选择要打印冲突单的报备"))

    def convert_current(self) -> None:
        lead_id = self.list.current_key()
        if lead_id is None:
            self.say(self.tr("请先选择一条已通过的报备"))
            return
        self.ctx.run(lambda conn, token, report: lead_data.load_lead(conn, lead_id),
                     on_done=self._convert, on_error=self._failed)

    def _convert(self, lead: Lead) -> None:
        if not alive(self):
            return
        if lead.status != "approved" or lead.customer_number:
            message = (self.tr("报备 %1 已关联客户 %2").replace("%2", lead.customer_number) if lead.customer_number
                       else self.tr("报备 %1 %2，只有审核通过且在保护期内的报备可以建档").replace("%2", lead.status_label))
            inform(self, self.tr("转为客户"), message.replace("%1", lead.number), warning=True)
            return
        form = open_customer_form(self.ctx, lead, self)
        form.saved.connect(lambda number: alive(self) and self._converted(lead, number))
        self.dialog = form

    def _converted(self, lead: Lead, customer_number: str) -> None:
        self.list.refresh()
        self.say(self.tr("报备 %1 已建立客户档案 %2").replace("%1", lead.number).replace("%2", customer_number))

    def _failed(self, error) -> None:
        if alive(self):
            self.say(error.message)
            inform(self, self.tr("渠道报备"), error.message, warning=True)
