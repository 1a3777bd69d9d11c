"""操作日志: the audit trail as a list — for auditors only, enforced by the database."""

from __future__ import annotations

import openpyxl

from client.lists.catalog import get_list
from client.lists.export import export_list
from client.lists.query import ListQuery, count_rows, fetch_page, parse_filter_args, resolve_filters


def test_auditor_sees_the_trail_with_business_names(session_of, sql):
    audit = get_list("audit_log")
    session = session_of("admin")
    with session.engine.begin() as conn:
        filters, _search = resolve_filters(conn, audit, parse_filter_args(audit, ["table=员工", "action=新增"]))
        page = fetch_page(conn, ListQuery(audit, filters), limit=500)
    created = sql("SELECT count(*) FROM yiwei.audit_log WHERE table_name = 'employee' AND action = 'INSERT'")[0][0]
    assert len(page.rows) == created > 0
    assert {row[2] for row in page.rows} == {"员工"} and {row[4] for row in page.rows} == {"新增"}
    assert all('"login"' in row[6] for row in page.rows)


def test_a_guide_sees_no_audit_trail_even_through_the_list(session_of, sql):
    audit = get_list("audit_log")
    session = session_of("hz01.guide1")
    assert not session.can("system.audit.view")
    with session.engine.begin() as conn:
        assert count_rows(conn, ListQuery(audit)).rows == 0
    assert sql("SELECT count(*) FROM yiwei.audit_log")[0][0] > 0


def test_audit_export_keeps_the_row_images_as_text(session_of, tmp_path):
    audit = get_list("audit_log")
    session = session_of("hq.boss")
    path = tmp_path / "audit.xlsx"
    with session.engine.begin() as conn:
        result = export_list(conn, ListQuery(audit, {"table": "门店"}), path, user=session.full_name,
                             columns=["at", "actor", "table", "action", "new"])
    sheet = openpyxl.load_workbook(path).active
    assert [c.value for c in sheet[4]] == ["时间", "操作人", "数据", "操作", "修改后"]
    assert result.row_count >= 10  # the demo's stores
    tables = {row[2] for row in sheet.iter_rows(min_row=5, max_row=4 + result.row_count, values_only=True)}
    assert "门店" in tables and all("门店" in table for table in tables)  # 门店, and 兼管门店 if any
    assert sheet["A5"].is_date and sheet["E5"].value.startswith("{")
