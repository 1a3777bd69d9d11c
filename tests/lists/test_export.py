"""The export of a list (headless): only the rows the login may see, logged, and nothing left
behind when cancelled."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from client.exports.xlsx import ExportCancelled
from client.lists.query import ListQuery
from client.lists.export import export_list
from client.ui.tasks import CancelToken

SHANGHAI = ZoneInfo("Asia/Shanghai")


def last_export(sql):
    rows = sql("SELECT subject, row_count, filter, actor, employee_id FROM yiwei.output_log"
               " WHERE kind = 'export' ORDER BY id DESC LIMIT 1")
    return rows[0] if rows else None


def export_count(sql) -> int:
    return sql("SELECT count(*) FROM yiwei.output_log WHERE kind = 'export'")[0][0]


def test_a_guides_export_holds_only_the_guides_own_visits(db, session_of, visits, sql, ids, tmp_path):
    session = session_of("hz01.guide1")
    path = tmp_path / "own.xlsx"
    with session.engine.begin() as conn:
        result = export_list(conn, ListQuery(visits), path, user=session.full_name)

    own = sql("SELECT count(*), sum(party_size) FROM yiwei.visit WHERE guide_id = %s", (ids.employee("hz01.guide1"),))
    everyone = sql("SELECT count(*) FROM yiwei.visit WHERE store_id = %s", (ids.store("HZ01"),))
    assert result.row_count == own[0][0] < everyone[0][0]
    sheet = openpyxl.load_workbook(path).active
    guide_column = [c.value for c in sheet[4]].index("导购")
    guides = {row[guide_column] for row in sheet.iter_rows(min_row=5, max_row=4 + result.row_count, values_only=True)}
    assert guides == {session.full_name}
    assert sheet.cell(row=5 + result.row_count, column=4).value == own[0][1] == result.totals["party_size"]

    subject, row_count, detail, actor, employee_id = last_export(sql)
    assert (subject, row_count) == ("visits", own[0][0])
    assert actor == db.profile.role_for("hz01.guide1") and employee_id == ids.employee("hz01.guide1")
    assert detail["columns"] == [c.key for c in visits.columns]
    assert detail["sort"] == "visited_at" and detail["descending"] is True


def test_export_names_its_filters_and_the_time_in_the_company_zone(session_of, visits, ids, tmp_path):
    session = session_of("hd.director")
    query = ListQuery(visits, {"store": ids.store("HZ02"), "intent": "low"}, search="花园")
    moment = datetime(2026, 11, 28, 2, 0, tzinfo=ZoneInfo("UTC"))
    with session.engine.begin() as conn:
        export_list(conn, query, tmp_path / "x.xlsx", user="测试", columns=["community", "party_size"],
                    exported_at=moment)
    sheet = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    assert sheet["A2"].value == "筛选：门店=杭州滨江展厅；意向=低；快速搜索=花园"
    assert sheet["A3"].value == "导出人：测试　导出时间：2026-11-28 10:00 (Asia/Shanghai)"
    assert [c.value for c in sheet[4]] == ["小区", "人数"]


def test_a_cancelled_export_leaves_no_file_and_no_log_entry(session_of, visits, sql, tmp_path):
    session = session_of("hd.director")
    path = tmp_path / "cancelled.xlsx"
    before = export_count(sql)
    token = CancelToken()

    def report(done, total, text):
        if done:
            token.cancel()  # the user presses 取消 once rows are flowing

    with pytest.raises(ExportCancelled):
        with session.engine.begin() as conn:
            export_list(conn, ListQuery(visits), path, user=session.full_name, token=token, report=report)
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []
    assert export_count(sql) == before


def test_a_cancelled_export_keeps_the_earlier_file(session_of, visits, tmp_path):
    session = session_of("hz01.manager")
    path = tmp_path / "earlier.xlsx"
    path.write_bytes(b"an earlier export")
    token = CancelToken()
    token.cancel()
    with pytest.raises(ExportCancelled):
        with session.engine.begin() as conn:
            export_list(conn, ListQuery(visits), path, user=session.full_name, token=token)
    assert path.read_bytes() == b"an earlier export"
