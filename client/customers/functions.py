"""The customers module's screens (客户管理). Screens are imported when first opened."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from client.ui.registry import FunctionSpec, register_function


def _visits(ctx, parent):
    from .visits import VisitsScreen

    return VisitsScreen(ctx, parent)


register_function(FunctionSpec("customers.visits", "customers", QCoreApplication.translate("functions", "客户流量管理"),
                               _visits, permissions=("customers.visit",), order=10))
