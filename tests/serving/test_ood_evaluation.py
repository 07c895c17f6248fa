"""``mammocad ood-eval``'s measurement on a really trained tiny classifier (the serving world's):
every far and near set is scored by each detector, and the figures mean what they say."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from mammocad.datasets.records import DataSet
from mammocad.errors import InvalidInputError
from mammocad.schemas.trust import OodEvaluation
from models.evaluation.report import write_json
from models.inference.loaded import load_model
from models.trust.ood_evaluation import _fpr, evaluate_ood
from registry.card.render import to_markdown
from registry.shift_study import PREFIX
from tests.serving.conftest import SPARE, ServingWorld


def test_fpr_at_95_tpr_counts_the_shifted_images_a_95_percent_threshold_lets_through() -> None:
    inside = np.arange(100, dtype=float)  # the threshold passing 95 % is 94.05
    assert _fpr(inside, np.array([10.0, 94.0, 95.0, 200.0])) == 0.5


@pytest.fixture(scope="module")
def classifier_ood(
    serving_world: ServingWorld, tiny_set: DataSet, tmp_path_factory: pytest.TempPathFactory
) -> OodEvaluation:
    loaded = load_model(serving_world.classifier_folder, "cpu")
    cache = tmp_path_factory.mktemp("ood-cache")
    return evaluate_ood(loaded, tiny_set, shared=None, cache=cache, near_patients=1)


def test_every_set_is_scored_by_every_detector(
    classifier_ood: OodEvaluation, tiny_set: DataSet
) -> None:
    result = classifier_ood

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
    # What the feature detector flags on its own is part of what the assessment flags.
    assert all(0 <= row.flagged_by_features <= row.flagged for row in result.sets)
    assert 0 <= result.in_distribution_flagged_by_features <= result.in_distribution_flagged
    # The served detector is the candidate training kept, fitted on the same training images:
    # measured directly, it scores what its candidate scores.
    served = result.served_detector.removesuffix(" + header gate")
    for row in result.sets:
        assert row.served_auroc == pytest.approx(row.auroc[served], abs=0.02)


def test_the_report_joins_the_versions_ood_record_and_card(
    classifier_ood: OodEvaluation, serving_world: ServingWorld, tmp_path: Path
) -> None:
    report = write_json(classifier_ood, tmp_path / "ood-eval.json")
    with serving_world.registry() as registry:
        for _ in range(2):  # a second report replaces the first one's sets
            version = registry.attach_ood_evaluation(SPARE.name, 1, report, actor="tests")
        assert version.ood_detector is not None
        added = [
            e for e in version.ood_detector.shift_evaluations if e.shift_set.startswith(PREFIX)
        ]
        assert len(added) == len([row for row in classifier_ood.sets if row.n > 0])
        ct = next(e for e in added if "pydicom CT / MR / NM" in e.shift_set)
        assert ct.shift_set.startswith("ood-eval far: pydicom CT / MR / NM test images (vs ")
        row = next(r for r in classifier_ood.sets if r.name.startswith("pydicom CT"))
        assert (ct.auroc, ct.n_shifted) == (row.served_auroc, row.n)
        # The training-time evaluations stay.
        assert len(version.ood_detector.shift_evaluations) > len(added)
        assert "ood-eval near: synthetic vendor vendor_a" in to_markdown(
            registry.card(SPARE.name, 1)
        )


@pytest.mark.parametrize("field", ["weights_sha256", "detector_parameters_sha256"])
def test_a_report_of_another_model_is_refused(
    classifier_ood: OodEvaluation, serving_world: ServingWorld, tmp_path: Path, field: str
) -> None:
    other = classifier_ood.model_copy(update={field: "sha256:" + "0" * 64})
    report = write_json(other, tmp_path / "ood-eval.json")
    with serving_world.registry() as registry:
        before = registry.get_version(SPARE.name, 1).ood_detector
        with pytest.raises(InvalidInputError, match="the report measured"):
            registry.attach_ood_evaluation(SPARE.name, 1, report, actor="tests")
        assert registry.get_version(SPARE.name, 1).ood_detector == before


def test_a_detector_is_measured_on_non_empty_sets_with_its_own_accuracy_metric(
    serving_world: ServingWorld, tiny_set: DataSet, tmp_path: Path
) -> None:
    loaded = load_model(serving_world.detector_folder, "cpu")
    result = evaluate_ood(loaded, tiny_set, shared=None, cache=tmp_path, near_patients=1)
    assert result.task == "detect" and result.accuracy_metric == "sens_at_1fpi"
    assert all(row.n > 0 for row in result.sets)


def test_the_command_prints_its_table_and_writes_its_report(
    serving_world: ServingWorld, tmp_path: Path
) -> None:
    out = tmp_path / "ood-eval.json"
    result = CliRunner().invoke(
        app,
        [
            "ood-eval",
            str(serving_world.classifier_folder),
            "--data",
            "synthetic:1,seed=5,size=256x192",
            "--near-patients",
            "1",
            "--device",
            "cpu",
            "--out",
            str(out),
        ],
        env={"MAMMOCAD_HOME": str(tmp_path / "home"), "COLUMNS": "240"},
    )
    assert result.exit_code == 0, result.output
    assert "OOD detection vs synthetic:1,seed=5" in result.output
    assert "Targets: AUROC >= 0.99 far, >= 0.90 near" in result.output
    assert "AUROC maha / knn / maha-s8 / energy" in result.output
    for row in ("far: pydicom CT / MR / NM test images", "near: synthetic vendor vendor_d"):
        assert row in result.output
    assert json.loads(out.read_text())["served_detector"].endswith("+ header gate")
