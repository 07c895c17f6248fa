"""The migrations build exactly the schema the ORM describes, and can be undone."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from registry import Registry
from registry.database import migration_config
from registry.orm import Base


def test_orm_matches_the_migrated_schema(registry: Registry) -> None:
    engine = sa.create_engine(registry.url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_downgrade_to_nothing_and_upgrade_again(registry: Registry) -> None:
    engine = sa.create_engine(registry.url)
    try:
        with engine.connect() as connection:
            command.downgrade(migration_config(connection), "base")
            assert set(sa.inspect(connection).get_table_names()) == {"alembic_version"}
    finally:
        engine.dispose()
    with Registry(registry.url) as reopened:  # opening upgrades to head again
        assert reopened.list_models() == []
