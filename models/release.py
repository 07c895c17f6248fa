"""A release: the validated recipe end to end, from a data set to a complete model folder.

1. Prepare every film once (cached) with the recipe's ingest.
2. Repeated patient-level cross-validation of the recipe (:mod:`models.evaluation.crossval`):
   the figures the model card states, and every film's out-of-fold predictions.
3. The final model, trained by the same recipe on every film (nothing held out: the
   cross-validation is the evidence of how it does on new patients).
4. Calibration and operating threshold cross-fitted on the out-of-fold predictions
   (:mod:`models.trust.cross_fit`); the OOD detector fitted on the final model's features of
   every film, with its threshold cross-fitted on the fold models (:mod:`models.trust.ood`);
   the SHAP background.
5. The evaluation report (``evaluation/report.json``: the cross-validated figures with their
   patient-level intervals, the first repeat's pooled out-of-fold report, the cross-fitted
   calibration) and the out-of-fold predictions themselves (``evaluation/out_of_fold.json``).

Registering, attaching the report, writing the card and promoting are the registry's
(``mammocad release`` does them, :mod:`cli.release`); nothing here imports the registry.

Under torchrun every rank runs all of it, so that each model (fold models and the final one) is
trained by all ranks together (:mod:`models.training.distributed`); the folds' predictions are
computed on every rank alike, and only rank 0 fits the OOD detector and writes ``folder``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from rich.console import Console

import mammocad
from mammocad.acquisition import AcquisitionProfile
from mammocad.datasets.fingerprint import fingerprint
from mammocad.datasets.records import DataSet
from mammocad.ingest.pipeline import ingest_bytes
from mammocad.schemas.artifact import CALIBRATION_FILE, DataProvenance, TrainingMetadata
from mammocad.schemas.evaluation import CrossValidationSummary, EvaluationReport
from mammocad.schemas.trust import DataRef
from mammocad.vocabulary import Label
from models.device import resolve_device
from models.evaluation.classification import classification_report
from models.evaluation.crossval import CvPlan, OutOfFold, cross_validate, summarise
from models.evaluation.detection import detection_hits, froc
from models.evaluation.explanation import pool_explanations
from models.evaluation.report import write_json
from models.explain.background import choose_background, save_background
from models.training.artifacts import code_version, now_utc, save_artifact
from models.training.cache import cached_prepared_images
from models.training.data import ModelInputs, PreparedImage
from models.training.distributed import current_ranks
from models.training.recipe import Recipe
from models.trust.cross_fit import CrossFitted, cross_fit_classifier, cross_fit_detector
from models.trust.ood import fit_ood_detector, ood_features
from models.trust.shift_sets import near_shift_set, non_mammograms, training_vendors

__all__ = ["REPORT_FILE", "Release", "build_release"]

REPORT_FILE = Path("evaluation") / "report.json"
OUT_OF_FOLD_FILE = Path("evaluation") / "out_of_fold.json"


@dataclass(frozen=True)
class Release:
    """A complete model folder and what its release measured."""

    folder: Path
    report: Path
    summary: CrossValidationSummary
    cross_fitted: CrossFitted
    seconds: float


def build_release(
    recipe: Recipe,
    dataset: DataSet,
    folder: Path,
    plan: CvPlan,
    *,
    device: str = "auto",
    console: Console | None = None,
) -> Release:
    """Cross-validate ``recipe`` on ``dataset``, train the final model, fit its calibration,
    threshold and OOD detector, and write everything into ``folder`` (module docstring)."""
    console = (console or Console()) if current_ranks().is_main else Console(quiet=True)
    started = time.perf_counter()
    with console.status(f"preparing {len(dataset)} films at {recipe.ingest.target_shape} ..."):
        images = cached_prepared_images(dataset, recipe.ingest, ranks=current_ranks())
    oof = cross_validate(
        recipe,
        dataset,
        images,
        CvPlan(plan.k, plan.repeats, plan.seed, plan.explanations, ood_features=True),
        device=device,
        console=console,
    )
    summary = summarise(oof, recipe, plan)
    data_ref = DataRef(name=dataset.name, fingerprint=fingerprint(dataset))
    crossfit = _cross_fit(recipe, oof, data_ref)
    console.rule(f"{recipe.name}: the final model, on all {len(images)} films")
    training_started = time.perf_counter()
    final = recipe.train(images, seed=plan.seed, device=device, console=console)
    training_seconds = time.perf_counter() - training_started
    metadata = TrainingMetadata(
        task=recipe.task,
        architecture=recipe.architecture,
        created_at=now_utc(),
        mammocad_version=mammocad.__version__,
        code_version=code_version(),
        ingest=recipe.ingest,
        data=DataProvenance(
            name=dataset.name,
            fingerprint=data_ref.fingerprint,
            synthetic=dataset.name.startswith("synthetic:"),
            n_images=len(dataset),
            n_patients=len(dataset.patients),
            label_counts={label.value: n for label, n in dataset.label_counts().items()},
            train_patients=dataset.patients,
            validation_patients=[],
        ),
        acquisition=AcquisitionProfile.of(i.metadata for i in images if i.metadata),
        hyperparameters=recipe.hyperparameters()
        | {
            "recipe": recipe.name,
            "cross_validation": {"k": plan.k, "repeats": plan.repeats, "seeds": plan.seeds},
            "processes": current_ranks().world_size,
        },
        seed=plan.seed,
        device=str(resolve_device(device)),
        epochs_run=int(recipe.hyperparameters().get("epochs", 0)),
        best_epoch=int(recipe.hyperparameters().get("epochs", 0)),
        training_seconds=round(training_seconds, 1),
        validation_metrics={m.name: m.value for m in summary.metrics},
        operating_point=crossfit.thresholds,
        history=[],
    )
    if not current_ranks().is_main:
        return Release(
            folder, folder / REPORT_FILE, summary, crossfit, round(time.perf_counter() - started, 1)
        )
    save_artifact(folder, final, metadata)
    (folder / CALIBRATION_FILE).write_text(
        crossfit.calibration.model_dump_json(indent=2) + "\n", "utf-8"
    )
    _fit_ood(final, images, oof, dataset, data_ref, folder, recipe, device)
    save_background(folder, choose_background(images))
    report = _report(recipe, dataset, data_ref, oof, summary, crossfit, folder)
    _write_out_of_fold(oof, folder / OUT_OF_FOLD_FILE)
    return Release(folder, report, summary, crossfit, round(time.perf_counter() - started, 1))


def _cross_fit(recipe: Recipe, oof: OutOfFold, data_ref: DataRef) -> CrossFitted:
    """Calibration and threshold from the first repeat's out-of-fold predictions."""
    if recipe.task == "classify":
        assert oof.abnormal_logit is not None and oof.malignant_logit is not None
        return cross_fit_classifier(
            oof.abnormal_logit[0],
            oof.malignant_logit[0],
            [image.label for image in oof.images],
            oof.patients,
            data_ref,
        )
    detections = oof.detections[0]
    return cross_fit_detector(
        [scores for _, scores, _ in detections],
        [detection_hits(boxes, truth) for boxes, _, truth in detections],
        [oof.patients[i] for i in oof.scored],
        data_ref,
    )


def _fit_ood(
    network: torch.nn.Module,
    images: list[PreparedImage],
    oof: OutOfFold,
    dataset: DataSet,
    data_ref: DataRef,
    folder: Path,
    recipe: Recipe,
    device: str,
) -> None:
    """The OOD detector on the final model's features of every film, threshold cross-fitted."""
    torch_device = resolve_device(device)
    far = [ingest_bytes(data, recipe.ingest).model_input() for _, data in non_mammograms()]
    near_set = near_shift_set(dataset.name, training_vendors(dataset.name))
    near = [image.model_input() for image in cached_prepared_images(near_set, recipe.ingest)]
    fit_ood_detector(
        train_features=ood_features(network, ModelInputs(images), torch_device),
        validation_features=None,
        shifted_features={
            "non-mammograms (noise, gradients, blank, patterns; made here)": ood_features(
                network, far, torch_device
            ),
            f"near: {near_set.name}": ood_features(network, near, torch_device),
        },
        reference=data_ref,
        folder=folder,
        cross_fit=oof.ood_folds,
    )


def _report(
    recipe: Recipe,
    dataset: DataSet,
    data_ref: DataRef,
    oof: OutOfFold,
    summary: CrossValidationSummary,
    crossfit: CrossFitted,
    folder: Path,
) -> Path:
    classification = None
    froc_result = None
    if oof.abnormal_logit is not None and oof.malignant_logit is not None:
        a, m = oof.abnormal_logit[0], oof.malignant_logit[0]
        p_a, p_m = 1 / (1 + np.exp(-a)), 1 / (1 + np.exp(-m))
        probabilities = np.stack([1 - p_a, p_a * (1 - p_m), p_a * p_m], axis=1)
        classification = classification_report([image.label for image in oof.images], probabilities)
        if crossfit.operating_point is not None:
            classification = classification.model_copy(
                update={
                    "operating_point": crossfit.operating_point,
                    "threshold_source": "cross-fitted",
                }
            )
    else:
        froc_result = froc(oof.detections[0])
    report = EvaluationReport(
        model=str(folder),
        task=recipe.task,
        data=dataset.name,
        data_fingerprint=data_ref.fingerprint,
        patients_seen_in_training=0,
        report=classification,
        froc=froc_result,
        explanations=pool_explanations(oof.explanations[0]) if oof.explanations else [],
        calibration=crossfit.held_out,
        cross_validation=summary,
    )
    path = folder / REPORT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(report, path)
    return path


def _write_out_of_fold(oof: OutOfFold, path: Path) -> None:
    """Every film's out-of-fold predictions per repeat, and the fold models (for audit)."""
    films = []
    for index, image in enumerate(oof.images):
        row: dict[str, object] = {
            "image_id": image.image_id,
            "patient_id": image.patient_id,
            "label": image.label.value,
            "abnormal": image.label is not Label.NORMAL,
        }
        if oof.abnormal_logit is not None and oof.malignant_logit is not None:
            row["abnormal_logit"] = [float(v) for v in oof.abnormal_logit[:, index]]
            row["malignant_logit"] = [float(v) for v in oof.malignant_logit[:, index]]
        if index in oof.scored:
            at = oof.scored.index(index)
            row["detections"] = [
                {"boxes": boxes.tolist(), "scores": scores.tolist()}
                for boxes, scores, _ in (repeat[at] for repeat in oof.detections)
            ]
        films.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {"folds": [f.model_dump() for f in oof.folds], "films": films, "seconds": oof.seconds},
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
