"""What the registry holds, as frozen, typed values (the store's ORM rows never leave it)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mammocad.errors import InvalidInputError
from mammocad.schemas.artifact import Task, TrainingMetadata
from mammocad.schemas.trust import CalibrationRecord, OodDetectorRecord
from registry.card.schema import AuthoredCard
from registry.evaluation import EvaluationRecord

__all__ = [
    "NAME_PATTERN",
    "PRODUCTION",
    "READ_SCOPES",
    "SCOPES",
    "ApiKey",
    "AuditEntry",
    "ModelVersion",
    "Principal",
    "RegisteredModel",
    "Scope",
    "UnmetGate",
    "check_name",
]

PRODUCTION = "production"
Scope = Literal["inference", "models:read", "audit:read", "models:write", "models:promote"]
SCOPES: tuple[Scope, ...] = (
    "inference",
    "models:read",
    "audit:read",
    "models:write",
    "models:promote",
)
"""``inference``: classify, detect, explain, inspect, analyse studies; ``models:read``: the
registry's models, versions and model cards; ``audit:read``: the audit log; ``models:write``:
register versions, attach records, edit cards; ``models:promote``: move aliases (promotion,
rollback). Separate so that a viewer's key cannot read the audit log and a CI key can register
without promoting."""
READ_SCOPES: tuple[Scope, ...] = ("inference", "models:read", "audit:read")
"""What a deployment configured open (on loopback only) grants without a key; writes never."""

NAME_PATTERN = r"^[a-z][a-z0-9_-]{0,62}$"
"""What a model or alias name may be (:func:`check_name`); the gateway's spec says the same."""
_NAME = re.compile(NAME_PATTERN)
_FROZEN = ConfigDict(frozen=True)


def check_name(kind: str, value: str) -> str:
    """A model or alias name: lowercase, starting with a letter (so never a version number),
    usable as a BentoML tag and in a URL path.

    Raises:
        InvalidInputError: naming the bad value.
    """
    if not _NAME.match(value):
        raise InvalidInputError(
            f"{kind} name {value!r} must be 1-63 characters of a-z, 0-9, '_' or '-', "
            "starting with a letter",
            code=f"invalid-{kind}-name",
        )
    return value


class RegisteredModel(BaseModel):
    """A named model of one task, under which versions are registered."""

    model_config = _FROZEN

    name: str
    task: Task
    description: str
    created_at: datetime
    created_by: str
    aliases: dict[str, int]
    latest_version: int | None


class ModelVersion(BaseModel):
    """One registered version: the exact artifact and everything known about it."""

    model_config = _FROZEN

    model_name: str
    version: int
    task: Task
    artifact_tag: str
    artifact_sha256: str
    files: dict[str, str]
    training: TrainingMetadata
    evaluations: list[EvaluationRecord]
    card: AuthoredCard
    calibration: CalibrationRecord | None
    ood_detector: OodDetectorRecord | None
    created_at: datetime
    created_by: str
    aliases: list[str]


class AuditEntry(BaseModel):
    """One entry of the append-only audit log."""

    model_config = _FROZEN

    id: int
    at: datetime
    actor: str
    action: str
    model_name: str | None
    version: int | None
    alias: str | None
    reason: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class ApiKey(BaseModel):
    """An API key as listed (never with its token, which only its creator ever sees)."""

    model_config = _FROZEN

    key_id: str
    name: str
    scopes: list[Scope]
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    expires_at: datetime | None = None

    def usable_at(self, moment: datetime) -> bool:
        """Neither revoked nor expired at ``moment``."""
        return self.revoked_at is None and (self.expires_at is None or moment < self.expires_at)


class Principal(BaseModel):
    """Who is calling, as established from a credential, and what they may do."""

    model_config = _FROZEN

    actor: str
    scopes: frozenset[Scope]


class UnmetGate(BaseModel):
    """A promotion gate a version does not pass.

    ``overridable``: only the comparison with production may be forced (with an audited reason);
    documentation, calibration, OOD detection and evaluation never may.
    """

    model_config = _FROZEN

    gate: str = Field(description="stable name, e.g. 'calibration'")
    reason: str
    overridable: bool = False
