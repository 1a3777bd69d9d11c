"""Customers module: master data (sources, channels, decoration designers, communities), customer
records with masked phones, follow-ups, designer tasks, channel lead reports with conflict
detection and their audit.

Revision ID: 0002
Revises: 0001
"""
from server_schema.sqlfiles import run_sql_files

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_files(["0101_customer_masterdata.sql", "0102_customers.sql", "0103_leads.sql",
                   "0104_customers_security.sql"])


def downgrade() -> None:
    raise NotImplementedError("Yiwei migrations go forward only; restore a backup to go back.")
