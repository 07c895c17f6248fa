"""Calibration and operating threshold fitted on out-of-fold predictions (cross-fitting).

A validation split of a few dozen films makes a calibration worse on new patients (it fits
noise). A repeated cross-validation already predicts every film once per repeat with a model
that never saw its patient; those predictions are the data a calibration and a threshold can be
fitted on. How well each choice carries to new patients is measured by fitting it again without
each patient-level fold of those predictions and applying it to that fold: the cross-fitted
figures, which are what the record and the report state.

Calibration candidates are no calibration (``none``), temperature, Platt and, for the
classifier, the joint map (:mod:`mammocad.calibration`); the kept one has the lowest
cross-validated negative log-likelihood plus one nat per parameter, and a candidate is kept only
when its cross-fitted ECE is no worse than the uncalibrated one. Otherwise the record says
``none`` and the answers say ``calibrated: false``.

The operating threshold (abnormal decision of the classifier, shown boxes of the detector) is
chosen the same way on the out-of-fold scores: Youden's J for the classifier, about one false
positive per film for the detector; its sensitivity and specificity are the cross-fitted ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from mammocad.calibration import (
    IDENTITY,
    LogitMap,
    MalignancyMap,
    classifier_probabilities,
    scaled_scores,
    sigmoid,
)
from mammocad.schemas.artifact import DecisionThresholds
from mammocad.schemas.evaluation import CalibrationFigures, HeldOutCalibration, OperatingPoint
from mammocad.schemas.trust import CalibrationRecord, DataRef
from mammocad.vocabulary import Label
from models.evaluation.classification import at_threshold, operating_point
from models.trust.calibration import (
    CLASSIFIER_METHODS,
    METHODS,
    RecordedMethod,
    calibration_figures,
    calibration_record,
    classifier_parameters,
    fit_logit_map,
    fit_malignancy_map,
    logit_map_parameters,
)
from models.trust.reliability import summarise_calibration, two_class

__all__ = [
    "CrossFitted",
    "cross_fit_classifier",
    "cross_fit_detector",
]

_FOLDS = 5
_CLASSIFIER_PARAMETERS = {"none": 0, "temperature": 2, "platt": 4, "joint": 6}
_DETECTOR_PARAMETERS = {"none": 0, "temperature": 1, "platt": 2}
_EPS = 1e-7


@dataclass(frozen=True)
class CrossFitted:
    """What the release records: the calibration, the decision threshold, and their
    cross-fitted figures."""

    calibration: CalibrationRecord
    held_out: HeldOutCalibration
    thresholds: DecisionThresholds
    operating_point: OperatingPoint | None  # classifier: cross-fitted sensitivity/specificity


def cross_fit_classifier(
    abnormal_logit: np.ndarray,
    malignant_logit: np.ndarray,
    labels: Sequence[Label],
    patients: Sequence[str],
    fitted_on: DataRef,
    seed: int = 0,
) -> CrossFitted:
    """Calibration and abnormal threshold of a classifier from its out-of-fold logits.

    Args:
        abnormal_logit, malignant_logit: ``(N,)`` out-of-fold logits A and M of one repeat.
        labels, patients: ``(N,)`` each film's worst finding and patient.
        fitted_on: the data the predictions are of (named in the record).
    """
    a = np.asarray(abnormal_logit, dtype=np.float64)
    m = np.asarray(malignant_logit, dtype=np.float64)
    truth = np.array([list(Label).index(label) for label in labels])
    abnormal = truth != list(Label).index(Label.NORMAL)
    folds = _patient_folds(abnormal, patients, seed)

    def fitted(method: RecordedMethod, on: np.ndarray) -> tuple[LogitMap, MalignancyMap]:
        if method == "none":
            return IDENTITY, MalignancyMap()
        on_abnormal = on[abnormal[on]]
        malignant = truth[on_abnormal] == list(Label).index(Label.MALIGNANT)
        return (
            fit_logit_map(a[on], abnormal[on], "platt" if method == "joint" else method),
            fit_malignancy_map(m[on_abnormal], a[on_abnormal], malignant, method),
        )

    def cross_fitted(method: RecordedMethod) -> np.ndarray:
        out = np.zeros((len(a), 3))
        for fit_on, held_out in folds:
            maps = fitted(method, fit_on)
            out[held_out] = classifier_probabilities(a[held_out], m[held_out], *maps)
        return out

    candidates: tuple[RecordedMethod, ...] = ("none", *CLASSIFIER_METHODS)
    probabilities = {method: cross_fitted(method) for method in candidates}
    nll = {method: _nll(probabilities[method], truth) for method in candidates}
    method = _choose(nll, probabilities, truth, _CLASSIFIER_PARAMETERS)
    map_a, map_m = fitted(method, np.arange(len(a)))
    raw = classifier_probabilities(a, m)
    figures = calibration_figures(raw, probabilities[method], truth)
    abnormal_figures = calibration_figures(
        two_class(sigmoid(a)),
        two_class(probabilities[method][:, 1] + probabilities[method][:, 2]),
        abnormal.astype(np.int64),
    )
    record = _record(
        "normal/benign/malignant (top label)",
        method,
        classifier_parameters(method, map_a, map_m),
        nll,
        fitted_on,
        raw,
        probabilities[method],
        truth,
    )
    threshold, point = _abnormal_threshold(a, abnormal, folds)
    held_out = HeldOutCalibration(
        target=record.target,
        method=method,
        parameters=record.parameters,
        abnormal_vs_normal=CalibrationFigures.model_validate(abnormal_figures),
        **figures,
    )
    return CrossFitted(record, held_out, threshold, point)


def cross_fit_detector(
    scores: Sequence[np.ndarray],
    hits: Sequence[np.ndarray],
    patients: Sequence[str],
    fitted_on: DataRef,
    seed: int = 0,
) -> CrossFitted:
    """Calibration and score threshold of a detector from its out-of-fold boxes.

    Args:
        scores, hits: per scored film, its boxes' scores and whether each hit a mass.
        patients: per scored film, its patient.
    """
    film = np.concatenate([np.full(len(s), i) for i, s in enumerate(scores)]).astype(np.int64)
    s = np.clip(np.concatenate(list(scores)), _EPS, 1 - _EPS)
    y = np.concatenate(list(hits)).astype(bool)
    z = np.log(s / (1 - s))
    has_mass = np.array([bool(h.any()) for h in hits])
    film_folds = _patient_folds(has_mass, patients, seed)
    folds = [
        (np.flatnonzero(np.isin(film, on)), np.flatnonzero(np.isin(film, out)))
        for on, out in film_folds
    ]

    def mapping(method: RecordedMethod, on: np.ndarray) -> LogitMap:
        if method == "none":
            return IDENTITY
        if method == "joint":
            raise ValueError("the joint map is the classifier's")
        return fit_logit_map(z[on], y[on], method)

    def cross_fitted(method: RecordedMethod) -> np.ndarray:
        out = np.zeros(len(s))
        for fit_on, held_out in folds:
            out[held_out] = scaled_scores(s[held_out], mapping(method, fit_on))
        return out

    detector_candidates: tuple[RecordedMethod, ...] = ("none", *METHODS)
    calibrated = {method: two_class(cross_fitted(method)) for method in detector_candidates}
    truth = y.astype(np.int64)
    nll = {method: _nll(calibrated[method], truth) for method in detector_candidates}
    method = _choose(nll, calibrated, truth, _DETECTOR_PARAMETERS)
    final = mapping(method, np.arange(len(s)))
    parameters: dict[str, float] = {}
    if method == "temperature" or method == "platt":
        parameters = logit_map_parameters(method, final, "")
    record = _record(
        "box score: p(the box is a mass)",
        method,
        parameters,
        nll,
        fitted_on,
        two_class(s),
        calibrated[method],
        truth,
    )
    figures = calibration_figures(two_class(s), calibrated[method], truth)
    held_out = HeldOutCalibration(
        target=record.target, method=method, parameters=record.parameters, **figures
    )
    threshold = _one_false_positive_per_film(s, y, len(scores))
    return CrossFitted(
        record,
        held_out,
        DecisionThresholds(
            score_threshold=threshold,
            rule="about 1 false positive per film on the out-of-fold predictions of the "
            "cross-validation (centre-in-box hits)",
        ),
        None,
    )


def _patient_folds(
    positive: np.ndarray, patients: Sequence[str], seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Patient-level folds stratified by ``positive`` (fewer when a class is rare)."""
    n_patients = len(set(patients))
    n_splits = max(2, min(_FOLDS, int(positive.sum()), int((~positive).sum()), n_patients))
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(positive)), positive, groups=list(patients)))


def _nll(probabilities: np.ndarray, truth: np.ndarray) -> float:
    """Summed negative log-likelihood of the true class."""
    chosen = probabilities[np.arange(len(truth)), truth]
    return float(-np.log(np.clip(chosen, _EPS, 1.0)).sum())


def _choose(
    nll: Mapping[RecordedMethod, float],
    probabilities: Mapping[RecordedMethod, np.ndarray],
    truth: np.ndarray,
    parameters: Mapping[str, int],
) -> RecordedMethod:
    """Lowest cross-fitted NLL plus one nat per parameter, among the candidates whose
    cross-fitted ECE is no worse than no calibration's."""
    ece = {method: summarise_calibration(p, truth).ece for method, p in probabilities.items()}
    allowed = [method for method in nll if ece[method] <= ece["none"] + 1e-12]
    return min(allowed, key=lambda method: (nll[method] + parameters[method], parameters[method]))


def _abnormal_threshold(
    a: np.ndarray, abnormal: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]]
) -> tuple[DecisionThresholds, OperatingPoint]:
    """Youden's threshold on ``1 - p(normal)`` of all out-of-fold films, and the sensitivity and
    specificity of thresholds chosen without each fold, on that fold."""
    score = sigmoid(a)
    chosen = operating_point(abnormal, score, rule="youden")
    margins = np.zeros(len(a))
    for fit_on, held_out in folds:
        fold_threshold = operating_point(abnormal[fit_on], score[fit_on], rule="youden").threshold
        margins[held_out] = score[held_out] - fold_threshold
    return (
        DecisionThresholds(
            abnormal_threshold=chosen.threshold,
            rule="Youden on the out-of-fold predictions of the cross-validation, score = "
            "1 - p(normal) (uncalibrated)",
        ),
        at_threshold(abnormal, margins, 0.0).model_copy(
            update={
                "rule": "cross-fitted youden: each fold's films judged at the threshold fitted "
                "without them; the threshold shown is the served one, fitted on all films",
                "threshold": chosen.threshold,
            }
        ),
    )


def _one_false_positive_per_film(scores: np.ndarray, hits: np.ndarray, films: int) -> float:
    """The score of the ``films``-th highest false positive (boxes at or above it: about one
    false positive per film), or 0 when there are fewer false positives."""
    false_positive = np.sort(scores[~hits])[::-1]
    return float(false_positive[films - 1]) if len(false_positive) >= films > 0 else 0.0


def _record(
    target: str,
    method: RecordedMethod,
    parameters: dict[str, float],
    nll: Mapping[RecordedMethod, float],
    fitted_on: DataRef,
    raw: np.ndarray,
    cross_fitted: np.ndarray,
    truth: np.ndarray,
) -> CalibrationRecord:
    """The record: ECE and Brier of the out-of-fold probabilities before calibration and after
    the cross-fitted one (not after a map fitted on the very films it is measured on)."""
    return calibration_record(
        target,
        method,
        parameters,
        {f"{m} (cross-fitted NLL of the out-of-fold predictions)": v for m, v in nll.items()},
        fitted_on,
        summarise_calibration(raw, truth),
        summarise_calibration(cross_fitted, truth),
    )
