"""`yiwei` — the command line: server, database, demo, client, and headless export/print."""

from __future__ import annotations

import argparse
import importlib
import sys

import psycopg2
from sqlalchemy import exc as sa_exc

from client import __version__
from client.db.errors import UserFacingError, translate

from .registry import COMMANDS

# Each module registers its sub-commands with client.cli.registry.command.
COMMAND_MODULES = ["client.cli.server_cmd", "client.cli.db_cmd", "client.cli.app_cmd", "client.cli.bench_cmd",
                   "client.cli.print_cmd", "client.cli.export_cmd"]

# The bundle's administrator path: `yiwei --upgrade-schema --dsn … [--user …]` is `yiwei db upgrade`
# (it needs the installer's credentials; an employee login cannot change the schema).
UPGRADE_FLAG = "--upgrade-schema"


def build_parser() -> argparse.ArgumentParser:
    for name in COMMAND_MODULES:
        importlib.import_module(name)
    parser = argparse.ArgumentParser(prog="yiwei", description="易维 家居建材经销商管理系统")
    parser.add_argument("--version", action="version", version=f"yiwei {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="自检：在临时目录启动内置数据库，打开全部界面（无窗口），导出与打印，然后退出")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in COMMANDS:
        register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if UPGRADE_FLAG in argv:
        argv.remove(UPGRADE_FLAG)
        argv = ["db", "upgrade", *argv]
    parser = build_parser()
    parser.epilog = f"{UPGRADE_FLAG} --dsn DSN：管理员升级公司数据库结构（同 yiwei db upgrade）"
    args = parser.parse_args(argv)
    if args.self_test:
        from client.selftest import run_self_test

        return run_self_test()
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except UserFacingError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return 1
    except (psycopg2.Error, sa_exc.DBAPIError) as exc:  # e.g. an employee login trying to upgrade
        print(f"错误：{translate(exc).message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已取消", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
