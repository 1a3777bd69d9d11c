"""Catalogue rows for the catalogue database tests, made through the checked functions as the real
``admin`` login (it holds masterdata.product, .promotion and .checklist). Every code and name
carries a fresh token so tests never collide with each other or with the demo catalogue."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from psycopg2.extras import Json

from .customer_data import token
from .helpers import scalar

MANAGER = "admin"              # masterdata.product / .promotion / .checklist
GUIDE = "hz01.guide1"          # none of them, no orders.cost_view
COST_VIEWER = "hq.boss"        # orders.cost_view, no masterdata.*


def call(conn, function: str, *args):
    """``yiwei.<function>(args…)``, JSON for dicts and lists."""
    params = [Json(a) if isinstance(a, (dict, list)) else a for a in args]
    placeholders = ", ".join(["%s"] * len(params))
    return scalar(conn, f"SELECT yiwei.{function}({placeholders})", params)


def version(conn, table: str, row_id: int) -> int:
    return scalar(conn, f"SELECT version FROM yiwei.{table} WHERE id = %s", (row_id,))


@dataclass
class Shelf:
    """A small catalogue: one line with products a, b (costs 100.00 and 55.50) and c (cost 0), a
    price list valid since a month ago pricing a (1000.00) and b (333.33) but not c."""
    t: str
    line: int
    line_name: str
    grade: int
    products: dict          # "a" / "b" → (id, code)
    price_list: int

    def id(self, key: str) -> int:
        return self.products[key][0]

    def code(self, key: str) -> str:
        return self.products[key][1]


def make_shelf(conn, style: str = "简欧") -> Shelf:
    t = token().upper()
    today = scalar(conn, "SELECT yiwei.company_today()")
    line_name = f"测试系列{t}"
    line = call(conn, "save_product_line", None, None, {"code": f"L{t}", "name": line_name, "sort_order": 5})
    grade = call(conn, "save_product_grade", None, None, {"code": f"G{t}", "name": f"A级{t}"})
    products = {}
    for key, cost in (("a", "100.00"), ("b", "55.50"), ("c", "0")):
        code = f"P{t}-{key.upper()}"
        products[key] = (call(conn, "save_product", None, None,
                              {"code": code, "name": f"地柜{key}{t}", "line_id": line, "grade_id": grade, "style": style,
                               "colour": "白", "spec": "800×600", "unit": "件", "cost": cost}), code)
    price_list = call(conn, "save_price_list", None, None,
                      {"code": f"PL{t}", "name": f"零售{t}", "valid_from": str(today - datetime.timedelta(days=30))})
    for key, price in (("a", "1000.00"), ("b", "333.33")):
        call(conn, "save_price_list_item", None, None,
             {"price_list_id": price_list, "product_id": products[key][0], "price": price})
    return Shelf(t, line, line_name, grade, products, price_list)


def shelf_for_module(demo_db) -> Shelf:
    """A shelf made once for a test module (its own connection, closed again)."""
    conn = demo_db.connect_as(MANAGER)
    try:
        return make_shelf(conn)
    finally:
        conn.close()
