"""客户跟踪: who is due for a call today (待跟踪), the follow-up log (跟踪记录) and 记录跟踪.

A follow-up is written by ``yiwei.add_followup`` — it checks the permission and that the customer
lies in the caller's scope, refuses a next-contact day in the past (in the company's time zone)
and moves the customer's last/next contact along.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QTabWidget
from sqlalchemy import text

from client.lists.catalog import get_list
from client.ui.forms import FieldSpec, RecordForm, alive
from client.ui.list_view import ListWindow
from client.ui.row_marks import mark_rows
from client.ui.screen import ToolbarScreen

from .picker import describe_customer, load_customer, pick_customer
from .work_lists import FOLLOWUP_KINDS

translate = QCoreApplication.translate

DEFAULT_NEXT_CONTACT_DAYS = 3
DUE_TAB, LOG_TAB = 0, 1


def followup_fields() -> list[FieldSpec]:
    t = lambda s: translate("followups", s)  # noqa: E731
    return [
        FieldSpec("kind", t("跟踪方式"), "choice", required=True, choices=list(FOLLOWUP_KINDS)),
        FieldSpec("content", t("跟踪内容"), "multiline", required=True, max_length=1000,
                  placeholder=t("如：电话沟通，客户周六带家人来店看样品")),
        # The database names this field 下次联系 when it refuses a day in the past.
        FieldSpec("next_contact_on", t("下次联系日期"), "date", aliases=("下次联系",)),
    ]


def save_followup(conn, values: dict) -> int:
    return conn.execute(text("SELECT yiwei.add_followup(:customer_id, :kind, :content, :next_contact_on)"), {
        "customer_id": values["customer_id"], "kind": values.get("kind"), "content": values.get("content") or "",
        "next_contact_on": values.get("next_contact_on")}).scalar()


def company_today(conn) -> dt.date:
    return conn.execute(text("SELECT yiwei.company_today()")).scalar()


def learn_company_today(screen) -> None:
    """``screen.today``: the company's calendar day (its time zone, not this PC's), which default
    dates count from; this PC's date until the server answers."""
    screen.today = dt.date.today()

    def known(today: dt.date) -> None:
        if alive(screen):
            screen.today = today

    screen.ctx.run(lambda conn, token, report: company_today(conn), on_done=known,
                   label=translate("followups", "读取日期"), retry_on_disconnect=True)


class FollowupsScreen(ToolbarScreen):
    """Two tabs: 待跟踪 (Enter records a follow-up for the customer) and 跟踪记录."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.dialog: RecordForm | None = None
        self.picker = None
        self.due = ListWindow(ctx, get_list("followup_due"), self)
        self.log = ListWindow(ctx, get_list("followups"), self)
        self.due_marks = mark_rows(self.due, "overdue")
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("followup_tabs")
        self.tabs.addTab(self.due, self.tr("待跟踪"))
        self.tabs.addTab(self.log, self.tr("跟踪记录"))
        self.due.activated.connect(self.record_for)
        self.log.activated.connect(self._record_from_log)
        for lst in (self.due, self.log):
            lst.message_shown.connect(self.say)
        self.add_action("record", self.tr("记录跟踪"), self.record, QKeySequence.StandardKey.New)
        self.add_action("record_other", self.tr("选择客户跟踪…"), self.record_any, "Ctrl+Shift+N")
        self.add_action("refresh", self.tr("刷新"), self.refresh)
        self.set_body(self.tabs)
        self.setFocusProxy(self.due.view)
        learn_company_today(self)

    # actions -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.due.refresh()
        self.log.refresh()

    def show_due(self, overdue_only: bool = False) -> None:
        """The 待跟踪 tab (from the start page); ``overdue_only`` narrows it to 超期未跟踪."""
        self.tabs.setCurrentIndex(DUE_TAB)
        self.due.set_filter("overdue", True if overdue_only else None)
        self.due.set_filter("contact_due", None)

    def show_start_item(self, key: str) -> None:
        self.show_due(overdue_only=key == "followup_overdue")

    def record(self) -> None:
        """记录跟踪 (Ctrl+N): for the customer chosen in 待跟踪, else pick one."""
        key = self.due.current_key() if self.tabs.currentIndex() == DUE_TAB else None
        if key is not None:
            self.record_for(key)
        else:
            self.record_any()

    def record_any(self):
        """A follow-up for any customer in scope: pick the customer first."""
        self.picker = pick_customer(self.ctx, self, self.open_form, self.tr("记录跟踪：选择客户"))
        return self.picker

    def record_for(self, customer_id: int) -> None:
        self.ctx.run(lambda conn, token, report: load_customer(conn, customer_id),
                     on_done=lambda customer: alive(self) and self.open_form(customer),
                     on_error=lambda error: alive(self) and self.say(error.message))

    def _record_from_log(self, followup_id: int) -> None:
        """Enter on a log line: another follow-up for that line's customer."""

        def customer_of(conn, token, report):
            found = conn.execute(text("SELECT customer_id FROM yiwei.customer_followup_list WHERE id = :id"),
                                 {"id": followup_id}).scalar()
            return load_customer(conn, found)

        self.ctx.run(customer_of, on_done=lambda customer: alive(self) and self.open_form(customer),
                     on_error=lambda error: alive(self) and self.say(error.message))

    def open_form(self, customer: dict) -> RecordForm:
        initial = {"customer_id": customer["id"], "kind": "call",
                   "next_contact_on": self.today + dt.timedelta(days=DEFAULT_NEXT_CONTACT_DAYS)}
        last = customer.get("last_followup_at")
        intro = self.tr("客户：{0}").format(describe_customer(customer))
        if last is not None:
            zone = self.due.model.zone or self.log.model.zone
            intro += "\n" + self.tr("上次跟踪：{0}").format(last.astimezone(zone).strftime("%Y-%m-%d"))
        self.dialog = RecordForm(self.ctx, self.tr("记录跟踪 — {0}").format(customer["name"]), followup_fields(),
                                 save=save_followup, initial=initial, editing=False, message=intro, parent=self)
        self.dialog.saved.connect(lambda _id, name=customer["name"]: self._saved(name))
        self.dialog.open()
        return self.dialog

    def _saved(self, name: str) -> None:
        if alive(self):
            self.say(self.tr("已记录对 {0} 的跟踪").format(name))
            self.refresh()
