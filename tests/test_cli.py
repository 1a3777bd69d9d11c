"""The `yiwei` command line against a real server: upgrade, seed, accounts, create-admin, errors."""

from __future__ import annotations

import json

import pytest

from client.cli.main import main


def admin_dsn(pg_server, dbname):
    p = pg_server.admin_params
    return " ".join(f"{k}={v}" for k, v in {**p, "dbname": dbname}.items() if k != "password")


def test_upgrade_seed_accounts_on_a_fresh_database(pg_server, fresh_db_name, capsys, monkeypatch):
    if "password" in pg_server.admin_params:
        monkeypatch.setenv("PGPASSWORD", pg_server.admin_params["password"])
    dsn = admin_dsn(pg_server, fresh_db_name)
    assert main(["db", "upgrade", "--dsn", dsn]) == 0
    assert "已升级" in capsys.readouterr().out
    assert main(["db", "upgrade", "--dsn", dsn]) == 0
    assert "已是最新版本" in capsys.readouterr().out
    assert main(["db", "seed-demo", "--dsn", dsn]) == 0
    assert "演示公司已创建" in capsys.readouterr().out
    assert main(["db", "seed-demo", "--dsn", dsn]) == 0
    assert "已存在" in capsys.readouterr().out
    assert main(["db", "accounts", "--dsn", dsn, "--json"]) == 0
    accounts = json.loads(capsys.readouterr().out)
    by_login = {a["login"]: a for a in accounts}
    assert {a["scope"] for a in accounts} == {"own", "store", "region", "company"}
    assert by_login["hz01.guide1"]["stores"] == ["HZ01"]
    assert by_login["hd.director"]["stores"] == ["HZ01", "HZ02", "NJ01", "SH01"]
    assert len(by_login["hq.boss"]["stores"]) >= 9
    assert {a["position"] for a in accounts} >= {"导购", "设计师", "店长", "大区总监", "渠道审核", "门店财务", "库管",
                                                 "售后派单", "客服", "总部管理", "系统管理员"}
    for needed in ("login", "password", "position", "scope", "stores"):
        assert all(needed in a for a in accounts)


def test_create_admin_then_login(pg_server, fresh_db_name, capsys, monkeypatch):
    from client.db.connection import ServerProfile, login

    dsn = admin_dsn(pg_server, fresh_db_name)
    assert main(["db", "upgrade", "--dsn", dsn]) == 0
    monkeypatch.setenv("YIWEI_ADMIN_PASSWORD", "short")
    assert main(["db", "create-admin", "--dsn", dsn, "--login", "boss", "--name", "王总"]) == 1
    assert "密码至少" in capsys.readouterr().err
    monkeypatch.setenv("YIWEI_ADMIN_PASSWORD", "Admin2026x")
    assert main(["db", "create-admin", "--dsn", dsn, "--login", "boss", "--name", "王总"]) == 0
    assert main(["db", "create-admin", "--dsn", dsn, "--login", "boss", "--name", "王总"]) == 1
    assert "已存在" in capsys.readouterr().err
    session = login(ServerProfile(host=pg_server.host, port=pg_server.port, dbname=fresh_db_name, sslmode="disable"),
                    "boss", "Admin2026x")
    assert session.can("system.employee.manage")
    session.engine.dispose()


def test_unreachable_server_is_a_sentence_not_a_traceback(capsys):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert main(["db", "upgrade", "--dsn", f"host=127.0.0.1 port={port} dbname=x user=y password=z connect_timeout=2"]) == 1
    err = capsys.readouterr().err
    assert "无法连接数据库服务器" in err and "Traceback" not in err


def test_bad_dsn_and_bad_scale(capsys, pg_server, fresh_db_name):
    assert main(["db", "upgrade", "--dsn", "this is not a dsn"]) == 1
    assert "连接串格式不正确" in capsys.readouterr().err
    dsn = admin_dsn(pg_server, fresh_db_name)
    assert main(["db", "upgrade", "--dsn", dsn]) == 0
    assert main(["db", "seed-demo", "--dsn", dsn, "--scale", "0"]) == 1
    assert "--scale" in capsys.readouterr().err


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert "yiwei" in capsys.readouterr().out


def test_scale_multiplies_the_business_data(pg_server, fresh_db_name, capsys):
    from client.demo.company import STORES
    from client.demo.visits import VISITS_PER_STORE

    dsn = admin_dsn(pg_server, fresh_db_name)
    assert main(["db", "upgrade", "--dsn", dsn]) == 0
    assert main(["db", "seed-demo", "--dsn", dsn, "--scale", "3"]) == 0
    assert f"visits: 新增 {3 * VISITS_PER_STORE * len(STORES)} 条" in capsys.readouterr().out


def test_upgrade_schema_flag_is_the_administrators_db_upgrade(pg_server, fresh_db_name, capsys):
    dsn = admin_dsn(pg_server, fresh_db_name)
    assert main(["--upgrade-schema", "--dsn", dsn]) == 0
    assert "已升级" in capsys.readouterr().out
    assert main(["--upgrade-schema", "--dsn", dsn]) == 0
    assert "已是最新版本" in capsys.readouterr().out


def test_an_employee_login_cannot_upgrade_the_schema(db, pg_server, capsys, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "Yiwei2026")
    dsn = (f"host={pg_server.host} port={pg_server.port} dbname={db.dbname} sslmode=disable"
           f" user={db.profile.role_for('admin')}")
    assert main(["--upgrade-schema", "--dsn", dsn]) == 1
    err = capsys.readouterr().err
    assert "没有权限" in err and "Traceback" not in err
