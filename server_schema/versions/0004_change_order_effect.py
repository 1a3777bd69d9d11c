"""An approved change order moves what the customer owes: contract.changes_total and the payment
plan follow it (the signed contract itself stays as signed); design files audited by the shared
trigger for rows with columns left out.

Revision ID: 0004
Revises: 0003
"""
from server_schema.sqlfiles import run_sql_files

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_files(["0205_change_order_effect.sql"])


def downgrade() -> None:
    raise NotImplementedError("Yiwei migrations go forward only; restore a backup to go back.")
