"""ECE, Brier and reliability bins against hand-computed values; temperature and Platt fitting,
the cross-validated choice between them, and the ECE floor of perfectly calibrated probabilities."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pytest

from mammocad.calibration import (
    IDENTITY,
    LogitMap,
    MalignancyMap,
    UnusableCalibrationError,
    classifier_maps,
    classifier_probabilities,
    detector_map,
    scaled_scores,
)
from models.trust.calibration import (
    CLASSIFIER_METHODS,
    METHODS,
    choose_method,
    cross_validated_malignancy_nll,
    cross_validated_nll,
    fit_logit_map,
    fit_malignancy_map,
)
from models.trust.reliability import (
    expected_ece_if_calibrated,
    summarise_calibration,
    two_class,
)


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
    fitted = fit_logit_map(overconfident, positive, "temperature")
    assert 1 / fitted.scale == pytest.approx(3.0, rel=0.1) and fitted.bias == 0.0
    scores = 1 / (1 + np.exp(-overconfident))
    before = summarise_calibration(two_class(scaled_scores(scores, IDENTITY)), positive)
    after = summarise_calibration(two_class(scaled_scores(scores, fitted)), positive)
    assert after.ece < before.ece / 3


PARAMETERS = {"temperature": 1, "platt": 2}


def _shifted_base_rate(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Logits of a model trained class-balanced on data whose positives are rare: right
    ranking and spread, wrong offset (true logit = model logit - 2)."""
    rng = np.random.default_rng(seed)
    model_logit = rng.normal(0, 2, n)
    positive = rng.uniform(size=n) < 1 / (1 + np.exp(-(model_logit - 2.0)))
    return model_logit, positive


def test_platt_recovers_a_shifted_base_rate_that_temperature_cannot() -> None:
    logits, positive = _shifted_base_rate(4000)
    platt = fit_logit_map(logits, positive, "platt")
    assert platt.scale == pytest.approx(1.0, abs=0.1)
    assert platt.bias == pytest.approx(-2.0, abs=0.2)
    # Calibration in the large: the mean probability is the base rate (0.23) only with a bias.
    scores = 1 / (1 + np.exp(-logits))
    temperature = fit_logit_map(logits, positive, "temperature")
    assert scaled_scores(scores, platt).mean() == pytest.approx(positive.mean(), abs=0.01)
    assert scaled_scores(scores, temperature).mean() > positive.mean() + 0.2


def test_cross_validation_keeps_platt_only_when_the_bias_pays_for_itself() -> None:
    logits, positive = _shifted_base_rate(400)
    shifted = {m: cross_validated_nll(logits, positive, m) for m in METHODS}
    assert choose_method(shifted, PARAMETERS) == "platt"
    for seed in range(4):  # calibrated logits: a bias only fits noise
        rng = np.random.default_rng(seed)
        logits = rng.normal(0, 2, 400)
        positive = rng.uniform(size=400) < 1 / (1 + np.exp(-logits))
        calibrated = {m: cross_validated_nll(logits, positive, m) for m in METHODS}
        assert choose_method(calibrated, PARAMETERS) == "temperature"


@pytest.mark.parametrize("method", ["temperature", "platt"])
def test_too_few_cases_keep_the_model_as_it_is(method: Literal["temperature", "platt"]) -> None:
    assert fit_logit_map([2.0, -1.0, 3.0], [True, True, False], method) == IDENTITY
    assert cross_validated_nll([2.0, -1.0, 3.0], [True, True, False], method) == 0.0


def test_records_parameters_become_the_same_maps() -> None:
    assert detector_map("temperature", {"temperature": 2.0}) == LogitMap(scale=0.5)
    assert detector_map("platt", {"scale": 0.7, "bias": -1.2}) == LogitMap(0.7, -1.2)
    abnormal, malignant = classifier_maps(
        "platt",
        {"abnormal_scale": 2, "abnormal_bias": 1, "malignant_scale": 0.5, "malignant_bias": 0},
    )
    assert abnormal == LogitMap(2.0, 1.0) and malignant == MalignancyMap(from_m=0.5, bias=0.0)
    abnormal, malignant = classifier_maps(
        "joint",
        {
            "abnormal_scale": 2,
            "abnormal_bias": 1,
            "malignant_from_m": 0.1,
            "malignant_from_a": 0.7,
            "malignant_from_am": -0.2,
            "malignant_bias": 0.3,
        },
    )
    assert abnormal == LogitMap(2.0, 1.0) and malignant == MalignancyMap(0.1, 0.7, -0.2, 0.3)
    assert malignant(2.0, 3.0) == pytest.approx(0.1 * 2 + 0.7 * 3 - 0.2 * 6 + 0.3)


def _malignancy_in_the_evidence(n: int, seed: int = 0) -> tuple[np.ndarray, ...]:
    """Abnormal cases whose malignancy the abnormal logit A tells (stronger evidence: more often
    malignant) while the malignant logit M is noise: a weak malignancy head."""
    rng = np.random.default_rng(seed)
    a = rng.normal(1.0, 1.5, n)
    m = rng.normal(0.0, 1.0, n)
    malignant = rng.uniform(size=n) < 1 / (1 + np.exp(-(1.5 * a - 1.5)))
    return m, a, malignant


def test_the_joint_map_reads_the_malignancy_from_the_abnormal_evidence() -> None:
    m, a, malignant = _malignancy_in_the_evidence(4000)
    joint = fit_malignancy_map(m, a, malignant, "joint")
    assert joint.from_a == pytest.approx(1.5, abs=0.2) and joint.bias == pytest.approx(
        -1.5, abs=0.2
    )
    assert abs(joint.from_m) < 0.1 and abs(joint.from_am) < 0.1
    # M alone cannot say it: Platt flattens p(malignant | abnormal) to the base rate.
    platt = fit_malignancy_map(m, a, malignant, "platt")
    assert platt.from_a == platt.from_am == 0.0 and platt.from_m < 0.1


def test_cross_validation_keeps_the_joint_map_only_when_it_pays_for_its_parameters() -> None:
    m, a, malignant = _malignancy_in_the_evidence(300)
    parameters = {"temperature": 1, "platt": 2, "joint": 4}
    informative = {
        method: cross_validated_malignancy_nll(m, a, malignant, method)
        for method in CLASSIFIER_METHODS
    }
    assert choose_method(informative, parameters) == "joint"
    rng = np.random.default_rng(5)
    m = rng.normal(0, 2, 300)
    calibrated = rng.uniform(size=300) < 1 / (1 + np.exp(-m))  # M says it all, A is noise
    plain = {
        method: cross_validated_malignancy_nll(m, rng.normal(size=300), calibrated, method)
        for method in CLASSIFIER_METHODS
    }
    assert choose_method(plain, parameters) == "temperature"


@pytest.mark.parametrize(
    "method, parameters",
    [
        ("isotonic", {"temperature": 1.0}),
        ("platt", {"scale": 1.0}),
        ("platt", {"scale": -1.0, "bias": 0.0}),
        ("temperature", {"temperature": 0.0}),
        ("temperature", {"scale": 1.0}),
    ],
)
def test_unusable_records_are_refused(method: str, parameters: dict[str, float]) -> None:
    with pytest.raises(UnusableCalibrationError):
        detector_map(method, parameters)


def test_the_ece_floor_of_calibrated_probabilities_shrinks_with_the_number_of_cases() -> None:
    rng = np.random.default_rng(0)
    p = rng.dirichlet([2, 2, 2], size=1000)
    few, many = expected_ece_if_calibrated(p[:40]), expected_ece_if_calibrated(p)
    assert 0.08 < few < 0.25 and many < few / 3
    # The floor is what calibrated probabilities do measure: labels drawn from p itself.
    drawn = [rng.choice(3, p=row) for row in p[:40]]
    assert summarise_calibration(p[:40], drawn).ece == pytest.approx(few, abs=0.1)


def test_hierarchical_probabilities_sum_to_one_and_scale_each_logit() -> None:
    p = classifier_probabilities([0.0, 4.0], [2.0, -2.0], LogitMap.temperature(2.0))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    p_abnormal = 1 / (1 + np.exp(-2.0))  # 4 / T_A
    np.testing.assert_allclose(p[1, 0], 1 - p_abnormal)
    np.testing.assert_allclose(p[1, 2], p_abnormal / (1 + np.exp(2.0)))
