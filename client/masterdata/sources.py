"""客户来源: where customers come from (自然进店, 老客户介绍, …), in the order forms offer them."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from sqlalchemy import text

from client.ui.forms import FieldSpec

from .records import load_record
from .screen import MasterDataKind

translate = QCoreApplication.translate
SORT_RANGE = (0, 99999)


def source_fields() -> list[FieldSpec]:
    t = lambda s: translate("masterdata", s)  # noqa: E731
    return [
        FieldSpec("name", t("来源名称"), required=True, max_length=30, placeholder=t("如 小区活动")),
        FieldSpec("sort_order", t("排序"), "integer", required=True, placeholder=t("小的排在前面")),
        FieldSpec("active", t("启用"), "bool"),
    ]


def check_source(values: dict) -> dict:
    order = values.get("sort_order")
    low, high = SORT_RANGE
    if isinstance(order, int) and not low <= order <= high:
        return {"sort_order": translate("masterdata", "排序须在 %d 到 %d 之间") % (low, high)}
    return {}


def load_source(conn, source_id: int) -> dict:
    return load_record(conn, "SELECT id, version, name, sort_order, active FROM yiwei.customer_source"
                             " WHERE id = :id", source_id)


def new_source(conn) -> dict:
    """A new source goes to the end of the list."""
    last = conn.execute(text("SELECT max(sort_order) FROM yiwei.customer_source")).scalar() or 0
    return {"active": True, "sort_order": min(last + 10, SORT_RANGE[1])}


def save_source(conn, values: dict) -> int:
    return conn.execute(text("SELECT yiwei.save_customer_source(:id, :version, :name, :sort_order, :active)"),
                        {"id": values.get("id"), "version": values.get("version"), "name": values["name"],
                         "sort_order": values["sort_order"], "active": values["active"]}).scalar_one()


CUSTOMER_SOURCE = MasterDataKind(
    list_name="customer_sources", permission="masterdata.customer_source", noun="客户来源",
    fields=source_fields, load=load_source, save=save_source, new_values=new_source, check=check_source)
