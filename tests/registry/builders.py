"""Test inputs for the registry: model folders, evaluation reports and records, made in
milliseconds.

The registry treats weights as opaque bytes, so most tests use a folder with random ``model.pt``
bytes and valid ``metadata.json``; the slow end-to-end test registers a really trained model.
Reports are built with the evaluation code's own result classes and dumped the way
``mammocad evaluate`` writes them, so a format change there breaks these tests, not production.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

from mammocad.ingest.pipeline import IngestOptions
from mammocad.schemas.artifact import DataProvenance, TrainingMetadata
from mammocad.schemas.evaluation import (
    AucEstimate,
    ClassificationReport,
    ConfusionMatrix,
    FrocResult,
    OperatingPoint,
    Proportion,
)
from mammocad.schemas.trust import CalibrationRecord, OodDetectorRecord
from registry import CardEdit, Registry

TEST_FINGERPRINT = "sha256:" + "ab" * 32
OTHER_FINGERPRINT = "sha256:" + "cd" * 32
TEST_DATA = "synthetic:8,seed=1,size=256x192"


def make_model_folder(
    folder: Path, task: Literal["classify", "detect"] = "classify", *, synthetic: bool = True
) -> Path:
    """A trained-model folder: 64 KiB of random ``model.pt`` and valid ``metadata.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.pt").write_bytes(os.urandom(1 << 16))
    metadata = TrainingMetadata(
        task=task,
        architecture="test network",
        created_at="2026-01-01T00:00:00+00:00",
        mammocad_version="0.1.0",
        code_version="0123abc",
        ingest=IngestOptions(target_shape=(128, 96)),
        data=DataProvenance(
            name="synthetic:4,size=256x192" if synthetic else "minimias:dev",
            fingerprint="sha256:" + "12" * 32,
            synthetic=synthetic,
            n_images=16,
            n_patients=4,
            label_counts={"normal": 10, "benign": 2, "malignant": 4},
            train_patients=["P1", "P2", "P3"],
            validation_patients=["P4"],
        ),
        hyperparameters={"epochs": 1, "batch_size": 2},
        seed=3,
        device="cpu",
        epochs_run=1,
        best_epoch=1,
        training_seconds=1.0,
        validation_metrics={"auc_abnormal": 0.5},
        operating_point={"abnormal_threshold": 0.5, "rule": "Youden on the validation split"},
        history=[{"epoch": 1.0, "loss": 1.0}],
    )
    (folder / "metadata.json").write_text(metadata.model_dump_json(indent=2), encoding="utf-8")
    return folder


def _proportion(value: float) -> Proportion:
    return Proportion(value=value, ci_low=max(0.0, value - 0.2), ci_high=min(1.0, value + 0.1))


def write_report(
    path: Path,
    primary: float,
    *,
    task: Literal["classify", "detect"] = "classify",
    data: str = TEST_DATA,
    fingerprint: str = TEST_FINGERPRINT,
) -> Path:
    """A ``report.json`` as ``mammocad evaluate`` writes it, with the primary metric set."""
    header = {
        "model": "somewhere",
        "task": task,
        "data": data,
        "data_fingerprint": fingerprint,
        "patients_seen_in_training": 0,
    }
    if task == "classify":
        auc = AucEstimate(
            auc=primary,
            ci_low=primary - 0.1,
            ci_high=min(1.0, primary + 0.05),
            level=0.95,
            n_positive=12,
            n_negative=20,
            n_boot=2000,
        )
        report = ClassificationReport(
            n_images=32,
            counts={"normal": 20, "benign": 6, "malignant": 6},
            auc_abnormal=auc,
            auc_malignant=auc,
            operating_point=OperatingPoint(
                rule="given",
                threshold=0.4,
                sensitivity=_proportion(0.75),
                specificity=_proportion(0.8),
                tp=9,
                fp=4,
                tn=16,
                fn=3,
            ),
            threshold_source="given",
            confusion=ConfusionMatrix(
                labels=["normal", "benign", "malignant"],
                matrix=[[16, 2, 2], [2, 3, 1], [1, 1, 4]],
            ),
        )
        body = header | {"report": report.model_dump(mode="json")}
    else:
        froc = FrocResult(
            fps_per_image=[0.0, 1.0],
            sensitivity=[0.0, primary],
            sensitivity_at={"0.25": primary / 2, "0.5": primary / 2, "1": primary, "2": primary},
            mean_sensitivity=primary * 0.75,
            n_lesions=10,
            n_images=8,
            hit_rule="centre",
            iou_threshold=0.3,
        )
        body = header | {"froc": froc.model_dump(mode="json")}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body, indent=2, sort_keys=True), encoding="utf-8")
    return path


def calibration_record() -> CalibrationRecord:
    """A hand-made temperature-scaling record."""
    return CalibrationRecord.model_validate(
        {
            "method": "temperature",
            "target": "class probabilities",
            "parameters": {"temperature": 1.7},
            "fitted_on": {"name": "synthetic:8,seed=2", "fingerprint": OTHER_FINGERPRINT},
            "before": {"ece": 0.12, "brier": 0.21},
            "after": {"ece": 0.04, "brier": 0.18},
            "reliability_bins": [
                {
                    "lower": 0.0,
                    "upper": 0.5,
                    "count": 10,
                    "mean_confidence": 0.3,
                    "observed_frequency": 0.28,
                },
                {
                    "lower": 0.5,
                    "upper": 1.0,
                    "count": 6,
                    "mean_confidence": 0.8,
                    "observed_frequency": 0.83,
                },
            ],
        }
    )


def ood_record() -> OodDetectorRecord:
    """A hand-made Mahalanobis OOD detector record."""
    return OodDetectorRecord.model_validate(
        {
            "kind": "mahalanobis",
            "parameters_ref": "ood/mahalanobis.npz",
            "parameters_sha256": "sha256:" + "ef" * 32,
            "reference": {"name": "synthetic:8,seed=2", "fingerprint": OTHER_FINGERPRINT},
            "reference_stats": {"mean": 12.5, "std": 3.1, "n": 32},
            "threshold": 18.2,
            "threshold_rule": "95% of in-distribution validation inputs pass",
            "shift_evaluations": [
                {
                    "shift_set": "synthetic vendor B",
                    "auroc": 0.91,
                    "n_in_distribution": 32,
                    "n_shifted": 32,
                }
            ],
        }
    )


COMPLETE_CARD = CardEdit(
    owners=["mammocad test team"],
    license="Apache-2.0",
    primary_users=["CAD researchers"],
    out_of_scope_uses=["any clinical decision"],
    relevant_factors=["breast density", "vendor"],
    ethical_considerations=["synthetic data only; no patient consent questions arise"],
    caveats_and_recommendations=["validate on local data before any use"],
)


def make_promotable(registry: Registry, tmp: Path, name: str, version: int, primary: float) -> None:
    """Give a registered version everything the production gates ask for."""
    registry.edit_card(name, version, COMPLETE_CARD, actor="tester", reason="complete the card")
    registry.attach_record(name, version, calibration_record(), actor="tester")
    registry.attach_record(name, version, ood_record(), actor="tester")
    report = write_report(tmp / f"{name}-v{version}-report.json", primary)
    registry.attach_evaluation(name, version, report, actor="tester")
