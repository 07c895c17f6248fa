"""Public schemas of the ``/v1/models`` endpoints.

Registry entities are reused where everything in them is public; a version's training metadata
is summarised instead, because its patient-level split names pseudonymised patients, which no
client needs (the counts are kept).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from mammocad.ingest.pipeline import IngestOptions
from mammocad.schemas.artifact import Task
from mammocad.schemas.trust import CalibrationRecord, OodDetectorRecord
from registry import (
    AliasMove,
    AuthoredCard,
    CardEdit,
    EvaluationRecord,
    ModelVersion,
    RegisteredModel,
)
from registry.card.compose import missing_authored

__all__ = [
    "AliasMovePublic",
    "AliasMoveRequest",
    "CardEditRequest",
    "ModelDetail",
    "RollbackRequest",
    "VersionPublic",
]


class TrainingDataPublic(BaseModel):
    """The data a version was trained on, without patient identifiers."""

    name: str
    fingerprint: str
    synthetic: bool
    n_images: int
    n_patients: int
    label_counts: dict[str, int]
    n_train_patients: int
    n_validation_patients: int


class TrainingPublic(BaseModel):
    """How a version was trained."""

    architecture: str
    created_at: str
    mammocad_version: str
    code_version: str
    ingest: IngestOptions
    data: TrainingDataPublic
    hyperparameters: dict[str, Any]
    seed: int
    device: str
    epochs_run: int
    best_epoch: int
    training_seconds: float
    validation_metrics: dict[str, float]
    operating_point: dict[str, Any]
    intended_use: str


class VersionPublic(BaseModel):
    """One registered version."""

    model_name: str
    version: int
    task: Task
    aliases: list[str]
    artifact_tag: str = Field(description="BentoML model store tag")
    artifact_sha256: str = Field(description="sha256 over every file's path and sha256")
    files: dict[str, str] = Field(description="sha256 of every artifact file")
    training: TrainingPublic
    evaluations: list[EvaluationRecord]
    card: AuthoredCard = Field(description="the authored sections of the model card")
    card_complete: bool
    calibration: CalibrationRecord | None
    ood_detector: OodDetectorRecord | None
    created_at: datetime
    created_by: str

    @classmethod
    def of(cls, version: ModelVersion) -> VersionPublic:
        """The public view of a registry version."""
        training, data = version.training, version.training.data
        summary = TrainingPublic(
            **training.model_dump(exclude={"task", "data", "history"}),
            data=TrainingDataPublic(
                **data.model_dump(exclude={"train_patients", "validation_patients"}),
                n_train_patients=len(data.train_patients),
                n_validation_patients=len(data.validation_patients),
            ),
        )
        return cls(
            **version.model_dump(exclude={"training"}),
            training=summary,
            card_complete=not missing_authored(version.card),
        )


class ModelDetail(BaseModel):
    """A registered model with its aliases and every version."""

    model: RegisteredModel
    versions: list[VersionPublic]


_REQUEST = ConfigDict(strict=True, extra="forbid")
"""Request bodies take exactly what the spec says: no unknown members (a misspelt ``force``
must not be ignored quietly), no ``0`` for ``false``, no ``"2"`` for ``2``."""


def _json_integer(value: object) -> object:
    """JSON Schema's integer: ``2`` and ``2.0`` are both integers, ``"2"`` and ``true`` are not
    (pydantic's strict mode would refuse ``2.0``, its lax mode accept ``"2"``)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


JsonInteger = Annotated[int, BeforeValidator(_json_integer)]


class AliasMoveRequest(BaseModel):
    """Point an alias at a version."""

    model_config = _REQUEST | ConfigDict(
        # A forced move needs a reason (the registry refuses it with 400 otherwise).
        json_schema_extra={
            "if": {"properties": {"force": {"const": True}}, "required": ["force"]},
            "then": {"properties": {"reason": {"pattern": r"\S"}}, "required": ["reason"]},
        },
    )

    version: JsonInteger = Field(ge=1)
    reason: str = Field(default="", description="why (audited); required with force")
    force: bool = Field(
        default=False,
        description="production only: override the comparison with the current production "
        "version (never the card, calibration, OOD or evaluation gates)",
    )


class RollbackRequest(BaseModel):
    """Move an alias back to its previous version."""

    model_config = _REQUEST

    reason: str = Field(default="", description="why (audited)")


class CardEditRequest(BaseModel):
    """Replace some authored sections of a version's model card."""

    model_config = _REQUEST

    changes: CardEdit
    reason: str = Field(default="", description="why (audited)")


class AliasMovePublic(BaseModel):
    """What an alias move did."""

    model_name: str
    alias: str
    before: int | None
    after: int
    changed: bool
    overridden_gates: list[str] = Field(description="gates a forced promotion overrode")

    @classmethod
    def of(cls, move: AliasMove) -> AliasMovePublic:
        """The public view of a move."""
        return cls(
            model_name=move.model_name,
            alias=move.alias,
            before=move.before,
            after=move.after,
            changed=move.changed,
            overridden_gates=move.overridden_gates,
        )
