"""零售价格体系: price lists valid between two dates, and below the list the prices of the selected
one — each product at most once, a price exactly to the cent (12.345 is refused, never rounded).

Prices are added one at a time here or imported from Excel for the selected price list; a price
that goes is deleted (the import never removes the prices a sheet does not name).
"""

from __future__ import annotations

from sqlalchemy import text

from client.ui.forms import FieldSpec

from .catalogue_import import PRICE_IMPORT_ACTIONS
from .catalogue_records import money_problem, money_text, payload, product_choices, searchable, t
from .records import load_record, save_through
from .screen import MasterDataDetail, MasterDataKind

# -- the prices (the detail) --------------------------------------------------------------------


def price_fields() -> list[FieldSpec]:
    return [
        FieldSpec("product_id", t("产品"), "choice", required=True, choices=product_choices,
                  read_only_on_edit=True),
        FieldSpec("price", t("零售价"), required=True, placeholder=t("如 2680.00")),
    ]


def check_price(values: dict) -> dict:
    problem = money_problem(values.get("price"))
    return {"price": problem} if problem else {}


def prepare_price_form(session, form) -> None:
    if not form.editing:
        searchable(form.widget("product_id"))


def load_price(conn, item_id: int) -> dict:
    values = load_record(conn, "SELECT id, version, price_list_id, product_id, price FROM yiwei.price_list_item"
                               " WHERE id = :id", item_id)
    return {**values, "price": money_text(values["price"])}


def save_price(conn, values: dict) -> int:
    return save_through(conn, "yiwei.save_price_list_item", values,
                        payload(values, ("price_list_id", "product_id", "price")))


def delete_price(conn, item_id: int) -> None:
    # the version read in the same transaction: deleting is about the row, not its last edit
    version = load_price(conn, item_id)["version"]
    conn.execute(text("SELECT yiwei.delete_price_list_item(:id, :version)"), {"id": item_id, "version": version})


PRICE = MasterDataKind(
    list_name="price_list_items", permission="masterdata.product", noun="产品价格",
    fields=price_fields, load=load_price, save=save_price, new_values=lambda conn: {}, check=check_price,
    prepare=prepare_price_form, delete=delete_price, actions=PRICE_IMPORT_ACTIONS,
    hints=(("product_id", "可输入编码或名称的一部分查找产品。"),
           ("price", "最多两位小数，不会自动四舍五入。")))

# -- the price lists ----------------------------------------------------------------------------


def price_list_fields() -> list[FieldSpec]:
    return [
        FieldSpec("code", t("价格体系编码"), required=True, max_length=30, placeholder=t("如 2026春季")),
        FieldSpec("name", t("价格体系名称"), required=True, max_length=40, placeholder=t("如 2026 年春季零售价")),
        FieldSpec("valid_from", t("生效日期"), "date", required=True),
        FieldSpec("valid_to", t("截止日期"), "date"),
        FieldSpec("note", t("备注"), "multiline", max_length=500),
        FieldSpec("active", t("启用"), "bool"),
    ]


def check_price_list(values: dict) -> dict:
    if values.get("valid_to") and values.get("valid_from") and values["valid_to"] < values["valid_from"]:
        return {"valid_to": t("截止日期不能早于生效日期")}
    return {}


def load_price_list(conn, price_list_id: int) -> dict:
    return load_record(conn, "SELECT id, version, code, name, valid_from, valid_to, note, active"
                             "  FROM yiwei.price_list WHERE id = :id", price_list_id)


def new_price_list(conn) -> dict:
    return {"active": True, "valid_from": conn.execute(text("SELECT yiwei.company_today()")).scalar_one()}


def save_price_list(conn, values: dict) -> int:
    return save_through(conn, "yiwei.save_price_list", values,
                        payload(values, ("code", "name", "valid_from", "valid_to", "note", "active")))


PRICE_LIST = MasterDataKind(
    list_name="price_lists", permission="masterdata.product", noun="价格体系",
    fields=price_list_fields, load=load_price_list, save=save_price_list, new_values=new_price_list,
    check=check_price_list,
    hints=(("valid_to", "不填表示长期有效；过期或停用的价格体系不能再用于新合同。"),),
    detail=MasterDataDetail(kind=PRICE, filter_key="price_list", link_field="price_list_id",
                            caption=lambda row: t("“%s”的产品价格") % row["name"]))
