"""The version's calibration (temperature, Platt or joint scaling) applied to a task service's
answer, in the gateway.

The service answers with the network's own numbers (and the classifier's logits); the gateway
holds the version's calibration record from the registry and applies it with the very functions
the calibration was measured with (:mod:`mammocad.calibration`). Every method maps the abnormal
logit (and the box score) by a positive affine map, hence monotonically, so the version's
operating threshold is carried through the same map: every decision is the one the uncalibrated
model and its validated threshold would make, only the probabilities change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

from api.inference_schemas import CalibrationApplied
from api.task_client import BadServiceAnswerError
from mammocad.calibration import (
    LogitMap,
    MalignancyMap,
    UnusableCalibrationError,
    classifier_maps,
    classifier_probabilities,
    detector_map,
    scaled_scores,
)
from mammocad.schemas.inference_contract import ClassifyOutcome
from mammocad.schemas.trust import CalibrationRecord

__all__ = ["Calibrated", "calibrated_classification", "calibrated_score", "describe"]

logger = logging.getLogger(__name__)
Task = Literal["classify", "detect"]
Maps = TypeVar("Maps", tuple[LogitMap, MalignancyMap], LogitMap)


@dataclass(frozen=True)
class Calibrated:
    """Probabilities (normal, benign, malignant) and the threshold on ``1 - p(normal)``."""

    probabilities: dict[str, float]
    abnormal_threshold: float | None


def calibrated_classification(
    outcome: ClassifyOutcome, record: CalibrationRecord | None, threshold: float | None
) -> Calibrated | None:
    """The calibrated answer, or None when the version has no calibration this gateway can
    apply (then the answer says ``calibrated: false``, which is true)."""
    maps = _usable(record, "classify", classifier_maps)
    if maps is None:
        return None
    abnormal, malignant = maps
    if not {"abnormal", "malignant"} <= outcome.logits.keys():
        raise BadServiceAnswerError(
            f"the classify service answered logits {sorted(outcome.logits)}, not abnormal and "
            "malignant: the answer cannot be calibrated"
        )
    normal, benign, malignant_p = classifier_probabilities(
        outcome.logits["abnormal"], outcome.logits["malignant"], abnormal, malignant
    )
    return Calibrated(
        probabilities={"normal": normal, "benign": benign, "malignant": malignant_p},
        abnormal_threshold=None if threshold is None else float(scaled_scores(threshold, abnormal)),
    )


def calibrated_score(value: float, record: CalibrationRecord | None) -> float:
    """A detector score (or threshold) through the version's calibration; as is without one."""
    mapping = _usable(record, "detect", detector_map)
    return value if mapping is None else float(scaled_scores(value, mapping))


def describe(record: CalibrationRecord | None, task: Task) -> CalibrationApplied | None:
    """What the answer says about the calibration it applied (None: it applied none)."""
    if record is None:
        return None
    if task == "classify":
        usable = _usable(record, task, classifier_maps) is not None
    else:
        usable = _usable(record, task, detector_map) is not None
    if not usable:
        return None
    return CalibrationApplied(
        method=record.method,
        parameters=record.parameters,
        fitted_on=record.fitted_on.name,
        ece_before=record.before.ece,
        ece_after=record.after.ece,
    )


def _usable(
    record: CalibrationRecord | None,
    task: Task,
    reader: Callable[[str, Mapping[str, float]], Maps],
) -> Maps | None:
    """What ``reader`` makes of the record; None when there is no record, when it says that
    no calibration was kept (method ``none``), or (logged) when it cannot be applied."""
    if record is None or record.method == "none":
        return None
    try:
        return reader(record.method, record.parameters)
    except UnusableCalibrationError as error:
        logger.warning(
            "calibration record unusable for %s (%s): answering uncalibrated", task, error
        )
        return None
