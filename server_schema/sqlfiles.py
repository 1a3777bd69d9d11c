"""Runs the readable SQL files of a migration, with this database's role names filled in."""

from __future__ import annotations

from pathlib import Path

from alembic import context, op

SQL_DIR = Path(__file__).resolve().parent / "sql"


def render(sql: str, roles: dict[str, str]) -> str:
    """Fill in {{owner}}, {{app}} and the scope groups {{company}}, {{stores}}, {{store}}, {{own}}."""
    for placeholder, role in roles.items():
        sql = sql.replace("{{" + placeholder + "}}", quote_ident(role))
    return sql


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def run_sql_files(names: list[str]) -> None:
    attrs = context.config.attributes
    # Executed on the raw DB-API cursor: the files use % and : freely (format(), casts), which
    # SQLAlchemy and psycopg2 parameter parsing would otherwise try to interpret.
    cursor = op.get_bind().connection.dbapi_connection.cursor()
    roles = {"owner": attrs["owner_role"], "app": attrs["app_role"], **attrs["scope_groups"]}
    for name in names:
        cursor.execute(render((SQL_DIR / name).read_text(encoding="utf-8"), roles))
