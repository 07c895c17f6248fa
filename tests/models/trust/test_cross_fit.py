"""Calibration and thresholds cross-fitted on out-of-fold predictions."""

from __future__ import annotations

import numpy as np
import pytest

from mammocad.schemas.trust import DataRef
from mammocad.vocabulary import Label
from models.trust.cross_fit import cross_fit_classifier, cross_fit_detector

REF = DataRef(name="oof", fingerprint="sha256:" + "0" * 64)


def _films(
    n: int, seed: int, shift: float
) -> tuple[np.ndarray, np.ndarray, list[Label], list[str]]:
    """Logits whose sigmoid is the true probability (shifted by ``shift``), and labels drawn
    from them; two films per patient."""
    rng = np.random.default_rng(seed)
    a = rng.normal(0, 2, n)
    m = rng.normal(0, 1.5, n)
    abnormal = rng.random(n) < 1 / (1 + np.exp(-a))
    malignant = rng.random(n) < 1 / (1 + np.exp(-m))
    labels = [
        Label.NORMAL if not ab else (Label.MALIGNANT if mal else Label.BENIGN)
        for ab, mal in zip(abnormal, malignant, strict=True)
    ]
    return a + shift, m, labels, [f"p{i // 2}" for i in range(n)]


def test_calibrated_logits_keep_no_calibration() -> None:
    a, m, labels, patients = _films(400, 0, shift=0.0)
    fitted = cross_fit_classifier(a, m, labels, patients, REF)
    assert fitted.calibration.method == "none"
    assert fitted.calibration.parameters == {}
    assert fitted.held_out.calibrated.ece == pytest.approx(fitted.held_out.uncalibrated.ece)


def test_shifted_logits_are_recalibrated_and_the_cross_fitted_ece_drops() -> None:
    a, m, labels, patients = _films(400, 1, shift=3.0)  # class-balanced training's bias
    fitted = cross_fit_classifier(a, m, labels, patients, REF)
    assert fitted.calibration.method in ("platt", "joint")
    assert fitted.held_out.calibrated.ece < fitted.held_out.uncalibrated.ece
    assert fitted.calibration.after.ece == pytest.approx(fitted.held_out.calibrated.ece)
    selection = fitted.calibration.method_selection or {}
    assert any(key.startswith("none ") for key in selection)  # no calibration competed


def test_the_abnormal_threshold_and_its_cross_fitted_operating_point() -> None:
    a, m, labels, patients = _films(300, 2, shift=0.0)
    fitted = cross_fit_classifier(a, m, labels, patients, REF)
    threshold = fitted.thresholds.abnormal_threshold
    assert threshold is not None and 0 < threshold < 1
    point = fitted.operating_point
    assert point is not None and point.rule.startswith("cross-fitted youden")
    assert point.threshold == threshold  # the served threshold, not the folds' margin
    assert point.tp + point.fn == sum(label is not Label.NORMAL for label in labels)


def test_detector_threshold_allows_about_one_false_positive_per_film() -> None:
    rng = np.random.default_rng(3)
    scores, hits = [], []
    for _ in range(40):
        hit = rng.random(6) < 0.2
        scores.append(np.clip(np.where(hit, 0.7, 0.3) + rng.normal(0, 0.15, 6), 0.01, 0.99))
        hits.append(hit)
    fitted = cross_fit_detector(scores, hits, [f"p{i // 2}" for i in range(40)], REF)
    threshold = fitted.thresholds.score_threshold
    assert threshold is not None
    false_positives = sum(
        int(((s >= threshold) & ~h).sum()) for s, h in zip(scores, hits, strict=True)
    )
    assert false_positives == 40
    assert fitted.calibration.method in ("none", "temperature", "platt")
