"""The version's temperature scaling applied to a task service's answer, in the gateway.

The service answers with the network's own numbers (and the classifier's logits); the gateway
holds the version's calibration record from the registry and applies it with the very functions
the calibration was measured with (:mod:`mammocad.calibration`). Temperature scaling is monotonic,
so the version's operating threshold is carried through the same map: every decision is the one
the uncalibrated model and its validated threshold would make, only the probabilities change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from api.inference_schemas import CalibrationApplied
from api.task_client import BadServiceAnswerError
from mammocad.calibration import classifier_probabilities, scaled_scores
from mammocad.inference_contract import ClassifyOutcome
from registry.records import CalibrationRecord

__all__ = [
    "CLASSIFIER_PARAMETERS",
    "DETECTOR_PARAMETERS",
    "Calibrated",
    "calibrated_classification",
    "calibrated_score",
    "describe",
]

logger = logging.getLogger(__name__)
CLASSIFIER_PARAMETERS = ("abnormal_temperature", "malignant_temperature")
DETECTOR_PARAMETERS = ("temperature",)


@dataclass(frozen=True)
class Calibrated:
    """Probabilities (normal, benign, malignant) and the threshold on ``1 - p(normal)``."""

    probabilities: dict[str, float]
    abnormal_threshold: float | None


def calibrated_classification(
    outcome: ClassifyOutcome, record: CalibrationRecord | None, threshold: float | None
) -> Calibrated | None:
    """The calibrated answer, or None when the version has no temperature calibration this
    gateway can apply (then the answer says ``calibrated: false``, which is true)."""
    if not _usable(record, CLASSIFIER_PARAMETERS):
        return None
    assert record is not None  # _usable checked it
    if not {"abnormal", "malignant"} <= outcome.logits.keys():
        raise BadServiceAnswerError(
            f"the classify service answered logits {sorted(outcome.logits)}, not abnormal and "
            "malignant: the answer cannot be calibrated"
        )
    t_a = record.parameters["abnormal_temperature"]
    t_m = record.parameters["malignant_temperature"]
    normal, benign, malignant = classifier_probabilities(
        outcome.logits["abnormal"], outcome.logits["malignant"], t_a, t_m
    )
    return Calibrated(
        probabilities={"normal": normal, "benign": benign, "malignant": malignant},
        abnormal_threshold=None if threshold is None else float(scaled_scores(threshold, t_a)),
    )


def calibrated_score(value: float, record: CalibrationRecord | None) -> float:
    """A detector score (or threshold) through the version's temperature; as is without one."""
    if not _usable(record, DETECTOR_PARAMETERS):
        return value
    assert record is not None  # _usable checked it
    return float(scaled_scores(value, record.parameters["temperature"]))


def describe(
    record: CalibrationRecord | None, parameters: tuple[str, ...]
) -> CalibrationApplied | None:
    """What the answer says about the calibration it applied (None: it applied none)."""
    if not _usable(record, parameters):
        return None
    assert record is not None  # _usable checked it
    return CalibrationApplied(
        method=record.method,
        parameters=record.parameters,
        fitted_on=record.fitted_on.name,
        ece_before=record.before.ece,
        ece_after=record.after.ece,
    )


def _usable(record: CalibrationRecord | None, parameters: tuple[str, ...]) -> bool:
    if record is None:
        return False
    if record.method == "temperature" and all(name in record.parameters for name in parameters):
        return True
    logger.warning(
        "calibration record (%s, %s) is not a temperature scaling with %s: answering uncalibrated",
        record.method,
        sorted(record.parameters),
        ", ".join(parameters),
    )
    return False
