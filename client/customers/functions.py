"""The customers module's screens (客户管理). Screens are imported when first opened."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from client.ui.registry import FunctionSpec, register_function


def _visits(ctx, parent):
    from .visits import VisitsScreen

    return VisitsScreen(ctx, parent)


register_function(FunctionSpec("customers.visits", "customers", QCoreApplication.translate("functions", "客户流量管理"),
                               _visits, permissions=("customers.visit",), order=10))


def _visit_daily(ctx, parent):
    from .visits import VisitDailyScreen

    return VisitDailyScreen(ctx, parent)


def _customers(ctx, parent):
    from .customers import CustomersScreen

    return CustomersScreen(ctx, parent)


register_function(FunctionSpec("customers.visit_daily", "customers", QCoreApplication.translate("functions", "客流日报"),
                               _visit_daily, permissions=("customers.visit",), order=11))
register_function(FunctionSpec("customers.customers", "customers", QCoreApplication.translate("functions", "客户管理"),
                               _customers, permissions=("customers.customer",), order=30))


def _followups(ctx, parent):
    from .followups import FollowupsScreen

    return FollowupsScreen(ctx, parent)


def _designer_tasks(ctx, parent):
    from .designer_tasks import DesignerTasksScreen

    return DesignerTasksScreen(ctx, parent)


register_function(FunctionSpec("customers.followups", "customers", QCoreApplication.translate("functions", "客户跟踪"),
                               _followups, permissions=("customers.followup",), order=40))
register_function(FunctionSpec("customers.designer_tasks", "customers",
                               QCoreApplication.translate("functions", "设计师任务跟踪"), _designer_tasks,
                               permissions=("customers.designer_task",), order=50))


def _leads(ctx, parent):
    from .leads import LeadsScreen

    return LeadsScreen(ctx, parent)


def _lead_audit(ctx, parent):
    from .lead_audit import LeadAuditScreen

    return LeadAuditScreen(ctx, parent)


def _lead_stats(ctx, parent):
    from client.lists.catalog import get_list
    from client.ui.list_view import ListWindow

    return ListWindow(ctx, get_list("lead_stats"), parent)


register_function(FunctionSpec("customers.leads", "customers", QCoreApplication.translate("functions", "渠道报备"),
                               _leads, permissions=("customers.lead",), order=20))
register_function(FunctionSpec("customers.lead_audit", "customers", QCoreApplication.translate("functions", "渠道报备审核"),
                               _lead_audit, permissions=("customers.lead_audit",), order=21))
register_function(FunctionSpec("customers.lead_stats", "customers", QCoreApplication.translate("functions", "客户报备统计"),
                               _lead_stats, permissions=("customers.lead_stats",), order=22))
