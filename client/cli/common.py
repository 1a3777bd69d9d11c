"""Connection options shared by the sub-commands (libpq-style: --dsn, --user, PGPASSWORD/prompt)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

import psycopg2

from client.db.connection import ServerProfile, Session, connect_raw, dsn_params, login
from client.db.errors import UserFacingError
from client.embedded.server import EmbeddedServer

DEMO_DATABASE = "yiwei"


def add_installer_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dsn", help="数据库连接串（libpq URI 或 key=value）；省略时使用本机内置数据库")
    parser.add_argument("--user", help="数据库用户（覆盖连接串中的用户）")
    parser.add_argument("--data", help="内置数据库的数据目录（省略 --dsn 时）")


def add_employee_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dsn", help="数据库连接串；省略时使用本机内置数据库")
    parser.add_argument("--user", required=True, help="员工登录名，例如 hz01.finance")
    parser.add_argument("--data", help="内置数据库的数据目录（省略 --dsn 时）")


def _password(prompt: str) -> str:
    password = os.environ.get("PGPASSWORD")
    if password:
        return password
    if not sys.stdin or not sys.stdin.isatty():
        raise UserFacingError("需要密码：请设置环境变量 PGPASSWORD 或在终端中运行以输入密码", kind="login")
    return getpass.getpass(prompt)


def embedded(args) -> EmbeddedServer:
    return EmbeddedServer(getattr(args, "data", None))


def installer_connection(args, dbname: str | None = None) -> psycopg2.extensions.connection:
    """A connection for schema work: the given DSN, or the embedded server's superuser."""
    if not args.dsn:
        info = embedded(args).start()
        return connect_raw(info.superuser_params(dbname or DEMO_DATABASE))
    params = dsn_params(args.dsn)
    if args.user:
        params["user"] = args.user
    if dbname:
        params["dbname"] = dbname
    try:
        return psycopg2.connect(**params)
    except psycopg2.OperationalError as exc:
        if "no password supplied" not in str(exc):
            return connect_raw(params)  # raises a translated message
        params["password"] = _password(f"{params.get('user', '数据库用户')} 的密码：")
        return connect_raw(params)


def installer_params(args) -> dict:
    conn = installer_connection(args)
    params = conn.get_dsn_parameters()
    if not args.dsn:
        conn.close()
        return params
    password = conn.info.password
    conn.close()
    if password:
        params["password"] = password
    return params


def employee_profile(args) -> ServerProfile:
    if args.dsn:
        return ServerProfile.from_dsn(args.dsn)
    info = embedded(args).start()
    return ServerProfile(host=info.host, port=info.port, dbname=DEMO_DATABASE)


def employee_session(args) -> Session:
    profile = employee_profile(args)
    return login(profile, args.user, _password(f"{args.user} 的密码："))
