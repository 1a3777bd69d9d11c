"""`yiwei print` headless, as a real employee login: PDF written and logged, batches, --list, and
clear messages (exit 1) for unknown document types and numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from client.cli.main import main
from client.demo.company import DEMO_PASSWORD

from .conftest import assert_fonts_embedded, pdf_pages, pdf_text


@pytest.fixture
def dsn(db, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", DEMO_PASSWORD)
    p = db.profile
    return f"host={p.host} port={p.port} dbname={p.dbname} sslmode=disable"


def test_print_a_store_roster_to_a_pdf(dsn, tmp_path, capsys, print_log, employees):
    out = tmp_path / "x.pdf"
    before = len(print_log("roster", "ROSTER-HZ01"))

    assert main(["print", "roster", "HZ01", "--dsn", dsn, "--user", "hz01.manager", "--out", str(out)]) == 0

    pdf = out.read_bytes()
    text = pdf_text(pdf)
    assert "ROSTER-HZ01" in text and "员工花名册" in text
    flat = text.replace("\n", "")  # a long name wraps inside its cell
    for person in employees("HZ01"):
        assert person["full_name"] in flat and person["phone"] in flat
    assert_fonts_embedded(pdf)
    log = print_log("roster", "ROSTER-HZ01")
    assert len(log) == before + 1 and log[-1][1] == "hz01.manager"
    assert "ROSTER-HZ01" in capsys.readouterr().out


def test_several_numbers_make_one_pdf(dsn, tmp_path):
    out = tmp_path / "batch.pdf"

    assert main(["print", "positions", "guide", "designer", "--dsn", dsn, "--user", "admin", "--out", str(out)]) == 0

    pages = pdf_pages(out.read_bytes())
    assert len(pages) == 2
    assert "POS-GUIDE" in pages[0] and "导购（guide）" in pages[0]
    assert "POS-DESIGNER" in pages[1] and "设计师（designer）" in pages[1]


def test_list_names_every_document_type_and_its_numbers(capsys):
    assert main(["print", "--list"]) == 0

    out = capsys.readouterr().out
    assert "roster" in out and "员工花名册" in out and "门店编码" in out
    assert "positions" in out and "岗位权限表" in out and "岗位编码" in out


def test_list_with_a_login_shows_what_it_may_print(dsn, capsys):
    assert main(["print", "--list", "--dsn", dsn, "--user", "hz01.manager"]) == 0
    assert "可打印：ALL HZ01\n" in capsys.readouterr().out

    assert main(["print", "--list", "--dsn", dsn, "--user", "hz01.guide1"]) == 0
    assert "（无权限）" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["print", "invoice", "X1"], "没有这种单据类型：invoice"),
    (["print", "roster", "ZZ99"], "没有门店 ZZ99"),
    (["print", "positions", "nobody_here"], "没有岗位 nobody_here"),
    (["print", "roster", "GZ01"], "不在您的数据范围内"),
    (["print", "roster"], "请指定要打印的编号"),
    (["print"], "请指定单据类型"),
])
def test_unknown_doctype_or_number_exits_1_with_a_message(dsn, tmp_path, capsys, args, message):
    out = tmp_path / "never.pdf"

    assert main([*args, "--dsn", dsn, "--user", "hz01.manager", "--out", str(out)]) == 1

    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not Path(out).exists()


def test_employee_without_permission_exits_1(dsn, tmp_path, capsys):
    out = tmp_path / "never.pdf"

    assert main(["print", "roster", "HZ01", "--dsn", dsn, "--user", "hz01.guide1", "--out", str(out)]) == 1

    assert "没有权限打印“员工花名册”" in capsys.readouterr().err
    assert not out.exists()


def test_missing_out_is_a_message(dsn, capsys):
    assert main(["print", "roster", "HZ01", "--dsn", dsn, "--user", "hz01.manager"]) == 1
    assert "--out" in capsys.readouterr().err
