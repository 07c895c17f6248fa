"""Batched forward passes of the two networks, as numpy arrays: the one inference path.

The task services (:mod:`serving.classify`, :mod:`serving.detect`), training's validation, the
evaluations and the benchmarks all call these functions, so every figure is measured on exactly
what the service answers.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from models.inference.decode import GridDetections, decode_detections
from models.nets.classifier import ClassifierNetwork, ClassifierOutput
from models.nets.detector import MassDetector
from models.trust.ood import OodFeatures, concatenated, ood_features_of

__all__ = [
    "ClassifierPredictions",
    "classifier_predictions",
    "predict_classifier",
    "predict_detections",
    "predict_detector",
    "predict_probabilities",
]


@dataclass(frozen=True)
class ClassifierPredictions:
    """The classifier's image-level answers for N inputs.

    The logits travel with the probabilities because calibration (temperature or Platt
    scaling) is applied to the logits, after the forward pass and outside the network.

    Attributes:
        probabilities: ``(N, 3)`` normal, benign, malignant.
        abnormal_logit: ``(N,)`` A, with ``p(abnormal) = sigmoid(A)``.
        malignant_logit: ``(N,)`` M, with ``p(malignant | abnormal) = sigmoid(M)``.
        ood_features: the feature views OOD detectors score (:mod:`models.trust.ood`).
        evidence: per input, its ``(2, h, w)`` evidence logits (abnormal, malignant) per cell.
    """

    probabilities: np.ndarray
    abnormal_logit: np.ndarray
    malignant_logit: np.ndarray
    ood_features: OodFeatures
    evidence: list[np.ndarray]


@torch.no_grad()
def predict_classifier(
    model: ClassifierNetwork,
    inputs: Sequence[np.ndarray],
    device: torch.device,
    batch_size: int = 8,
) -> ClassifierPredictions:
    """Probabilities and image logits for ``(channels, H, W)`` model inputs."""
    model.eval()
    return classifier_predictions([model(batch) for batch in _batches(inputs, device, batch_size)])


def classifier_predictions(outputs: Sequence[ClassifierOutput]) -> ClassifierPredictions:
    """The image-level answers of one or more batches' network outputs, as arrays."""
    if not outputs:
        return ClassifierPredictions(
            np.zeros((0, 3)), np.zeros(0), np.zeros(0), concatenated([]), []
        )
    return ClassifierPredictions(
        probabilities=np.concatenate([o.probabilities.cpu().numpy() for o in outputs]),
        abnormal_logit=np.concatenate([o.abnormal_logit.cpu().numpy() for o in outputs]),
        malignant_logit=np.concatenate([o.malignant_logit.cpu().numpy() for o in outputs]),
        ood_features=concatenated([ood_features_of(o) for o in outputs]),
        evidence=[e for o in outputs for e in o.evidence.detach().cpu().numpy()],
    )


def predict_probabilities(
    model: ClassifierNetwork,
    inputs: Sequence[np.ndarray],
    device: torch.device,
    batch_size: int = 8,
) -> np.ndarray:
    """``(N, 3)`` normal/benign/malignant probabilities for ``(channels, H, W)`` model inputs."""
    return predict_classifier(model, inputs, device, batch_size).probabilities


@torch.no_grad()
def predict_detector(
    model: MassDetector, inputs: Sequence[np.ndarray], device: torch.device, batch_size: int = 8
) -> tuple[list[GridDetections], OodFeatures]:
    """Detections on the model grid and the feature views OOD detectors score, for
    ``(channels, H, W)`` model inputs (one forward pass gives both)."""
    model.eval()
    found: list[GridDetections] = []
    features = []
    for batch in _batches(inputs, device, batch_size):
        output = model(batch)
        found.extend(decode_detections(output, stride=model.stride))
        features.append(ood_features_of(output))
    return found, concatenated(features)


def predict_detections(
    model: MassDetector, inputs: Sequence[np.ndarray], device: torch.device, batch_size: int = 8
) -> list[GridDetections]:
    """Detections on the model grid for ``(channels, H, W)`` model inputs."""
    return predict_detector(model, inputs, device, batch_size)[0]


def _batches(
    inputs: Sequence[np.ndarray], device: torch.device, batch_size: int
) -> Iterator[torch.Tensor]:
    """``(B, channels, H, W)`` tensors of consecutive model inputs, on ``device``."""
    for start in range(0, len(inputs), batch_size):
        chunk = inputs[start : start + batch_size]
        yield torch.stack([torch.from_numpy(x) for x in chunk]).to(device)
