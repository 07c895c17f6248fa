"""``mammocad ood-eval``'s measurement on a really trained tiny classifier (the serving world's):
every far and near set is scored by each detector, and the figures mean what they say."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mammocad.datasets.records import DataSet
from models.inference import load_model
from models.ood_evaluation import _fpr, evaluate_ood
from tests.serving.conftest import ServingWorld


def test_fpr_at_95_tpr_counts_the_shifted_images_a_95_percent_threshold_lets_through() -> None:
    inside = np.arange(100, dtype=float)  # the threshold passing 95 % is 94.05
    assert _fpr(inside, np.array([10.0, 94.0, 95.0, 200.0])) == 0.5


def test_every_set_is_scored_by_every_detector(
    serving_world: ServingWorld, tiny_set: DataSet, tmp_path: Path
) -> None:
    loaded = load_model(serving_world.classifier_folder, "cpu")
    result = evaluate_ood(loaded, tiny_set, shared=None, cache=tmp_path, near_patients=1)

    assert result.served_detector.endswith("+ header gate")
    assert result.n_in_distribution == len(tiny_set)
    names = {row.name: row for row in result.sets}
    far = [row for row in result.sets if row.distance == "far"]
    near = [row for row in result.sets if row.distance == "near"]
    assert {"pydicom CT / MR / NM test images", "photographs (greyscale)"} <= set(names)
    # The demo's training vendor is the reference one: the four others are the near sets.
    assert {f"synthetic vendor vendor_{v}" for v in "abcd"} == {row.name for row in near}
    for row in result.sets:
        assert (
            set(row.auroc)
            == set(row.fpr_at_95_tpr)
            == {"mahalanobis", "knn", "mahalanobis on stride8_statistics", "energy"}
        )
        assert all(0 <= value <= 1 for value in [*row.auroc.values(), *row.fpr_at_95_tpr.values()])
    # The header gate alone flags every CT / MR / NM slice (not a mammography modality).
    assert names["pydicom CT / MR / NM test images"].flagged == 1.0
    assert names["pydicom CT / MR / NM test images"].n >= 3
    # The near sets are mammograms with labels: the model's accuracy on them is reported.
    assert all(row.accuracy is not None for row in near)
    assert all(row.accuracy is None for row in far)
    # The unseen vendors' headers name other manufacturers: the gate flags all of them.
    assert all(row.flagged == 1.0 for row in near)


def test_a_detector_is_measured_on_non_empty_sets_with_its_own_accuracy_metric(
    serving_world: ServingWorld, tiny_set: DataSet, tmp_path: Path
) -> None:
    loaded = load_model(serving_world.detector_folder, "cpu")
    result = evaluate_ood(loaded, tiny_set, shared=None, cache=tmp_path, near_patients=1)
    assert result.task == "detect" and result.accuracy_metric == "sens_at_1fpi"
    assert all(row.n > 0 for row in result.sets)
