"""What a version's calibration and OOD detector are: the records the registry keeps of them.

Fitting them is the serving layer's job; the registry stores what was fitted, on which data and
how well it works, so that the model card can show it and promotion can require it. Both records
are validated strictly (unknown fields refused, probabilities within [0, 1]) because a typo in a
hand-written record would otherwise pass a promotion gate silently.
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
    "ReliabilityBin",
    "ShiftEvaluation",
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

    method: Literal["temperature", "platt", "joint", "isotonic"]
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
