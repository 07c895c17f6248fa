"""Human- and machine-readable output of evaluation results: rich tables and JSON files.

Tables are for the terminal (the CLI prints them); JSON is the record kept next to a model, so it
is written deterministically (sorted keys) to diff cleanly between runs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from rich.table import Table

from mammocad.schemas.evaluation import (
    AucEstimate,
    ClassificationReport,
    ExplanationQuality,
    FrocResult,
    Proportion,
)
from mammocad.schemas.trust import OodEvaluation

__all__ = ["render_classification_table", "render_detection_table", "write_json"]


def _auc(estimate: AucEstimate | None) -> str:
    if estimate is None:
        return "undefined (one class only)"
    return (
        f"{estimate.auc:.3f} [{estimate.ci_low:.3f}, {estimate.ci_high:.3f}] "
        f"({estimate.n_positive} pos / {estimate.n_negative} neg)"
    )


def _proportion(proportion: Proportion, successes: int, total: int) -> str:
    return (
        f"{proportion.value:.3f} [{proportion.ci_low:.3f}, {proportion.ci_high:.3f}] "
        f"({successes}/{total})"
    )


def render_classification_table(report: ClassificationReport) -> Table:
    """Summarise a classification report: AUCs with CIs, the operating point, the confusion.

    Args:
        report: the report of one split.

    Returns:
        A two-column table (metric, value), the confusion matrix nested as a table.
    """
    level = round(report.auc_abnormal.level * 100)
    table = Table(title=f"Classification ({report.n_images} images, {level}% CIs)")
    table.add_column("metric", style="bold")
    table.add_column("value")
    counts = ", ".join(f"{label} {count}" for label, count in report.counts.items())
    table.add_row("images per class", counts)
    table.add_row("AUC abnormal vs normal", _auc(report.auc_abnormal))
    table.add_row("AUC malignant vs rest", _auc(report.auc_malignant))
    point = report.operating_point
    table.add_row(
        "threshold on 1 - p(normal)", f"{point.threshold:.4f} ({report.threshold_source})"
    )
    table.add_row("sensitivity", _proportion(point.sensitivity, point.tp, point.tp + point.fn))
    table.add_row("specificity", _proportion(point.specificity, point.tn, point.tn + point.fp))

    matrix = Table(title="rows truth, columns prediction", show_edge=False)
    matrix.add_column("")
    for label in report.confusion.labels:
        matrix.add_column(label, justify="right")
    for label, row in zip(report.confusion.labels, report.confusion.matrix, strict=True):
        matrix.add_row(label, *(str(count) for count in row))
    table.add_row("confusion (argmax)", matrix)
    return table


def render_detection_table(result: FrocResult) -> Table:
    """Summarise a FROC result: sensitivity at each FP rate and their mean.

    Args:
        result: the FROC result of one split.

    Returns:
        A two-column table (FP per image, sensitivity).
    """
    rule = "centre in box" if result.hit_rule == "centre" else f"IoU >= {result.iou_threshold:g}"
    table = Table(
        title=f"Detection FROC ({result.n_lesions} lesions, {result.n_images} images)",
        caption=f"hit rule: {rule}",
    )
    table.add_column("FP per image", justify="right")
    table.add_column("sensitivity", justify="right")
    for rate, sensitivity in result.sensitivity_at.items():
        table.add_row(rate, f"{sensitivity:.3f}")
    table.add_section()
    table.add_row("mean", f"{result.mean_sensitivity:.3f}", style="bold")
    return table


def render_explanation_table(qualities: Sequence[ExplanationQuality]) -> Table:
    """Pointing game, energy inside the lesions and the randomisation check, one row a method."""
    table = Table(title="Explanations (lesion boxes on the model grid)")
    for column in (
        "method",
        "images",
        "pointing game",
        "chance",
        "energy in boxes",
        "randomised: Spearman (blank)",
    ):
        table.add_column(column, justify="left" if column == "method" else "right")
    for q in qualities:
        check = q.randomisation
        table.add_row(
            q.method,
            str(q.images),
            "-"
            if q.pointing_game is None
            else f"{q.pointing_hits}/{q.images} ({q.pointing_game:.2f})",
            _fraction(q.pointing_chance),
            _fraction(q.energy_inside),
            f"{_fraction(check.spearman_mean)} ({check.blank}/{check.images} blank)",
        )
    return table


def render_ood_table(result: OodEvaluation) -> Table:
    """One row per shifted set: AUROC and FPR at 95 % TPR of each score, the share flagged by
    the served assessment, and the model's accuracy on labelled mammograms."""
    table = Table(
        title=f"OOD detection vs {result.in_distribution} ({result.n_in_distribution} images, "
        f"{result.in_distribution_flagged:.0%} flagged, "
        f"{result.in_distribution_flagged_by_features:.0%} by the features; served: "
        f"{result.served_detector}; "
        f"{result.accuracy_metric} {_fraction(result.in_distribution_accuracy)}). "
        "Targets: AUROC >= 0.99 far, >= 0.90 near"
    )
    scores = list(result.sets[0].auroc) if result.sets else []
    short = " / ".join(_SHORT_SCORE_NAMES.get(s, s) for s in scores)
    for column in ("set", "n", f"AUROC {short}", f"FPR@95TPR {short}"):
        table.add_column(column)
    table.add_column("flagged (by features)", justify="right")
    table.add_column(result.accuracy_metric, justify="right")
    for row in result.sets:
        table.add_row(
            f"{row.distance}: {row.name}",
            str(row.n) + (f" (+{row.refused_by_ingest} refused)" if row.refused_by_ingest else ""),
            " / ".join(f"{row.auroc[s]:.3f}" for s in scores),
            " / ".join(f"{row.fpr_at_95_tpr[s]:.2f}" for s in scores),
            f"{row.flagged:.0%} ({row.flagged_by_features:.0%})",
            _fraction(row.accuracy),
        )
    return table


_SHORT_SCORE_NAMES = {
    "mahalanobis": "maha",
    "knn": "knn",
    "mahalanobis on stride8_statistics": "maha-s8",
    "energy": "energy",
}


def _fraction(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def write_json(model: BaseModel | Mapping[str, Any], path: str | Path) -> Path:
    """Write a result as pretty, key-sorted JSON, creating parent folders.

    NaN and infinity are refused (``allow_nan=False``): they are not JSON, and a NaN metric is a
    bug to surface, not to file away.

    Args:
        model: a pydantic model (dumped in JSON mode) or a JSON-ready mapping.
        path: file to write.

    Returns:
        ``path``.
    """
    data = model.model_dump(mode="json") if isinstance(model, BaseModel) else model
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=2, sort_keys=True, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path
