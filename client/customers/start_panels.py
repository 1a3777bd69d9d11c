"""The customers module's reminders on the start page: customers to call today, customers gone
too long without a follow-up, overdue and soon-due designer tasks, and leads waiting for audit.

Every count is read as the login through the list views, so it is exactly what the screen a click
opens will show.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from sqlalchemy import text

from client.ui.start_page import StartItem, StartPanel, register_start_panel

from .work_lists import TASK_KINDS

translate = QCoreApplication.translate


def _t(source: str) -> str:
    return translate("start_panels", source)


def followup_items(conn) -> list[StartItem]:
    row = conn.execute(text(
        "SELECT count(*) FILTER (WHERE contact_due),"
        "       (array_agg(name ORDER BY next_contact_on, id) FILTER (WHERE contact_due))[1:5],"
        "       count(*) FILTER (WHERE followup_overdue),"
        "       (array_agg(name ORDER BY days_since_contact DESC, id) FILTER (WHERE followup_overdue))[1:5],"
        "       yiwei.parameter_int('customer.followup_reminder_days')"
        "  FROM yiwei.customer_followup_due")).one()
    today, today_names, overdue, overdue_names, days = row
    return [
        StartItem("followup_today", _t("今天要跟踪的客户"), today, tuple(today_names or ()),
                  hint=_t("下次联系日期是今天或更早的客户")),
        StartItem("followup_overdue", _t("超期未跟踪"), overdue, tuple(overdue_names or ()), urgent=True,
                  hint=_t("超过 {0} 天没有跟踪记录的客户").format(days)),
    ]


_KIND_LABEL = "CASE t.kind " + " ".join(f"WHEN '{code}' THEN '{label}'" for code, label in TASK_KINDS) + " END"


def designer_task_items(conn) -> list[StartItem]:
    """A designer ('own' scope) sees their own tasks; a manager those of the designers in scope."""
    row = conn.execute(text(
        "WITH p AS (SELECT yiwei.current_scope() = 'own' AS own, yiwei.current_employee_id() AS me,"
        "                  yiwei.company_today() AS today,"
        "                  yiwei.parameter_int('designer.task_due_warning_days') AS days)"
        " SELECT p.own, p.days,"
        "        count(t.id) FILTER (WHERE t.overdue),"
        f"       (array_agg(t.customer_name || '·' || {_KIND_LABEL} ORDER BY t.due_on, t.id)"
        "            FILTER (WHERE t.overdue))[1:5],"
        "        count(t.id) FILTER (WHERE NOT t.overdue AND t.due_on <= p.today + p.days),"
        f"       (array_agg(t.customer_name || '·' || {_KIND_LABEL} ORDER BY t.due_on, t.id)"
        "            FILTER (WHERE NOT t.overdue AND t.due_on <= p.today + p.days))[1:5]"
        "   FROM p LEFT JOIN yiwei.designer_task_list t"
        "     ON t.status = 'open' AND (NOT p.own OR t.designer_id = p.me)"
        "  GROUP BY p.own, p.days")).one()
    own, days, overdue, overdue_names, soon, soon_names = row
    return [
        StartItem("tasks_overdue", _t("我的逾期设计任务") if own else _t("逾期设计任务"), overdue,
                  tuple(overdue_names or ()), urgent=True, hint=_t("完成期限已过、仍未完成的任务")),
        StartItem("tasks_due_soon", _t("即将到期") if own else _t("即将到期的设计任务"), soon, tuple(soon_names or ()),
                  hint=_t("{0} 天内到期的任务").format(days)),
    ]


def lead_audit_items(conn) -> list[StartItem]:
    count, names = conn.execute(text(
        "SELECT count(*), (array_agg(customer_name ORDER BY reported_at, id))[1:5]"
        "  FROM yiwei.channel_lead_list WHERE status = 'pending'")).one()
    return [StartItem("leads_pending", _t("待审核报备"), count, tuple(names or ()), urgent=False,
                      hint=_t("渠道报备等待审核"))]


register_start_panel(StartPanel("customers.followup", _t("客户跟踪"), ("customers.followup",), followup_items,
                                "customers.followups", order=10))
register_start_panel(StartPanel("customers.designer_tasks", _t("设计任务"), ("customers.designer_task",),
                                designer_task_items, "customers.designer_tasks", order=20))
register_start_panel(StartPanel("customers.lead_audit", _t("渠道报备"), ("customers.lead_audit",),
                                lead_audit_items, "customers.lead_audit", order=30))
