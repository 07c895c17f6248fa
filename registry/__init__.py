"""The model registry: versions, model cards, calibration data, OOD detectors, aliases, audit.

Builds on ``mammocad``; never imports ``api`` (nor torch: the gateway mounts it). Start with
:class:`Registry`.
"""

from registry.card.schema import AuthoredCard, CardEdit, ModelCard
from registry.entities import (
    PRODUCTION,
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
from registry.evaluation import EvaluationRecord, MetricEstimate
from registry.records import CalibrationRecord, OodDetectorRecord
from registry.service import Registry
from registry.store import AliasMove

__all__ = [
    "PRODUCTION",
    "SCOPES",
    "AliasMove",
    "ApiKey",
    "AuditEntry",
    "AuthoredCard",
    "CalibrationRecord",
    "CardEdit",
    "EvaluationRecord",
    "MetricEstimate",
    "ModelCard",
    "ModelVersion",
    "OodDetectorRecord",
    "Principal",
    "PromotionRefusedError",
    "RegisteredModel",
    "Registry",
    "Scope",
    "TamperedArtifactError",
    "UnmetGate",
]
