"""A master-data list exports what it shows, filters named in the title lines."""

from __future__ import annotations

import openpyxl

from .helpers import shown_rows


def test_channel_list_filtered_by_kind_and_region_exports_what_it_shows(
        qtbot, open_screen, sql, admin_call, tmp_path, tag):
    first, second = f"导出测试中介甲{tag}", f"导出测试中介乙{tag}"
    admin_call("save_channel", {"name": first, "kind": "agent", "contact_person": "甲", "phone": "13511112222"})
    admin_call("save_channel", {"name": second, "kind": "agent", "active": False})
    ctx, screen = open_screen("masterdata.channel")
    window = screen.list
    window.set_filter("kind", "agent")
    window.set_filter("region", 0)                       # 全公司: channels without a region
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=15000)
    expected = sql("SELECT name FROM yiwei.channel WHERE kind = 'agent' AND region_id IS NULL ORDER BY name")
    assert [r["name"] for r in shown_rows(window)] == [name for (name,) in expected]

    path = tmp_path / "channels.xlsx"
    with qtbot.waitSignal(window.export_finished, timeout=20000) as finished:
        window.export_to(path)
    assert finished.args[0].row_count == len(expected)
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A1"].value == "渠道信息"
    assert sheet["A2"].value == "筛选：渠道类型=房产中介；所属大区=全公司"
    header = [c.value for c in sheet[4]]
    assert header[:5] == ["渠道名称", "渠道类型", "联系人", "联系电话", "所属大区"]
    rows = [dict(zip(header, row)) for row in sheet.iter_rows(min_row=5, max_row=4 + len(expected), values_only=True)]
    assert [r["渠道名称"] for r in rows] == [name for (name,) in expected]
    mine = {r["渠道名称"]: r for r in rows}
    assert (mine[first]["联系电话"], mine[first]["状态"]) == ("13511112222", "启用")
    assert mine[second]["状态"] == "停用" and mine[second]["所属大区"] == "全公司"
