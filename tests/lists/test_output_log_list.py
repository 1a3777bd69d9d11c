"""导出与打印记录: everyone sees what they themselves exported and printed; auditors see all."""

from __future__ import annotations

from client.lists.catalog import allowed, get_list
from client.lists.export import export_list
from client.lists.query import ListQuery, fetch_page


def test_clerk_sees_own_export_and_not_others(session_of, tmp_path):
    output = get_list("output_log")
    clerk, other = session_of("hz02.finance"), session_of("gz01.finance")
    assert allowed(output, clerk)  # every employee may look at their own record
    with clerk.engine.begin() as conn:
        export_list(conn, ListQuery(get_list("employees")), tmp_path / "roster.xlsx", user=clerk.full_name)
    with clerk.engine.begin() as conn:
        rows = fetch_page(conn, ListQuery(output, {"kind": "export"}), limit=50).rows
    assert rows and rows[0][1] == clerk.full_name and rows[0][3] == "employees"
    with other.engine.begin() as conn:
        theirs = fetch_page(conn, ListQuery(output), limit=500).rows
    assert all(row[1] != clerk.full_name for row in theirs)
    with session_of("hq.boss").engine.begin() as conn:  # holds system.audit.view
        everyone = fetch_page(conn, ListQuery(output, {"kind": "export"}), limit=500).rows
    assert any(row[1] == clerk.full_name for row in everyone)
