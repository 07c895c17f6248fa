"""The model registry: versions, model cards, calibration data, OOD detectors, aliases, audit.

Builds on ``mammocad`` only (its records are :mod:`mammocad.schemas`); never imports ``api``,
``models`` or ``serving``, nor torch: the gateway mounts it. Start with :class:`Registry`.
"""

from registry.card.schema import AuthoredCard, CardEdit, ModelCard
from registry.entities import (
    NAME_PATTERN,
    PRODUCTION,
    READ_SCOPES,
    SCOPES,
    ApiKey,
    AuditEntry,
    ModelVersion,
    Principal,
    RegisteredModel,
    Scope,
    UnmetGate,
)
from registry.errors import PromotionRefusedError, TamperedArtifactError
from registry.evaluation import EvaluationRecord
from registry.service import Registry
from registry.store import AliasMove

__all__ = [
    "NAME_PATTERN",
    "PRODUCTION",
    "READ_SCOPES",
    "SCOPES",
    "AliasMove",
    "ApiKey",
    "AuditEntry",
    "AuthoredCard",
    "CardEdit",
    "EvaluationRecord",
    "ModelCard",
    "ModelVersion",
    "Principal",
    "PromotionRefusedError",
    "RegisteredModel",
    "Registry",
    "Scope",
    "TamperedArtifactError",
    "UnmetGate",
]
