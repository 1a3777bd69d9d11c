"""Channel lead test data made the way the company makes it: channels and designers by the
administrator through the checked master-data functions, leads by real employee logins through
yiwei.report_lead. Phones are random, so tests never collide with each other's households."""

from __future__ import annotations

import json
import secrets

CHANNEL_A = "诚品家装（报备测试）"
CHANNEL_B = "李工设计工作室（报备测试）"
DESIGNER_A = "陈设计（报备测试）"


def random_phone() -> str:
    return "139" + "".join(str(secrets.randbelow(10)) for _ in range(8))


def one(conn, sql: str, params=()):
    with conn.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
    return row[0] if row is not None and len(row) == 1 else row


def ensure_channels(db) -> dict[str, int]:
    """Two channels and a designer of the first, made once per database by the administrator."""
    conn = db.connect_as("admin")
    try:
        ids = {}
        for name, kind in ((CHANNEL_A, "decoration_company"), (CHANNEL_B, "designer")):
            ids[name] = one(conn, "SELECT id FROM yiwei.channel WHERE name = %s", (name,)) or one(
                conn, "SELECT yiwei.save_channel(NULL, NULL, %s::jsonb)",
                (json.dumps({"name": name, "kind": kind, "contact_person": "王经理"}),))
        ids[DESIGNER_A] = one(conn, "SELECT id FROM yiwei.decoration_designer WHERE name = %s", (DESIGNER_A,)) or one(
            conn, "SELECT yiwei.save_decoration_designer(NULL, NULL, %s::jsonb)",
            (json.dumps({"name": DESIGNER_A, "channel_id": ids[CHANNEL_A]}),))
        return ids
    finally:
        conn.close()


def store_id(db, code: str) -> int:
    conn = db.admin()
    try:
        return one(conn, "SELECT id FROM yiwei.store WHERE code = %s", (code,))
    finally:
        conn.close()


def report_as(db, login: str, **fields) -> tuple[int, str]:
    """Report a lead as ``login`` straight through SQL; returns (id, number)."""
    conn = db.connect_as(login)
    try:
        lead_id = one(conn, "SELECT yiwei.report_lead(%s::jsonb)", (json.dumps(fields, ensure_ascii=False),))
        return lead_id, one(conn, "SELECT number FROM yiwei.channel_lead WHERE id = %s", (lead_id,))
    finally:
        conn.close()


def lead_row(db, lead_id: int) -> dict:
    """The lead as the superuser sees it (ground truth)."""
    conn = db.admin()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT l.number, l.status, l.version, l.conflict_count, l.channel_id, l.decision_reason,"
                        "       e.login AS reporter, l.customer_id"
                        "  FROM yiwei.channel_lead l JOIN yiwei.employee e ON e.id = l.reported_by WHERE l.id = %s",
                        (lead_id,))
            names = [d[0] for d in cur.description]
            return dict(zip(names, cur.fetchone()))
    finally:
        conn.close()
