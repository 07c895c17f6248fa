"""Fit a trained model's probability calibration after training, and say how well it works.

The result is the registry's :class:`~mammocad.schemas.trust.CalibrationRecord` (method, fitted
parameters, the fitting data's fingerprint, ECE and Brier before and after, reliability bins),
written beside the weights (``calibration.json``) so that registering the folder attaches it.
Serving applies it with :mod:`mammocad.calibration`.

Candidate methods (:mod:`mammocad.calibration` says what they compute): temperature scaling (one
parameter per logit), Platt scaling (a scale and a bias: the bias also undoes the base-rate shift
that class-balanced training leaves behind) and, for the classifier, the joint map (Platt on the
abnormal logit; the malignancy recalibrated from both logits). The kept one has the lowest 5-fold
cross-validated negative log-likelihood on the fitting data plus one nat per parameter (Akaike's
price of a parameter), so a small fitting set does not buy parameters with noise; every
candidate's cross-validated NLL is recorded.

Classifier: the hierarchical likelihood factorises into "abnormal or not" over every image and
"malignant or benign" over the abnormal ones, so each factor is fitted by maximum likelihood on
its own cases. Detector: one map on the box-score logit, fitted on whether each box hit a mass
(centre-in-box, as in evaluation).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypeVar

import numpy as np
import torch
from numpy.typing import ArrayLike
from scipy.optimize import minimize, minimize_scalar
from sklearn.model_selection import StratifiedKFold

from mammocad.calibration import (
    IDENTITY,
    LogitMap,
    MalignancyMap,
    classifier_maps,
    classifier_probabilities,
    detector_map,
    scaled_scores,
    sigmoid,
)
from mammocad.datasets.fingerprint import fingerprint
from mammocad.datasets.records import DataSet
from mammocad.schemas.trust import CalibrationQuality, CalibrationRecord, DataRef, ReliabilityBin
from mammocad.vocabulary import Label
from models.evaluation.detection import detection_hits
from models.inference.predict import predict_classifier, predict_detections
from models.nets.classifier import ClassifierNetwork
from models.nets.detector import MassDetector
from models.training.data import ModelInputs, PreparedImage
from models.trust.reliability import (
    CalibrationSummary,
    expected_ece_if_calibrated,
    summarise_calibration,
    two_class,
)

__all__ = [
    "CLASSIFIER_METHODS",
    "METHODS",
    "calibrate",
    "calibration_figures",
    "calibration_record",
    "choose_method",
    "classifier_parameters",
    "cross_validated_malignancy_nll",
    "cross_validated_nll",
    "fit_logit_map",
    "fit_malignancy_map",
    "held_out_calibration",
    "logit_map_parameters",
]

Method = Literal["temperature", "platt"]
ClassifierMethod = Literal["temperature", "platt", "joint"]
RecordedMethod = Literal["none", "temperature", "platt", "joint"]
METHODS: tuple[Method, ...] = ("temperature", "platt")
CLASSIFIER_METHODS: tuple[ClassifierMethod, ...] = ("temperature", "platt", "joint")
_MethodT = TypeVar("_MethodT", bound=str)
_CLASSIFIER_PARAMETERS = {"temperature": 2, "platt": 4, "joint": 6}
_DETECTOR_PARAMETERS = {"temperature": 1, "platt": 2}
_RIDGE = 1e-3  # pulls the joint map's weights towards M alone: no blow-up on separable cases
_MIN_PER_CLASS = 2  # fewer positives or negatives than this: keep the identity (nothing to fit)
_LOG_SCALE_BOUNDS = (np.log(0.05), np.log(20.0))
_BIAS_BOUNDS = (-20.0, 20.0)
_FOLDS = 5


def fit_logit_map(logits: ArrayLike, positive: ArrayLike, method: Method) -> LogitMap:
    """The map that maximises the likelihood of ``positive`` under ``sigmoid(map(logit))``.

    Returns the identity (no change) when either class has fewer than two cases.
    """
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(positive, dtype=bool)
    if min(y.sum(), (~y).sum()) < _MIN_PER_CLASS:
        return IDENTITY
    if method == "temperature":
        fitted = minimize_scalar(
            lambda log_scale: _nll(LogitMap(np.exp(log_scale))(z), y),
            bounds=_LOG_SCALE_BOUNDS,
            method="bounded",
        )
        return LogitMap(scale=float(np.exp(fitted.x)))
    fitted = minimize(
        lambda p: _nll(LogitMap(np.exp(p[0]), p[1])(z), y),
        x0=np.zeros(2),
        bounds=[_LOG_SCALE_BOUNDS, _BIAS_BOUNDS],
        method="L-BFGS-B",
    )
    return LogitMap(scale=float(np.exp(fitted.x[0])), bias=float(fitted.x[1]))


def fit_malignancy_map(
    malignant_logits: ArrayLike,
    abnormal_logits: ArrayLike,
    positive: ArrayLike,
    method: ClassifierMethod,
) -> MalignancyMap:
    """The malignancy map of ``method`` fitted by maximum likelihood on the abnormal cases'
    logits (``positive``: malignant). Identity when either class has fewer than two cases."""
    m = np.asarray(malignant_logits, dtype=np.float64)
    a = np.asarray(abnormal_logits, dtype=np.float64)
    y = np.asarray(positive, dtype=bool)
    if method != "joint":
        return MalignancyMap.on_malignant_logit(fit_logit_map(m, y, method))
    if min(y.sum(), (~y).sum()) < _MIN_PER_CLASS:
        return MalignancyMap()
    start = np.array([1.0, 0.0, 0.0, 0.0])
    fitted = minimize(
        lambda w: _nll(MalignancyMap(*w)(m, a), y) + _RIDGE * float(np.sum((w - start) ** 2)),
        x0=start,
        method="L-BFGS-B",
    )
    return MalignancyMap(*(float(w) for w in fitted.x))


def cross_validated_nll(
    logits: ArrayLike, positive: ArrayLike, method: Method, seed: int = 0
) -> float:
    """Summed negative log-likelihood of each case under the map fitted without its fold
    (stratified, at most 5 folds; 0.0 when there is nothing to fit)."""
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(positive, dtype=bool)
    return _cross_validated(
        y, lambda fit_on, out: fit_logit_map(z[fit_on], y[fit_on], method)(z[out]), seed
    )


def cross_validated_malignancy_nll(
    malignant_logits: ArrayLike,
    abnormal_logits: ArrayLike,
    positive: ArrayLike,
    method: ClassifierMethod,
    seed: int = 0,
) -> float:
    """:func:`cross_validated_nll` of a malignancy map (which may read both logits)."""
    m = np.asarray(malignant_logits, dtype=np.float64)
    a = np.asarray(abnormal_logits, dtype=np.float64)
    y = np.asarray(positive, dtype=bool)

    def fit_and_score(fit_on: np.ndarray, out: np.ndarray) -> np.ndarray:
        return fit_malignancy_map(m[fit_on], a[fit_on], y[fit_on], method)(m[out], a[out])

    return _cross_validated(y, fit_and_score, seed)


def choose_method(cv_nll: Mapping[_MethodT, float], parameters: Mapping[str, int]) -> _MethodT:
    """The method of lowest cross-validated NLL plus one nat per parameter; on a tie, the one
    with fewer parameters."""
    return min(cv_nll, key=lambda method: (cv_nll[method] + parameters[method], parameters[method]))


def _cross_validated(
    y: np.ndarray, fit_and_score: Callable[[np.ndarray, np.ndarray], np.ndarray], seed: int
) -> float:
    """Summed NLL of the held-out folds' logits that ``fit_and_score(fit_on, held_out)`` gives."""
    folds = min(_FOLDS, int(y.sum()), int((~y).sum()))
    if folds < 2:
        return 0.0
    total = 0.0
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fit_on, held_out in splitter.split(np.zeros(len(y)), y):
        total += _nll(fit_and_score(fit_on, held_out), y[held_out]) * len(held_out)
    return total


def _nll(logits: np.ndarray, y: np.ndarray) -> float:
    """Mean negative log-likelihood of ``y`` under ``sigmoid(logits)``."""
    return float(np.mean(np.logaddexp(0.0, -logits) * y + np.logaddexp(0.0, logits) * ~y))


def calibrate(
    model: torch.nn.Module,
    images: Sequence[PreparedImage],
    dataset: DataSet,
    device: torch.device,
) -> CalibrationRecord:
    """Fit and measure the calibration of ``model`` on ``images`` (of ``dataset``: data the
    weights were not trained on)."""
    fitted_on = DataRef(name=dataset.name, fingerprint=fingerprint(dataset))
    if isinstance(model, ClassifierNetwork):
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
    if isinstance(model, ClassifierNetwork):
        found = predict_classifier(model, ModelInputs(images), device)
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
    model: ClassifierNetwork,
    images: Sequence[PreparedImage],
    fitted_on: DataRef,
    device: torch.device,
) -> CalibrationRecord:
    found = predict_classifier(model, ModelInputs(images), device)
    a, m = found.abnormal_logit, found.malignant_logit
    labels = np.array([list(Label).index(i.label) for i in images])
    abnormal = labels != list(Label).index(Label.NORMAL)
    malignant = labels[abnormal] == list(Label).index(Label.MALIGNANT)
    # The hierarchical likelihood is the sum of the two factors' likelihoods.
    cv_nll = {
        method: cross_validated_nll(a, abnormal, _abnormal_method(method))
        + cross_validated_malignancy_nll(m[abnormal], a[abnormal], malignant, method)
        for method in CLASSIFIER_METHODS
    }
    method = choose_method(cv_nll, _CLASSIFIER_PARAMETERS)
    map_a = fit_logit_map(a, abnormal, _abnormal_method(method))
    map_m = fit_malignancy_map(m[abnormal], a[abnormal], malignant, method)
    return calibration_record(
        "normal/benign/malignant (top label)",
        method,
        classifier_parameters(method, map_a, map_m),
        _labelled(cv_nll),
        fitted_on,
        summarise_calibration(classifier_probabilities(a, m), labels),
        summarise_calibration(classifier_probabilities(a, m, map_a, map_m), labels),
    )


def _abnormal_method(method: ClassifierMethod) -> Method:
    """The joint map scales the abnormal logit the Platt way."""
    return "platt" if method == "joint" else method


def classifier_parameters(
    method: RecordedMethod, abnormal: LogitMap, malignant: MalignancyMap
) -> dict[str, float]:
    """The record's parameter names (as :func:`mammocad.calibration.classifier_maps` reads)."""
    if method == "none":
        return {}
    if method == "joint":
        return logit_map_parameters("platt", abnormal, "abnormal_") | {
            "malignant_from_m": malignant.from_m,
            "malignant_from_a": malignant.from_a,
            "malignant_from_am": malignant.from_am,
            "malignant_bias": malignant.bias,
        }
    return logit_map_parameters(method, abnormal, "abnormal_") | logit_map_parameters(
        method, LogitMap(malignant.from_m, malignant.bias), "malignant_"
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
    method = choose_method(cv_nll, _DETECTOR_PARAMETERS)
    mapping = fit_logit_map(z, hit, method)
    return calibration_record(
        "box score: p(the box is a mass)",
        method,
        logit_map_parameters(method, mapping, ""),
        _labelled(cv_nll),
        fitted_on,
        summarise_calibration(two_class(s), y),
        summarise_calibration(two_class(scaled_scores(s, mapping)), y),
    )


def logit_map_parameters(method: Method, mapping: LogitMap, prefix: str) -> dict[str, float]:
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
    found = predict_detections(model, ModelInputs(scorable), device)
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


def calibration_record(
    target: str,
    method: RecordedMethod,
    parameters: dict[str, float],
    selection: Mapping[str, float],
    fitted_on: DataRef,
    before: CalibrationSummary,
    after: CalibrationSummary,
) -> CalibrationRecord:
    """The record of a fitted calibration; ``selection`` is the figure each candidate scored
    (named with how it was measured)."""
    return CalibrationRecord(
        method=method,
        target=target,
        parameters=parameters,
        method_selection=dict(selection),
        fitted_on=fitted_on,
        before=CalibrationQuality(ece=before.ece, brier=before.brier),
        after=CalibrationQuality(ece=after.ece, brier=after.brier),
        reliability_bins=[ReliabilityBin(**b.model_dump()) for b in after.bins],
    )


def _labelled(cv_nll: Mapping[_MethodT, float]) -> dict[str, float]:
    return {f"{m} (5-fold cross-validated NLL)": v for m, v in cv_nll.items()}
