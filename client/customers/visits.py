"""客户流量管理: the showroom traffic list and the reception's quick entry of a walk-in visit.

A visit is written directly (column grants and the visit policies decide what a login may write);
the database stamps who and when, checks the guide works in the store and audits the change.
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
from client.ui.forms import FieldSpec, RecordForm, alive
from client.ui.list_view import ListWindow
from client.ui.screen import ToolbarScreen

from .lists import INTENTS

translate = QCoreApplication.translate
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")

VISIT_COLUMNS = ("id, version, store_id, guide_id, visited_at, party_size, source_id, intent, community, "
                 "renovation_stage, note")


def store_choices(conn) -> list[tuple]:
    return [tuple(r) for r in conn.execute(text(
        "SELECT id, name || '（' || code || '）' FROM yiwei.store"
        " WHERE id = ANY (yiwei.visible_store_ids()) AND active ORDER BY code"))]


def source_choices(conn) -> list[tuple]:
    """The company's customer sources (客户来源 master data), active ones in their order."""
    return [tuple(r) for r in conn.execute(text(
        "SELECT id, name FROM yiwei.customer_source WHERE active ORDER BY sort_order, name"))]


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
        self.set_body(self.list)

    def edit_current(self) -> None:
        if self.list.current_key() is not None:
            self.edit_visit(self.list.current_key())

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
