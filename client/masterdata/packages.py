"""套餐: a fixed set of products, each at least a quantity, sold together for the package price,
priced against one price list and valid between two dates, with its rules in words.

The products are typed one per line as "产品编码 × 数量" (a quantity of 1 may be left out) — the
quickest way to key in a set of a few products; the list shows them with their names, their list
price total and the saving. The database checks that every product is priced in the package's
price list and that the package lies within the list's validity.
"""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import text

from client.db.errors import UserFacingError
from client.ui.forms import FieldSpec

from .catalogue_records import money_problem, money_text, payload, price_list_choices, quantity_problem, t
from .records import load_record, save_through
from .screen import MasterDataKind

ITEMS_LABEL = "套餐明细"
# "CG-1001 × 2", "CG-1001*2", "CG-1001 2" or just "CG-1001" (one of it)
_ITEM_LINE = re.compile(r"^(?P<code>\S+?)(?:\s*[×*＊]\s*|\s+)(?P<quantity>\S+)$")


def parse_items(typed: str | None) -> list[tuple[str, str]]:
    """(code in upper case, quantity as typed) for each non-empty line."""
    items = []
    for line in (typed or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = _ITEM_LINE.match(line)
        code, quantity = (match["code"], match["quantity"]) if match else (line, "1")
        items.append((code.upper(), quantity))
    return items


def items_problem(typed: str | None) -> str | None:
    items = parse_items(typed)
    if not items:
        return t("套餐至少包含一个产品")
    seen = set()
    for number, (code, quantity) in enumerate(items, 1):
        problem = quantity_problem(quantity)
        if problem:
            return t("第 %d 行（%s）：%s") % (number, code, problem)
        if code in seen:
            return t("第 %d 行：产品“%s”在套餐中重复") % (number, code)
        seen.add(code)
    return None


def package_fields() -> list[FieldSpec]:
    return [
        FieldSpec("code", t("套餐编码"), required=True, max_length=30, placeholder=t("如 TC-2026-01")),
        FieldSpec("name", t("套餐名称"), required=True, max_length=40, placeholder=t("如 整体厨房超值套餐")),
        FieldSpec("price_list_id", t("价格体系"), "choice", required=True, choices=price_list_choices),
        FieldSpec("price", t("套餐价"), required=True, placeholder=t("如 19800.00")),
        FieldSpec("valid_from", t("开始日期"), "date", required=True),
        FieldSpec("valid_to", t("结束日期"), "date"),
        FieldSpec("items", t(ITEMS_LABEL), "multiline", required=True, placeholder=t("CG-1001 × 2\nCG-2001 × 1")),
        FieldSpec("rules", t("套餐规则"), "multiline", max_length=2000,
                  placeholder=t("如 须整套购买；台面超出部分按零售价另计")),
        FieldSpec("active", t("启用"), "bool"),
    ]


def check_package(values: dict) -> dict:
    errors = {}
    problem = money_problem(values.get("price"))
    if problem:
        errors["price"] = problem
    if values.get("valid_to") and values.get("valid_from") and values["valid_to"] < values["valid_from"]:
        errors["valid_to"] = t("结束日期不能早于开始日期")
    problem = items_problem(values.get("items"))
    if problem:
        errors["items"] = problem
    return errors


def _quantity_text(quantity: Decimal) -> str:
    return format(quantity.normalize(), "f")


def load_package(conn, package_id: int) -> dict:
    values = load_record(conn, "SELECT id, version, code, name, price_list_id, price, valid_from, valid_to, rules,"
                               "       active FROM yiwei.package WHERE id = :id", package_id)
    rows = conn.execute(text("SELECT p.code, i.quantity FROM yiwei.package_item i"
                             "  JOIN yiwei.product p ON p.id = i.product_id"
                             " WHERE i.package_id = :id ORDER BY i.id"), {"id": package_id}).all()
    items = "\n".join(f"{code} × {_quantity_text(quantity)}" for code, quantity in rows)
    return {**values, "price": money_text(values["price"]), "items": items}


def new_package(conn) -> dict:
    return {"active": True, "valid_from": conn.execute(text("SELECT yiwei.company_today()")).scalar_one()}


def save_package(conn, values: dict) -> int:
    items = parse_items(values.get("items"))
    codes = [code for code, _quantity in items]
    ids = dict(conn.execute(text("SELECT code, id FROM yiwei.product WHERE code = ANY (:codes)"),
                            {"codes": codes}).all())
    unknown = [code for code in codes if code not in ids]
    if unknown:
        raise UserFacingError(t("产品编码不存在：%s") % "、".join(unknown), kind="validation",
                              detail={"field": ITEMS_LABEL})
    data = payload(values, ("code", "name", "price_list_id", "price", "valid_from", "valid_to", "rules", "active"))
    data["items"] = [{"product_id": ids[code], "quantity": quantity} for code, quantity in items]
    return save_through(conn, "yiwei.save_package", values, data)


PACKAGE = MasterDataKind(
    list_name="packages", permission="masterdata.promotion", noun="套餐",
    fields=package_fields, load=load_package, save=save_package, new_values=new_package, check=check_package,
    hints=(("items", "每行一个产品：产品编码 × 数量（数量为 1 可不写）。产品须在所选价格体系中有零售价；"
                     "合同中每种产品至少达到此数量才能按套餐计价。"),
           ("valid_to", "不填表示长期有效；套餐的有效期须在价格体系的有效期之内。")))
