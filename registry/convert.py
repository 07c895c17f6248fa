"""Rows to entities and back: the only place that knows both the ORM and the entity types.

Entities are validated again on the way out, so a row edited by hand into something invalid
fails loudly here instead of travelling on as a half-valid model version.
"""

from __future__ import annotations

from typing import Any, TypeVar

from mammocad.schemas.artifact import TrainingMetadata
from mammocad.schemas.trust import CalibrationRecord, OodDetectorRecord
from registry.card.schema import AuthoredCard
from registry.entities import ApiKey, AuditEntry, ModelVersion, RegisteredModel
from registry.evaluation import EvaluationRecord
from registry.orm import ApiKeyRow, AuditRow, EvaluationRow, ModelRow, VersionRow, utc_now

__all__ = [
    "audit_entity",
    "dump_record",
    "evaluation_row",
    "key_entity",
    "model_entity",
    "version_entity",
]


def dump_record(record: CalibrationRecord | OodDetectorRecord | None) -> dict[str, Any] | None:
    """A calibration or OOD record as the JSON stored in its column."""
    return None if record is None else record.model_dump(mode="json")


def evaluation_row(record: EvaluationRecord, actor: str) -> EvaluationRow:
    """A new row for an evaluation attached by ``actor``."""
    return EvaluationRow(
        data_name=record.data_name,
        data_fingerprint=record.data_fingerprint,
        record=record.model_dump(mode="json"),
        attached_at=utc_now(),
        attached_by=actor,
    )


def model_entity(row: ModelRow) -> RegisteredModel:
    """A registered model, with where its aliases point."""
    return RegisteredModel(
        name=row.name,
        task=row.task,  # a Task: constrained by a CHECK, validated by pydantic
        description=row.description,
        created_at=row.created_at,
        created_by=row.created_by,
        aliases={a.alias: a.target.version for a in row.aliases},
        latest_version=row.versions[-1].version if row.versions else None,
    )


def version_entity(model: ModelRow, row: VersionRow) -> ModelVersion:
    """A version of ``model``, with its records and the aliases pointing at it."""
    return ModelVersion(
        model_name=model.name,
        version=row.version,
        task=model.task,  # a Task: constrained by a CHECK, validated by pydantic
        artifact_tag=row.artifact_tag,
        artifact_sha256=row.artifact_sha256,
        files=row.files,
        training=TrainingMetadata.model_validate(row.training_metadata),
        evaluations=[EvaluationRecord.model_validate(e.record) for e in row.evaluations],
        card=AuthoredCard.model_validate(row.card),
        calibration=_record(CalibrationRecord, row.calibration),
        ood_detector=_record(OodDetectorRecord, row.ood_detector),
        created_at=row.created_at,
        created_by=row.created_by,
        aliases=sorted(a.alias for a in model.aliases if a.version_id == row.id),
    )


_Record = TypeVar("_Record", CalibrationRecord, OodDetectorRecord)


def _record(kind: type[_Record], data: dict[str, Any] | None) -> _Record | None:
    return None if data is None else kind.model_validate(data)


def audit_entity(row: AuditRow) -> AuditEntry:
    """An audit log entry."""
    return AuditEntry(
        id=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        model_name=row.model_name,
        version=row.version,
        alias=row.alias,
        reason=row.reason,
        before=row.before,
        after=row.after,
    )


def key_entity(row: ApiKeyRow) -> ApiKey:
    """An API key, without its token hash."""
    return ApiKey(
        key_id=row.key_id,
        name=row.name,
        scopes=row.scopes,  # Scopes: validated when created (and by pydantic)
        created_at=row.created_at,
        created_by=row.created_by,
        revoked_at=row.revoked_at,
        expires_at=row.expires_at,
    )
