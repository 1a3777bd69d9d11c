"""Create or upgrade a Yiwei database: the roles of its namespace, then the Alembic migrations.

Run by the installer: a superuser, or a role with CREATEROLE that may create schemas in the
database. Idempotent — running it on an up-to-date database changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from client.resources import schema_path

MIN_SERVER_VERSION = 150000

# Every employee login is a member of exactly one scope group (all of them members of the app
# role, which holds the grants). Policies target the groups, so each login's queries carry only
# the filter its scope needs and the planner can see it: company — no store filter; store — one
# store by equality (index order preserved); stores — several stores (region, or extra stores);
# own — the employee's own rows.
SCOPE_GROUPS = ("company", "stores", "store", "own")


class SchemaError(RuntimeError):
    """An installation problem explained for the administrator."""


@dataclass(frozen=True)
class Namespace:
    """Login roles are global to a server; a database's roles share its namespace suffix/prefix."""

    name: str

    @property
    def owner_role(self) -> str:
        return f"{self.name}_owner"

    @property
    def app_role(self) -> str:
        return f"{self.name}_app"

    def scope_group(self, group: str) -> str:
        """Group role of employees whose rows are filtered alike (see SCOPE_GROUPS)."""
        return f"{self.name}_{group}"

    def employee_role(self, login: str) -> str:
        return f"{login}@{self.name}"


def namespace_for_database(dbname: str) -> str:
    """The default namespace of a database: its name, folded to what a role name may carry."""
    ns = re.sub(r"[^a-z0-9_]", "_", dbname.lower())
    if not ns or not ns[0].isalpha():
        ns = "y" + ns
    return ns[:20]


def alembic_config(connection=None, namespace: Namespace | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(schema_path()))
    if connection is not None:
        cfg.attributes["connection"] = connection
    if namespace is not None:
        cfg.attributes.update(namespace=namespace.name, owner_role=namespace.owner_role, app_role=namespace.app_role,
                              scope_groups={g: namespace.scope_group(g) for g in SCOPE_GROUPS})
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revisions() -> list[str]:
    return [rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _existing_namespace(cur) -> str | None:
    cur.execute("SELECT to_regclass('yiwei.instance') IS NOT NULL")
    if not cur.fetchone()[0]:
        return None
    cur.execute("SELECT namespace FROM yiwei.instance")
    row = cur.fetchone()
    return row[0] if row else None


def bootstrap_roles(cur, ns: Namespace) -> None:
    """Owner (NOLOGIN, owns every object, may create employee roles) and the app group role."""
    cur.execute("SELECT current_database(), current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
    dbname, installer, is_super = cur.fetchone()
    groups = [ns.scope_group(g) for g in SCOPE_GROUPS]
    for role, options in ((ns.owner_role, "NOLOGIN CREATEROLE"), (ns.app_role, "NOLOGIN"),
                          *((g, "NOLOGIN") for g in groups)):
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        if cur.fetchone() is None:
            cur.execute(f"CREATE ROLE {_quote(role)} {options}")
    # The owner moves each employee login into its scope group.
    for group in groups:
        cur.execute(f"GRANT {_quote(ns.app_role)} TO {_quote(group)}")
        cur.execute(f"GRANT {_quote(group)} TO {_quote(ns.owner_role)} WITH ADMIN OPTION")
    if not is_super:
        cur.execute(f"GRANT {_quote(ns.owner_role)} TO {_quote(installer)}")
    db = _quote(dbname)
    cur.execute(f"GRANT CONNECT, CREATE ON DATABASE {db} TO {_quote(ns.owner_role)}")
    # Only this company's employees may connect, and nobody gets temporary objects to play with.
    cur.execute(f"REVOKE CONNECT, TEMPORARY ON DATABASE {db} FROM PUBLIC")
    cur.execute(f"GRANT CONNECT ON DATABASE {db} TO {_quote(ns.app_role)}")
    cur.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    cur.execute(f"CREATE SCHEMA IF NOT EXISTS yiwei AUTHORIZATION {_quote(ns.owner_role)}")


def upgrade(engine, namespace: str | None = None) -> tuple[Namespace, str | None, str]:
    """Bring the database to the head revision. Returns (namespace, revision before, revision after)."""
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        cur = raw.cursor()
        cur.execute("SHOW server_version_num")
        if int(cur.fetchone()[0]) < MIN_SERVER_VERSION:
            raise SchemaError("易维需要 PostgreSQL 15 或更新版本")
        existing = _existing_namespace(cur)
        if existing and namespace and existing != namespace:
            raise SchemaError(f"该数据库已使用命名空间“{existing}”，不能改为“{namespace}”")
        ns = Namespace(existing or namespace or namespace_for_database(conn.engine.url.database or raw.info.dbname))
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,19}", ns.name):
            raise SchemaError("命名空间须为 1–20 位小写字母、数字或下划线，并以字母开头")
        before = _current_revision(cur)
        if before and before not in known_revisions():
            raise SchemaError(f"数据库结构版本 {before} 比本程序更新，请先升级易维")
        bootstrap_roles(cur, ns)
        raw.commit()
        cur.execute(f"SET ROLE {_quote(ns.owner_role)}")
        command.upgrade(alembic_config(conn, ns), "head")
        cur.execute("RESET ROLE")
        raw.commit()
        after = _current_revision(cur)
    return ns, before, after


def _current_revision(cur) -> str | None:
    cur.execute("SELECT to_regclass('yiwei.alembic_version') IS NOT NULL")
    if not cur.fetchone()[0]:
        return None
    cur.execute("SELECT string_agg(version_num, ',') FROM yiwei.alembic_version")
    return cur.fetchone()[0]
