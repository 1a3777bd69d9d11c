"""Orders module: the product catalogue (lines, grades, products with costs readable only by those
allowed, style aliases, price lists, promotions, packages, checklist items, responsibility reasons)
and its Excel import; contract templates, contracts with lines and payment plans, design files,
drawing and price review, change orders, responsibility determination, commissionable contracts.

Revision ID: 0003
Revises: 0002
"""
from server_schema.sqlfiles import run_sql_files

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_files(["0201_catalogue.sql", "0202_catalogue_security.sql", "0203_contracts.sql",
                   "0204_contracts_security.sql"])


def downgrade() -> None:
    raise NotImplementedError("Yiwei migrations go forward only; restore a backup to go back.")
