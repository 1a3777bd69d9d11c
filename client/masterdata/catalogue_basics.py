"""The catalogue's small master data: 产品系列, 产品品级, 总部供货包装名称, 款型别名, 促销活动,
订单完整性项目 and 责任原因 — each a list and a form saved through its ``yiwei.save_*`` function.

Field labels are the ones the database names in its messages (DETAIL), so a refusal lands beside
the field it is about.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import text

from client.ui.forms import FieldSpec

from .catalogue_records import line_or_all_choices, payload, t
from .records import load_record, save_through
from .screen import MasterDataKind
from .sources import SORT_RANGE, check_source

def at_the_end(table: str):
    """A new entry of an ordered table starts after the last one."""

    def new(conn) -> dict:
        last = conn.execute(text(f"SELECT max(sort_order) FROM yiwei.{table}")).scalar() or 0
        return {"active": True, "sort_order": min(last + 10, SORT_RANGE[1])}

    return new


# -- 产品系列 / 产品品级 -------------------------------------------------------------------------


def _coded_kind(table: str, what: str, list_name: str, example_code: str, example_name: str) -> MasterDataKind:
    """Lines and grades are alike: a code, a name, a place in the order."""

    def fields() -> list[FieldSpec]:
        return [
            FieldSpec("code", t(f"{what}编码"), required=True, max_length=20, placeholder=t(f"如 {example_code}")),
            FieldSpec("name", t(f"{what}名称"), required=True, max_length=30, placeholder=t(f"如 {example_name}")),
            FieldSpec("sort_order", t("排序"), "integer", required=True, placeholder=t("小的排在前面")),
            FieldSpec("active", t("启用"), "bool"),
        ]

    def load(conn, record_id: int) -> dict:
        return load_record(conn, f"SELECT id, version, code, name, sort_order, active FROM yiwei.{table}"
                                 " WHERE id = :id", record_id)

    def save(conn, values: dict) -> int:
        return save_through(conn, f"yiwei.save_{table}", values,
                            payload(values, ("code", "name", "sort_order", "active")))

    return MasterDataKind(list_name=list_name, permission="masterdata.product", noun=what, fields=fields,
                          load=load, save=save, new_values=at_the_end(table), check=check_source,
                          hints=(("code", "字母、数字、- 和 _，最长 20 位，保存为大写；Excel 导入产品时可填编码或名称。"),))


PRODUCT_LINE = _coded_kind("product_line", "产品系列", "product_lines", "CG", "橱柜")
PRODUCT_GRADE = _coded_kind("product_grade", "产品品级", "product_grades", "A", "A级")

# -- 总部供货包装名称 ------------------------------------------------------------------------------


def supply_package_fields() -> list[FieldSpec]:
    return [
        FieldSpec("name", t("包装名称"), required=True, max_length=40, placeholder=t("如 橱柜地柜标准包装")),
        FieldSpec("note", t("备注"), "multiline", max_length=500),
        FieldSpec("active", t("启用"), "bool"),
    ]


def load_supply_package(conn, record_id: int) -> dict:
    return load_record(conn, "SELECT id, version, name, note, active FROM yiwei.supply_package WHERE id = :id",
                       record_id)


def save_supply_package(conn, values: dict) -> int:
    return save_through(conn, "yiwei.save_supply_package", values, payload(values, ("name", "note", "active")))


SUPPLY_PACKAGE = MasterDataKind(
    list_name="supply_packages", permission="masterdata.product", noun="供货包装",
    fields=supply_package_fields, load=load_supply_package, save=save_supply_package)

# -- 款型别名 --------------------------------------------------------------------------------------


def style_alias_fields() -> list[FieldSpec]:
    return [
        FieldSpec("style", t("款型"), required=True, max_length=40, placeholder=t("产品信息中的款型，如 简欧")),
        FieldSpec("alias", t("别名"), required=True, max_length=40, placeholder=t("另一种叫法，如 欧式简约")),
    ]


def load_style_alias(conn, record_id: int) -> dict:
    return load_record(conn, "SELECT id, version, style, alias FROM yiwei.style_alias WHERE id = :id", record_id)


def save_style_alias(conn, values: dict) -> int:
    return save_through(conn, "yiwei.save_style_alias", values, payload(values, ("style", "alias")))


def delete_style_alias(conn, record_id: int) -> None:
    # the version read in the same transaction: deleting is about the row, not its last edit
    version = load_style_alias(conn, record_id)["version"]
    conn.execute(text("SELECT yiwei.delete_style_alias(:id, :version)"), {"id": record_id, "version": version})


STYLE_ALIAS = MasterDataKind(
    list_name="style_aliases", permission="masterdata.product", noun="款型别名",
    fields=style_alias_fields, load=load_style_alias, save=save_style_alias, new_values=lambda conn: {},
    delete=delete_style_alias,
    hints=(("alias", "搜索产品时输入别名即可找到该款型的产品；按别名录入或导入的产品自动记为该款型。"
                     "空格和标点的写法不同视为同一写法，无需录入。"),))

# -- 促销活动 --------------------------------------------------------------------------------------


def promotion_fields() -> list[FieldSpec]:
    return [
        FieldSpec("name", t("活动名称"), required=True, max_length=40, placeholder=t("如 国庆橱柜节")),
        FieldSpec("line_id", t("产品系列"), "choice", choices=line_or_all_choices),
        FieldSpec("min_rate", t("最低折扣"), required=True, placeholder=t("如 0.85")),
        FieldSpec("valid_from", t("开始日期"), "date", required=True),
        FieldSpec("valid_to", t("结束日期"), "date", required=True),
        FieldSpec("note", t("备注"), "multiline", max_length=500),
        FieldSpec("active", t("启用"), "bool"),
    ]


def check_promotion(values: dict) -> dict:
    errors = {}
    try:
        rate = Decimal(values.get("min_rate") or "")
        if not (0 < rate <= 1) or rate != rate.quantize(Decimal("0.0001")):
            raise InvalidOperation
    except InvalidOperation:
        errors["min_rate"] = t("最低折扣须为大于 0、不超过 1 的小数，最多四位（如 0.85 表示八五折）")
    if values.get("valid_from") and values.get("valid_to") and values["valid_to"] < values["valid_from"]:
        errors["valid_to"] = t("结束日期不能早于开始日期")
    return errors


def load_promotion(conn, record_id: int) -> dict:
    values = load_record(conn, "SELECT id, version, name, line_id, min_rate, valid_from, valid_to, note, active"
                               "  FROM yiwei.promotion WHERE id = :id", record_id)
    return {**values, "min_rate": format(values["min_rate"].normalize(), "f")}


def save_promotion(conn, values: dict) -> int:
    return save_through(conn, "yiwei.save_promotion", values,
                        payload(values, ("name", "line_id", "min_rate", "valid_from", "valid_to", "note", "active")))


PROMOTION = MasterDataKind(
    list_name="promotions", permission="masterdata.promotion", noun="促销活动",
    fields=promotion_fields, load=load_promotion, save=save_promotion, check=check_promotion,
    hints=(("min_rate", "活动期间，该系列产品可低至此折扣（价格 ÷ 零售价；0.85 即八五折），不受岗位折扣权限限制。"),
           ("line_id", "选“全部系列”表示所有产品系列都参加活动。")))

# -- 订单完整性项目 / 责任原因 ------------------------------------------------------------------------


def checklist_item_fields() -> list[FieldSpec]:
    return [
        FieldSpec("name", t("检查项目"), required=True, max_length=60, placeholder=t("如 水电位图已确认")),
        FieldSpec("line_id", t("产品系列"), "choice", choices=line_or_all_choices),
        FieldSpec("sort_order", t("排序"), "integer", required=True, placeholder=t("小的排在前面")),
        FieldSpec("active", t("启用"), "bool"),
    ]


def load_checklist_item(conn, record_id: int) -> dict:
    return load_record(conn, "SELECT id, version, name, line_id, sort_order, active FROM yiwei.checklist_item"
                             " WHERE id = :id", record_id)


def save_checklist_item(conn, values: dict) -> int:
    return save_through(conn, "yiwei.save_checklist_item", values,
                        payload(values, ("name", "line_id", "sort_order", "active")))


CHECKLIST_ITEM = MasterDataKind(
    list_name="checklist_items", permission="masterdata.checklist", noun="检查项目",
    fields=checklist_item_fields, load=load_checklist_item, save=save_checklist_item,
    new_values=at_the_end("checklist_item"), check=check_source,
    hints=(("line_id", "图审时按合同的产品系列列出检查项目；“全部系列”的项目每份合同都要检查。"),))


def responsibility_reason_fields() -> list[FieldSpec]:
    return [
        FieldSpec("name", t("责任原因"), required=True, max_length=40, placeholder=t("如 测量尺寸错误")),
        FieldSpec("sort_order", t("排序"), "integer", required=True, placeholder=t("小的排在前面")),
        FieldSpec("active", t("启用"), "bool"),
    ]


def load_responsibility_reason(conn, record_id: int) -> dict:
    return load_record(conn, "SELECT id, version, name, sort_order, active FROM yiwei.responsibility_reason"
                             " WHERE id = :id", record_id)


def save_responsibility_reason(conn, values: dict) -> int:
    return save_through(conn, "yiwei.save_responsibility_reason", values,
                        payload(values, ("name", "sort_order", "active")))


RESPONSIBILITY_REASON = MasterDataKind(
    list_name="responsibility_reasons", permission="masterdata.checklist", noun="责任原因",
    fields=responsibility_reason_fields, load=load_responsibility_reason, save=save_responsibility_reason,
    new_values=at_the_end("responsibility_reason"), check=check_source)
