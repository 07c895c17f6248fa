"""From a task service's outcome to the public answer's pieces, shared by the routes that answer
about a classification (``/v1/classify``, ``/v1/explain``) or detections (``/v1/detect``,
``/v1/explain``): calibration, the operating point, and boxes in original pixels."""

from __future__ import annotations

from dataclasses import dataclass

from api.calibrated import (
    calibrated_classification,
    calibrated_score,
    describe,
)
from api.inference import from_service, threshold_of
from api.inference_schemas import CalibrationApplied, ClassPrediction, ClassProbabilities, Detection
from mammocad.geometry import GridTransform
from mammocad.schemas.inference_contract import ClassifyOutcome, DetectOutcome
from mammocad.schemas.trust import CalibrationRecord
from mammocad.vocabulary import Label
from registry import ModelVersion

__all__ = ["Classification", "classification_of", "detections_in_original"]


@dataclass(frozen=True)
class Classification:
    """A classifier outcome read with its version's calibration and operating point."""

    probabilities: ClassProbabilities
    prediction: ClassPrediction
    calibration: CalibrationApplied | None  # None: the probabilities are the model's own


def classification_of(outcome: ClassifyOutcome, version: ModelVersion) -> Classification:
    """Calibrated probabilities (when the version has a usable calibration record) and the
    decision at the version's validated abnormal threshold.

    Raises:
        BadServiceAnswerError: the service's numbers break the contract (502).
    """
    record = version.calibration
    threshold = threshold_of(version, "abnormal_threshold")
    calibrated = from_service(
        "classify", lambda: calibrated_classification(outcome, record, threshold)
    )
    raw = calibrated.probabilities if calibrated else outcome.probabilities
    probabilities = from_service("classify", lambda: ClassProbabilities.model_validate(raw))
    return Classification(
        probabilities=probabilities,
        prediction=_prediction(
            probabilities, calibrated.abnormal_threshold if calibrated else threshold
        ),
        calibration=describe(record, "classify") if calibrated else None,
    )


def detections_in_original(
    outcome: DetectOutcome,
    transform: GridTransform,
    threshold: float | None,
    calibration: CalibrationRecord | None,
) -> list[Detection]:
    """The service's model-grid boxes that pass ``threshold`` (on the model's own scores),
    mapped to the original pixels (undoing resize, mirror and crop; clipped to the image), with
    calibrated scores when the version has a calibration.

    Raises:
        BadServiceAnswerError: the service's numbers break the contract (502).
    """
    kept = [d for d in outcome.detections if threshold is None or d.score >= threshold]
    if not kept:
        return []
    boxes = transform.to_original_boxes([d.box for d in kept])
    return from_service(
        "detect",
        lambda: [
            Detection(
                box=(float(x0), float(y0), float(x1), float(y1)),
                score=calibrated_score(d.score, calibration),
                malignancy=d.malignancy,
            )
            for d, (x0, y0, x1, y1) in zip(kept, boxes, strict=True)
        ],
    )


def _prediction(probabilities: ClassProbabilities, threshold: float | None) -> ClassPrediction:
    scores = probabilities.model_dump()
    abnormal_score = 1.0 - probabilities.normal
    return ClassPrediction(
        label=Label(max(scores, key=scores.__getitem__)),
        abnormal_score=min(1.0, max(0.0, abnormal_score)),
        abnormal_threshold=threshold,
        abnormal=None if threshold is None else abnormal_score >= threshold,
    )
