"""Evaluation reports: what ``mammocad evaluate`` measures and the registry keeps.

Written by :mod:`models.evaluation`, read by :mod:`registry.evaluation` (inside the torch-free
gateway) and shown on model cards, so the report has this one definition. Every figure comes
with its uncertainty (bootstrap or Wilson intervals): the public mammography sets are small and a
point estimate alone overstates what is known.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mammocad.schemas.artifact import Task
from mammocad.schemas.trust import CalibrationQuality, ReliabilityBin

__all__ = [
    "AucEstimate",
    "CalibrationFigures",
    "ClassificationReport",
    "ConfusionMatrix",
    "CrossValidatedMetric",
    "CrossValidationSummary",
    "EvaluationReport",
    "ExplanationQuality",
    "FrocResult",
    "HeldOutCalibration",
    "HitRule",
    "MetricEstimate",
    "OperatingPoint",
    "Proportion",
    "RandomisationCheck",
    "SubgroupMetric",
]


class MetricEstimate(BaseModel):
    """A measured value with its confidence interval when the report has one."""

    model_config = ConfigDict(frozen=True)

    name: str
    value: float
    ci_low: float | None = None
    ci_high: float | None = None
    level: float | None = Field(default=None, description="CI coverage, e.g. 0.95")
    support: str = Field(default="", description="what it was computed on, e.g. '12 pos / 30 neg'")


class SubgroupMetric(BaseModel):
    """A metric on one subgroup, e.g. factor 'density', group 'C'."""

    model_config = ConfigDict(frozen=True)

    factor: str
    group: str
    metric: MetricEstimate


_BOOTSTRAP_METHOD = "percentile bootstrap, stratified by class"


class AucEstimate(BaseModel):
    """Area under the ROC curve with a bootstrap confidence interval."""

    model_config = ConfigDict(frozen=True)

    auc: float
    ci_low: float
    ci_high: float
    level: float
    n_positive: int
    n_negative: int
    n_boot: int
    method: str = _BOOTSTRAP_METHOD


class Proportion(BaseModel):
    """A proportion (sensitivity, specificity) with its Wilson confidence interval."""

    model_config = ConfigDict(frozen=True)

    value: float
    ci_low: float
    ci_high: float


class OperatingPoint(BaseModel):
    """A decision threshold and what it does: a case is positive when ``score >= threshold``.

    ``rule`` says how the threshold was chosen: ``"youden"``, ``"sensitivity:0.9"``,
    ``"specificity:0.9"`` (picked on the data it is evaluated on, hence optimistic) or ``"given"``
    (picked elsewhere, e.g. on the validation split, and only applied here).
    """

    model_config = ConfigDict(frozen=True)

    rule: str
    threshold: float
    sensitivity: Proportion
    specificity: Proportion
    tp: int
    fp: int
    tn: int
    fn: int


class ConfusionMatrix(BaseModel):
    """Counts of (truth, prediction) pairs: ``matrix[i][j]`` = truth ``labels[i]``, predicted
    ``labels[j]``."""

    model_config = ConfigDict(frozen=True)

    labels: list[str]
    matrix: list[list[int]]


class ClassificationReport(BaseModel):
    """Everything the three-class classifier is judged on, for one data split.

    ``auc_malignant`` is None when the split lacks malignant or non-malignant images (the AUC is
    undefined then); the abnormal-vs-normal task is the primary one and must be defined.
    """

    model_config = ConfigDict(frozen=True)

    n_images: int
    counts: dict[str, int]
    auc_abnormal: AucEstimate
    auc_malignant: AucEstimate | None
    operating_point: OperatingPoint
    threshold_source: Literal["youden on these data", "given", "cross-fitted"]
    confusion: ConfusionMatrix


HitRule = Literal["centre", "iou"]
"""``"centre"``: the detection's box centre lies inside the lesion box (edges included), the
usual FROC criterion in mammography, lenient about box size; ``"iou"``: IoU >= a threshold."""


class FrocResult(BaseModel):
    """A FROC curve and its summary.

    ``fps_per_image``/``sensitivity`` are the curve's points in order of increasing false
    positives per image (one point per distinct detection score, plus the origin).
    ``sensitivity_at`` maps each requested rate, formatted with ``%g`` ("0.25", "1", ...), to the
    sensitivity there; ``mean_sensitivity`` is their mean (the CAMELYON16 FROC score).
    """

    model_config = ConfigDict(frozen=True)

    fps_per_image: list[float]
    sensitivity: list[float]
    sensitivity_at: dict[str, float]
    mean_sensitivity: float
    n_lesions: int
    n_images: int
    hit_rule: HitRule
    iou_threshold: float


class RandomisationCheck(BaseModel):
    """Trained versus randomly initialised weights, same images and targets."""

    images: int = Field(description="images compared")
    blank: int = Field(
        description="of those, randomised maps with no positive evidence at all (the map "
        "vanished: no rank correlation to compute)"
    )
    spearman_mean: float | None = Field(
        description="mean rank correlation over the other images; lower is better"
    )
    spearman_max: float | None


class ExplanationQuality(BaseModel):
    """One method's explanation quality on one set of images."""

    method: str
    target: str = Field(description="what was explained on each image")
    images: int = Field(description="images with located lesions that were explained")
    pointing_hits: int
    pointing_game: float | None = Field(description="share of peaks inside a lesion box")
    pointing_ci: tuple[float, float] | None = Field(
        default=None,
        description="95% Wilson interval of the pointing game (None in reports written before "
        "it was recorded)",
    )
    pointing_chance: float | None = Field(
        description="mean share of the breast covered by the lesion boxes: a blind map's score"
    )
    energy_inside: float | None = Field(description="mean share of positive map mass in boxes")
    randomisation: RandomisationCheck


class CalibrationFigures(BaseModel):
    """ECE, Brier and reliability bins of one set of held-out predictions, before and after the
    version's calibration."""

    model_config = ConfigDict(frozen=True)

    n: int = Field(description="cases measured")
    uncalibrated: CalibrationQuality
    calibrated: CalibrationQuality
    ece_if_calibrated: float | None = Field(
        default=None,
        description="the ECE perfectly calibrated probabilities would show on as many cases "
        "(ECE is biased upwards on few)",
    )
    reliability_bins: list[ReliabilityBin] = Field(
        default_factory=list, description="after calibration, non-empty bins in order"
    )


class HeldOutCalibration(CalibrationFigures):
    """The version's calibration measured on data it was not fitted on."""

    target: str = Field(description="which output, e.g. 'top label of normal/benign/malignant'")
    method: str
    parameters: dict[str, float] = Field(default_factory=dict)
    abnormal_vs_normal: CalibrationFigures | None = Field(
        default=None, description="a classifier's p(abnormal) alone: what its decision reads"
    )


class CrossValidatedMetric(BaseModel):
    """One figure of a repeated patient-level cross-validation.

    ``value`` is the mean over the repeats of the figure computed on each repeat's pooled
    out-of-fold predictions (every image predicted once per repeat, by a model that never saw its
    patient); the interval resamples patients (both images of a patient together) and recomputes
    that mean, so it covers the uncertainty of having these patients, not only the fold split.
    """

    model_config = ConfigDict(frozen=True)

    name: str
    value: float
    ci_low: float | None = None
    ci_high: float | None = None
    level: float | None = None
    per_repeat: list[float] = Field(default_factory=list)
    support: str = Field(default="", description="what it was computed on")


class CrossValidationSummary(BaseModel):
    """How a recipe did under repeated patient-level cross-validation."""

    model_config = ConfigDict(frozen=True)

    k: int = Field(ge=2, description="folds per repeat")
    repeats: int = Field(ge=1)
    seeds: list[int] = Field(description="the seed of each repeat's patient-level fold split")
    n_images: int
    n_patients: int
    recipe: str = Field(description="the validated recipe, by name")
    ci_method: str = "patient-level percentile bootstrap of the mean over repeats"
    metrics: list[CrossValidatedMetric]

    def metric(self, name: str) -> CrossValidatedMetric | None:
        """The named figure, if this cross-validation measured it."""
        return next((m for m in self.metrics if m.name == name), None)


class EvaluationReport(BaseModel):
    """``report.json`` of ``mammocad evaluate`` (one model on one labelled data set) or of a
    release (a recipe's repeated patient-level cross-validation).

    ``report`` (classifier) or ``froc`` (detector) holds the task's metrics; the data set is
    named by its content fingerprint as well as its name, because a name says where data was,
    not what it was. A cross-validated report adds ``cross_validation`` (the figures with their
    patient-level intervals); its ``report``/``froc`` then describe the first repeat's pooled
    out-of-fold predictions, and ``patients_seen_in_training`` counts no patient, since every
    prediction comes from a model that never saw it.
    """

    model_config = ConfigDict(frozen=True)

    model: str | None = Field(default=None, description="the evaluated model folder")
    task: Task
    data: str
    data_fingerprint: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    patients_seen_in_training: int = 0
    report: ClassificationReport | None = None
    froc: FrocResult | None = None
    subgroups: list[SubgroupMetric] = Field(default_factory=list)
    explanations: list[ExplanationQuality] = Field(default_factory=list)
    calibration: HeldOutCalibration | None = None
    cross_validation: CrossValidationSummary | None = None
