"""Fit a trained model's temperature scaling on its validation split, and say how well it works.

The result is the registry's :class:`~registry.records.CalibrationRecord` (method, fitted
temperatures, the validation data's fingerprint, ECE and Brier before and after, reliability
bins), written beside the weights (``registry.bundled.CALIBRATION_FILE``) so that registering
the folder attaches it. Serving applies it with :mod:`mammocad.calibration`.

Classifier: the hierarchical likelihood factorises into "abnormal or not" over every image and
"malignant or benign" over the abnormal ones, so each logit gets its own temperature, fitted by
maximum likelihood on its own cases. Detector: one temperature on the box-score logit, fitted on
whether each validation box hit a mass (centre-in-box, as in evaluation).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from scipy.optimize import minimize_scalar

from mammocad.calibration import classifier_probabilities, scaled_scores, sigmoid
from mammocad.datasets.fingerprint import fingerprint
from mammocad.datasets.records import DataSet
from mammocad.vocabulary import Label
from models.classify.network import LesionEvidenceClassifier
from models.data import PreparedImage
from models.detect.network import MassDetector
from models.evaluation.calibration import CalibrationSummary, summarise_calibration, two_class
from models.evaluation.detection import detection_hits
from models.tasks import predict_classifier, predict_detections
from registry.records import CalibrationQuality, CalibrationRecord, DataRef, ReliabilityBin

__all__ = ["calibrate", "fit_temperature", "held_out_calibration"]

_MIN_PER_CLASS = 2  # fewer positives or negatives than this: keep T = 1 (nothing to fit)
_LOG_T_BOUNDS = (np.log(0.05), np.log(20.0))


def fit_temperature(logits: Sequence[float], positive: Sequence[bool]) -> float:
    """The ``T`` that maximises the likelihood of ``positive`` under ``sigmoid(logit / T)``.

    Returns 1.0 (no change) when either class has fewer than two cases.
    """
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(positive, dtype=bool)
    if min(y.sum(), (~y).sum()) < _MIN_PER_CLASS:
        return 1.0

    def nll(log_t: float) -> float:
        scaled = z / np.exp(log_t)
        return float(np.mean(np.logaddexp(0.0, -scaled) * y + np.logaddexp(0.0, scaled) * ~y))

    fitted = minimize_scalar(nll, bounds=_LOG_T_BOUNDS, method="bounded")
    return float(np.exp(fitted.x))


def calibrate(
    model: torch.nn.Module,
    validation: Sequence[PreparedImage],
    validation_set: DataSet,
    device: torch.device,
) -> CalibrationRecord:
    """Fit and measure the calibration of ``model`` on its validation images."""
    fitted_on = DataRef(name=validation_set.name, fingerprint=fingerprint(validation_set))
    if isinstance(model, LesionEvidenceClassifier):
        return _calibrate_classifier(model, validation, fitted_on, device)
    if isinstance(model, MassDetector):
        return _calibrate_detector(model, validation, fitted_on, device)
    raise TypeError(f"no calibration for {type(model).__name__}")


def held_out_calibration(
    model: torch.nn.Module,
    images: Sequence[PreparedImage],
    record: CalibrationRecord,
    device: torch.device,
) -> dict[str, Any]:
    """ECE (15 bins) and Brier score of the model's own and of its calibrated outputs on
    images the calibration was not fitted on: the figure the calibration target is about."""
    if isinstance(model, LesionEvidenceClassifier):
        found = predict_classifier(model, [i.model_input() for i in images], device)
        labels = np.array([list(Label).index(i.label) for i in images])
        a, m = found.abnormal_logit, found.malignant_logit
        p = record.parameters
        raw = summarise_calibration(classifier_probabilities(a, m), labels)
        calibrated = summarise_calibration(
            classifier_probabilities(a, m, p["abnormal_temperature"], p["malignant_temperature"]),
            labels,
        )
    elif isinstance(model, MassDetector):
        scores, hits = _scores_and_hits(model, images, device)
        raw = summarise_calibration(two_class(scores), hits)
        calibrated = summarise_calibration(
            two_class(scaled_scores(scores, record.parameters["temperature"])), hits
        )
    else:
        raise TypeError(f"no calibration for {type(model).__name__}")
    return {
        "target": record.target,
        "method": record.method,
        "parameters": record.parameters,
        "n": len(images),
        "uncalibrated": {"ece": raw.ece, "brier": raw.brier},
        "calibrated": {"ece": calibrated.ece, "brier": calibrated.brier},
        "reliability_bins": [b.model_dump() for b in calibrated.bins],
    }


def _calibrate_classifier(
    model: LesionEvidenceClassifier,
    images: Sequence[PreparedImage],
    fitted_on: DataRef,
    device: torch.device,
) -> CalibrationRecord:
    found = predict_classifier(model, [i.model_input() for i in images], device)
    a, m = found.abnormal_logit, found.malignant_logit
    labels = np.array([list(Label).index(i.label) for i in images])
    abnormal = np.array([i.label is not Label.NORMAL for i in images])
    t_a = fit_temperature(a, abnormal)
    t_m = fit_temperature(m[abnormal], labels[abnormal] == list(Label).index(Label.MALIGNANT))
    before = summarise_calibration(classifier_probabilities(a, m), labels)
    after = summarise_calibration(classifier_probabilities(a, m, t_a, t_m), labels)
    return _record(
        "normal/benign/malignant (top label)",
        {"abnormal_temperature": t_a, "malignant_temperature": t_m},
        fitted_on,
        before,
        after,
    )


def _calibrate_detector(
    model: MassDetector,
    images: Sequence[PreparedImage],
    fitted_on: DataRef,
    device: torch.device,
) -> CalibrationRecord:
    s, y = _scores_and_hits(model, images, device)
    if len(s) == 0:
        raise ValueError("the detector made no detection on its validation images")
    t = fit_temperature(np.log(s / (1 - s)), y.astype(bool))
    before = summarise_calibration(two_class(sigmoid(np.log(s / (1 - s)))), y)
    after = summarise_calibration(two_class(scaled_scores(s, t)), y)
    return _record("box score: p(the box is a mass)", {"temperature": t}, fitted_on, before, after)


def _scores_and_hits(
    model: MassDetector, images: Sequence[PreparedImage], device: torch.device
) -> tuple[np.ndarray, np.ndarray]:
    """Every decoded box score on the images whose lesions all have a location, and whether
    the box hit a mass (centre in box, as in evaluation)."""
    scorable = [i for i in images if all(les.box is not None for les in i.lesions)]
    found = predict_detections(model, [i.model_input() for i in scorable], device)
    scores, hits = [], []
    for image, detections in zip(scorable, found, strict=True):
        truth = np.array(
            [les.box for les in image.lesions if les.kind.is_mass], dtype=float
        ).reshape(-1, 4)
        scores += list(detections.scores)
        hits += list(detection_hits(detections.boxes, truth))
    return (
        np.clip(np.asarray(scores, dtype=np.float64), 1e-7, 1 - 1e-7),
        np.asarray(hits, dtype=np.int64),
    )


def _record(
    target: str,
    parameters: dict[str, float],
    fitted_on: DataRef,
    before: CalibrationSummary,
    after: CalibrationSummary,
) -> CalibrationRecord:
    return CalibrationRecord(
        method="temperature",
        target=target,
        parameters=parameters,
        fitted_on=fitted_on,
        before=CalibrationQuality(ece=before.ece, brier=before.brier),
        after=CalibrationQuality(ece=after.ece, brier=after.brier),
        reliability_bins=[ReliabilityBin(**b.model_dump()) for b in after.bins],
    )
