"""Patient-level k-fold cross-validation: the honest estimate on a small data set.

Each fold's model is trained on the other folds (with an inner patient-level split for early
stopping and for choosing the operating point) and tested on its fold, which it never saw. The
out-of-fold predictions of all folds are pooled into one report, and per-fold figures are kept to
show the spread.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
from pydantic import BaseModel
from rich.console import Console

from mammocad.datasets.fingerprint import fingerprint
from mammocad.datasets.records import DataSet
from mammocad.datasets.splits import patient_kfold, patient_split
from mammocad.ingest.pipeline import IngestOptions
from mammocad.schemas.evaluation import ClassificationReport, FrocResult, OperatingPoint
from models.device import resolve_device
from models.evaluation.classification import at_threshold, classification_report
from models.evaluation.detection import froc
from models.evaluation.evaluate import detector_scores, evaluate_classifier
from models.evaluation.explanation import explanation_quality, pooled_explanations
from models.explain.background import choose_background
from models.nets.classifier import LesionEvidenceClassifier
from models.nets.detector import MassDetector
from models.training.artifacts import code_version
from models.training.data import PreparedImage
from models.training.loop import TrainingOptions
from models.training.run import prepare_with_progress, train_on_split
from models.training.tasks import CLASSIFY, TaskSpec

__all__ = ["CrossValidation", "cross_validate"]


class CrossValidation(BaseModel):
    """Per-fold and pooled out-of-fold results of one cross-validation."""

    task: str
    data: str
    data_fingerprint: str
    code_version: str
    k: int
    seed: int
    ingest: IngestOptions
    training: TrainingOptions
    inner_val_fraction: float
    folds: list[dict[str, Any]]
    pooled_classification: ClassificationReport | None = None
    pooled_operating_point: OperatingPoint | None = None
    pooled_froc: FrocResult | None = None
    pooled_explanations: list[dict[str, Any]] = []
    seconds: float


def cross_validate(
    task: TaskSpec,
    dataset: DataSet,
    *,
    k: int,
    target_shape: tuple[int, int],
    options: TrainingOptions,
    inner_val_fraction: float = 0.15,
    console: Console | None = None,
) -> CrossValidation:
    """Train and test ``k`` models, one per patient-level fold (see the module docstring)."""
    console = console or Console()
    started = time.perf_counter()
    ingest = task.ingest_options(target_shape)
    device = resolve_device(options.device)
    version, data_fingerprint = code_version(), fingerprint(dataset)  # what ran, on what
    prepared = {image.image_id: image for image in prepare_with_progress(dataset, ingest, console)}
    folds: list[dict[str, Any]] = []
    pooled_labels: list[str] = []
    pooled_probabilities: list[np.ndarray] = []
    pooled_margins: list[np.ndarray] = []  # abnormal score minus the fold's own threshold
    pooled_detections: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for fold, (train_set, test_set) in enumerate(patient_kfold(dataset, k=k, seed=options.seed)):
        inner_train, inner_val = patient_split(
            train_set, val_fraction=inner_val_fraction, seed=options.seed
        )
        console.rule(
            f"fold {fold + 1}/{k}: train {len(inner_train)}, early-stop {len(inner_val)},"
            f" test {len(test_set)} images"
        )
        result = train_on_split(
            task, _pick(prepared, inner_train), _pick(prepared, inner_val), options, console
        )
        test_images = _pick(prepared, test_set)
        record: dict[str, Any] = {
            "fold": fold + 1,
            "best_epoch": result.best_epoch,
            "epochs_run": result.epochs_run,
            "seconds": round(result.seconds, 1),
            "test_images": len(test_images),
            "test_patients": test_set.patients,
        }
        if task is CLASSIFY:
            threshold = result.best.operating_point.abnormal_threshold
            network = cast(LesionEvidenceClassifier, result.model)  # CLASSIFY.build made it
            report, probabilities = evaluate_classifier(
                network, device, test_images, threshold=threshold, n_boot=500
            )
            record |= {
                "auc_abnormal": report.auc_abnormal.auc,
                "auc_malignant": report.auc_malignant.auc if report.auc_malignant else None,
                "abnormal_threshold": threshold,
            }
            pooled_labels += [image.label.value for image in test_images]
            pooled_probabilities.append(probabilities)
            pooled_margins.append(1 - probabilities[:, 0] - (threshold or 0.5))
        else:
            detector = cast(MassDetector, result.model)  # a detect task's build made it
            scores = detector_scores(detector, device, test_images)
            masses = sum(len(truth) for _, _, truth in scores)
            record |= {"scored_images": len(scores), "masses": masses}
            if masses:
                fold_froc = froc(scores)
                record |= {
                    "froc_mean_sensitivity": fold_froc.mean_sensitivity,
                    "sensitivity_at_1fpi": fold_froc.sensitivity_at["1"],
                }
            pooled_detections += scores
        background = np.stack(
            [i.model_input() for i in choose_background(_pick(prepared, inner_val))]
        )
        record["explanations"] = [
            explanation_quality(
                result.model, device, test_images, method, background=background
            ).model_dump(mode="json")
            for method in ("gradcam", "shap")
        ]
        folds.append(record)
        console.print(record)
    outcome = CrossValidation(
        task=task.name,
        data=dataset.name,
        data_fingerprint=data_fingerprint,
        code_version=version,
        k=k,
        seed=options.seed,
        ingest=ingest,
        training=options,
        inner_val_fraction=inner_val_fraction,
        folds=folds,
        pooled_explanations=pooled_explanations([fold["explanations"] for fold in folds]),
        seconds=round(time.perf_counter() - started, 1),
    )
    if task is CLASSIFY:
        outcome.pooled_classification = classification_report(
            pooled_labels, np.concatenate(pooled_probabilities)
        )
        # Each fold's decisions at the threshold its own inner validation split chose: the
        # sensitivity/specificity a deployment would see (the report's own operating point is
        # Youden on the pooled scores, which is optimistic).
        outcome.pooled_operating_point = at_threshold(
            [label != "normal" for label in pooled_labels], np.concatenate(pooled_margins), 0.0
        )
    else:
        outcome.pooled_froc = froc(pooled_detections)
    return outcome


def _pick(prepared: dict[str, PreparedImage], subset: DataSet) -> Sequence[PreparedImage]:
    return [prepared[record.image_id] for record in subset]
