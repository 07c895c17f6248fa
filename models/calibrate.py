"""Fit a trained model's probability calibration after training, and say how well it works.

The result is the registry's :class:`~registry.records.CalibrationRecord` (method, fitted
parameters, the fitting data's fingerprint, ECE and Brier before and after, reliability bins),
written beside the weights (``registry.bundled.CALIBRATION_FILE``) so that registering the folder
attaches it. Serving applies it with :mod:`mammocad.calibration`.

Two candidate methods, each a positive affine map of a logit: temperature scaling (one parameter
per logit) and Platt scaling (a scale and a bias: the bias also undoes the base-rate shift that
class-balanced training leaves behind). Platt is kept only when its 5-fold cross-validated negative
log-likelihood on the fitting data beats temperature's by more than one nat per extra parameter
(Akaike's price of a parameter), so a small fitting set does not buy the bias with noise; both
figures are recorded.

Classifier: the hierarchical likelihood factorises into "abnormal or not" over every image and
"malignant or benign" over the abnormal ones, so each logit gets its own map, fitted by maximum
likelihood on its own cases. Detector: one map on the box-score logit, fitted on whether each box
hit a mass (centre-in-box, as in evaluation).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import torch
from scipy.optimize import minimize, minimize_scalar
from sklearn.model_selection import StratifiedKFold

from mammocad.calibration import (
    IDENTITY,
    LogitMap,
    classifier_maps,
    classifier_probabilities,
    detector_map,
    scaled_scores,
    sigmoid,
)
from mammocad.datasets.fingerprint import fingerprint
from mammocad.datasets.records import DataSet
from mammocad.vocabulary import Label
from models.classify.network import LesionEvidenceClassifier
from models.data import PreparedImage
from models.detect.network import MassDetector
from models.evaluation.calibration import (
    CalibrationSummary,
    expected_ece_if_calibrated,
    summarise_calibration,
    two_class,
)
from models.evaluation.detection import detection_hits
from models.tasks import predict_classifier, predict_detections
from registry.records import CalibrationQuality, CalibrationRecord, DataRef, ReliabilityBin

__all__ = [
    "METHODS",
    "calibrate",
    "calibration_figures",
    "choose_method",
    "cross_validated_nll",
    "fit_logit_map",
    "held_out_calibration",
]

Method = Literal["temperature", "platt"]
METHODS: tuple[Method, ...] = ("temperature", "platt")
_MIN_PER_CLASS = 2  # fewer positives or negatives than this: keep the identity (nothing to fit)
_LOG_SCALE_BOUNDS = (np.log(0.05), np.log(20.0))
_BIAS_BOUNDS = (-20.0, 20.0)
_FOLDS = 5


def fit_logit_map(logits: Sequence[float], positive: Sequence[bool], method: Method) -> LogitMap:
    """The map that maximises the likelihood of ``positive`` under ``sigmoid(map(logit))``.

    Returns the identity (no change) when either class has fewer than two cases.
    """
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(positive, dtype=bool)
    if min(y.sum(), (~y).sum()) < _MIN_PER_CLASS:
        return IDENTITY
    if method == "temperature":
        fitted = minimize_scalar(
            lambda log_scale: _nll(z, y, LogitMap(np.exp(log_scale))),
            bounds=_LOG_SCALE_BOUNDS,
            method="bounded",
        )
        return LogitMap(scale=float(np.exp(fitted.x)))
    fitted = minimize(
        lambda p: _nll(z, y, LogitMap(np.exp(p[0]), p[1])),
        x0=np.zeros(2),
        bounds=[_LOG_SCALE_BOUNDS, _BIAS_BOUNDS],
        method="L-BFGS-B",
    )
    return LogitMap(scale=float(np.exp(fitted.x[0])), bias=float(fitted.x[1]))


def cross_validated_nll(
    logits: Sequence[float], positive: Sequence[bool], method: Method, seed: int = 0
) -> float:
    """Summed negative log-likelihood of each case under the map fitted without its fold
    (stratified, at most 5 folds; 0.0 when there is nothing to fit)."""
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(positive, dtype=bool)
    folds = min(_FOLDS, int(y.sum()), int((~y).sum()))
    if folds < 2:
        return 0.0
    total = 0.0
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fit_on, held_out in splitter.split(z, y):
        mapping = fit_logit_map(z[fit_on], y[fit_on], method)
        total += _nll(z[held_out], y[held_out], mapping) * len(held_out)
    return total


def _nll(z: np.ndarray, y: np.ndarray, mapping: LogitMap) -> float:
    """Mean negative log-likelihood of ``y`` under ``sigmoid(mapping(z))``."""
    scaled = mapping(z)
    return float(np.mean(np.logaddexp(0.0, -scaled) * y + np.logaddexp(0.0, scaled) * ~y))


def calibrate(
    model: torch.nn.Module,
    images: Sequence[PreparedImage],
    dataset: DataSet,
    device: torch.device,
) -> CalibrationRecord:
    """Fit and measure the calibration of ``model`` on ``images`` (of ``dataset``: data the
    weights were not trained on)."""
    fitted_on = DataRef(name=dataset.name, fingerprint=fingerprint(dataset))
    if isinstance(model, LesionEvidenceClassifier):
        return _calibrate_classifier(model, images, fitted_on, device)
    if isinstance(model, MassDetector):
        return _calibrate_detector(model, images, fitted_on, device)
    raise TypeError(f"no calibration for {type(model).__name__}")


def held_out_calibration(
    model: torch.nn.Module,
    images: Sequence[PreparedImage],
    record: CalibrationRecord,
    device: torch.device,
) -> dict[str, Any]:
    """ECE (15 bins) and Brier score of the model's own and of its calibrated outputs on
    images the calibration was not fitted on: the figure the calibration target is about.

    ECE is biased upwards on few cases, so each figure comes with the ECE that perfectly
    calibrated probabilities would show on the same number of cases (``ece_if_calibrated``): a
    measured ECE near it is as good as this many cases can show. A classifier is measured twice:
    top label over normal/benign/malignant (the target), and p(abnormal) alone (the probability
    its decision thresholds)."""
    if isinstance(model, LesionEvidenceClassifier):
        found = predict_classifier(model, [i.model_input() for i in images], device)
        truth = np.array([list(Label).index(i.label) for i in images])
        a, m = found.abnormal_logit, found.malignant_logit
        maps = classifier_maps(record.method, record.parameters)
        measured = calibration_figures(
            classifier_probabilities(a, m), classifier_probabilities(a, m, *maps), truth
        )
        abnormal = (truth != list(Label).index(Label.NORMAL)).astype(np.int64)
        measured["abnormal_vs_normal"] = calibration_figures(
            two_class(sigmoid(a)), two_class(sigmoid(maps[0](a))), abnormal
        )
    elif isinstance(model, MassDetector):
        scores, hits = _scores_and_hits(model, images, device)
        mapping = detector_map(record.method, record.parameters)
        measured = calibration_figures(
            two_class(scores), two_class(scaled_scores(scores, mapping)), hits
        )
    else:
        raise TypeError(f"no calibration for {type(model).__name__}")
    return {
        "target": record.target,
        "method": record.method,
        "parameters": record.parameters,
        **measured,
    }


def calibration_figures(
    raw: np.ndarray, calibrated: np.ndarray, truth: np.ndarray
) -> dict[str, Any]:
    """ECE, Brier and reliability bins of ``(N, K)`` probabilities before and after calibration
    against class indices ``truth``, with the ECE floor of the calibrated ones (report form)."""
    before = summarise_calibration(raw, truth)
    after = summarise_calibration(calibrated, truth)
    return {
        "n": len(truth),
        "uncalibrated": {"ece": before.ece, "brier": before.brier},
        "calibrated": {"ece": after.ece, "brier": after.brier},
        "ece_if_calibrated": expected_ece_if_calibrated(calibrated),
        "reliability_bins": [b.model_dump() for b in after.bins],
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
    abnormal = labels != list(Label).index(Label.NORMAL)
    malignant = labels[abnormal] == list(Label).index(Label.MALIGNANT)
    # The hierarchical likelihood is the sum of the two logits' likelihoods.
    cv_nll = {
        method: cross_validated_nll(a, abnormal, method)
        + cross_validated_nll(m[abnormal], malignant, method)
        for method in METHODS
    }
    method = choose_method(cv_nll, n_logits=2)
    map_a = fit_logit_map(a, abnormal, method)
    map_m = fit_logit_map(m[abnormal], malignant, method)
    return _record(
        "normal/benign/malignant (top label)",
        method,
        _parameters(method, map_a, "abnormal_") | _parameters(method, map_m, "malignant_"),
        cv_nll,
        fitted_on,
        summarise_calibration(classifier_probabilities(a, m), labels),
        summarise_calibration(classifier_probabilities(a, m, map_a, map_m), labels),
    )


def _calibrate_detector(
    model: MassDetector,
    images: Sequence[PreparedImage],
    fitted_on: DataRef,
    device: torch.device,
) -> CalibrationRecord:
    s, y = _scores_and_hits(model, images, device)
    if len(s) == 0:
        raise ValueError("the detector made no detection on its calibration images")
    z, hit = np.log(s / (1 - s)), y.astype(bool)
    cv_nll = {method: cross_validated_nll(z, hit, method) for method in METHODS}
    method = choose_method(cv_nll, n_logits=1)
    mapping = fit_logit_map(z, hit, method)
    return _record(
        "box score: p(the box is a mass)",
        method,
        _parameters(method, mapping, ""),
        cv_nll,
        fitted_on,
        summarise_calibration(two_class(s), y),
        summarise_calibration(two_class(scaled_scores(s, mapping)), y),
    )


def choose_method(cv_nll: dict[Method, float], n_logits: int) -> Method:
    """Platt when its cross-validated NLL is lower than temperature's by more than one nat per
    extra parameter (one bias per logit); temperature otherwise."""
    return "platt" if cv_nll["platt"] < cv_nll["temperature"] - n_logits else "temperature"


def _parameters(method: Method, mapping: LogitMap, prefix: str) -> dict[str, float]:
    """The record's parameter names for ``mapping`` (as :mod:`mammocad.calibration` reads them)."""
    if method == "temperature":
        return {f"{prefix}temperature": 1.0 / mapping.scale}
    return {f"{prefix}scale": mapping.scale, f"{prefix}bias": mapping.bias}


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
    method: Method,
    parameters: dict[str, float],
    cv_nll: dict[Method, float],
    fitted_on: DataRef,
    before: CalibrationSummary,
    after: CalibrationSummary,
) -> CalibrationRecord:
    return CalibrationRecord(
        method=method,
        target=target,
        parameters=parameters,
        method_selection={f"{m} (5-fold cross-validated NLL)": v for m, v in cv_nll.items()},
        fitted_on=fitted_on,
        before=CalibrationQuality(ece=before.ece, brier=before.brier),
        after=CalibrationQuality(ece=after.ece, brier=after.brier),
        reliability_bins=[ReliabilityBin(**b.model_dump()) for b in after.bins],
    )
