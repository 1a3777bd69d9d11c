"""The functions of 基础信息 (module 8). Each screen's module is imported when its dock is first
opened, so the shell starts without loading every screen."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from client.ui.registry import FunctionSpec, register_function

translate = QCoreApplication.translate


def _screen(module: str, kind: str):
    """A master-data screen over the kind ``client.masterdata.<module>.<kind>``."""

    def factory(ctx, parent):
        import importlib

        from .screen import MasterDataScreen

        return MasterDataScreen(ctx, getattr(importlib.import_module(f"{__package__}.{module}"), kind), parent)

    return factory


register_function(FunctionSpec(
    id="masterdata.customer_source", module="masterdata", title=translate("functions", "客户来源"),
    factory=_screen("sources", "CUSTOMER_SOURCE"), permissions=("masterdata.customer_source",), order=30))
register_function(FunctionSpec(
    id="masterdata.channel", module="masterdata", title=translate("functions", "渠道信息"),
    factory=_screen("channels", "CHANNEL"), permissions=("masterdata.channel",), order=60))
register_function(FunctionSpec(
    id="masterdata.decoration_designer", module="masterdata", title=translate("functions", "家装设计师管理"),
    factory=_screen("designers", "DECORATION_DESIGNER"), permissions=("masterdata.decoration_designer",), order=61))
register_function(FunctionSpec(
    id="masterdata.community", module="masterdata", title=translate("functions", "小区信息"),
    factory=_screen("communities", "COMMUNITY"), permissions=("masterdata.community",), order=62))
