"""Evaluation of mammocad's models: pure functions from numpy arrays to pydantic results.

``classification`` (AUC with CIs, operating points, confusion), ``detection`` (box matching,
FROC) and ``report`` (rich tables, JSON) are re-exported here. ``plots`` is imported on its own
(``models.evaluation.plots``) so that computing metrics does not load matplotlib. Nothing here
imports torch at import time; :func:`froc` loads MONAI (and so torch) when called.
"""

from __future__ import annotations

from models.evaluation.classification import (
    AucEstimate,
    ClassificationReport,
    ConfusionMatrix,
    OperatingPoint,
    Proportion,
    at_threshold,
    auc_with_ci,
    classification_report,
    confusion,
    operating_point,
    wilson_interval,
)
from models.evaluation.detection import FrocResult, Matches, box_iou, froc, match_detections
from models.evaluation.report import (
    render_classification_table,
    render_detection_table,
    write_json,
)

__all__ = [
    "AucEstimate",
    "ClassificationReport",
    "ConfusionMatrix",
    "FrocResult",
    "Matches",
    "OperatingPoint",
    "Proportion",
    "at_threshold",
    "auc_with_ci",
    "box_iou",
    "classification_report",
    "confusion",
    "froc",
    "match_detections",
    "operating_point",
    "render_classification_table",
    "render_detection_table",
    "wilson_interval",
    "write_json",
]
