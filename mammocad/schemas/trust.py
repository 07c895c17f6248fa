"""What a version's calibration and OOD detector are, and how its OOD detector was evaluated.

Training fits them (:mod:`models.trust`); the registry stores what was fitted, on which data and
how well it works, so that the model card can show it and promotion can require it; the gateway
applies them to every answer. The two fitted records are validated strictly (unknown fields
refused, probabilities within [0, 1]) because a typo in a hand-written record would otherwise
pass a promotion gate silently.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "CalibrationQuality",
    "CalibrationRecord",
    "DataRef",
    "OodDetectorRecord",
    "OodEvaluation",
    "ReliabilityBin",
    "ShiftEvaluation",
    "ShiftSetResult",
]

_STRICT = ConfigDict(frozen=True, extra="forbid")


class DataRef(BaseModel):
    """A data set by name and content fingerprint (``mammocad data show SPEC --fingerprint``)."""

    model_config = _STRICT

    name: str = Field(min_length=1)
    fingerprint: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")


class CalibrationQuality(BaseModel):
    """How well predicted probabilities match observed frequencies (lower is better)."""

    model_config = _STRICT

    ece: float = Field(ge=0, le=1, description="expected calibration error")
    brier: float = Field(ge=0, le=1, description="Brier score")


class ReliabilityBin(BaseModel):
    """One bin of a reliability diagram: predicted confidence against observed frequency."""

    model_config = _STRICT

    lower: float = Field(ge=0, le=1)
    upper: float = Field(ge=0, le=1)
    count: int = Field(ge=0)
    mean_confidence: float = Field(ge=0, le=1)
    observed_frequency: float = Field(ge=0, le=1)


class CalibrationRecord(BaseModel):
    """A fitted probability calibration of one version."""

    model_config = _STRICT

    method: Literal["none", "temperature", "platt", "joint", "isotonic"] = Field(
        description="'none': measured, and no candidate improved the cross-validated "
        "likelihood, so answers carry the model's own probabilities (calibrated: false)"
    )
    target: str = Field(min_length=1, description="which output, e.g. 'p(abnormal)'")
    parameters: dict[str, float] = Field(description="fitted values, e.g. {'temperature': 1.7}")
    method_selection: dict[str, float] | None = Field(
        default=None,
        description="the figure each candidate method scored when this one was chosen, e.g. "
        "{'platt (5-fold cross-validated NLL)': 61.2}",
    )
    fitted_on: DataRef = Field(
        description="the data the calibration was fitted on (the validation split, possibly "
        "with a calibration set of other patients)"
    )
    before: CalibrationQuality
    after: CalibrationQuality
    reliability_bins: list[ReliabilityBin] = Field(
        min_length=1, description="after calibration, in increasing confidence"
    )

    @model_validator(mode="after")
    def _bins_in_order(self) -> Self:
        edges = [(b.lower, b.upper) for b in self.reliability_bins]
        if any(lo >= hi for lo, hi in edges) or any(a[1] > b[0] for a, b in pairwise(edges)):
            raise ValueError("reliability bins must be non-empty and in increasing order")
        return self


class ShiftEvaluation(BaseModel):
    """How well the detector separates in-distribution inputs from one shifted set."""

    model_config = _STRICT

    shift_set: str = Field(min_length=1, description="e.g. 'synthetic vendor B', 'chest CT'")
    fingerprint: str | None = Field(default=None, pattern=r"^sha256:[0-9a-f]{64}$")
    auroc: float = Field(ge=0, le=1)
    n_in_distribution: int = Field(gt=0)
    n_shifted: int = Field(gt=0)


class OodDetectorRecord(BaseModel):
    """A fitted out-of-distribution detector of one version: when to distrust an answer."""

    model_config = _STRICT

    kind: str = Field(min_length=1, description="e.g. 'mahalanobis', 'energy', 'knn'")
    feature: str = Field(default="features", description="which model output it reads")
    parameters_ref: str = Field(min_length=1, description="where the fitted parameters are kept")
    parameters_sha256: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    reference: DataRef = Field(description="the in-distribution data the statistics come from")
    reference_stats: dict[str, float] = Field(description="e.g. score mean, std, n")
    threshold: float
    threshold_rule: str = Field(
        min_length=1, description="how it was chosen, e.g. '95% of in-distribution inputs pass'"
    )
    shift_evaluations: list[ShiftEvaluation] = Field(min_length=1)


class ShiftSetResult(BaseModel):
    """One shifted set against the in-distribution set."""

    name: str
    distance: Literal["far", "near"]
    n: int
    refused_by_ingest: int = 0  # never reach a model: answered 4xx by the gateway
    auroc: dict[str, float]
    fpr_at_95_tpr: dict[str, float]
    served_auroc: float  # of the version's own fitted detector (what answers use)
    flagged: float  # share the served assessment flags (feature detector or header gate)
    flagged_by_features: float  # share its feature detector alone flags (a header can lie)
    accuracy: float | None = None  # labelled mammograms: AUC abnormal (classifier), sens@1FPI


class OodEvaluation(BaseModel):
    """``mammocad ood-eval``'s report: the whole OOD evaluation of one version (far and near
    shifted sets against a held-out in-distribution set)."""

    model: str
    task: str
    weights_sha256: str  # which weights were measured (the registry's hash of model.pt)
    detector_parameters_sha256: str  # which fitted detector (the OOD record's parameters hash)
    served_detector: str
    in_distribution: str
    n_in_distribution: int
    in_distribution_flagged: float  # false alarms of the served assessment
    in_distribution_flagged_by_features: float  # false alarms of its feature detector alone
    in_distribution_accuracy: float | None
    accuracy_metric: str
    sets: list[ShiftSetResult]
