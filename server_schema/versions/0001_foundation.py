"""Foundation: organisation, positions, employees as login roles, audit, numbering, parameters,
the RLS pattern and the first store-scoped table (showroom traffic).

Revision ID: 0001
Revises:
"""
from alembic import context

from server_schema.sqlfiles import run_sql_files

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_files(["0001_core.sql"])
    attrs = context.config.attributes
    cursor = context.get_bind().connection.dbapi_connection.cursor()
    cursor.execute("INSERT INTO yiwei.instance (namespace, owner_role, app_role) VALUES (%s, %s, %s)",
                   (attrs["namespace"], attrs["owner_role"], attrs["app_role"]))
    run_sql_files(["0002_organisation.sql", "0003_identity.sql", "0004_parameters_numbering.sql",
                   "0005_administration.sql", "0006_visits.sql", "0007_permissions.sql", "0008_security.sql"])


def downgrade() -> None:
    raise NotImplementedError("Yiwei migrations go forward only; restore a backup to go back.")
