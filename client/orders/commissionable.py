"""可计提订单: the contracts of a period (this month unless chosen otherwise) that commission may be
paid on — signed, not cancelled, and paid at least the share the parameter
orders.commission_paid_share sets. Computed from the data each time, never a register kept by hand;
the list totals and exports like every list. 收款登记 records money against a contract's plan.
"""

from __future__ import annotations

import calendar
from datetime import date

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from sqlalchemy import text

from client.lists.catalog import get_list
from client.lists.query import DateRange
from client.ui.list_view import ListWindow
from client.ui.screen import ToolbarScreen

from .payments import PERMISSION as RECEIPT_PERMISSION
from .payments import open_payment_form

PAID_SHARE_PARAMETER = "orders.commission_paid_share"


def _t(text_: str) -> str:
    return QCoreApplication.translate("commissionable", text_)


def month_of(day: date) -> DateRange:
    return DateRange(day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1]))


def rule_and_today(conn) -> tuple[int, date]:
    """The paid-share parameter (percent) and today in the company's zone (whose month is shown)."""
    row = conn.execute(text(f"SELECT yiwei.parameter_int('{PAID_SHARE_PARAMETER}'), yiwei.company_today()")).one()
    return row[0], row[1]


def commissionable_contracts(conn, start: date, end: date) -> list[dict]:
    """What the database computes for the period (the function the list's rows come from)."""
    rows = conn.execute(text("SELECT * FROM yiwei.commissionable_contracts(:start, :end)"),
                        {"start": start, "end": end}).mappings()
    return [dict(row) for row in rows]


class CommissionableScreen(ToolbarScreen):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.paid_share: int | None = None
        self.dialog = None
        self.list = ListWindow(ctx, get_list("commissionable_contracts"), self)
        self.list.message_shown.connect(self.say)
        self.rule = QLabel(_t("计提条件：正在读取…"))
        self.rule.setObjectName("rule")
        self.rule.setStyleSheet("padding: 4px 8px;")
        self.add_action("this_month", self.tr("本月"), self.show_this_month)
        if ctx.session.can(RECEIPT_PERMISSION):
            self.list.activated.connect(self.record_payment)
            self.add_action("payment", self.tr("收款登记"), self.record_payment, "Ctrl+R")
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.rule)
        layout.addWidget(self.list, 1)
        self.set_body(body)
        self.today: date | None = None
        self.read(rule_and_today, self._rule_arrived)

    def _rule_arrived(self, result) -> None:
        self.paid_share, self.today = result
        self.rule.setText(_t("计提条件：已签订（未作废）且已收款达到应收金额（合同金额加已审核改补单）的 %1%（参数“%2”）；期间按签订日期")
                          .replace("%1", str(self.paid_share)).replace("%2", PAID_SHARE_PARAMETER))
        if self.list.filter_widget("signed_on").value() is None:
            self.show_this_month()

    def show_this_month(self) -> None:
        if self.today is not None:
            self.set_period(month_of(self.today))

    def set_period(self, period: DateRange) -> None:
        self.list.set_filter("signed_on", period)

    def record_payment(self, contract_id=None) -> None:
        """收款登记 for the selected contract (Ctrl+R, or Enter on a row)."""
        if isinstance(contract_id, bool) or not isinstance(contract_id, int):   # a toolbar click's `checked`
            keys = self.list.selected_keys()
            contract_id = keys[0] if keys else None
        if contract_id is None:
            self.say(self.tr("请先在列表中选择合同"))
            return
        # the row stays selected after the list is read again: the next entry (Ctrl+R) is for it too
        self.dialog = open_payment_form(self.ctx, self, contract_id,
                                        on_saved=lambda _paid, key=contract_id: self.list.refresh(select=key))
