"""合同下单 (orders.contracts): the contract list and editor. The screen is imported when first opened.
Store finance (finance.receipt) opens it too: to find a contract and record what the customer paid
against its plan, without creating or changing contracts."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from client.ui.registry import FunctionSpec, register_function


def _contracts(ctx, parent):
    from .contracts import ContractsScreen

    return ContractsScreen(ctx, parent)


register_function(FunctionSpec("orders.contracts", "orders", QCoreApplication.translate("functions", "合同下单"),
                               _contracts, permissions=("orders.contract", "finance.receipt"), order=20))
