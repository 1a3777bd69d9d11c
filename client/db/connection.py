"""Connecting to a Yiwei database as an employee or as the installer.

Credentials are taken the way libpq takes them: a DSN (URI or key=value), an explicit user, and
the password from the caller, PGPASSWORD or ~/.pgpass; nothing here writes a password anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg2
import psycopg2.extensions
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

from server_schema.migrate import head_revision, known_revisions, namespace_for_database

from .errors import UserFacingError, translate

CONNECT_TIMEOUT_S = 8


@dataclass
class ServerProfile:
    """Where a company database lives. ``namespace`` is only needed when it differs from the
    database name (see server_schema.migrate.Namespace)."""

    host: str = "127.0.0.1"
    port: int = 5432
    dbname: str = "yiwei"
    sslmode: str = "prefer"
    namespace: str | None = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_dsn(cls, dsn: str) -> "ServerProfile":
        try:
            params = psycopg2.extensions.parse_dsn(dsn)
        except psycopg2.ProgrammingError as exc:
            raise UserFacingError(f"连接串格式不正确：{dsn}") from exc
        profile = cls(host=params.pop("host", "127.0.0.1"), port=int(params.pop("port", 5432)),
                      dbname=params.pop("dbname", "yiwei"), sslmode=params.pop("sslmode", "prefer"))
        params.pop("user", None)
        params.pop("password", None)
        profile.extra = params
        return profile

    def role_for(self, login: str) -> str:
        """The PostgreSQL role of an employee login; a login typed as name@namespace is taken as is."""
        if "@" in login:
            return login
        return f"{login.strip().lower()}@{self.namespace or namespace_for_database(self.dbname)}"

    def params(self) -> dict:
        return {"host": self.host, "port": self.port, "dbname": self.dbname, "sslmode": self.sslmode,
                "connect_timeout": CONNECT_TIMEOUT_S, "application_name": "yiwei", **self.extra}


def dsn_params(dsn: str) -> dict:
    try:
        return psycopg2.extensions.parse_dsn(dsn)
    except psycopg2.ProgrammingError as exc:
        raise UserFacingError(f"连接串格式不正确：{dsn}") from exc


def connect_raw(params: dict) -> psycopg2.extensions.connection:
    try:
        return psycopg2.connect(**{"connect_timeout": CONNECT_TIMEOUT_S, **params})
    except psycopg2.Error as exc:
        raise translate(exc) from exc


def engine_for(params: dict, *, pool_size: int = 4) -> Engine:
    """An SQLAlchemy engine over psycopg2 with fixed libpq parameters (no URL escaping games with
    role names like ``zhangsan@yiwei``). pre_ping replaces connections the server dropped."""
    params = dict(params)
    return create_engine("postgresql+psycopg2://", creator=lambda: connect_raw(params), poolclass=QueuePool,
                         pool_size=pool_size, max_overflow=2, pool_pre_ping=True)


@dataclass
class Session:
    """A logged-in employee: the engine plus who they are, read from the database itself."""

    engine: Engine
    profile: ServerProfile
    login: str
    employee_id: int
    full_name: str
    position_name: str
    scope: str
    store_name: str | None
    region_name: str | None
    company_name: str
    permissions: frozenset[str]

    def can(self, code: str) -> bool:
        return code in self.permissions


def check_schema(revision: str | None) -> None:
    head = head_revision()
    if revision == head:
        return
    if revision is None:
        raise UserFacingError("该数据库尚未安装易维，请管理员先执行 yiwei --upgrade-schema", kind="schema")
    if revision in known_revisions():
        raise UserFacingError(f"数据库结构版本（{revision}）比本程序旧（{head}），请管理员执行 yiwei --upgrade-schema 升级数据库",
                              kind="schema")
    raise UserFacingError(f"数据库结构版本（{revision}）比本程序新，请升级易维客户端", kind="schema")


def login(profile: ServerProfile, login_name: str, password: str) -> Session:
    """Open an employee session; every failure comes back as a UserFacingError."""
    if not login_name.strip():
        raise UserFacingError("请输入登录名", kind="login")
    if not password:
        raise UserFacingError("请输入密码", kind="login")
    params = {**profile.params(), "user": profile.role_for(login_name), "password": password}
    probe = connect_raw(params)  # fails fast with a clear message before an engine exists
    try:
        cur = probe.cursor()
        cur.execute("SELECT to_regprocedure('yiwei.schema_revision()') IS NOT NULL")
        revision = None
        if cur.fetchone()[0]:
            cur.execute("SELECT yiwei.schema_revision()")
            revision = cur.fetchone()[0]
        check_schema(revision)
        # Every time the client reads (a review's moment, a drawing's upload, a lead's report)
        # comes back in company time, whatever zone the server or this PC runs in.
        cur.execute("SELECT yiwei.company_timezone()")
        params["options"] = "-c TimeZone=" + cur.fetchone()[0].replace(" ", r"\ ")
    except psycopg2.Error as exc:
        raise translate(exc) from exc
    finally:
        probe.close()
    engine = engine_for(params)
    try:
        with engine.connect() as conn:
            me = conn.execute(text(
                "SELECT e.id, e.full_name, p.name, p.scope, s.name, r.name, i.company_name"
                "  FROM yiwei.employee e JOIN yiwei.position p ON p.id = e.position_id"
                "  LEFT JOIN yiwei.store s ON s.id = e.store_id LEFT JOIN yiwei.region r ON r.id = e.region_id"
                "  CROSS JOIN yiwei.instance i WHERE e.id = yiwei.current_employee_id()")).first()
            if me is None:
                raise UserFacingError("该登录没有对应的有效员工，请联系系统管理员", kind="login")
            perms = frozenset(conn.execute(text("SELECT yiwei.my_permissions()")).scalars())
    except Exception as exc:
        engine.dispose()
        raise translate(exc) from exc
    return Session(engine, profile, login_name, me[0], me[1], me[2], me[3], me[4], me[5], me[6], perms)
