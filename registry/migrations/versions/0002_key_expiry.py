"""API keys may expire: ``expires_at`` (NULL: never).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from registry.orm import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the nullable expiry column; existing keys keep never expiring."""
    with op.batch_alter_table("api_keys") as table:
        table.add_column(sa.Column("expires_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    """Drop the expiry column."""
    with op.batch_alter_table("api_keys") as table:
        table.drop_column("expires_at")
