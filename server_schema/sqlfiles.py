"""Runs the readable SQL files of a migration, with this database's role names filled in."""

from __future__ import annotations

from pathlib import Path

from alembic import context, op

SQL_DIR = Path(__file__).resolve().parent / "sql"


def render(sql: str, owner_role: str, app_role: str) -> str:
    return sql.replace("{{owner}}", quote_ident(owner_role)).replace("{{app}}", quote_ident(app_role))


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def run_sql_files(names: list[str]) -> None:
    attrs = context.config.attributes
    # Executed on the raw DB-API cursor: the files use % and : freely (format(), casts), which
    # SQLAlchemy and psycopg2 parameter parsing would otherwise try to interpret.
    cursor = op.get_bind().connection.dbapi_connection.cursor()
    for name in names:
        cursor.execute(render((SQL_DIR / name).read_text(encoding="utf-8"), attrs["owner_role"], attrs["app_role"]))
