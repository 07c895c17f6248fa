"""Repeated patient-level cross-validation of a real recipe on tiny synthetic data (seconds)."""

from __future__ import annotations

import numpy as np
import pytest
from rich.console import Console

from mammocad.datasets.records import DataSet
from models.evaluation.crossval import CvPlan, OutOfFold, cross_validate, summarise
from models.training.crops import CropPlan
from models.training.data import PreparedImage, prepare_images
from models.training.recipe import PATCH_TRAINING, PatchRecipe

TINY = PatchRecipe(
    target_shape=(128, 96),
    options=PATCH_TRAINING.model_copy(update={"epochs": 1, "batch_size": 8, "device": "cpu"}),
    crops=CropPlan(size=96, per_lesion=1, per_film=1, hard_per_film=1, transplant_per_mass=1),
)
PLAN = CvPlan(k=2, repeats=2, seed=3, explanations=False, ood_features=True)


@pytest.fixture(scope="module")
def prepared(tiny_set: DataSet) -> list[PreparedImage]:
    return prepare_images(tiny_set, TINY.ingest)


@pytest.fixture(scope="module")
def oof(tiny_set: DataSet, prepared: list[PreparedImage]) -> OutOfFold:
    return cross_validate(TINY, tiny_set, prepared, PLAN, device="cpu", console=Console(quiet=True))


def test_every_film_is_predicted_once_per_repeat_by_a_model_blind_to_its_patient(
    tiny_set: DataSet, oof: OutOfFold
) -> None:
    assert oof.abnormal_logit is not None and oof.abnormal_logit.shape == (2, len(tiny_set))
    assert np.isfinite(oof.abnormal_logit).all()
    for repeat in range(PLAN.repeats):
        folds = [f for f in oof.folds if f.repeat == repeat]
        tested = [set(f.test_patients) for f in folds]
        assert len(tested) == PLAN.k and tested[0].isdisjoint(tested[1])  # no patient twice
        assert set().union(*tested) == set(tiny_set.patients)
        assert sum(f.test_images for f in folds) == len(tiny_set)
        for fold in folds:  # every film of a tested patient is tested, none is trained on
            films = [r for r in tiny_set if r.patient_id in fold.test_patients]
            assert fold.test_images == len(films)
            assert fold.train_images == len(tiny_set) - len(films)
    splits = [tuple(sorted(f.test_patients)) for f in oof.folds]
    assert {f.split_seed for f in oof.folds} == {3, 4}  # repeat r deals with seed + r
    assert len(oof.ood_folds) == PLAN.k  # the first repeat's fold models' features
    assert len(set(splits)) >= 2


def test_the_same_seeds_reproduce_the_predictions(
    tiny_set: DataSet, prepared: list[PreparedImage], oof: OutOfFold
) -> None:
    plan = CvPlan(k=2, repeats=1, seed=3, explanations=False)
    again = cross_validate(
        TINY, tiny_set, prepared, plan, device="cpu", console=Console(quiet=True)
    )
    assert again.abnormal_logit is not None and oof.abnormal_logit is not None
    np.testing.assert_allclose(again.abnormal_logit[0], oof.abnormal_logit[0], rtol=1e-5)


def test_the_summary_states_each_figure_with_a_patient_level_interval(oof: OutOfFold) -> None:
    summary = summarise(oof, TINY, PLAN, n_boot=200)
    auc = summary.metric("auc_abnormal")
    assert auc is not None and len(auc.per_repeat) == 2
    assert auc.value == pytest.approx(np.mean(auc.per_repeat))
    assert auc.ci_low is not None and auc.ci_high is not None
    assert 0 <= auc.ci_low <= auc.ci_high <= 1
    assert summary.k == 2 and summary.repeats == 2 and summary.seeds == [3, 4]
    assert summary.n_patients == 4 and summary.recipe == "patch-evidence-v1"
