"""Patient-level bootstrap intervals and the fast AUC they use."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from models.evaluation.bootstrap import fast_auc, patient_bootstrap_interval


def test_fast_auc_is_sklearns_auc_with_ties() -> None:
    rng = np.random.default_rng(0)
    truth = rng.random(60) < 0.3
    scores = np.round(rng.random(60), 1)  # many ties
    assert fast_auc(truth, scores) == pytest.approx(roc_auc_score(truth, scores))
    assert np.isnan(fast_auc(np.zeros(5, bool), scores[:5]))


def test_resamples_draw_whole_patients() -> None:
    patients = [f"p{i // 2}" for i in range(20)]  # two films each
    seen: list[np.ndarray] = []

    def statistic(index: np.ndarray) -> float:
        seen.append(index)
        return float(len(index))

    low, high = patient_bootstrap_interval(statistic, patients, n_boot=50)
    assert low == high == 20.0  # always ten patients of two films
    for index in seen:
        drawn = [patients[i] for i in index]
        assert all(drawn.count(p) % 2 == 0 for p in set(drawn))  # both films, every time


def test_the_interval_covers_the_figure_and_skips_undefined_resamples() -> None:
    rng = np.random.default_rng(1)
    truth = np.repeat(rng.random(40) < 0.4, 2)
    scores = truth + rng.normal(0, 0.8, len(truth))
    patients = [f"p{i // 2}" for i in range(len(truth))]
    low, high = patient_bootstrap_interval(
        lambda index: fast_auc(truth[index], scores[index]), patients, n_boot=300
    )
    assert low < fast_auc(truth, scores) < high
    with pytest.raises(ValueError, match="undefined"):
        patient_bootstrap_interval(lambda index: float("nan"), patients, n_boot=5)
