"""Alembic environment: runs on the connection that :func:`registry.database.upgrade_schema`
passes in (there is no alembic.ini: the registry is always migrated from Python)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

_MIGRATION_LOCK = 0x6D616D6D6F  # any constant: one advisory lock id for every migrating process

connection = context.config.attributes["connection"]
context.configure(connection=connection, transaction_per_migration=False)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    context.run_migrations()
