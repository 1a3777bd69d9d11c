"""责任人判定: who bears the cost of a change order — the customer, the guide, the designer, the
measurer, the factory, the installer or the driver — why (a responsibility reason of 基础信息) and a
note. Opens on the change orders not decided yet; a decision may be made again (the audit trail
keeps every one). yiwei.determine_responsibility checks permission, scope, state and version.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from sqlalchemy import text

from client.lists.catalog import get_list
from client.ui.forms import FieldSpec, RecordForm, alive
from client.ui.list_view import ListWindow
from client.ui.screen import ToolbarScreen

from .change_orders import row_of

PARTIES = (("customer", "客户"), ("guide", "导购"), ("designer", "设计师"), ("measurer", "量尺员"),
           ("factory", "工厂"), ("installer", "安装工"), ("driver", "司机"))


def _t(text_: str) -> str:
    return QCoreApplication.translate("responsibility", text_)


def reason_choices(conn) -> list[tuple]:
    return [tuple(r) for r in conn.execute(text(
        "SELECT id, name FROM yiwei.responsibility_reason WHERE active ORDER BY sort_order, name"))]


def decision_of(conn, change_order_id: int) -> dict:
    row = conn.execute(text(
        "SELECT id, version, responsible_party AS party, responsibility_reason_id AS reason_id,"
        "       responsibility_note AS note FROM yiwei.change_order_list WHERE id = :id"),
        {"id": change_order_id}).mappings().first()
    return dict(row) if row else {}


def determine(conn, values: dict) -> None:
    conn.execute(text("SELECT yiwei.determine_responsibility(:id, :version, :party, :reason, :note)"),
                 {"id": values["id"], "version": values["version"], "party": values["party"],
                  "reason": values["reason_id"], "note": values.get("note") or ""})


def decision_fields() -> list[FieldSpec]:
    return [FieldSpec("party", _t("责任方"), "choice", required=True, choices=PARTIES),
            FieldSpec("reason_id", _t("责任原因"), "choice", required=True, choices=reason_choices),
            FieldSpec("note", _t("判定说明"), "multiline", max_length=500)]


class ResponsibilityScreen(ToolbarScreen):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.dialog: RecordForm | None = None
        self.list = ListWindow(ctx, get_list("responsibility_decisions"), self)
        self.list.message_shown.connect(self.say)
        self.list.activated.connect(self.decide)
        self.list.set_filter("decided", False)
        self.add_action("decide", self.tr("判定责任"), self.decide_selected, "Ctrl+D")
        self.set_body(self.list)

    def decide_selected(self) -> None:
        keys = self.list.selected_keys()
        if not keys:
            self.say(self.tr("请先在列表中选择改补单"))
            return
        self.decide(keys[0])

    def decide(self, change_order_id) -> RecordForm:
        """The decision form of one change order, filled with the decision made so far (if any)."""
        row = row_of(self.list, change_order_id)
        form = RecordForm(
            self.ctx, self.tr("判定责任"), decision_fields(), save=determine,
            initial={"id": change_order_id, "version": row["version"]},
            reload=lambda conn: decision_of(conn, change_order_id), editing=True, save_text=self.tr("判定"),
            message=_t("改补单 %1（合同 %2，%3）：%4").replace("%1", row["number"]).replace("%2", row["contract_number"])
            .replace("%3", row["kind_label"]).replace("%4", row["reason"]), parent=self)
        form.setObjectName("responsibility_form")
        self.read(lambda conn: decision_of(conn, change_order_id),
                  lambda values: alive(form) and values.get("party") and form.set_values(values))
        form.saved.connect(lambda _result: alive(self) and (
            self.say(self.tr("已判定改补单 %1 的责任").replace("%1", row["number"])),
            self.list.refresh(select=change_order_id)))
        self.dialog = form
        form.open()
        return form
