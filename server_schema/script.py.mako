"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
"""
from server_schema.sqlfiles import run_sql_files

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_files([])


def downgrade() -> None:
    raise NotImplementedError("Yiwei migrations go forward only; restore a backup to go back.")
