"""Direct, versioned writes to tables the app role may write (column grants + RLS decide what).

Checked functions raise their own conflict (YW409); a direct UPDATE cannot, so it says
``WHERE id = :id AND version = :version`` and, when no row matched, this module finds out why and
raises the same sentence the database uses: who changed the row and when.
"""

from __future__ import annotations

import re

from sqlalchemy import text

from .errors import UserFacingError

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$")


def _checked(name: str) -> str:
    # table and column names come from module code, never from user input; still, refuse oddities
    if not _IDENT.match(name):
        raise ValueError(f"not an identifier: {name!r}")
    return name


def update_versioned(conn, table: str, row_id: int, version: int, values: dict) -> int:
    """Update ``values`` of one row if it still has ``version``; returns the new version."""
    table = _checked(table)
    assignments = ", ".join(f"{_checked(col)} = :{col}" for col in values)
    new_version = conn.execute(
        text(f"UPDATE {table} SET {assignments} WHERE id = :_id AND version = :_version RETURNING version"),
        {**values, "_id": row_id, "_version": version}).scalar()
    if new_version is not None:
        return new_version
    current = conn.execute(
        text(f"SELECT version, yiwei.role_display_name(updated_by) AS who,"
             f"       to_char(updated_at AT TIME ZONE yiwei.company_timezone(), 'YYYY-MM-DD HH24:MI:SS') AS at"
             f"  FROM {table} WHERE id = :id"), {"id": row_id}).mappings().first()
    if current is None:
        raise UserFacingError("记录不存在、已被删除或不在您的数据范围内", kind="not_found")
    raise UserFacingError(f"该记录已被 {current['who']} 于 {current['at']} 修改，请重新加载后再保存", kind="conflict",
                          detail={"changed_by": current["who"], "changed_at": current["at"],
                                  "version": current["version"]})
