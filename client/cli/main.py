"""`yiwei` — the command line: server, database, demo, client, and headless export/print."""

from __future__ import annotations

import argparse
import importlib
import sys

from client import __version__
from client.db.errors import UserFacingError

from .registry import COMMANDS

# Each module registers its sub-commands with client.cli.registry.command.
COMMAND_MODULES = ["client.cli.server_cmd", "client.cli.db_cmd", "client.cli.app_cmd", "client.cli.bench_cmd", "client.cli.print_cmd",
                   "client.cli.export_cmd"]


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
    parser = build_parser()
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
    except KeyboardInterrupt:
        print("已取消", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
