"""Explanation quality in an evaluation report becomes registry metrics: the pointing game with
its Wilson interval, the energy inside the lesion boxes, the randomisation check.

The explanation entries are made with the evaluation code's own result class and dumped the way
``mammocad evaluate`` writes them, so a format change there breaks these tests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import pytest

from mammocad.errors import InvalidInputError
from mammocad.schemas.evaluation import ExplanationQuality, RandomisationCheck
from models.evaluation.classification import wilson_interval
from registry.evaluation import evaluation_from_report
from tests.registry.builders import write_report

BASE_METRICS = ["auc_abnormal", "auc_malignant", "sensitivity", "specificity"]


def _quality(
    method: str,
    images: int,
    hits: int,
    *,
    energy: float | None = 0.3,
    randomised: tuple[int, int, float | None] = (4, 1, 0.35),
) -> dict[str, Any]:
    compared, blank, spearman = randomised
    return ExplanationQuality(
        method=method,
        target="the true class's score",
        images=images,
        pointing_hits=hits,
        pointing_game=hits / images if images else None,
        pointing_ci=wilson_interval(hits, images) if images else None,
        pointing_chance=0.05 if images else None,
        energy_inside=energy if images else None,
        randomisation=RandomisationCheck(
            images=compared, blank=blank, spearman_mean=spearman, spearman_max=spearman
        ),
    ).model_dump(mode="json")


def _report(
    tmp_path: Path,
    explanations: list[dict[str, Any]] | None,
    task: Literal["classify", "detect"] = "classify",
) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(
        write_report(tmp_path / "r.json", 0.8, task=task).read_text()
    )
    if explanations is not None:
        report["explanations"] = explanations
    return report


def test_explanation_quality_becomes_metrics(tmp_path: Path) -> None:
    record = evaluation_from_report(_report(tmp_path, [_quality("gradcam", 10, 7)]))
    assert [m.name for m in record.metrics] == [
        *BASE_METRICS,
        "pointing_game_gradcam",
        "energy_in_lesions_gradcam",
        "randomised_weights_spearman_gradcam",
    ]
    assert record.primary.name == "auc_abnormal" and record.primary.value == 0.8

    pointing = record.metric("pointing_game_gradcam")
    low, high = wilson_interval(7, 10)
    assert (pointing.value, pointing.ci_low, pointing.ci_high) == pytest.approx((0.7, low, high))
    assert pointing.level == 0.95
    assert "7/10 images" in pointing.support and "0.050" in pointing.support

    energy = record.metric("energy_in_lesions_gradcam")
    assert energy.value == 0.3 and energy.ci_low is None and "10 images" in energy.support

    randomised = record.metric("randomised_weights_spearman_gradcam")
    assert randomised.value == 0.35
    assert "3 images" in randomised.support and "1 randomised maps blank" in randomised.support


def test_each_method_gets_its_own_metrics(tmp_path: Path) -> None:
    explanations = [
        _quality("gradcam", 10, 7),
        _quality("shap", 10, 4, energy=None, randomised=(4, 4, None)),  # every map blank
    ]
    record = evaluation_from_report(_report(tmp_path, explanations, task="detect"))
    names = [m.name for m in record.metrics]
    assert names[-4:] == [
        "pointing_game_gradcam",
        "energy_in_lesions_gradcam",
        "randomised_weights_spearman_gradcam",
        "pointing_game_shap",
    ]
    assert record.primary.name == "sensitivity_at_1fp"
    assert record.metric("pointing_game_shap").value == 0.4


def test_a_report_without_explanations_has_no_explanation_metrics(tmp_path: Path) -> None:
    record = evaluation_from_report(_report(tmp_path, None))
    assert [m.name for m in record.metrics] == BASE_METRICS
    assert [m.name for m in evaluation_from_report(_report(tmp_path, [])).metrics] == BASE_METRICS


def test_a_method_that_scored_no_image_adds_nothing(tmp_path: Path) -> None:
    unscored = _quality("gradcam", 0, 0, randomised=(0, 0, None))
    assert unscored["pointing_game"] is None
    record = evaluation_from_report(_report(tmp_path, [unscored, _quality("shap", 5, 5)]))
    names = [m.name for m in record.metrics]
    assert not any(name.endswith("_gradcam") for name in names)
    assert "pointing_game_shap" in names


def test_a_report_without_the_pointing_interval(tmp_path: Path) -> None:
    """Reports written before the interval was recorded still parse: no interval, no level."""
    older = _quality("gradcam", 10, 7)
    del older["pointing_ci"]
    pointing = evaluation_from_report(_report(tmp_path, [older])).metric("pointing_game_gradcam")
    assert pointing.value == 0.7
    assert (pointing.ci_low, pointing.ci_high, pointing.level) == (None, None, None)


def test_a_malformed_explanation_is_refused(tmp_path: Path) -> None:
    broken = _quality("gradcam", 10, 7)
    del broken["randomisation"]
    with pytest.raises(InvalidInputError, match="randomisation") as refused:
        evaluation_from_report(_report(tmp_path, [broken]))
    assert refused.value.code == "invalid-evaluation-report"
