"""Evaluating a trained model on a labelled data set, in the terms clinicians and regulators use.

Classifier: AUC abnormal-vs-normal and malignant-vs-rest with bootstrap 95% CIs, sensitivity and
specificity at the operating point chosen on the model's VALIDATION split (not on the test data),
confusion matrix. Detector: FROC (hit = detected box centre inside the lesion box, in ORIGINAL
pixel coordinates, so the ingest mapping is part of what is tested).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
from rich.console import Console

from mammocad.datasets.fingerprint import fingerprint
from mammocad.datasets.records import DataSet, Lesion
from mammocad.schemas.artifact import CALIBRATION_FILE
from mammocad.schemas.evaluation import ClassificationReport, FrocResult
from mammocad.schemas.trust import CalibrationRecord
from models.evaluation.classification import classification_report
from models.evaluation.detection import froc
from models.evaluation.explanation import explanation_quality
from models.evaluation.plots import plot_froc, plot_roc
from models.evaluation.report import (
    render_classification_table,
    render_detection_table,
    render_explanation_table,
    write_json,
)
from models.explain.explainer import Method
from models.inference.loaded import LoadedModel
from models.inference.predict import predict_detections, predict_probabilities
from models.nets.classifier import ClassifierNetwork
from models.nets.detector import MassDetector
from models.training.data import PreparedImage
from models.training.run import prepare_with_progress
from models.trust.calibration import held_out_calibration

__all__ = [
    "DetectorScores",
    "detector_scores",
    "evaluate_classifier",
    "evaluate_detector",
    "scorable_masses",
    "write_evaluation",
]

DetectorScores = list[tuple[np.ndarray, np.ndarray, np.ndarray]]


def evaluate_classifier(
    network: ClassifierNetwork,
    device: torch.device,
    images: Sequence[PreparedImage],
    *,
    threshold: float | None,
    n_boot: int = 2000,
) -> tuple[ClassificationReport, np.ndarray]:
    """The classification report and the ``(N, 3)`` probabilities it was computed from.

    Args:
        threshold: abnormal threshold chosen on the model's validation split; None falls back on
            Youden on these data (the report says so: it is optimistic).
    """
    probabilities = predict_probabilities(network, [i.model_input() for i in images], device)
    report = classification_report(
        [i.label for i in images], probabilities, threshold_abnormal=threshold, n_boot=n_boot
    )
    return report, probabilities


def scorable_masses(image: PreparedImage) -> np.ndarray | None:
    """The image's mass boxes in original pixels, or None if a mass has no location (then
    the image cannot be scored: a detection there would be neither a hit nor surely false)."""
    masses: list[Lesion] = [lesion for lesion in image.original_lesions if lesion.kind.is_mass]
    if any(lesion.box is None for lesion in masses):
        return None
    return np.array([lesion.box for lesion in masses], dtype=float).reshape(-1, 4)


def detector_scores(
    network: MassDetector, device: torch.device, images: Sequence[PreparedImage]
) -> DetectorScores:
    """Per scorable image: (boxes in original pixels, scores, ground-truth mass boxes)."""
    scorable = [(image, truth) for image in images if (truth := scorable_masses(image)) is not None]
    found = predict_detections(network, [image.model_input() for image, _ in scorable], device)
    return [
        (image.transform.to_original_boxes(detections.boxes), detections.scores, truth)
        for (image, truth), detections in zip(scorable, found, strict=True)
    ]


def evaluate_detector(
    network: MassDetector, device: torch.device, images: Sequence[PreparedImage]
) -> FrocResult:
    """FROC of the detector on these images (centre-in-box hits, original coordinates)."""
    return froc(detector_scores(network, device, images), hit_rule="centre")


def write_evaluation(
    loaded: LoadedModel,
    dataset: DataSet,
    folder: Path,
    console: Console,
    *,
    explanations: bool = True,
) -> Path:
    """Evaluate ``loaded`` on ``dataset``; write ``report.json`` and a ROC or FROC PNG into
    ``folder``; print the table; return the report's path.

    ``explanations=False`` leaves out the explanation quality (seconds per image: a large set
    measured for its calibration or accuracy need not pay for it).

    The report names the data set and its content fingerprint (the registry keys evaluations by
    both) and how many of its patients the model saw in training or validation.
    """
    images = prepare_with_progress(dataset, loaded.metadata.ingest, console)
    overlap = set(dataset.patients) & set(
        loaded.metadata.data.train_patients + loaded.metadata.data.validation_patients
    )
    if overlap:
        console.print(
            f"[yellow]warning[/yellow]: {len(overlap)} patients of this data set were "
            "used to train or validate the model: the figures are optimistic"
        )
    header = {
        "model": str(loaded.folder),
        "task": loaded.metadata.task,
        "data": dataset.name,
        "data_fingerprint": fingerprint(dataset),
        "patients_seen_in_training": len(overlap),
        "explanations": explanation_report(loaded, images, console) if explanations else [],
        "calibration": _held_out_calibration(loaded, images, console),
    }
    report_path = folder / "report.json"
    if loaded.metadata.task == "classify":
        threshold = loaded.metadata.operating_point.abnormal_threshold
        network = cast(ClassifierNetwork, loaded.network)  # built for metadata.task
        report, probabilities = evaluate_classifier(
            network, loaded.device, images, threshold=threshold
        )
        console.print(render_classification_table(report))
        write_json(header | {"report": report.model_dump(mode="json")}, report_path)
        labels = [image.label.value for image in images]
        plot_roc(
            {
                "abnormal vs normal": (
                    [lab != "normal" for lab in labels],
                    1 - probabilities[:, 0],
                ),
                "malignant vs rest": ([lab == "malignant" for lab in labels], probabilities[:, 2]),
            },
            folder / "roc.png",
            f"ROC on {dataset.name}",
        )
    else:
        detector = cast(MassDetector, loaded.network)  # built for metadata.task (detect)
        result = froc(detector_scores(detector, loaded.device, images))
        console.print(render_detection_table(result))
        write_json(header | {"froc": result.model_dump(mode="json")}, report_path)
        plot_froc(result, folder / "froc.png", f"FROC on {dataset.name}")
    return report_path


def _held_out_calibration(
    loaded: LoadedModel, images: Sequence[PreparedImage], console: Console
) -> dict[str, Any] | None:
    """ECE and Brier on these images with and without the version's calibration (None when
    training fitted none)."""
    path = loaded.folder / CALIBRATION_FILE
    if not path.is_file():
        return None
    record = CalibrationRecord.model_validate_json(path.read_text("utf-8"))
    measured = held_out_calibration(loaded.network, images, record, loaded.device)
    for what, part in [
        (record.target, measured),
        ("p(abnormal)", measured.get("abnormal_vs_normal")),
    ]:
        if part is not None:
            console.print(
                f"calibration of {what} on these {part['n']} cases ({record.method}): ECE "
                f"{part['uncalibrated']['ece']:.3f} -> {part['calibrated']['ece']:.3f} (perfectly "
                f"calibrated probabilities would show {part['ece_if_calibrated']:.3f}), Brier "
                f"{part['uncalibrated']['brier']:.3f} -> {part['calibrated']['brier']:.3f}"
            )
    return measured


def explanation_report(
    loaded: LoadedModel, images: Sequence[PreparedImage], console: Console
) -> list[dict[str, Any]]:
    """Pointing game, energy inside the lesions and the randomisation check of each method
    (SHAP only when the version stored a background), printed and returned as JSON."""
    methods: list[Method] = ["gradcam"]
    if loaded.shap_background is not None:
        methods.append("shap")
    qualities = []
    for method in methods:
        with console.status(f"measuring {method} explanations ..."):
            quality = explanation_quality(
                loaded.network, loaded.device, images, method, background=loaded.shap_background
            )
        qualities.append(quality)
    console.print(render_explanation_table(qualities))
    return [quality.model_dump(mode="json") for quality in qualities]
