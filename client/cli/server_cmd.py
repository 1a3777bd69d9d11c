"""`yiwei server start|stop|status` — the embedded PostgreSQL server."""

from __future__ import annotations

from client.embedded.server import EmbeddedServer, EmbeddedServerError
from client.db.errors import UserFacingError

from .registry import command


def _run(args) -> int:
    server = EmbeddedServer(args.data)
    try:
        if args.action == "start":
            info = server.start()
            print(f"内置数据库已运行：数据目录 {info.data_dir}")
            print(f"员工连接串（密码登录）：{info.employee_dsn()}")
            print(f"管理员连接（仅本机当前系统用户）：{info.superuser_dsn('yiwei')}")
        elif args.action == "stop":
            print("内置数据库已停止" if server.stop() else "内置数据库未在运行")
        else:
            info = server.info()
            if info.running:
                print(f"运行中：{info.employee_dsn()}（数据目录 {info.data_dir}）")
            else:
                print(f"未运行（数据目录 {info.data_dir}）")
                return 3
    except EmbeddedServerError as exc:
        raise UserFacingError(str(exc)) from exc
    return 0


@command
def register(sub) -> None:
    p = sub.add_parser("server", help="启动、停止或查看本机内置数据库")
    p.add_argument("action", choices=["start", "stop", "status"])
    p.add_argument("--data", help="数据目录（默认在用户数据目录下）")
    p.set_defaults(handler=_run)
