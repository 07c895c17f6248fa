"""Using a trained model on one ingested image: probabilities, or boxes in ORIGINAL pixels.

The image must have been ingested with the model's own :class:`IngestOptions` (recorded in its
metadata); :func:`ingest_for` does that, so a caller cannot feed a model a grid it was not
trained on.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import cast

import numpy as np
import torch

from mammocad.errors import InvalidInputError, NotFoundError
from mammocad.ingest.pipeline import IngestedImage, ingest_bytes
from mammocad.vocabulary import Laterality
from models.artifacts import TrainingMetadata, load_metadata, load_weights
from models.classify.network import CLASSES, LesionEvidenceClassifier
from models.detect.network import MassDetector
from models.explain import ModelExplainer, load_background
from models.ood import OOD_PARAMETERS_FILE, FeatureDetector, load_ood_detector
from models.tasks import CLASSIFY, DETECT, predict_detections, predict_probabilities
from models.training import resolve_device

__all__ = ["Detection", "LoadedModel", "classify", "detect", "ingest_for", "load_model"]


@dataclass(frozen=True)
class LoadedModel:
    """A trained model ready for inference, with the metadata that describes it."""

    folder: Path
    metadata: TrainingMetadata
    network: torch.nn.Module
    device: torch.device
    ood: FeatureDetector | None = None  # fitted at training time (``ood.npz``), if any
    shap_background: np.ndarray | None = None  # ``shap_background.npz``, if training stored one

    @cached_property
    def explainer(self) -> ModelExplainer:
        """Grad-CAM and SHAP for this model (made once: it caches the background's features)."""
        return ModelExplainer(self.network, self.device, self.shap_background)


@dataclass(frozen=True)
class Detection:
    """One detected mass in ORIGINAL pixel coordinates (x right, y down, origin top-left)."""

    box: tuple[float, float, float, float]
    score: float
    malignancy: float


def load_model(folder: Path, device: str = "auto") -> LoadedModel:
    """Load ``model.pt`` + ``metadata.json`` (weights must match the architecture exactly), and
    the OOD detector's parameters and the SHAP background when training stored them."""
    folder = Path(folder)
    if not (folder / "metadata.json").is_file():
        raise NotFoundError(f"{folder} is not a trained model folder (no metadata.json)")
    metadata = load_metadata(folder)
    task = CLASSIFY if metadata.task == "classify" else DETECT
    resolved = resolve_device(device)
    network = load_weights(folder, task.build(pretrained=False)).to(resolved)
    parameters = folder / OOD_PARAMETERS_FILE
    ood = load_ood_detector(parameters) if parameters.is_file() else None
    return LoadedModel(
        folder=folder,
        metadata=metadata,
        network=network,
        device=resolved,
        ood=ood,
        shap_background=load_background(folder),
    )


def ingest_for(
    model: LoadedModel, data: bytes, laterality: Laterality | None = None
) -> IngestedImage:
    """Ingest an upload exactly as the model's training images were."""
    return ingest_bytes(data, model.metadata.ingest, laterality=laterality)


def classify(model: LoadedModel, image: IngestedImage) -> dict[str, float]:
    """``{"normal": p, "benign": p, "malignant": p}`` for one ingested image."""
    _check(model, image, "classify")
    network = cast(LesionEvidenceClassifier, model.network)  # _check made sure of the task
    probabilities = predict_probabilities(network, [image.model_input()], model.device)[0]
    return {name: float(p) for name, p in zip(CLASSES, probabilities, strict=True)}


def detect(
    model: LoadedModel, image: IngestedImage, *, min_score: float | None = None
) -> list[Detection]:
    """Masses in one ingested image, best first, boxes mapped back to the original pixels.

    Args:
        min_score: keep boxes scoring at least this; None uses the model's validated operating
            threshold (``metadata.operating_point["score_threshold"]``).
    """
    _check(model, image, "detect")
    network = cast(MassDetector, model.network)  # _check made sure of the task
    threshold = (
        float(model.metadata.operating_point.get("score_threshold", 0.0))
        if min_score is None
        else min_score
    )
    found = predict_detections(network, [image.model_input()], model.device)[0]
    keep = found.scores >= threshold
    boxes = image.transform.to_original_boxes(found.boxes[keep]) if keep.any() else np.zeros((0, 4))
    return [
        Detection(box=tuple(float(v) for v in box), score=float(score), malignancy=float(m))
        for box, score, m in zip(boxes, found.scores[keep], found.malignancy[keep], strict=True)
    ]


def _check(model: LoadedModel, image: IngestedImage, task: str) -> None:
    if model.metadata.task != task:
        raise InvalidInputError(
            f"model {model.folder} is a {model.metadata.task} model, not {task}"
        )
    if model.metadata.ingest.detail_channel and image.detail is None:
        raise InvalidInputError(
            f"model {model.folder} reads the speck map, and this image was ingested without "
            "one: use ingest_for(model, ...)"
        )
    expected = model.metadata.ingest.target_shape
    if expected is not None and image.pixels.shape != tuple(expected):
        raise InvalidInputError(
            f"image ingested at {image.pixels.shape}, the model needs {tuple(expected)}: "
            "use ingest_for(model, ...)"
        )
