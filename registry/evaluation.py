"""Evaluation reports as the registry keeps them: one record per data set, with a primary metric.

``mammocad evaluate MODEL --data SPEC`` writes ``report.json``
(:class:`~mammocad.schemas.evaluation.EvaluationReport`); this module reads from it what the
registry needs: which data set (name AND content fingerprint: a name says where data was, not
what it was), the metrics with their confidence intervals, and the primary metric that
promotion compares:

- classify: AUC abnormal-vs-normal (``auc_abnormal``);
- detect: FROC sensitivity at 1 false positive per image (``sensitivity_at_1fp``).

A report may carry subgroup results (``subgroups``: a list of :class:`SubgroupMetric`, e.g. per
breast density or vendor) and explanation quality (``explanations``: per method, the pointing
game, the heatmap energy inside the lesion boxes and the model-randomisation check); they appear
in the model card's quantitative analyses, and the held-out calibration (``calibration``: ECE
before and after the version's calibration on this data set).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mammocad.errors import InvalidInputError
from mammocad.schemas.artifact import Task
from mammocad.schemas.evaluation import (
    AucEstimate,
    CalibrationFigures,
    ClassificationReport,
    CrossValidationSummary,
    EvaluationReport,
    ExplanationQuality,
    FrocResult,
    HeldOutCalibration,
    MetricEstimate,
    SubgroupMetric,
)

__all__ = [
    "PRIMARY_METRIC",
    "EvaluationRecord",
    "evaluation_from_report",
]

PRIMARY_METRIC: dict[str, str] = {"classify": "auc_abnormal", "detect": "sensitivity_at_1fp"}


class EvaluationRecord(BaseModel):
    """One version evaluated on one data set."""

    model_config = ConfigDict(frozen=True)

    task: Task
    data_name: str
    data_fingerprint: str
    n_images: int
    patients_seen_in_training: int
    primary_metric: str
    metrics: list[MetricEstimate]
    subgroups: list[SubgroupMetric] = []
    report: dict[str, Any] = Field(description="the report as written by mammocad evaluate")

    def metric(self, name: str) -> MetricEstimate:
        """The named metric (the primary metric is always present)."""
        return next(m for m in self.metrics if m.name == name)

    @property
    def primary(self) -> MetricEstimate:
        """The metric promotion compares between versions."""
        return self.metric(self.primary_metric)


def evaluation_from_report(report: dict[str, Any]) -> EvaluationRecord:
    """Read a ``report.json`` of ``mammocad evaluate`` or of a release (cross-validated).

    Raises:
        InvalidInputError: not such a report, no data fingerprint, or no primary metric.
    """
    try:
        parsed = EvaluationReport.model_validate(report)
    except ValidationError as error:
        raise InvalidInputError(
            f"not an evaluation report of mammocad evaluate (it records task, data and "
            f"data_fingerprint): {error.errors()[0]['loc']}: {error.errors()[0]['msg']}",
            code="invalid-evaluation-report",
        ) from error
    if parsed.task == "classify" and parsed.report is not None:
        n_images, metrics = parsed.report.n_images, _classification_metrics(parsed.report)
    elif parsed.task == "detect" and parsed.froc is not None and "1" in parsed.froc.sensitivity_at:
        n_images, metrics = parsed.froc.n_images, _detection_metrics(parsed.froc)
    else:
        raise InvalidInputError(
            f"the {parsed.task} report has no {PRIMARY_METRIC[parsed.task]}",
            code="invalid-evaluation-report",
        )
    metrics += [m for e in parsed.explanations for m in _explanation_metrics(e)]
    metrics += _calibration_metrics(parsed.calibration)
    if parsed.cross_validation is not None:
        metrics = _with_cross_validation(metrics, parsed.cross_validation)
    return EvaluationRecord(
        task=parsed.task,
        data_name=parsed.data,
        data_fingerprint=parsed.data_fingerprint,
        n_images=n_images,
        patients_seen_in_training=parsed.patients_seen_in_training,
        primary_metric=PRIMARY_METRIC[parsed.task],
        metrics=metrics,
        subgroups=parsed.subgroups,
        report=report,
    )


def _with_cross_validation(
    metrics: list[MetricEstimate], summary: CrossValidationSummary
) -> list[MetricEstimate]:
    """The cross-validated figures (mean over repeats, patient-level interval) in place of the
    same-named ones of the first repeat's pooled report, and the others kept."""
    protocol = (
        f"{summary.repeats} x {summary.k}-fold patient-level cross-validation "
        f"(recipe {summary.recipe}; {summary.ci_method})"
    )
    replaced = {
        m.name: MetricEstimate(
            name=m.name,
            value=m.value,
            ci_low=m.ci_low,
            ci_high=m.ci_high,
            level=m.level,
            support=f"{m.support}; {protocol}",
        )
        for m in summary.metrics
    }
    kept = [m for m in metrics if m.name not in replaced]
    return [*replaced.values(), *kept]


def _auc(name: str, auc: AucEstimate) -> MetricEstimate:
    return MetricEstimate(
        name=name,
        value=auc.auc,
        ci_low=auc.ci_low,
        ci_high=auc.ci_high,
        level=auc.level,
        support=f"{auc.n_positive} pos / {auc.n_negative} neg",
    )


def _classification_metrics(report: ClassificationReport) -> list[MetricEstimate]:
    point, level = report.operating_point, report.auc_abnormal.level
    metrics = [_auc("auc_abnormal", report.auc_abnormal)]
    if report.auc_malignant is not None:
        metrics.append(_auc("auc_malignant", report.auc_malignant))
    for name, proportion, support in (
        ("sensitivity", point.sensitivity, f"{point.tp}/{point.tp + point.fn}"),
        ("specificity", point.specificity, f"{point.tn}/{point.tn + point.fp}"),
    ):
        metrics.append(
            MetricEstimate(
                name=name,
                value=proportion.value,
                ci_low=proportion.ci_low,
                ci_high=proportion.ci_high,
                level=level,
                support=f"{support} at threshold {point.threshold:.4f} ({report.threshold_source})",
            )
        )
    return metrics


def _detection_metrics(froc: FrocResult) -> list[MetricEstimate]:
    support = f"{froc.n_lesions} lesions, {froc.n_images} images, hit rule {froc.hit_rule}"
    metrics = [
        MetricEstimate(name="sensitivity_at_1fp", value=froc.sensitivity_at["1"], support=support)
    ]
    metrics += [
        MetricEstimate(name=f"sensitivity_at_{rate}fp", value=value, support=support)
        for rate, value in froc.sensitivity_at.items()
        if rate != "1"
    ]
    metrics.append(MetricEstimate(name="froc_score", value=froc.mean_sensitivity, support=support))
    return metrics


def _calibration_metrics(calibration: HeldOutCalibration | None) -> list[MetricEstimate]:
    """Held-out ECE after and before the version's calibration (top label, and p(abnormal) for
    a classifier), each with the ECE perfectly calibrated probabilities would show on as many
    cases (ECE is biased upwards on few)."""
    if calibration is None:
        return []
    parts: list[tuple[str, CalibrationFigures]] = [("ece_held_out", calibration)]
    if calibration.abnormal_vs_normal is not None:
        parts.append(("ece_abnormal_held_out", calibration.abnormal_vs_normal))
    metrics = []
    for name, part in parts:
        floor = (
            ""
            if part.ece_if_calibrated is None
            else f"; perfectly calibrated probabilities would show {part.ece_if_calibrated:.3f}"
        )
        metrics += [
            MetricEstimate(
                name=name,
                value=part.calibrated.ece,
                support=f"{part.n} cases, after {calibration.method} scaling{floor}",
            ),
            MetricEstimate(
                name=f"{name}_uncalibrated", value=part.uncalibrated.ece, support=f"{part.n} cases"
            ),
        ]
    return metrics


def _explanation_metrics(quality: ExplanationQuality) -> list[MetricEstimate]:
    """The pointing game (with its Wilson interval), the energy inside the lesion boxes and the
    randomisation check of one explanation method, when the report measured them."""
    if quality.pointing_game is None:
        return []
    chance = (
        f"; a blind map scores {quality.pointing_chance:.3f}" if quality.pointing_chance else ""
    )
    ci = quality.pointing_ci
    metrics = [
        MetricEstimate(
            name=f"pointing_game_{quality.method}",
            value=quality.pointing_game,
            ci_low=ci[0] if ci else None,
            ci_high=ci[1] if ci else None,
            level=0.95 if ci else None,
            support=f"heatmap peak in a lesion box on {quality.pointing_hits}/{quality.images} "
            f"images{chance}",
        )
    ]
    if quality.energy_inside is not None:
        metrics.append(
            MetricEstimate(
                name=f"energy_in_lesions_{quality.method}",
                value=quality.energy_inside,
                support=f"mean share of positive heatmap mass in lesion boxes, "
                f"{quality.images} images",
            )
        )
    check = quality.randomisation
    if check.spearman_mean is not None:
        metrics.append(
            MetricEstimate(
                name=f"randomised_weights_spearman_{quality.method}",
                value=check.spearman_mean,
                support=f"rank correlation with the map of randomly initialised weights "
                f"(lower: the map depends on training), {check.images - check.blank} images; "
                f"{check.blank} randomised maps blank",
            )
        )
    return metrics
