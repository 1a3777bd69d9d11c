"""Modules and their functions (menu entries that open as dock windows).

A module folder declares its functions in its own ``functions.py`` with :func:`register_function`;
the shell imports the modules listed in ``FUNCTION_MODULES`` and shows what the login may use.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable

from PySide6.QtCore import QCoreApplication


@dataclass(frozen=True)
class ModuleInfo:
    key: str
    title: str  # Chinese source text, shown through tr("modules", title)
    order: int


# The nine modules of SPEC.md, in menu order.
MODULES: tuple[ModuleInfo, ...] = (
    ModuleInfo("customers", QCoreApplication.translate("modules", "客户管理"), 1),
    ModuleInfo("orders", QCoreApplication.translate("modules", "订单管理"), 2),
    ModuleInfo("aftersales", QCoreApplication.translate("modules", "售后管理"), 3),
    ModuleInfo("finance", QCoreApplication.translate("modules", "财务管理"), 4),
    ModuleInfo("inventory", QCoreApplication.translate("modules", "库存管理"), 5),
    ModuleInfo("rebates", QCoreApplication.translate("modules", "渠道返利"), 6),
    ModuleInfo("reports", QCoreApplication.translate("modules", "统计报表"), 7),
    ModuleInfo("masterdata", QCoreApplication.translate("modules", "基础信息"), 8),
    ModuleInfo("system", QCoreApplication.translate("modules", "系统管理"), 9),
)


@dataclass(frozen=True)
class FunctionSpec:
    """One function of a module. ``id`` is stable: it names the dock (objectName) whose place
    is saved in the user's layout. ``factory(ctx, parent)`` builds the dock's widget on first use.
    The login needs any one of ``permissions``; an empty tuple means every employee."""

    id: str
    module: str
    title: str
    factory: Callable
    permissions: tuple[str, ...] = ()
    order: int = 0
    shortcut: str | None = None

    def allowed(self, granted: frozenset[str]) -> bool:
        return not self.permissions or any(p in granted for p in self.permissions)


FUNCTIONS: dict[str, FunctionSpec] = {}

# Module packages whose functions.py registers screens.
FUNCTION_MODULES = ["client.system.functions", "client.customers.functions", "client.masterdata.functions",
                    "client.masterdata.catalogue_functions", "client.orders.contract_functions",
                    "client.orders.review_functions"]


def register_function(spec: FunctionSpec) -> FunctionSpec:
    if spec.id in FUNCTIONS:
        raise ValueError(f"function id registered twice: {spec.id}")
    if spec.module not in {m.key for m in MODULES}:
        raise ValueError(f"unknown module: {spec.module}")
    FUNCTIONS[spec.id] = spec
    return spec


def load_functions() -> dict[str, FunctionSpec]:
    for name in FUNCTION_MODULES:
        importlib.import_module(name)
    return FUNCTIONS


@dataclass
class MenuModule:
    info: ModuleInfo
    functions: list[FunctionSpec] = field(default_factory=list)


def menu_for(granted: frozenset[str]) -> list[MenuModule]:
    """The modules and functions a login may open, in menu order; empty modules are left out."""
    load_functions()
    menu = []
    for info in sorted(MODULES, key=lambda m: m.order):
        funcs = sorted((f for f in FUNCTIONS.values() if f.module == info.key and f.allowed(granted)),
                       key=lambda f: (f.order, f.id))
        if funcs:
            menu.append(MenuModule(info, funcs))
    return menu
