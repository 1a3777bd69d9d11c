"""`yiwei export`: the same file as the window, the list of lists, and clear errors."""

from __future__ import annotations

import openpyxl
import pytest
from PySide6.QtCore import Qt

from client.cli.main import main
from client.demo.company import DEMO_PASSWORD
from client.ui.list_view import ListWindow

COLUMNS = ["community", "party_size", "visited_at", "store", "intent"]


@pytest.fixture
def dsn(db, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", DEMO_PASSWORD)
    profile = db.profile
    return f"host={profile.host} port={profile.port} dbname={profile.dbname} sslmode=disable"


def cell_values(path):
    sheet = openpyxl.load_workbook(path).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    formats = [[cell.number_format for cell in row] for row in sheet.iter_rows()]
    # Row 3 names the export time, which differs between two runs.
    return rows[:2] + rows[3:], formats, sheet.freeze_panes, sheet.auto_filter.ref


def test_cli_export_writes_the_same_file_as_the_window(qtbot, make_ctx, visits, ids, wait_ready, dsn, tmp_path):
    ctx = make_ctx("hd.director")
    window = ListWindow(ctx, visits)
    qtbot.addWidget(window)
    wait_ready(window)
    window.set_filter("store", ids.store("HZ01"))
    window.set_filter("intent", "high")
    window.set_search("花园")
    window.set_visible_columns(COLUMNS)
    window.view.sortByColumn(window.model.column_of("party_size"), Qt.SortOrder.DescendingOrder)
    wait_ready(window)
    from_window = tmp_path / "window.xlsx"
    with qtbot.waitSignal(window.export_finished, timeout=20000):
        window.export_to(from_window)

    from_cli = tmp_path / "cli.xlsx"
    code = main(["export", "visits", "--dsn", dsn, "--user", "hd.director", "--out", str(from_cli),
                 "--filter", "store=HZ01", "--filter", "intent=high", "--filter", "q=花园",
                 "--sort", "party_size:desc", "--columns", ",".join(COLUMNS)])
    assert code == 0
    window_file, cli_file = cell_values(from_window), cell_values(from_cli)
    assert window_file == cli_file
    rows = window_file[0]
    assert rows[1] == ["筛选：门店=杭州城西展厅；意向=高；快速搜索=花园", None, None, None, None]
    assert len(rows) > 4


def test_cli_prints_what_it_exported(dsn, tmp_path, capsys):
    out = tmp_path / "员工.xlsx"
    code = main(["export", "employees", "--dsn", dsn, "--user", "admin", "--out", str(out),
                 "--filter", "active=在职", "--columns", "login,姓名,岗位"])
    assert code == 0
    assert capsys.readouterr().out.startswith("已导出 ")
    sheet = openpyxl.load_workbook(out).active
    assert [c.value for c in sheet[4]] == ["登录名", "姓名", "岗位"]
    assert sheet["A2"].value == "筛选：状态=在职"


def test_export_list_names_every_list_with_its_filter_keys(capsys):
    assert main(["export", "--list"]) == 0
    out = capsys.readouterr().out
    assert "visits  客户流量" in out and "employees  员工信息" in out
    for key, kind in [("visited", "日期范围"), ("store", "门店"), ("guide", "员工"), ("intent", "选项"),
                      ("source", "文本"), ("active", "是/否"), ("position", "选项")]:
        assert any(line.split()[:1] == [key] and f"［{kind}］" in line for line in out.splitlines()), key
    assert "high（高）" in out


@pytest.mark.parametrize(("arguments", "message"), [
    (["--filter", "intent=urgent"], "“意向”的值“urgent”无效"),
    (["--filter", "visited=2026-13-01"], "不是有效的日期范围"),
    (["--filter", "weather=sunny"], "没有筛选条件“weather”"),
    (["--filter", "store=GZ01"], "找不到门店“GZ01”，或您无权查看该门店"),
    (["--sort", "mood"], "没有列“mood”"),
    (["--columns", "visited_at,mood"], "没有列“mood”"),
])
def test_a_bad_filter_is_a_clear_error_and_exit_code_1(dsn, tmp_path, capsys, arguments, message):
    out = tmp_path / "bad.xlsx"
    code = main(["export", "visits", "--dsn", dsn, "--user", "hd.director", "--out", str(out), *arguments])
    assert code == 1
    error = capsys.readouterr().err
    assert error.startswith("错误：") and message in error
    assert "Traceback" not in error
    assert not out.exists()


def test_export_without_the_lists_permission_is_refused(dsn, tmp_path, capsys):
    out = tmp_path / "visits.xlsx"
    code = main(["export", "visits", "--dsn", dsn, "--user", "hz01.warehouse", "--out", str(out)])
    assert code == 1
    assert "没有权限查看或导出“客户流量”" in capsys.readouterr().err
    assert not out.exists()


def test_unknown_list_and_missing_arguments(dsn, tmp_path, capsys):
    assert main(["export", "no_such_list", "--dsn", dsn, "--user", "admin", "--out", str(tmp_path / "c.xlsx")]) == 1
    assert "没有名为“no_such_list”的列表" in capsys.readouterr().err
    assert main(["export", "visits", "--dsn", dsn, "--out", str(tmp_path / "v.xlsx")]) == 1
    assert "--user" in capsys.readouterr().err
    assert main(["export", "visits", "--dsn", dsn, "--user", "admin", "--out", str(tmp_path / "v.csv")]) == 1
    assert ".xlsx" in capsys.readouterr().err
