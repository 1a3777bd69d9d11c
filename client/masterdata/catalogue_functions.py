"""The product catalogue's functions in 基础信息 (module 8): each a master-data screen, opened for
those who keep its data — and 产品信息, 零售价格体系, 促销活动 and 套餐 also for those who quote
(read-only: the lists, the forms to look at, the export)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from client.ui.registry import FunctionSpec, register_function

from .catalogue_lists import QUOTING
from .functions import _screen

translate = QCoreApplication.translate

_FUNCTIONS = (
    # id, title, module, kind, permissions, order
    ("masterdata.product_line", "产品系列", "catalogue_basics", "PRODUCT_LINE", ("masterdata.product",), 10),
    ("masterdata.product_grade", "产品品级", "catalogue_basics", "PRODUCT_GRADE", ("masterdata.product",), 11),
    ("masterdata.supply_package", "总部供货包装名称", "catalogue_basics", "SUPPLY_PACKAGE",
     ("masterdata.product",), 12),
    ("masterdata.product", "产品信息", "products", "PRODUCT", ("masterdata.product", *QUOTING), 13),
    ("masterdata.style_alias", "款型别名", "catalogue_basics", "STYLE_ALIAS", ("masterdata.product",), 14),
    ("masterdata.price_list", "零售价格体系", "price_lists", "PRICE_LIST", ("masterdata.product", *QUOTING), 15),
    ("masterdata.promotion", "促销活动", "catalogue_basics", "PROMOTION",
     ("masterdata.promotion", "orders.contract"), 16),
    ("masterdata.package", "套餐", "packages", "PACKAGE", ("masterdata.promotion", "orders.contract"), 17),
    ("masterdata.checklist_item", "订单完整性项目", "catalogue_basics", "CHECKLIST_ITEM",
     ("masterdata.checklist",), 20),
    ("masterdata.responsibility_reason", "责任原因", "catalogue_basics", "RESPONSIBILITY_REASON",
     ("masterdata.checklist",), 21),
)

for function_id, title, module, kind, permissions, order in _FUNCTIONS:
    register_function(FunctionSpec(id=function_id, module="masterdata", title=translate("functions", title),
                                   factory=_screen(module, kind), permissions=permissions, order=order))
