"""The review and follow-up functions of 订单管理: 合同模块管理, 图审, 审价, 审核记录, 合同改补单,
责任人判定, 可计提订单. Screens are imported when first opened."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from client.ui.registry import FunctionSpec, register_function

from .review_lists import CONTRACT_READERS


def _translate(title: str) -> str:
    return QCoreApplication.translate("functions", title)


def _templates(ctx, parent):
    from .templates import TemplatesScreen

    return TemplatesScreen(ctx, parent)


def _drawing_review(ctx, parent):
    from .review_screen import ReviewScreen

    return ReviewScreen(ctx, "drawing", parent)


def _price_review(ctx, parent):
    from .review_screen import ReviewScreen

    return ReviewScreen(ctx, "price", parent)


def _review_history(ctx, parent):
    from client.lists.catalog import get_list
    from client.ui.list_view import ListWindow

    return ListWindow(ctx, get_list("contract_reviews"), parent)


def _change_orders(ctx, parent):
    from .change_orders import ChangeOrdersScreen

    return ChangeOrdersScreen(ctx, parent)


def _responsibility(ctx, parent):
    from .responsibility import ResponsibilityScreen

    return ResponsibilityScreen(ctx, parent)


def _commissionable(ctx, parent):
    from .commissionable import CommissionableScreen

    return CommissionableScreen(ctx, parent)


for spec in (
    FunctionSpec("orders.template", "orders", _translate("合同模块管理"), _templates,
                 permissions=("orders.template",), order=10),
    FunctionSpec("orders.drawing_review", "orders", _translate("图审"), _drawing_review,
                 permissions=("orders.drawing_review",), order=30),
    FunctionSpec("orders.price_review", "orders", _translate("审价"), _price_review,
                 permissions=("orders.price_review",), order=31),
    FunctionSpec("orders.review_history", "orders", _translate("审核记录"), _review_history,
                 permissions=CONTRACT_READERS, order=32),
    FunctionSpec("orders.change_order", "orders", _translate("合同改补单"), _change_orders,
                 permissions=("orders.change_order", "orders.drawing_review", "orders.price_review"), order=40),
    FunctionSpec("orders.responsibility", "orders", _translate("责任人判定"), _responsibility,
                 permissions=("orders.responsibility",), order=41),
    FunctionSpec("orders.commissionable", "orders", _translate("可计提订单"), _commissionable,
                 permissions=("orders.commissionable",), order=50),
):
    register_function(spec)
