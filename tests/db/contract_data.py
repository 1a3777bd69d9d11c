"""Rows the contract database tests need. The catalogue (lines, products, price lists, promotion,
packages, checklist, responsibility reason) is made once per test module as the superuser — it is
master data of another part — with codes of its own so it never collides with the demo catalogue.
Contracts are made as real employee logins through the checked functions.

The demo positions get discount limits here (guide 0.90, designer 0.90, store manager 0.85, region
director 0.80, head office 0.70) and the store manager the right to sign; the demo seeding does the
same for the demo company."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from psycopg2.extras import Json

from .customer_data import create_customer, token
from .helpers import employee_id, scalar

LIMITS = {"guide": "0.90", "designer": "0.90", "store_manager": "0.85", "region_director": "0.80",
          "head_office": "0.70"}


@dataclass
class Catalogue:
    line_a: int            # cabinets: products a1, a2, a3; a promotion down to 0.70; a checklist item
    line_b: int            # doors: product b1
    products: dict         # key → (id, code)
    price_list: int        # valid, list prices: a1 1000.00, a2 333.33, a3 250.00, b1 800.00
    expired_list: int      # ran out yesterday; holds every product
    other_list: int        # valid, holds only a1
    promotion: int         # line a down to 0.70, valid today
    expired_promotion: int
    package: int           # a1 × 2 + a2 × 1 for 2000.01 on price_list
    package_expired_list: int
    package_other_list: int
    package_missing_product: int   # on price_list, with b2 which the list does not hold
    checklist_a: int
    checklist_all: int
    reason: int

    def id(self, key: str) -> int:
        return self.products[key][0]


def setup_positions(admin) -> None:
    with admin.cursor() as cur:
        for code, rate in LIMITS.items():
            cur.execute("UPDATE yiwei.position SET min_discount_rate = %s WHERE code = %s", (rate, code))
        cur.execute("INSERT INTO yiwei.position_permission (position_id, permission_code)"
                    " SELECT id, 'orders.sign' FROM yiwei.position WHERE code = 'store_manager' ON CONFLICT DO NOTHING")
    admin.commit()


def make_catalogue(admin) -> Catalogue:
    t = token().upper()
    today = scalar(admin, "SELECT yiwei.company_today()")
    yesterday = today - datetime.timedelta(days=1)
    month_ago = today - datetime.timedelta(days=30)
    with admin.cursor() as cur:
        def one(sql, params=()):
            cur.execute(sql, params)
            return cur.fetchone()[0]

        line_a = one("INSERT INTO yiwei.product_line (code, name) VALUES (%s, %s) RETURNING id", (f"TA{t}", f"测试橱柜{t}"))
        line_b = one("INSERT INTO yiwei.product_line (code, name) VALUES (%s, %s) RETURNING id", (f"TB{t}", f"测试木门{t}"))
        products = {}
        for key, line, name in (("a1", line_a, "地柜"), ("a2", line_a, "吊柜"), ("a3", line_a, "台面"),
                                ("b1", line_b, "实木门"), ("b2", line_b, "门套")):
            code = f"T{t}-{key.upper()}"
            products[key] = (one("INSERT INTO yiwei.product (code, name, line_id, style, colour, spec, unit)"
                                 " VALUES (%s, %s, %s, '简欧', '白', '800×600', '件') RETURNING id",
                                 (code, f"{name}{t}", line)), code)
            cur.execute("INSERT INTO yiwei.product_cost (product_id, cost) VALUES (%s, 123.45)", (products[key][0],))

        def price_list(name, valid_from, valid_to, prices):
            pl = one("INSERT INTO yiwei.price_list (code, name, valid_from, valid_to) VALUES (%s, %s, %s, %s) RETURNING id",
                     (f"PL{name}{t}", f"{name}{t}", valid_from, valid_to))
            for key, price in prices.items():
                cur.execute("INSERT INTO yiwei.price_list_item (price_list_id, product_id, price) VALUES (%s, %s, %s)",
                            (pl, products[key][0], price))
            return pl

        prices = {"a1": "1000.00", "a2": "333.33", "a3": "250.00", "b1": "800.00"}
        valid = price_list("零售", month_ago, None, prices)
        expired = price_list("旧价", month_ago, yesterday, {**prices, "b2": "99.00"})
        other = price_list("工程", month_ago, None, {"a1": "900.00"})
        promotion = one("INSERT INTO yiwei.promotion (name, line_id, min_rate, valid_from, valid_to)"
                        " VALUES (%s, %s, 0.70, %s, %s) RETURNING id", (f"橱柜节{t}", line_a, month_ago, today + datetime.timedelta(days=30)))
        expired_promotion = one("INSERT INTO yiwei.promotion (name, line_id, min_rate, valid_from, valid_to)"
                                " VALUES (%s, %s, 0.50, %s, %s) RETURNING id", (f"旧促销{t}", line_a, month_ago, yesterday))

        def package(code, pl, price, items):
            pk = one("INSERT INTO yiwei.package (code, name, price_list_id, price, valid_from, valid_to)"
                     " VALUES (%s, %s, %s, %s, %s, NULL) RETURNING id", (f"{code}{t}", f"{code}套餐{t}", pl, price, month_ago))
            for key, qty in items.items():
                cur.execute("INSERT INTO yiwei.package_item (package_id, product_id, quantity) VALUES (%s, %s, %s)",
                            (pk, products[key][0], qty))
            return pk

        pkg = package("TC", valid, "2000.01", {"a1": 2, "a2": 1})
        pkg_expired = package("TCX", expired, "1500.00", {"a1": 1, "a2": 1})
        pkg_other = package("TCO", other, "800.00", {"a1": 1})
        pkg_missing = package("TCM", valid, "900.00", {"a1": 1, "b2": 1})
        checklist_a = one("INSERT INTO yiwei.checklist_item (name, line_id, sort_order) VALUES (%s, %s, 1) RETURNING id",
                          (f"柜体尺寸复核{t}", line_a))
        checklist_all = one("INSERT INTO yiwei.checklist_item (name, line_id, sort_order) VALUES (%s, NULL, 2) RETURNING id",
                            (f"客户签字确认图纸{t}",))
        reason = one("INSERT INTO yiwei.responsibility_reason (name) VALUES (%s) RETURNING id", (f"量尺错误{t}",))
    admin.commit()
    return Catalogue(line_a, line_b, products, valid, expired, other, promotion, expired_promotion, pkg, pkg_expired,
                     pkg_other, pkg_missing, checklist_a, checklist_all, reason)


def all_checklist_ok(admin, contract_id: int) -> list[dict]:
    """Every active checklist item ticked — what a reviewer who checked everything sends."""
    ids = [r for (r,) in _rows(admin, "SELECT id FROM yiwei.checklist_item WHERE active")]
    return [{"item_id": i, "ok": True} for i in ids]


def _rows(conn, sql, params=()):
    with conn.cursor() as cur:
        cur.execute(sql, params)
        result = cur.fetchall()
    if not conn.autocommit:
        conn.rollback()
    return result


def version(admin, contract_id: int, table: str = "contract") -> int:
    result = _rows(admin, f"SELECT version FROM yiwei.{table} WHERE id = %s", (contract_id,))
    return result[0][0]


def line(cat: Catalogue, key: str, quantity="1", **fields) -> dict:
    return {"product_id": cat.id(key), "quantity": str(quantity), **fields}


def plan(total: str, deposit: str | None = None) -> list[dict]:
    """A deposit (30 % unless given) and the rest as the final payment."""
    from decimal import Decimal

    total_d = Decimal(total)
    dep = Decimal(deposit) if deposit is not None else (total_d * Decimal("0.3")).quantize(Decimal("0.01"))
    return [{"kind": "deposit", "amount": str(dep)}, {"kind": "final", "amount": str(total_d - dep)}]


def save_contract(conn, payload: dict, contract_id: int | None = None, version_no: int | None = None) -> int:
    return scalar(conn, "SELECT yiwei.save_contract(%s, %s, %s)", (contract_id, version_no, Json(payload)))


def new_contract(db, cat: Catalogue, guide_login: str, store_code: str, lines: list[dict] | None = None,
                 payments: list[dict] | None = None, designer_login: str | None = None, **fields) -> int:
    """A draft contract of a fresh customer of the guide (default: one a1 at list price, 1000.00)."""
    guide = db.connect_as(guide_login)
    customer_id, _phone = create_customer(guide, store_code, name=f"签约客户{token()}")
    lines = lines if lines is not None else [line(cat, "a1")]
    payload = {"customer_id": customer_id, "price_list_id": cat.price_list,
               "expected_delivery_on": (datetime.date.today() + datetime.timedelta(days=40)).isoformat(),
               "lines": lines, **fields}
    if payments is not None:
        payload["payments"] = payments
    if designer_login:
        payload["designer_id"] = employee_id(guide, designer_login)
    return save_contract(guide, payload)


def upload(conn, contract_id: int, name: str = "厨房平面图.pdf", data: bytes = b"%PDF-1.4 drawing") -> int:
    import psycopg2

    return scalar(conn, "SELECT yiwei.upload_design_file(%s, %s, 'application/pdf', %s)",
                  (contract_id, name, psycopg2.Binary(data)))


def call(conn, sql: str, params=()) -> None:
    with conn.cursor() as cur:
        cur.execute(sql, params)


def ready_for_review(db, admin, cat: Catalogue, guide_login: str = "hz01.guide1", store: str = "HZ01",
                     lines: list[dict] | None = None, total: str = "1000.00") -> int:
    """A contract with its design uploaded by hz01.designer, submitted by the guide (status submitted)."""
    cid = new_contract(db, cat, guide_login, store, lines=lines, payments=plan(total), designer_login="hz01.designer")
    upload(db.connect_as("hz01.designer"), cid)
    call(db.connect_as(guide_login), "SELECT yiwei.submit_contract(%s, %s)", (cid, version(admin, cid)))
    return cid


def signed(db, admin, cat: Catalogue, **kwargs) -> int:
    """A contract through both reviews (by the HD region director) and signed by the HZ01 manager."""
    cid = ready_for_review(db, admin, cat, **kwargs)
    director = db.connect_as("hd.director")
    call(director, "SELECT yiwei.review_drawing(%s, %s, true, '', %s)",
         (cid, version(admin, cid), Json(all_checklist_ok(admin, cid))))
    call(director, "SELECT yiwei.review_price(%s, %s, true, '')", (cid, version(admin, cid)))
    call(db.connect_as("hz01.manager"), "SELECT yiwei.sign_contract(%s, %s)", (cid, version(admin, cid)))
    return cid
