"""Reading and writing channel leads: the checked steps the database offers (report_lead,
approve_lead, reject_lead, customer_from_lead) and the reads the lead screens and the conflict
sheet share. Every function runs on the caller's connection, inside the caller's transaction, as
the logged-in employee — row-level security decides what is seen, the functions what is allowed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text

from client.db.errors import UserFacingError
from client.lists.query import company_zone

_NOT_FOUND = "报备不存在或不在您的数据范围内"


# --- what the report form offers --------------------------------------------------------------


@dataclass(frozen=True)
class ReportContext:
    """What the 新增报备 form needs to know about the login before it opens."""

    own_channel_id: int | None      # a channel's own user reports for this channel only
    own_channel_name: str | None
    home_store_id: int | None


def report_context(conn) -> ReportContext:
    row = conn.execute(text(
        "SELECT ec.channel_id, ch.name, yiwei.home_store_id()"
        "  FROM (SELECT 1) one"
        "  LEFT JOIN yiwei.employee_channel ec ON ec.employee_id = yiwei.current_employee_id()"
        "  LEFT JOIN yiwei.channel ch ON ch.id = ec.channel_id")).one()
    return ReportContext(row[0], row[1], row[2])


def report_store_choices(conn) -> list[tuple]:
    """The stores the login may report to: any active store for head office and for a channel's own
    user (the channel picks the store), otherwise the stores of the login's scope."""
    return [tuple(r) for r in conn.execute(text(
        "SELECT s.id, s.name || '（' || s.code || '）' FROM yiwei.store s"
        " WHERE s.active AND (yiwei.current_scope() = 'company' OR s.id = ANY (yiwei.visible_store_ids())"
        "       OR EXISTS (SELECT 1 FROM yiwei.employee_channel ec WHERE ec.employee_id = yiwei.current_employee_id()))"
        " ORDER BY s.code"))]


def channel_choices(conn) -> list[tuple]:
    """Active channels — only the login's own channel for a channel's own user."""
    return [tuple(r) for r in conn.execute(text(
        "SELECT ch.id, ch.name FROM yiwei.channel ch"
        " WHERE ch.active AND (NOT EXISTS (SELECT 1 FROM yiwei.employee_channel ec"
        "                                  WHERE ec.employee_id = yiwei.current_employee_id())"
        "      OR ch.id = (SELECT ec.channel_id FROM yiwei.employee_channel ec"
        "                   WHERE ec.employee_id = yiwei.current_employee_id()))"
        " ORDER BY ch.name"))]


@dataclass(frozen=True)
class DesignerChoice:
    id: int
    label: str
    channel_id: int | None


def designer_choices(conn) -> list[DesignerChoice]:
    """Active decoration designers (those of the login's own channel for a channel's own user)."""
    rows = conn.execute(text(
        "SELECT d.id, d.name || coalesce('（' || ch.name || '）', ''), d.channel_id"
        "  FROM yiwei.decoration_designer d LEFT JOIN yiwei.channel ch ON ch.id = d.channel_id"
        " WHERE d.active AND (NOT EXISTS (SELECT 1 FROM yiwei.employee_channel ec"
        "                                 WHERE ec.employee_id = yiwei.current_employee_id())"
        "      OR d.channel_id = (SELECT ec.channel_id FROM yiwei.employee_channel ec"
        "                          WHERE ec.employee_id = yiwei.current_employee_id()))"
        " ORDER BY d.name, d.id"))
    return [DesignerChoice(*r) for r in rows]


def community_names(conn) -> list[str]:
    """Names of the active communities, offered while typing (any other text is accepted too)."""
    return list(conn.execute(text("SELECT name FROM yiwei.community WHERE active ORDER BY name")).scalars())


# --- checked steps ------------------------------------------------------------------------------

REPORT_KEYS = ("store_id", "channel_id", "decoration_designer_id", "customer_name", "phone", "community",
               "building", "unit", "room", "products", "note")


def report_lead(conn, values: dict[str, Any]) -> int:
    """Report a lead (yiwei.report_lead); its conflicts are found and kept by the database."""
    payload = {key: values.get(key) for key in REPORT_KEYS}
    return conn.execute(text("SELECT yiwei.report_lead(CAST(:p AS jsonb))"),
                        {"p": json.dumps(payload, ensure_ascii=False)}).scalar_one()


def approve_lead(conn, lead_id: int, version: int, reason: str) -> None:
    conn.execute(text("SELECT yiwei.approve_lead(:id, :version, :reason)"),
                 {"id": lead_id, "version": version, "reason": reason or ""})


def reject_lead(conn, lead_id: int, version: int, reason: str) -> None:
    conn.execute(text("SELECT yiwei.reject_lead(:id, :version, :reason)"),
                 {"id": lead_id, "version": version, "reason": reason or ""})


def customer_from_lead(conn, lead_id: int, guide_id: int) -> str:
    """Make the customer of an approved lead, owned by ``guide_id``; returns the customer's number."""
    customer_id = conn.execute(text("SELECT yiwei.customer_from_lead(:lead, :guide)"),
                               {"lead": lead_id, "guide": guide_id}).scalar_one()
    number = conn.execute(text("SELECT number FROM yiwei.customer WHERE id = :id"), {"id": customer_id}).scalar()
    return number or str(customer_id)


def lead_guide_choices(conn, lead_id: int) -> list[tuple]:
    """Who may take the customer of a lead: active staff of the lead's store who keep customers
    (guides, the manager); an 'own' login only picks itself."""
    return [tuple(r) for r in conn.execute(text(
        "SELECT e.id, e.full_name || '（' || p.name || '）'"
        "  FROM yiwei.channel_lead l"
        "  JOIN yiwei.employee e ON e.active AND (e.store_id = l.store_id OR EXISTS"
        "       (SELECT 1 FROM yiwei.employee_store es WHERE es.employee_id = e.id AND es.store_id = l.store_id))"
        "  JOIN yiwei.position p ON p.id = e.position_id"
        " WHERE l.id = :lead"
        "   AND EXISTS (SELECT 1 FROM yiwei.position_permission pp"
        "                WHERE pp.position_id = e.position_id AND pp.permission_code = 'customers.customer')"
        "   AND (yiwei.current_scope() <> 'own' OR e.id = yiwei.current_employee_id())"
        " ORDER BY p.scope = 'store', e.full_name"), {"lead": lead_id})]


# --- reading a lead and its conflicts -----------------------------------------------------------


@dataclass(frozen=True)
class Lead:
    id: int
    number: str
    reported_at: datetime            # in the company's time zone
    channel_name: str
    channel_kind: str
    decoration_designer_name: str | None
    customer_name: str
    phone: str                       # as the login may see it (masked without customers.phone_full)
    phone_masked: str                # always masked: what paper shows
    address: str
    products: str
    note: str
    status: str                      # effective: pending/approved/rejected/converted/expired
    status_label: str
    conflict_count: int
    store_name: str
    reporter_name: str
    decided_by_name: str | None
    decided_at: datetime | None
    decision_reason: str
    protected_until: datetime | None
    customer_number: str | None
    store_id: int
    reported_by: int
    version: int


_LEAD_SQL = """
SELECT v.id, v.number, v.reported_at, v.channel_name, v.channel_kind, v.decoration_designer_name, v.customer_name,
       v.phone, l.phone_masked, v.address, v.products, v.note, v.status, yiwei.lead_status_label(v.status),
       v.conflict_count, v.store_name, v.reporter_name, v.decided_by_name, v.decided_at, v.decision_reason,
       v.protected_until, v.customer_number, v.store_id, v.reported_by, v.version
  FROM yiwei.channel_lead_list v JOIN yiwei.channel_lead l ON l.id = v.id
"""


def _localised(row, zone) -> list:
    return [value.astimezone(zone) if isinstance(value, datetime) and value.utcoffset() is not None else value
            for value in row]


def load_lead(conn, lead_id: int) -> Lead:
    row = conn.execute(text(_LEAD_SQL + " WHERE v.id = :id"), {"id": lead_id}).first()
    if row is None:
        raise UserFacingError(_NOT_FOUND, kind="not_found")
    return Lead(*_localised(row, company_zone(conn)))


def load_lead_by_number(conn, number: str) -> Lead:
    wanted = number.strip().upper()
    row = conn.execute(text(_LEAD_SQL + " WHERE v.number = :number"), {"number": wanted}).first()
    if row is None:
        raise UserFacingError(f"报备 {wanted} 不存在或不在您的数据范围内", kind="not_found")
    return Lead(*_localised(row, company_zone(conn)))


@dataclass(frozen=True)
class LeadConflict:
    """One collision found when the lead was reported, with its evidence as it stood then, and the
    other record's status now (None when the login may not see that record)."""

    kind: str
    kind_label: str
    other_number: str
    other_channel: str | None
    other_person: str | None
    other_at: datetime | None        # in the company's time zone
    other_customer_name: str
    other_phone: str                 # always masked (the evidence keeps the masked number)
    other_address: str
    other_store: str
    other_status_then: str
    other_status_now: str | None


def load_conflicts(conn, lead_id: int) -> list[LeadConflict]:
    rows = conn.execute(text(
        "SELECT kind, kind_label, other_number, other_channel, other_person, other_at, other_customer_name,"
        "       other_phone, other_address, other_store, other_status_then, other_status_now"
        "  FROM yiwei.lead_conflict_list WHERE lead_id = :id ORDER BY other_at, id"), {"id": lead_id})
    zone = company_zone(conn)
    return [LeadConflict(*_localised(row, zone)) for row in rows]


def lead_numbers(conn, ids: list[int]) -> list[str]:
    """The numbers of leads by id, in the order given (for printing a selection)."""
    found = dict(conn.execute(text("SELECT id, number FROM yiwei.channel_lead WHERE id = ANY (CAST(:ids AS bigint[]))"),
                              {"ids": list(ids)}).all())
    return [found[i] for i in ids if i in found]


def format_moment(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""
