"""Repeated patient-level cross-validation of a recipe: the honest estimate on a small data set.

Each repeat deals the patients into ``k`` folds with its own seed (stratified by each patient's
worst finding; both films of a patient always in the same fold). Each fold's model is trained by
the recipe on the other folds, exactly as the release trains the final model on everything, and
predicts the films of its fold, which it never saw. Every film thus gets one out-of-fold
prediction per repeat; the figures are computed on each repeat's pooled predictions and averaged
over the repeats, with patient-level bootstrap intervals (:mod:`models.evaluation.bootstrap`).
Nothing is selected on a test fold: the recipe is fixed before the run.

The out-of-fold predictions are kept (:class:`OutOfFold`), because the release fits the
calibration and the operating threshold on them (cross-fitting, :mod:`models.trust.cross_fit`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

import numpy as np
from pydantic import BaseModel
from rich.console import Console

from mammocad.datasets.records import DataSet
from mammocad.datasets.splits import patient_kfold
from mammocad.schemas.evaluation import (
    CrossValidatedMetric,
    CrossValidationSummary,
    ExplanationQuality,
)
from mammocad.vocabulary import Label
from models.device import resolve_device
from models.evaluation.bootstrap import Statistic, fast_auc, patient_bootstrap_interval
from models.evaluation.classification import wilson_interval
from models.evaluation.detection import froc
from models.evaluation.evaluate import DetectorScores, detector_scores
from models.evaluation.explanation import explanation_quality
from models.explain.background import choose_background
from models.inference.predict import predict_classifier
from models.nets.classifier import ClassifierNetwork
from models.nets.detector import MassDetector
from models.training.data import ModelInputs, PreparedImage
from models.training.recipe import Recipe
from models.trust.ood import FoldFeatures, ood_features

__all__ = ["CvPlan", "FoldRun", "OutOfFold", "cross_validate", "summarise"]


@dataclass(frozen=True)
class CvPlan:
    """``repeats`` patient-level ``k``-fold splits; repeat ``r`` deals with seed ``seed + r``."""

    k: int = 5
    repeats: int = 2
    seed: int = 0
    explanations: bool = True
    ood_features: bool = False  # keep the first repeat's fold models' OOD feature views

    @property
    def seeds(self) -> list[int]:
        return [self.seed + r for r in range(self.repeats)]


class FoldRun(BaseModel):
    """One trained fold model: what it saw and what it predicted."""

    repeat: int
    fold: int
    split_seed: int
    training_seed: int
    train_images: int
    test_images: int
    test_patients: list[str]
    seconds: float


@dataclass
class OutOfFold:
    """Every film's prediction by the fold model that did not see its patient, per repeat.

    Attributes:
        images: the data set's films, in data set order (the columns below).
        abnormal_logit, malignant_logit: ``(repeats, N)`` classifier logits A and M.
        detections: per repeat, ``(boxes in original pixels, scores, true mass boxes)`` of each
            film whose masses all have a location (the others cannot be scored).
        scored: the indices into ``images`` of those films, in that order.
        explanations: per repeat, the explanation quality of each fold's model on its fold.
        ood_folds: with ``plan.ood_features``, the first repeat's fold models' OOD feature
            views of their training and unseen films (to cross-fit an OOD threshold).
        folds: the fold models, in order.
    """

    images: list[PreparedImage]
    abnormal_logit: np.ndarray | None = None
    malignant_logit: np.ndarray | None = None
    detections: list[DetectorScores] = field(default_factory=list)
    scored: list[int] = field(default_factory=list)
    explanations: list[list[ExplanationQuality]] = field(default_factory=list)
    ood_folds: list[FoldFeatures] = field(default_factory=list)
    folds: list[FoldRun] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def patients(self) -> list[str]:
        return [image.patient_id for image in self.images]


def cross_validate(
    recipe: Recipe,
    dataset: DataSet,
    images: Sequence[PreparedImage],
    plan: CvPlan,
    *,
    device: str = "auto",
    console: Console | None = None,
) -> OutOfFold:
    """Train and test ``plan.k * plan.repeats`` fold models of ``recipe`` (module docstring).

    Args:
        images: ``dataset``'s films prepared with ``recipe.ingest``, in data set order.
    """
    console = console or Console()
    started = time.perf_counter()
    position = {image.image_id: index for index, image in enumerate(images)}
    n = len(images)
    outcome = OutOfFold(images=list(images))
    if recipe.task == "classify":
        outcome.abnormal_logit = np.full((plan.repeats, n), np.nan)
        outcome.malignant_logit = np.full((plan.repeats, n), np.nan)
    torch_device = resolve_device(device)
    for repeat, split_seed in enumerate(plan.seeds):
        per_image: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        qualities: list[ExplanationQuality] = []
        for fold, (train_set, test_set) in enumerate(
            patient_kfold(dataset, k=plan.k, seed=split_seed)
        ):
            fold_started = time.perf_counter()
            train = [images[position[r.image_id]] for r in train_set]
            test_index = [position[r.image_id] for r in test_set]
            test = [images[i] for i in test_index]
            console.rule(
                f"{recipe.name}: repeat {repeat + 1}/{plan.repeats}, fold {fold + 1}/{plan.k}: "
                f"train {len(train)}, test {len(test)} films"
            )
            training_seed = 1000 * split_seed + fold
            network = recipe.train(train, seed=training_seed, device=device, console=console)
            if outcome.abnormal_logit is not None and outcome.malignant_logit is not None:
                classifier = cast(ClassifierNetwork, network)  # a classify recipe's
                found = predict_classifier(classifier, ModelInputs(test), torch_device)
                outcome.abnormal_logit[repeat, test_index] = found.abnormal_logit
                outcome.malignant_logit[repeat, test_index] = found.malignant_logit
            else:
                detector = cast(MassDetector, network)  # a detect recipe's
                scorable = [
                    i for i, image in zip(test_index, test, strict=True) if _scorable(image)
                ]
                scores = detector_scores(detector, torch_device, [images[i] for i in scorable])
                per_image |= dict(zip(scorable, scores, strict=True))
            if plan.ood_features and repeat == 0:
                outcome.ood_folds.append(
                    FoldFeatures(
                        train=ood_features(network, ModelInputs(train), torch_device),
                        test=ood_features(network, ModelInputs(test), torch_device),
                    )
                )
            if plan.explanations:
                background = np.stack([i.model_input() for i in choose_background(train)])
                qualities += [
                    explanation_quality(network, torch_device, test, method, background=background)
                    for method in recipe.explanation_methods
                ]
            outcome.folds.append(
                FoldRun(
                    repeat=repeat,
                    fold=fold,
                    split_seed=split_seed,
                    training_seed=training_seed,
                    train_images=len(train),
                    test_images=len(test),
                    test_patients=test_set.patients,
                    seconds=round(time.perf_counter() - fold_started, 1),
                )
            )
        if recipe.task == "detect":
            outcome.scored = sorted(per_image)
            outcome.detections.append([per_image[i] for i in outcome.scored])
        outcome.explanations.append(qualities)
    outcome.seconds = round(time.perf_counter() - started, 1)
    return outcome


def summarise(
    oof: OutOfFold, recipe: Recipe, plan: CvPlan, *, n_boot: int = 2000
) -> CrossValidationSummary:
    """The cross-validated figures of ``oof``, each with its patient-level interval."""
    metrics: list[CrossValidatedMetric] = []
    labels = np.array([image.label for image in oof.images])
    patients = oof.patients
    if oof.abnormal_logit is not None and oof.malignant_logit is not None:
        abnormal = labels != Label.NORMAL
        malignant = labels == Label.MALIGNANT
        a, m = oof.abnormal_logit, oof.malignant_logit
        # p(malignant) = p(abnormal) p(malignant | abnormal), ranked by its log.
        log_malignant = -np.logaddexp(0.0, -a) - np.logaddexp(0.0, -m)
        for name, truth, scores, what in [
            ("auc_abnormal", abnormal, a, "abnormal vs normal, score A"),
            ("auc_malignant", malignant, log_malignant, "malignant vs rest, p(malignant)"),
        ]:
            metrics.append(
                _repeated(
                    name,
                    _mean_auc(truth, scores),
                    patients,
                    n_boot,
                    f"{what}; {int(truth.sum())} pos / {int((~truth).sum())} neg films",
                    [fast_auc(truth, row) for row in scores],
                )
            )
    if oof.detections:
        scored_patients = [patients[i] for i in oof.scored]
        n_masses = sum(len(truth) for _, _, truth in oof.detections[0])
        support = f"{n_masses} masses on {len(oof.scored)} scorable films, centre-in-box hits"

        def sensitivity(idx: np.ndarray, rate: str = "1") -> float:
            values = []
            for per_image in oof.detections:
                chosen = [per_image[i] for i in idx]
                if not any(len(truth) for _, _, truth in chosen):
                    return float("nan")
                values.append(froc(chosen).sensitivity_at[rate])
            return float(np.mean(values))

        metrics.append(
            _repeated(
                "sensitivity_at_1fp",
                sensitivity,
                scored_patients,
                min(n_boot, 500),  # a FROC curve per resample: slower than an AUC
                support,
                [froc(per_image).sensitivity_at["1"] for per_image in oof.detections],
            )
        )
        metrics.append(
            CrossValidatedMetric(
                name="froc_score",
                value=float(np.mean([froc(d).mean_sensitivity for d in oof.detections])),
                per_repeat=[froc(d).mean_sensitivity for d in oof.detections],
                support=f"mean sensitivity at 0.25-4 FP per film; {support}",
            )
        )
    metrics += _pointing(oof)
    return CrossValidationSummary(
        k=plan.k,
        repeats=plan.repeats,
        seeds=plan.seeds,
        n_images=len(oof.images),
        n_patients=len(set(patients)),
        recipe=recipe.name,
        metrics=metrics,
    )


def _repeated(
    name: str,
    statistic: Statistic,
    patients: Sequence[str],
    n_boot: int,
    support: str,
    per_repeat: list[float],
) -> CrossValidatedMetric:
    low, high = patient_bootstrap_interval(statistic, patients, n_boot=n_boot)
    return CrossValidatedMetric(
        name=name,
        value=float(np.mean(per_repeat)),
        ci_low=low,
        ci_high=high,
        level=0.95,
        per_repeat=[float(v) for v in per_repeat],
        support=support,
    )


def _mean_auc(truth: np.ndarray, scores: np.ndarray) -> Statistic:
    """The mean over repeats (rows of ``scores``) of the AUC on a resample's films."""

    def statistic(index: np.ndarray) -> float:
        return float(np.mean([fast_auc(truth[index], row[index]) for row in scores]))

    return statistic


def _pointing(oof: OutOfFold) -> list[CrossValidatedMetric]:
    """Pointing game per explanation method: hits over located films, pooled over the folds of
    each repeat, averaged over repeats (Wilson interval of the average count)."""
    metrics = []
    methods = sorted({q.method for repeat in oof.explanations for q in repeat})
    for method in methods:
        hits, films = [], []
        for repeat in oof.explanations:
            rows = [q for q in repeat if q.method == method]
            hits.append(sum(q.pointing_hits for q in rows))
            films.append(sum(q.images for q in rows))
        if not films or films[0] == 0:
            continue
        n = films[0]
        mean_hits = float(np.mean(hits))
        low, high = wilson_interval(round(mean_hits), n)
        metrics.append(
            CrossValidatedMetric(
                name=f"pointing_game_{method}",
                value=mean_hits / n,
                ci_low=low,
                ci_high=high,
                level=0.95,
                per_repeat=[h / n for h in hits],
                support=f"explanation peak inside a lesion box, {n} films with located lesions",
            )
        )
    return metrics


def _scorable(image: PreparedImage) -> bool:
    """Whether every mass of the film has a location (else a detection can be neither a hit nor
    surely false)."""
    return all(lesion.box is not None for lesion in image.original_lesions if lesion.kind.is_mass)
