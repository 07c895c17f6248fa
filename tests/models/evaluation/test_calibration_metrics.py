"""ECE, Brier and reliability bins against hand-computed values; temperature fitting."""

from __future__ import annotations

import numpy as np
import pytest

from mammocad.calibration import classifier_probabilities, scaled_scores
from models.calibrate import fit_temperature
from models.evaluation.calibration import summarise_calibration, two_class


def test_ece_and_brier_by_hand() -> None:
    # Confidences 0.9 (right), 0.9 (wrong), 0.6 (right), 0.6 (right).
    p = np.array([[0.9, 0.1], [0.9, 0.1], [0.4, 0.6], [0.4, 0.6]])
    y = np.array([0, 1, 1, 1])
    summary = summarise_calibration(p, y)
    # Bin of 0.9: accuracy 0.5, gap 0.4, weight 1/2; bin of 0.6: accuracy 1, gap 0.4, weight 1/2.
    assert summary.ece == pytest.approx(0.4)
    # Squared errors per case (sum over classes): 0.02, 1.62, 0.32, 0.32 -> mean 0.57, halved.
    assert summary.brier == pytest.approx(0.285)
    assert [(b.count, round(b.observed_frequency, 3)) for b in summary.bins] == [(2, 1.0), (2, 0.5)]


def test_a_confidence_of_one_lands_in_the_last_bin() -> None:
    summary = summarise_calibration(two_class([1.0, 0.0]), [1, 0])
    assert summary.ece == 0.0 and summary.bins[-1].upper == 1.0


def test_temperature_recovers_an_overconfident_model() -> None:
    rng = np.random.default_rng(0)
    true_logit = rng.normal(0, 2, 4000)
    positive = rng.uniform(size=4000) < 1 / (1 + np.exp(-true_logit))
    overconfident = 3.0 * true_logit
    fitted = fit_temperature(overconfident, positive)
    assert fitted == pytest.approx(3.0, rel=0.1)
    before = summarise_calibration(
        two_class(scaled_scores(1 / (1 + np.exp(-overconfident)), 1)), positive
    )
    after = summarise_calibration(
        two_class(scaled_scores(1 / (1 + np.exp(-overconfident)), fitted)), positive
    )
    assert after.ece < before.ece / 3


def test_too_few_cases_keep_the_model_as_it_is() -> None:
    assert fit_temperature([2.0, -1.0, 3.0], [True, True, False]) == 1.0


def test_hierarchical_probabilities_sum_to_one_and_scale_each_logit() -> None:
    p = classifier_probabilities([0.0, 4.0], [2.0, -2.0], 2.0, 1.0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    p_abnormal = 1 / (1 + np.exp(-2.0))  # 4 / T_A
    np.testing.assert_allclose(p[1, 0], 1 - p_abnormal)
    np.testing.assert_allclose(p[1, 2], p_abnormal / (1 + np.exp(2.0)))
