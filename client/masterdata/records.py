"""Reading a master-data record for its form and saving it through the database's checked function.

Every write goes through a ``yiwei.save_*`` function (SECURITY DEFINER, permission checked, version
compared); the app role may only read these tables, so this is the one way in for the client too.
"""

from __future__ import annotations

import json
import re

from PySide6.QtCore import QCoreApplication
from sqlalchemy import text

from client.db.errors import UserFacingError

_FUNCTION = re.compile(r"^yiwei\.save_[a-z_]+$")


def load_record(conn, sql: str, record_id: int) -> dict:
    """The one row ``sql`` (with ``:id``) returns, as a dict for the form."""
    row = conn.execute(text(sql), {"id": record_id}).mappings().first()
    if row is None:
        raise UserFacingError(QCoreApplication.translate("masterdata", "记录不存在或已被删除"), kind="not_found")
    return dict(row)


def save_through(conn, function: str, values: dict, payload: dict) -> int:
    """Call ``function(id, version, payload jsonb)``; returns the record's id (new or kept)."""
    if not _FUNCTION.match(function):
        raise ValueError(f"not a checked save function: {function!r}")
    return conn.execute(text(f"SELECT {function}(:id, :version, CAST(:payload AS jsonb))"),
                        {"id": values.get("id"), "version": values.get("version"),
                         "payload": json.dumps(payload, ensure_ascii=False)}).scalar_one()


def region_choices(conn) -> list[tuple]:
    """全公司 (no region) first, then the regions; a retired region stays choosable for old records."""
    rows = conn.execute(text(
        "SELECT id, name || CASE WHEN active THEN '' ELSE '（停用）' END FROM yiwei.region"
        " ORDER BY NOT active, code")).all()
    return [(None, QCoreApplication.translate("masterdata", "全公司")), *(tuple(r) for r in rows)]


def channel_choices(conn) -> list[tuple]:
    rows = conn.execute(text(
        "SELECT id, name || CASE WHEN active THEN '' ELSE '（停用）' END FROM yiwei.channel"
        " ORDER BY NOT active, name")).all()
    return [(None, QCoreApplication.translate("masterdata", "（不属于渠道）")), *(tuple(r) for r in rows)]
