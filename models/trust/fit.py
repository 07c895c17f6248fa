"""After training: fit what tells a user how far to trust an answer (calibration, OOD detector).

Both are fitted on data the weights never trained on (the validation split, and a calibration set
of other patients when training was given one: ECE and a 95th-percentile threshold are noisy on a
few dozen images), written beside the weights (``calibration.json``, ``ood.npz`` + ``ood.json``)
and attached by the registry when the folder is registered, so every registered version carries
them from the start.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from mammocad.datasets.fingerprint import fingerprint
from mammocad.datasets.records import DataSet
from mammocad.ingest.pipeline import IngestOptions, ingest_bytes
from mammocad.schemas.artifact import CALIBRATION_FILE
from mammocad.schemas.trust import CalibrationRecord, DataRef, OodDetectorRecord
from models.training.data import ModelInputs, PreparedImage, prepare_images
from models.trust.calibration import calibrate
from models.trust.ood import fit_ood_detector, ood_features
from models.trust.shift_sets import near_shift_set, non_mammograms, training_vendors

__all__ = ["fit_trust"]


def fit_trust(
    model: torch.nn.Module,
    train: Sequence[PreparedImage],
    held_out: Sequence[PreparedImage],
    held_out_set: DataSet,
    training_data_name: str,
    ingest: IngestOptions,
    folder: Path,
    device: torch.device,
) -> tuple[CalibrationRecord, OodDetectorRecord]:
    """Fit both on ``held_out`` (images of ``held_out_set``, never trained on) and the training
    features; write them into ``folder``."""
    calibration = calibrate(model, held_out, held_out_set, device)
    (folder / CALIBRATION_FILE).write_text(calibration.model_dump_json(indent=2) + "\n", "utf-8")

    far = [ingest_bytes(data, ingest).model_input() for _, data in non_mammograms()]
    near_set = near_shift_set(training_data_name, training_vendors(training_data_name))
    near = [image.model_input() for image in prepare_images(near_set, ingest)]
    ood = fit_ood_detector(
        train_features=ood_features(model, ModelInputs(train), device),
        validation_features=ood_features(model, ModelInputs(held_out), device),
        shifted_features={
            "non-mammograms (noise, gradients, blank, patterns; made here)": ood_features(
                model, far, device
            ),
            f"near: {near_set.name}": ood_features(model, near, device),
        },
        reference=DataRef(name=held_out_set.name, fingerprint=fingerprint(held_out_set)),
        folder=folder,
    )
    return calibration, ood
