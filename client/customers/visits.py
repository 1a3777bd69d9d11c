"""客户流量管理: the showroom traffic list and the reception's quick entry of a walk-in visit; a
walk-in becomes a customer (转为客户) or is counted as a known customer's return (关联老客户).
客流日报 is the traffic per day, store and guide.

A visit is written directly (column grants and the visit policies decide what a login may write);
the database stamps who and when, checks the guide works in the store and audits the change.
Turning a visit into a customer and linking it are checked functions (convert_visit, link_visit).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QKeySequence
from sqlalchemy import text

from client.db.errors import UserFacingError
from client.db.records import update_versioned
from client.demo.visits import STAGES
from client.lists.catalog import get_list
from client.lists.query import DateRange
from client.ui.forms import FieldSpec, RecordForm, alive
from client.ui.list_view import ListWindow
from client.ui.screen import ToolbarScreen

from .customer_data import (
    convert_visit,
    link_visit,
    load_visit_for_customer,
    source_choices,
    store_choices,
)
from .customer_form import customer_field
from .lists import INTENTS

translate = QCoreApplication.translate
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")

VISIT_COLUMNS = ("id, version, store_id, guide_id, visited_at, party_size, source_id, intent, community, "
                 "renovation_stage, note")


def guide_choices(conn) -> list[tuple]:
    """Whoever may receive visitors in the login's stores; a guide only picks themself."""
    return [tuple(r) for r in conn.execute(text(
        "SELECT e.id, e.full_name || '（' || s.name || '）' FROM yiwei.employee e"
        "  JOIN yiwei.store s ON s.id = e.store_id"
        " WHERE e.active AND e.store_id = ANY (yiwei.visible_store_ids())"
        "   AND EXISTS (SELECT 1 FROM yiwei.position_permission pp"
        "                WHERE pp.position_id = e.position_id AND pp.permission_code = 'customers.visit')"
        "   AND (yiwei.current_scope() <> 'own' OR e.id = yiwei.current_employee_id())"
        " ORDER BY s.code, e.full_name"))]


def visit_fields() -> list[FieldSpec]:
    t = lambda s: translate("visits", s)  # noqa: E731
    return [
        FieldSpec("store_id", t("门店"), "choice", required=True, choices=store_choices),
        FieldSpec("guide_id", t("接待导购"), "choice", required=True, choices=guide_choices, aliases=("导购",)),
        FieldSpec("visit_date", t("来访日期"), "date", required=True),
        FieldSpec("visit_time", t("来访时间"), required=True, max_length=5, placeholder="14:30"),
        FieldSpec("party_size", t("人数"), "integer", required=True),
        FieldSpec("source_id", t("客户来源"), "choice", required=True, choices=source_choices),
        FieldSpec("intent", t("意向"), "choice", required=True, choices=list(INTENTS)),
        FieldSpec("community", t("小区"), max_length=60, placeholder=t("如 万科城一期")),
        FieldSpec("renovation_stage", t("装修阶段"), "choice", choices=[("", "")] + [(s, s) for s in STAGES]),
        FieldSpec("note", t("备注"), "multiline", max_length=500),
    ]


def check_visit(values: dict) -> dict:
    errors = {}
    if values.get("visit_time") and not _TIME.match(values["visit_time"].strip()):
        errors["visit_time"] = translate("visits", "时间格式应为 时:分，如 14:30")
    size = values.get("party_size")
    if isinstance(size, int) and not 1 <= size <= 50:
        errors["party_size"] = translate("visits", "人数应在 1 到 50 之间")
    return errors


def _zone(conn) -> ZoneInfo:
    return ZoneInfo(conn.execute(text("SELECT yiwei.company_timezone()")).scalar())


def _row_values(values: dict, zone: ZoneInfo) -> dict:
    hour, minute = (int(p) for p in values["visit_time"].strip().split(":"))
    visited_at = dt.datetime.combine(values["visit_date"], dt.time(hour, minute), tzinfo=zone)
    return {"visited_at": visited_at, "party_size": values["party_size"], "source_id": values["source_id"],
            "intent": values["intent"], "community": (values.get("community") or "").strip(),
            "renovation_stage": values.get("renovation_stage") or "", "note": (values.get("note") or "").strip()}


def save_visit(conn, values: dict) -> int:
    row = _row_values(values, _zone(conn))
    if values.get("id") is None:
        return conn.execute(text(
            "INSERT INTO yiwei.visit (store_id, guide_id, visited_at, party_size, source_id, intent, community,"
            " renovation_stage, note) VALUES (:store_id, :guide_id, :visited_at, :party_size, :source_id, :intent,"
            " :community, :renovation_stage, :note) RETURNING id"),
            {**row, "store_id": values["store_id"], "guide_id": values["guide_id"]}).scalar()
    update_versioned(conn, "yiwei.visit", values["id"], values["version"], row)
    return values["id"]


def load_visit(conn, visit_id: int) -> dict:
    row = conn.execute(text(f"SELECT {VISIT_COLUMNS} FROM yiwei.visit WHERE id = :id"), {"id": visit_id}).mappings().first()
    if row is None:
        raise UserFacingError(translate("visits", "来访记录不存在或不在您的数据范围内"), kind="not_found")
    local = row["visited_at"].astimezone(_zone(conn))
    return {**dict(row), "visit_date": local.date(), "visit_time": local.strftime("%H:%M")}


class VisitsScreen(ToolbarScreen):
    """The traffic list with 新增来访 (Ctrl+N) and editing on Enter/double-click."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.dialog: RecordForm | None = None
        self.list = ListWindow(ctx, get_list("visits"), self)
        self.list.activated.connect(self.edit_visit)
        self.list.message_shown.connect(self.say)
        self.add_action("new", self.tr("新增来访"), self.new_visit, QKeySequence.StandardKey.New)
        self.add_action("edit", self.tr("编辑"), self.edit_current)
        self.toolbar.addSeparator()
        if ctx.session.can("customers.customer"):   # creating a customer record needs the customer function
            self.add_action("convert", self.tr("转为客户"), self.convert_current)
        self.add_action("link", self.tr("关联老客户"), self.link_current)
        self.toolbar.addSeparator()
        self.add_action("daily", self.tr("客流日报"), lambda: ctx.open_function("customers.visit_daily"))
        self.set_body(self.list)

    def edit_current(self) -> None:
        if self.list.current_key() is not None:
            self.edit_visit(self.list.current_key())

    def _with_current_visit(self, then) -> None:
        """Read the current visit (with its customer), then ``then(visit)``; a visit that already
        has its customer is named instead."""
        visit_id = self.list.current_key()
        if visit_id is None:
            self.say(self.tr("请先在列表中选择一条来访记录"))
            return

        def loaded(visit):
            if not alive(self):
                return
            if visit["customer_id"] is not None:
                self.say(self.tr("这次来访已是客户 %s（%s）的来访")
                         % (visit["customer_name"], visit["customer_number"]))
                return
            then(visit)

        self.ctx.run(lambda conn, token, report: load_visit_for_customer(conn, visit_id), on_done=loaded,
                     on_error=lambda error: alive(self) and self.say(error.message))

    def convert_current(self) -> None:
        """转为客户: the walk-in of the current visit becomes a customer of the visit's guide."""
        self._with_current_visit(self._open_convert)

    def _open_convert(self, visit: dict) -> RecordForm:
        self.dialog = convert_form(self.ctx, visit, self)
        self.dialog.saved.connect(lambda _id: alive(self) and self._customer_linked(self.tr("已转为客户")))
        self.dialog.open()
        return self.dialog

    def link_current(self) -> None:
        """关联老客户: a known customer came back; the visit counts as theirs."""
        self._with_current_visit(self._open_link)

    def _open_link(self, visit: dict):
        from .picker import CustomerPicker

        self.dialog = CustomerPicker(self.ctx, self, title=self.tr("关联老客户 — %s %s") % (
            visit["store_name"], visit["visited_text"]))
        visit_id = visit["id"]
        self.dialog.picked.connect(lambda customer: self.link_visit_to(visit_id, customer["id"]))
        self.dialog.open()
        return self.dialog

    def link_visit_to(self, visit_id: int, customer_id: int) -> None:
        self.ctx.run(lambda conn, token, report: link_visit(conn, visit_id, customer_id),
                     on_done=lambda _id: alive(self) and self._customer_linked(self.tr("已关联到老客户")),
                     on_error=lambda error: alive(self) and self.say(error.message))

    def _customer_linked(self, message: str) -> None:
        self.say(message)
        self.list.refresh()

    def _open(self, title: str, initial: dict, reload=None) -> RecordForm:
        self.dialog = RecordForm(self.ctx, title, visit_fields(), save=save_visit, initial=initial,
                                 reload=reload, check=check_visit, parent=self)
        self.dialog.saved.connect(lambda _id: alive(self) and self.list.refresh())
        self.dialog.open()
        return self.dialog

    def new_visit(self) -> RecordForm:
        now = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
        initial = {"visit_date": now.date(), "visit_time": now.strftime("%H:%M"), "party_size": 1,
                   "intent": "medium", "guide_id": self.ctx.session.employee_id}
        return self._open(self.tr("新增来访"), initial)

    def edit_visit(self, visit_id) -> None:
        def loaded(values):
            if alive(self):
                self._open(self.tr("编辑来访记录"), values, reload=lambda conn: load_visit(conn, visit_id))

        self.ctx.run(lambda conn, token, report: load_visit(conn, visit_id), on_done=loaded,
                     on_error=lambda error: alive(self) and self.say(error.message))


CONVERT_FIELDS = ("name", "phone", "community", "building", "unit", "room", "source_id", "note")


def convert_form(ctx, visit: dict, parent=None) -> RecordForm:
    """转为客户: the few fields a walk-in gives at the desk; the store, guide, source and community
    come from the visit."""
    fields = [customer_field(key, source_choices if key == "source_id" else None) for key in CONVERT_FIELDS]
    intro = translate("visits", "来访：%s，%s，导购 %s。建档后客户归这位导购。") % (
        visit["visited_text"], visit["store_name"], visit["guide_name"] or "")
    initial = {"community": visit["community"], "source_id": visit["source_id"]}
    visit_id = visit["id"]
    return RecordForm(ctx, translate("visits", "转为客户"), fields, initial=initial, editing=False, message=intro,
                      save=lambda conn, values: convert_visit(conn, {**values, "visit_id": visit_id}),
                      save_text=translate("visits", "建档"), parent=parent)


class VisitDailyScreen(ToolbarScreen):
    """客流日报: visits, people, high intent and conversions per day, store and guide; this month
    unless another range is chosen."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.list = ListWindow(ctx, get_list("visit_daily"), self)
        self.list.message_shown.connect(self.say)
        # a default only: the PC's calendar day (the days themselves are the company's, in SQL)
        today = dt.date.today()
        self.list.set_filter("day", DateRange(today.replace(day=1), today))
        self.add_action("visits", self.tr("客户流量"), lambda: ctx.open_function("customers.visits"))
        self.set_body(self.list)
