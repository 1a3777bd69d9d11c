"""Rows the customers-module database tests need, made as real employee logins through the checked
functions (master data as the admin login), plus a refusal check that also reads the DETAIL.

Every phone and community name is fresh per call, so tests never collide with each other, with the
demo data or with the company-wide duplicate checks."""

from __future__ import annotations

import contextlib
import datetime
import secrets
from dataclasses import dataclass

import psycopg2
from psycopg2.extras import Json

from .helpers import employee_id, scalar, store_id

INVALID = "YW422"
FORBIDDEN = "YW403"
NOT_FOUND = "YW404"
CONFLICT = "YW409"
DENIED = "42501"  # insufficient_privilege


def token() -> str:
    return secrets.token_hex(4)


def new_mobile() -> str:
    return f"139{secrets.randbelow(10 ** 8):08d}"


def masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}"


@dataclass
class Refusal:
    error: psycopg2.Error | None = None

    @property
    def message(self) -> str:
        return self.error.diag.message_primary or ""

    @property
    def detail(self) -> str | None:
        return self.error.diag.message_detail


@contextlib.contextmanager
def refusal(pgcode: str, detail: str | None = None):
    """Like helpers.refused, for one SQLSTATE, and hands back the error to read its message; with
    ``detail`` the DETAIL (the field label the form shows the message beside) must be that."""
    box = Refusal()
    try:
        yield box
    except psycopg2.Error as exc:
        box.error = exc
        conn = getattr(exc.cursor, "connection", None)
        if conn is not None and not conn.autocommit and not conn.closed:
            conn.rollback()
        if exc.pgcode != pgcode:
            raise AssertionError(f"expected SQLSTATE {pgcode}, got {exc.pgcode}: {exc}") from exc
        if detail is not None and box.detail != detail:
            raise AssertionError(f"expected DETAIL {detail!r}, got {box.detail!r}: {exc}") from exc
        return
    raise AssertionError(f"statement was not refused (expected {pgcode})")


def company_today(conn) -> datetime.date:
    return scalar(conn, "SELECT yiwei.company_today()")


# -- master data (as the admin login) ----------------------------------------------------------------

def make_channel(admin_login, kind: str = "decoration_company") -> int:
    return scalar(admin_login, "SELECT yiwei.save_channel(NULL, NULL, %s)",
                  (Json({"kind": kind, "name": f"测试渠道{token()}"}),))


def make_community(admin_login, name: str, aliases: list[str]) -> int:
    return scalar(admin_login, "SELECT yiwei.save_community(NULL, NULL, %s)",
                  (Json({"name": name, "aliases": aliases}),))


# -- customers, follow-ups, tasks (as the login given) -------------------------------------------------

def save_customer(conn, payload: dict, customer_id: int | None = None, version: int | None = None) -> int:
    return scalar(conn, "SELECT yiwei.save_customer(%s, %s, %s)", (customer_id, version, Json(payload)))


def create_customer(conn, store_code: str, *, phone: str | None = None, name: str = "测试客户", **fields) -> tuple[int, str]:
    """A new customer of ``conn``'s login (or of fields['guide_id']) in the store; (id, full phone)."""
    phone = phone or new_mobile()
    payload = {"store_id": store_id(conn, store_code), "name": name, "phone": phone,
               "community": f"测试小区{token()}", "building": "1栋", "unit": "1单元", "room": "101", **fields}
    return save_customer(conn, payload), phone


def customer_version(conn, customer_id: int) -> int:
    return scalar(conn, "SELECT version FROM yiwei.customer WHERE id = %s", (customer_id,))


def add_followup(conn, customer_id: int, content: str = "电话沟通，约周末到店", next_contact_on=None) -> int:
    return scalar(conn, "SELECT yiwei.add_followup(%s, 'call', %s, %s)", (customer_id, content, next_contact_on))


def plan_task(conn, customer_id: int, designer_login: str, kind: str = "measure") -> int:
    due = company_today(conn) + datetime.timedelta(days=3)
    return scalar(conn, "SELECT yiwei.save_designer_task(NULL, NULL, %s)",
                  (Json({"customer_id": customer_id, "designer_id": employee_id(conn, designer_login),
                         "kind": kind, "due_on": due.isoformat()}),))


# -- channel leads ----------------------------------------------------------------------------------

def report_lead(conn, store_code: str, channel_id: int, *, phone: str | None = None, community: str | None = None,
                building: str = "1栋", unit: str = "1单元", room: str = "101", name: str = "报备客户", **fields) -> int:
    payload = {"store_id": store_id(conn, store_code), "channel_id": channel_id, "customer_name": name,
               "phone": phone or new_mobile(), "community": community or f"报备小区{token()}",
               "building": building, "unit": unit, "room": room, **fields}
    return scalar(conn, "SELECT yiwei.report_lead(%s)", (Json(payload),))


def lead_version(admin, lead_id: int) -> int:
    return scalar(admin, "SELECT version FROM yiwei.channel_lead WHERE id = %s", (lead_id,))


def approve(conn, admin, lead_id: int, reason: str = "资料齐全") -> None:
    with conn.cursor() as cur:
        cur.execute("SELECT yiwei.approve_lead(%s, %s, %s)", (lead_id, lead_version(admin, lead_id), reason))


def reject(conn, admin, lead_id: int, reason: str = "重复报备") -> None:
    with conn.cursor() as cur:
        cur.execute("SELECT yiwei.reject_lead(%s, %s, %s)", (lead_id, lead_version(admin, lead_id), reason))
