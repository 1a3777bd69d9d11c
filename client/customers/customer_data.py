"""Customer records (客户档案) read and written through the database's checked functions.

Nothing here decides who may do what: save_customer, transfer_customers, merge_customers,
convert_visit and link_visit check the caller's permission and scope and validate every value;
these functions only carry the form's values there and read back what the login may see
(phones come from customer_list, full or masked as the database decides).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication
from sqlalchemy import text

from client.db.errors import UserFacingError

translate = QCoreApplication.translate

# Tags are typed as one line: 全屋定制，老人房、急装 (commas, 、 or spaces between them).
_TAG_SEPARATORS = re.compile(r"[,，、;；\s]+")
COMMON_TAGS = ("全屋定制", "整装", "局部定制", "老人房", "儿童房", "急装", "二次购买", "价格敏感")

CUSTOMER_KEYS = ("store_id", "guide_id", "name", "phone", "community", "building", "unit", "room", "address",
                 "source_id", "channel_id", "decoration_designer_id", "designer_id", "stage", "note", "special")


def parse_tags(value: str | None) -> list[str]:
    """The tags typed in one line, each once, in the order typed."""
    tags: list[str] = []
    for tag in _TAG_SEPARATORS.split(value or ""):
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def tags_text(tags) -> str:
    return "、".join(tags or ())


# --- choices ------------------------------------------------------------------------------------


def store_choices(conn) -> list[tuple]:
    return [tuple(r) for r in conn.execute(text(
        "SELECT id, name || '（' || code || '）' FROM yiwei.store"
        " WHERE id = ANY (yiwei.visible_store_ids()) AND active ORDER BY code"))]


def source_choices(conn) -> list[tuple]:
    """The company's customer sources (客户来源 master data), active ones in their order."""
    return [tuple(r) for r in conn.execute(text(
        "SELECT id, name FROM yiwei.customer_source WHERE active ORDER BY sort_order, name"))]


def channel_choices(conn) -> list[tuple]:
    return [tuple(r) for r in conn.execute(text("SELECT id, name FROM yiwei.channel WHERE active ORDER BY name"))]


def decoration_designer_choices(conn) -> list[tuple]:
    return [tuple(r) for r in conn.execute(text(
        "SELECT d.id, d.name || coalesce('（' || ch.name || '）', '') FROM yiwei.decoration_designer d"
        "  LEFT JOIN yiwei.channel ch ON ch.id = d.channel_id WHERE d.active ORDER BY d.name, ch.name"))]


@dataclass(frozen=True)
class StoreStaff:
    """Who may own (guides) or design for (designers) customers, by store: (id, label) pairs."""

    guides: dict[int, list[tuple]] = field(default_factory=dict)
    designers: dict[int, list[tuple]] = field(default_factory=dict)

    def guides_of(self, store_id) -> list[tuple]:
        return list(self.guides.get(store_id, ()))

    def designers_of(self, store_id) -> list[tuple]:
        return list(self.designers.get(store_id, ()))


_STAFF_SQL = text(
    "SELECT w.store_id, e.id, e.full_name || '（' || e.login || '）', pp.permission_code"
    "  FROM yiwei.employee e"
    "  JOIN LATERAL (SELECT e.store_id UNION SELECT es.store_id FROM yiwei.employee_store es"
    "                 WHERE es.employee_id = e.id) w ON w.store_id IS NOT NULL"
    "  JOIN yiwei.position_permission pp ON pp.position_id = e.position_id"
    "   AND pp.permission_code IN ('customers.customer', 'customers.designer_task')"
    " WHERE e.active AND w.store_id = ANY (yiwei.visible_store_ids())"
    " ORDER BY e.full_name, e.login")


def load_staff(conn) -> StoreStaff:
    """The guides and designers of the stores in scope; a guide (own scope) owns only their own
    customers, so they are the one guide offered."""
    own_scope = conn.execute(text("SELECT yiwei.current_scope() = 'own'")).scalar()
    me = conn.execute(text("SELECT yiwei.current_employee_id()")).scalar()
    staff = StoreStaff()
    for store_id, employee_id, label, permission in conn.execute(_STAFF_SQL):
        if permission == "customers.customer":
            if not own_scope or employee_id == me:
                staff.guides.setdefault(store_id, []).append((employee_id, label))
        else:
            staff.designers.setdefault(store_id, []).append((employee_id, label))
    return staff


@dataclass(frozen=True)
class CustomerChoices:
    stores: list[tuple]
    sources: list[tuple]
    channels: list[tuple]
    decoration_designers: list[tuple]
    staff: StoreStaff


def load_choices(conn) -> CustomerChoices:
    return CustomerChoices(store_choices(conn), source_choices(conn), channel_choices(conn),
                           decoration_designer_choices(conn), load_staff(conn))


# --- one customer -------------------------------------------------------------------------------


def load_customer(conn, customer_id: int) -> dict:
    """The record as the form edits it: the fields, id/version, contacts, tags as a line."""
    row = conn.execute(text(
        "SELECT id, version, number, status, store_id, guide_id, designer_id, name, phone, community, building,"
        "       unit, room, address, source_id, channel_id, decoration_designer_id, stage, tags, note, special,"
        "       store_name, guide_name"
        "  FROM yiwei.customer_list WHERE id = :id"), {"id": customer_id}).mappings().first()
    if row is None:
        raise UserFacingError(translate("customers", "客户不存在或不在您的数据范围内"), kind="not_found")
    values = dict(row)
    values["tags"] = tags_text(values["tags"])
    values["contacts"] = [dict(r) for r in conn.execute(text(
        "SELECT id, name, relation, phone FROM yiwei.customer_contact_list WHERE customer_id = :id ORDER BY id"),
        {"id": customer_id}).mappings()]
    return values


def customer_payload(values: dict) -> dict:
    """The jsonb save_customer takes, from the form's values."""
    payload = {key: values.get(key) for key in CUSTOMER_KEYS if key in values}
    tags = values.get("tags")
    payload["tags"] = parse_tags(tags) if isinstance(tags, str) else list(tags or [])
    payload["special"] = bool(values.get("special"))
    for key in ("name", "phone", "community", "building", "unit", "room", "address", "note"):
        if key in payload:
            payload[key] = (payload[key] or "").strip()
    if "contacts" in values:
        payload["contacts"] = [{"id": c.get("id"), "name": (c.get("name") or "").strip(),
                                "relation": (c.get("relation") or "").strip(), "phone": (c.get("phone") or "").strip()}
                               for c in values["contacts"]]
    return payload


def save_customer(conn, values: dict) -> int:
    """Create (no id) or change a customer through yiwei.save_customer; returns its id."""
    return conn.execute(text("SELECT yiwei.save_customer(:id, :version, CAST(:p AS jsonb))"),
                        {"id": values.get("id"), "version": values.get("version"),
                         "p": json.dumps(customer_payload(values), ensure_ascii=False, default=str)}).scalar()


def customer_history(conn, customer_id: int) -> dict:
    """The customer's visits and follow-ups, newest first (what the login may see of them)."""
    visits = [tuple(r) for r in conn.execute(text(
        "SELECT visited_at, store_name, guide_name, party_size, source,"
        "       CASE intent WHEN 'high' THEN '高' WHEN 'medium' THEN '中' ELSE '低' END, note"
        "  FROM yiwei.visit_list WHERE customer_id = :id ORDER BY visited_at DESC, id DESC"), {"id": customer_id})]
    followups = [tuple(r) for r in conn.execute(text(
        "SELECT contacted_at, author_name,"
        "       CASE kind WHEN 'call' THEN '电话' WHEN 'visit' THEN '到店' WHEN 'measure' THEN '量尺'"
        "                 WHEN 'quote' THEN '报价' WHEN 'wechat' THEN '微信' ELSE '其他' END,"
        "       content, next_contact_on"
        "  FROM yiwei.customer_followup_list WHERE customer_id = :id ORDER BY contacted_at DESC, id DESC"),
        {"id": customer_id})]
    return {"visits": visits, "followups": followups}


# --- checked steps on several customers --------------------------------------------------------


def transfer_customers(conn, customer_ids: list[int], guide_id: int, reason: str) -> int:
    """Give customers to another guide of their store; returns how many changed hands."""
    return conn.execute(text("SELECT yiwei.transfer_customers(CAST(:ids AS bigint[]), :guide, :reason)"),
                        {"ids": list(customer_ids), "guide": guide_id, "reason": reason}).scalar()


def customer_duplicates(conn, customer_id: int) -> list[dict]:
    return [dict(r) for r in conn.execute(text(
        "SELECT id, number, name, store_name, guide_name, reason FROM yiwei.customer_duplicates(:id)"),
        {"id": customer_id}).mappings()]


def merge_customers(conn, keep_id: int, duplicate_id: int, reason: str) -> int:
    conn.execute(text("SELECT yiwei.merge_customers(:keep, :duplicate, :reason)"),
                 {"keep": keep_id, "duplicate": duplicate_id, "reason": reason})
    return keep_id


def transfer_guides(conn, customer_ids: list[int]) -> tuple[list[tuple], list[str]]:
    """Guides who can take over all the given customers (they work in each customer's store),
    and the customers' store names."""
    stores = [tuple(r) for r in conn.execute(text(
        "SELECT DISTINCT store_id, store_name FROM yiwei.customer_list WHERE id = ANY (CAST(:ids AS bigint[]))"),
        {"ids": list(customer_ids)})]
    staff = load_staff(conn)
    common: list[tuple] | None = None
    for store_id, _name in stores:
        guides = staff.guides_of(store_id)
        common = guides if common is None else [g for g in common if g in guides]
    return common or [], [name for _id, name in stores]


# --- visits becoming customers -----------------------------------------------------------------


def load_visit_for_customer(conn, visit_id: int) -> dict:
    row = conn.execute(text(
        "SELECT id, store_id, store_name, guide_id, guide_name, visited_at, source_id, community, note,"
        "       to_char(visited_at AT TIME ZONE yiwei.company_timezone(), 'YYYY-MM-DD HH24:MI') AS visited_text,"
        "       customer_id, customer_name, customer_number"
        "  FROM yiwei.visit_list WHERE id = :id"), {"id": visit_id}).mappings().first()
    if row is None:
        raise UserFacingError(translate("visits", "来访记录不存在或不在您的数据范围内"), kind="not_found")
    return dict(row)


def convert_visit(conn, values: dict) -> int:
    """The walk-in of a visit becomes a customer (yiwei.convert_visit); returns the customer id."""
    payload = json.dumps(customer_payload(values), ensure_ascii=False, default=str)
    return conn.execute(text("SELECT yiwei.convert_visit(:visit, CAST(:p AS jsonb))"),
                        {"visit": values["visit_id"], "p": payload}).scalar()


def link_visit(conn, visit_id: int, customer_id: int) -> int:
    conn.execute(text("SELECT yiwei.link_visit(:visit, :customer)"), {"visit": visit_id, "customer": customer_id})
    return customer_id
