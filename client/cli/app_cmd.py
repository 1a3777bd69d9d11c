"""`yiwei demo` and `yiwei client` — the desktop client, against the embedded demo server or a
company server."""

from __future__ import annotations

import argparse

from client.db.errors import UserFacingError
from client.embedded.server import EmbeddedServerError

from .common import DEMO_DATABASE
from .registry import command

# Shown after `yiwei demo` prepared the server: one account of each kind worth trying first.
DEMO_ACCOUNTS_HINT = [
    ("hz01.finance", "门店财务（杭州城西展厅）"),
    ("hz01.warehouse", "库管（杭州城西展厅）"),
    ("hz01.guide1", "导购（杭州城西展厅）"),
    ("hz01.manager", "店长（杭州城西展厅）"),
    ("hd.director", "大区总监（华东）"),
    ("hq.finance", "总部财务"),
    ("hq.boss", "总部管理"),
    ("admin", "系统管理员"),
]


def launch_client(preselect: str | None) -> int:
    """Open the login window (the given server profile preselected) and run until it closes."""
    from client.ui.app import run_client

    return run_client(preselect)


def prepare_demo(data_dir: str | None) -> str:
    """Start the embedded server, create and upgrade its database, seed the demo company once.
    Returns the key of the embedded server profile."""
    from client.demo.company import DEMO_PASSWORD
    from client.demo.seed import seed_demo
    from client.db.connection import connect_raw
    from client.ui.profiles import ProfileStore, embedded_servers

    from .common import installer_params
    from .db_cmd import ensure_embedded_database, run_upgrade

    args = argparse.Namespace(dsn=None, user=None, data=data_dir, namespace=None)
    print("正在启动内置数据库…", flush=True)
    info = embedded_servers.ensure_running(data_dir)  # remembered, so the client stops it on exit
    try:
        ensure_embedded_database(args)
    except EmbeddedServerError as exc:
        raise UserFacingError(str(exc)) from exc
    run_upgrade(args)
    conn = connect_raw(installer_params(args))
    try:
        report = seed_demo(conn)
    except ValueError as exc:
        raise UserFacingError(str(exc)) from exc
    finally:
        conn.close()
    print("演示公司已创建" if report["organisation"] else "演示公司已就绪（此前已创建）")
    print(f"内置数据库：{info.employee_dsn(DEMO_DATABASE)}（数据目录 {info.data_dir}）")
    print(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
    for login_name, who in DEMO_ACCOUNTS_HINT:
        print(f"  {login_name:<16}{who}")
    print("全部账号：yiwei db accounts" + (f" --data {data_dir}" if data_dir else ""))
    return ProfileStore().ensure_embedded(data_dir).key


def run_demo(args) -> int:
    key = prepare_demo(args.data)
    print("正在打开易维登录窗口…", flush=True)
    return launch_client(key)


def run_client_command(args) -> int:
    from client.ui.profiles import ProfileStore

    store = ProfileStore()
    if args.dsn:
        key = store.profile_for_dsn(args.dsn).key
    elif args.data:
        key = store.ensure_embedded(args.data).key
    else:
        key = None
    return launch_client(key)


@command
def register(sub) -> None:
    p = sub.add_parser("demo", help="启动内置数据库和演示公司，打开易维客户端")
    p.add_argument("--data", help="内置数据库的数据目录（默认在用户数据目录下）")
    p.set_defaults(handler=run_demo)
    p = sub.add_parser("client", help="打开易维客户端（登录窗口）")
    p.add_argument("--dsn", help="公司服务器的连接串，例如 postgresql://db.example.com:5432/yiwei?sslmode=require；"
                                 "登录窗口会预选这个服务器（密码仍在窗口中输入）")
    p.add_argument("--data", help="使用此数据目录的内置数据库（省略 --dsn 时）")
    p.set_defaults(handler=run_client_command)
