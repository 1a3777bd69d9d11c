"""产品信息: the products the stores sell — code, name, line, grade, style, colour, spec, unit, the
head-office supply package — and their cost price.

The cost is kept in a table of its own that the database shows only to logins with
``masterdata.product`` or ``orders.cost_view``: for anyone else the list's 成本价 column is NULL (and
hidden) and the form has no cost field. Those who keep products edit the cost with the product,
under the product's version. A style typed as one of its aliases is stored as the style itself.
"""

from __future__ import annotations

from client.ui.forms import FieldSpec

from .catalogue_import import PRODUCT_IMPORT_ACTIONS
from .catalogue_records import (grade_choices, line_choices, money_problem, money_text, payload, searchable,
                                supply_package_choices, t)
from .records import load_record, save_through
from .screen import MasterDataKind

COST_PERMISSIONS = ("masterdata.product", "orders.cost_view")


def may_see_cost(session) -> bool:
    return any(session.can(code) for code in COST_PERMISSIONS)


def product_fields() -> list[FieldSpec]:
    return [
        FieldSpec("code", t("产品编码"), required=True, max_length=40, placeholder=t("如 CG-1001")),
        FieldSpec("name", t("产品名称"), required=True, max_length=60),
        FieldSpec("line_id", t("产品系列"), "choice", required=True, choices=line_choices),
        FieldSpec("grade_id", t("产品品级"), "choice", choices=grade_choices),
        FieldSpec("style", t("款型"), max_length=40, placeholder=t("如 简欧")),
        FieldSpec("colour", t("颜色"), max_length=30),
        FieldSpec("spec", t("规格"), max_length=60, placeholder=t("如 800×600×720")),
        FieldSpec("unit", t("单位"), required=True, max_length=10, placeholder=t("如 米、套、樘、平方米")),
        FieldSpec("supply_package_id", t("总部供货包装"), "choice", choices=supply_package_choices,
                  aliases=("供货包装",)),
        FieldSpec("cost", t("成本价"), placeholder=t("如 1280.00，可不填")),
        FieldSpec("active", t("启用"), "bool"),
    ]


def check_product(values: dict) -> dict:
    cost = values.get("cost")
    problem = money_problem(cost, allow_zero=True) if cost else None
    return {"cost": problem} if problem else {}


def prepare_product_form(session, form) -> None:
    if not may_see_cost(session):
        form.fields.set_field_visible("cost", False)
    searchable(form.widget("line_id"))


def load_product(conn, product_id: int) -> dict:
    # product_cost has no row for a login that may not see costs: cost is then NULL
    values = load_record(conn, "SELECT p.id, p.version, p.code, p.name, p.line_id, p.grade_id, p.style, p.colour,"
                               "       p.spec, p.unit, p.supply_package_id, p.active, c.cost"
                               "  FROM yiwei.product p LEFT JOIN yiwei.product_cost c ON c.product_id = p.id"
                               " WHERE p.id = :id", product_id)
    return {**values, "cost": money_text(values["cost"])}


def save_product(conn, values: dict) -> int:
    # Only those who keep products save, and they see costs: an emptied cost field removes the cost.
    data = payload(values, ("code", "name", "line_id", "grade_id", "style", "colour", "spec", "unit",
                            "supply_package_id", "active"))
    data["cost"] = values.get("cost") or None
    return save_through(conn, "yiwei.save_product", values, data)


PRODUCT = MasterDataKind(
    list_name="products", permission="masterdata.product", noun="产品",
    fields=product_fields, load=load_product, save=save_product, check=check_product,
    prepare=prepare_product_form, actions=PRODUCT_IMPORT_ACTIONS,
    hidden_columns=lambda session: () if may_see_cost(session) else ("cost",),
    hints=(("style", "填写款型的别名（如“欧式简约”）会自动记为它所属的款型（如“简欧”）。"),
           ("cost", "成本价只有产品管理和可查看成本价的岗位能看到；清空表示没有成本价。")))
