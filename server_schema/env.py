"""Alembic environment: always run on a connection handed in by server_schema.migrate.upgrade.

The connection has already SET ROLE to the owner role, so every object belongs to the owner.
"""
from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, version_table_schema="yiwei", transaction_per_migration=True)
with context.begin_transaction():
    context.run_migrations()
