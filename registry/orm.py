"""ORM rows of the registry tables; the store turns them into entities and never leaks them.

The schema itself is created by the migrations (``registry/migrations``); these classes must
describe the same tables (a test compares them). Timestamps are stored as UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "AliasRow",
    "ApiKeyRow",
    "AuditRow",
    "Base",
    "EvaluationRow",
    "ModelRow",
    "VersionRow",
    "utc_now",
]

JsonType = JSON().with_variant(JSONB(), "postgresql")


def utc_now() -> datetime:
    """Now, UTC, to the microsecond (audit entries made in the same second stay ordered)."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both back-ends (SQLite has no time zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of the registry tables."""


class ModelRow(Base):
    """A registered model: a name, a task and the versions registered under it."""

    __tablename__ = "registered_models"
    __table_args__ = (CheckConstraint("task IN ('classify', 'detect')", name="ck_models_task"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    task: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(200))

    versions: Mapped[list[VersionRow]] = relationship(
        back_populates="model", order_by="VersionRow.version"
    )
    aliases: Mapped[list[AliasRow]] = relationship(
        back_populates="model", order_by="AliasRow.alias"
    )


class VersionRow(Base):
    """One immutable version: the artifact and its training metadata; the card, calibration and
    OOD columns are the only ones that change after registration (and each change is audited)."""

    __tablename__ = "model_versions"
    __table_args__ = (UniqueConstraint("model_id", "version", name="uq_versions_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("registered_models.id"))
    version: Mapped[int] = mapped_column(Integer)
    artifact_tag: Mapped[str] = mapped_column(String(200))
    artifact_sha256: Mapped[str] = mapped_column(String(71))
    files: Mapped[dict[str, str]] = mapped_column(JsonType)
    training_metadata: Mapped[dict[str, Any]] = mapped_column(JsonType)
    card: Mapped[dict[str, Any]] = mapped_column(JsonType)
    calibration: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    ood_detector: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(200))

    model: Mapped[ModelRow] = relationship(back_populates="versions")
    evaluations: Mapped[list[EvaluationRow]] = relationship(order_by="EvaluationRow.id")


class EvaluationRow(Base):
    """An evaluation report of one version on one data set (name + content fingerprint)."""

    __tablename__ = "evaluations"
    __table_args__ = (
        UniqueConstraint("version_id", "data_name", "data_fingerprint", name="uq_evaluations_data"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id"))
    data_name: Mapped[str] = mapped_column(String(500))
    data_fingerprint: Mapped[str] = mapped_column(String(71))
    record: Mapped[dict[str, Any]] = mapped_column(JsonType)
    attached_at: Mapped[datetime] = mapped_column(UtcDateTime())
    attached_by: Mapped[str] = mapped_column(String(200))


class AliasRow(Base):
    """``(model, alias) -> version``: what ``production`` or ``staging`` currently means."""

    __tablename__ = "aliases"
    __table_args__ = (UniqueConstraint("model_id", "alias", name="uq_aliases_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("registered_models.id"))
    alias: Mapped[str] = mapped_column(String(64))
    version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    model: Mapped[ModelRow] = relationship(back_populates="aliases")
    target: Mapped[VersionRow] = relationship()


class AuditRow(Base):
    """One entry of the append-only audit log (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_model", "model_name", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    model_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    alias: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)


class ApiKeyRow(Base):
    """An API key: only the sha256 of its token is stored, never the token."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    token_sha256: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
