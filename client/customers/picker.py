"""A small dialog to pick one customer in the login's scope by name, number, community or phone.

The search runs in the background as the user types. A full phone number is looked up through
``yiwei.find_customers_by_phone`` — people who see masked numbers can still find a customer by the
number the customer tells them; digits alone also match the visible (masked) number's tail.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import text

from client.db.errors import UserFacingError
from client.lists.query import escape_like
from client.ui.search_picker import SearchPicker, open_picker

RESULT_LIMIT = 50
_PHONE_LIKE = re.compile(r"^[+\d\s()（）-]{7,}$")

_COLUMNS = ("c.id, c.number, c.name, c.phone, c.store_id, c.store_name, c.guide_id, c.guide_name, c.designer_id,"
            " c.designer_name, c.full_address, c.stage, c.last_followup_at, c.next_contact_on")


def search_customers(conn, needle: str, limit: int = RESULT_LIMIT) -> list[dict]:
    """Active customers in scope matching ``needle`` (empty: the most recently changed ones).
    Short digits match the number as the login sees it (the last four of a masked number)."""
    needle = " ".join((needle or "").split())[:60]
    params: dict = {"limit": limit}
    if not needle:
        where = "TRUE"
    elif _PHONE_LIKE.match(needle):
        # A whole number: found through the phone book, also by a household contact's phone and
        # by people who see the number masked.
        ids = conn.execute(text("SELECT yiwei.find_customers_by_phone(:phone)"), {"phone": needle}).scalar() or []
        params["ids"] = list(ids)
        where = "c.id = ANY (CAST(:ids AS bigint[]))"
    else:
        terms = needle.split()[:4]
        parts = []
        for i, term in enumerate(terms):
            params[f"t{i}"] = f"%{escape_like(term)}%"
            parts.append(f"(c.name ILIKE :t{i} OR c.number ILIKE :t{i} OR c.full_address ILIKE :t{i}"
                         f" OR c.phone LIKE :t{i})")
        where = " AND ".join(parts)
    rows = conn.execute(text(
        f"SELECT {_COLUMNS} FROM yiwei.customer_list c WHERE c.status = 'active' AND {where}"
        " ORDER BY c.updated_at DESC, c.id DESC LIMIT :limit"), params).mappings().all()
    return [dict(row) for row in rows]


def load_customer(conn, customer_id: int) -> dict:
    """One customer in scope as the picker hands it on."""
    row = conn.execute(text(f"SELECT {_COLUMNS} FROM yiwei.customer_list c WHERE c.id = :id"),
                       {"id": customer_id}).mappings().first()
    if row is None:
        raise UserFacingError("客户不存在或不在您的数据范围内", kind="not_found")
    return dict(row)


def describe_customer(customer: dict) -> str:
    """张三（KH-HZ01-202611-000012，导购 王伟）"""
    parts = [customer.get("number") or ""]
    if customer.get("guide_name"):
        parts.append(f"导购 {customer['guide_name']}")
    return f"{customer.get('name', '')}（{'，'.join(p for p in parts if p)}）"


class CustomerPicker(SearchPicker):
    """Type a name, number, community or phone; Enter or double-click picks the customer."""

    result_limit = RESULT_LIMIT

    def __init__(self, ctx, parent=None, title: str | None = None):
        super().__init__(ctx, parent, name="customer_picker", title=title or self.tr("选择客户"), size=(720, 440),
                         headers=[self.tr("客户"), self.tr("客户编号"), self.tr("电话"), self.tr("门店"),
                                  self.tr("导购"), self.tr("地址")],
                         placeholder=self.tr("客户姓名、编号、小区或完整手机号"), stretch_last=True)
        self.run_search()

    def fetch(self, conn, term: str) -> list[dict]:
        return search_customers(conn, term)

    def cells(self, row: dict) -> list[str]:
        return [row["name"], row["number"], row["phone"] or "", row["store_name"], row["guide_name"] or "",
                row["full_address"] or ""]

    def found_text(self, count: int) -> str:
        return self.tr("找到 {0} 个客户").format(count)

    def none_text(self) -> str:
        return self.tr("没有找到符合条件的客户（只查找您负责范围内的客户）")

    def select_customer(self, customer_id: int) -> bool:
        return self.select_row(lambda row: row["id"] == customer_id)


def pick_customer(ctx, parent, on_picked: Callable[[dict], None], title: str | None = None) -> CustomerPicker:
    """Open the picker (window-modal, not blocking); ``on_picked(customer)`` runs once one is chosen."""
    return open_picker(CustomerPicker(ctx, parent, title), on_picked)
