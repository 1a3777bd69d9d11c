"""`yiwei db upgrade|seed-demo|accounts|create-admin` — schema and data administration."""

from __future__ import annotations

import getpass
import json
import os
import sys

from client.db.connection import connect_raw, engine_for
from client.db.errors import UserFacingError
from client.db.passwords import WeakPasswordError, check_strength, scram_verifier
from client.demo.company import DEMO_PASSWORD
from client.demo.seed import seed_demo
from server_schema.migrate import SchemaError, upgrade

from .common import DEMO_DATABASE, add_installer_options, embedded, installer_params
from .registry import command


def ensure_embedded_database(args) -> None:
    """The embedded server starts empty; its company database is created on first use."""
    if args.dsn:
        return
    info = embedded(args).start()
    conn = connect_raw(info.superuser_params("postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DEMO_DATABASE,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{DEMO_DATABASE}" ENCODING \'UTF8\' TEMPLATE template0')
    conn.close()


def run_upgrade(args) -> int:
    ensure_embedded_database(args)
    engine = engine_for(installer_params(args), pool_size=1)
    try:
        ns, before, after = upgrade(engine, getattr(args, "namespace", None))
    except SchemaError as exc:
        raise UserFacingError(str(exc)) from exc
    finally:
        engine.dispose()
    if before == after:
        print(f"数据库结构已是最新版本 {after}（命名空间 {ns.name}）")
    else:
        print(f"数据库结构已升级：{before or '空'} → {after}（命名空间 {ns.name}）")
    return 0


def _installer_conn(args):
    ensure_embedded_database(args)
    return connect_raw(installer_params(args))


def run_seed(args) -> int:
    conn = _installer_conn(args)
    try:
        report = seed_demo(conn, scale=args.scale)
    except ValueError as exc:
        raise UserFacingError(str(exc)) from exc
    finally:
        conn.close()
    if report["organisation"]:
        print(f"演示公司已创建，演示账号密码均为 {DEMO_PASSWORD}（yiwei db accounts 查看全部账号）")
    else:
        print("演示公司已存在，未重复创建组织和员工")
    for name, rows in report.items():
        if name != "organisation":
            print(f"  {name}: 新增 {rows} 条")
    return 0


ACCOUNTS_SQL = """
SELECT e.login, p.name, p.scope,
       ARRAY(SELECT s.code FROM yiwei.store s WHERE s.id = ANY (yiwei.store_ids_for_employee(e.id)) ORDER BY s.code),
       e.full_name
  FROM yiwei.employee e JOIN yiwei.position p ON p.id = e.position_id
 WHERE e.active ORDER BY p.scope DESC, e.login"""


def accounts(conn) -> list[dict]:
    with conn.cursor() as cur:
        cur.execute(ACCOUNTS_SQL)
        return [{"login": login, "password": DEMO_PASSWORD, "position": position, "scope": scope,
                 "stores": list(stores), "name": name} for login, position, scope, stores, name in cur.fetchall()]


def run_accounts(args) -> int:
    conn = _installer_conn(args)
    try:
        rows = accounts(conn)
    finally:
        conn.close()
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for r in rows:
            print(f"{r['login']:<16} {r['password']:<10} {r['position']:<6} {r['scope']:<8} {','.join(r['stores'])}")
    return 0


def run_create_admin(args) -> int:
    password = os.environ.get("YIWEI_ADMIN_PASSWORD")
    if not password:
        if not sys.stdin or not sys.stdin.isatty():
            raise UserFacingError("请在终端中运行以输入新管理员的密码，或设置 YIWEI_ADMIN_PASSWORD")
        password = getpass.getpass("新管理员密码：")
        if getpass.getpass("再输入一次：") != password:
            raise UserFacingError("两次输入的密码不一致")
    try:
        check_strength(password)
    except WeakPasswordError as exc:
        raise UserFacingError(str(exc)) from exc
    conn = _installer_conn(args)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT id FROM yiwei.position WHERE code = 'admin'")
            row = cur.fetchone()
            if row is None:
                cur.execute("SELECT yiwei.create_position('admin', '系统管理员', 'company', '用户、岗位与参数',"
                            " ARRAY(SELECT code FROM yiwei.permission WHERE module IN ('system', 'masterdata')))")
                row = cur.fetchone()
            cur.execute("SELECT yiwei.create_employee(%s, %s, %s, NULL, NULL, NULL, '', %s)",
                        (args.login, args.name, row[0], scram_verifier(password)))
        conn.commit()
    except Exception as exc:
        conn.rollback()
        from client.db.errors import translate

        raise translate(exc) from exc
    finally:
        conn.close()
    print(f"已创建系统管理员 {args.login}")
    return 0


@command
def register(sub) -> None:
    db = sub.add_parser("db", help="数据库结构与数据").add_subparsers(dest="db_command", metavar="ACTION")
    p = db.add_parser("upgrade", help="创建或升级数据库结构（由数据库所有者/安装者执行）")
    add_installer_options(p)
    p.add_argument("--namespace", help="角色命名空间（默认取数据库名）")
    p.set_defaults(handler=run_upgrade)
    p = db.add_parser("seed-demo", help="创建演示公司及业务数据")
    add_installer_options(p)
    p.add_argument("--scale", type=int, default=1, help="业务数据倍数（基准测试用）")
    p.set_defaults(handler=run_seed)
    p = db.add_parser("accounts", help="列出演示账号")
    add_installer_options(p)
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(handler=run_accounts)
    p = db.add_parser("create-admin", help="创建第一个系统管理员")
    add_installer_options(p)
    p.add_argument("--login", required=True, help="登录名，例如 admin")
    p.add_argument("--name", required=True, help="姓名")
    p.set_defaults(handler=run_create_admin)
