"""Initial registry schema: models, versions, evaluations, aliases, audit log, API keys.

The audit log is append-only and a version's artifact is immutable at the database level too
(triggers), so that not even a hand-written SQL statement can rewrite history.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from registry.orm import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
# Columns fixed at registration: changing any of them would make the version another model.
_IMMUTABLE_VERSION_COLUMNS = (
    "model_id",
    "version",
    "artifact_tag",
    "artifact_sha256",
    "files",
    "training_metadata",
    "created_at",
    "created_by",
)
_REFUSALS = {
    # trigger name: (table, SQL events, message)
    "audit_log_append_only": ("audit_log", "UPDATE OR DELETE", "the audit log is append-only"),
    "model_versions_immutable": (
        "model_versions",
        f"UPDATE OF {', '.join(_IMMUTABLE_VERSION_COLUMNS)} OR DELETE",
        "a registered version is immutable",
    ),
}


def upgrade() -> None:
    op.create_table(
        "registered_models",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("task", sa.String(16), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.CheckConstraint("task IN ('classify', 'detect')", name="ck_models_task"),
    )
    op.create_table(
        "model_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("model_id", sa.Integer, sa.ForeignKey("registered_models.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("artifact_tag", sa.String(200), nullable=False),
        sa.Column("artifact_sha256", sa.String(71), nullable=False),
        sa.Column("files", _JSON, nullable=False),
        sa.Column("training_metadata", _JSON, nullable=False),
        sa.Column("card", _JSON, nullable=False),
        sa.Column("calibration", _JSON, nullable=True),
        sa.Column("ood_detector", _JSON, nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("model_id", "version", name="uq_versions_number"),
    )
    op.create_table(
        "evaluations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("model_versions.id"), nullable=False),
        sa.Column("data_name", sa.String(500), nullable=False),
        sa.Column("data_fingerprint", sa.String(71), nullable=False),
        sa.Column("record", _JSON, nullable=False),
        sa.Column("attached_at", UtcDateTime(), nullable=False),
        sa.Column("attached_by", sa.String(200), nullable=False),
        sa.UniqueConstraint(
            "version_id", "data_name", "data_fingerprint", name="uq_evaluations_data"
        ),
    )
    op.create_table(
        "aliases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("model_id", sa.Integer, sa.ForeignKey("registered_models.id"), nullable=False),
        sa.Column("alias", sa.String(64), nullable=False),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("model_versions.id"), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("model_id", "alias", name="uq_aliases_name"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("model_name", sa.String(64), nullable=True),
        sa.Column("version", sa.Integer, nullable=True),
        sa.Column("alias", sa.String(64), nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("before", _JSON, nullable=True),
        sa.Column("after", _JSON, nullable=True),
    )
    op.create_index("ix_audit_log_model", "audit_log", ["model_name", "id"])
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key_id", sa.String(32), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("scopes", _JSON, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_refusals()
    else:
        _sqlite_refusals()


def _sqlite_refusals() -> None:
    for name, (table, events, message) in _REFUSALS.items():
        for event in events.split(" OR "):
            op.execute(
                f"CREATE TRIGGER {name}_{event.split()[0].lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )


def _postgresql_refusals() -> None:
    op.execute(
        "CREATE FUNCTION mammocad_refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION '%', TG_ARGV[0]; END $$"
    )
    for name, (table, events, message) in _REFUSALS.items():
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION mammocad_refuse('{message}')"
        )
    op.execute(
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION mammocad_refuse('the audit log is append-only')"
    )


def downgrade() -> None:
    for table in (
        "api_keys",
        "audit_log",
        "aliases",
        "evaluations",
        "model_versions",
        "registered_models",
    ):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION mammocad_refuse()")
