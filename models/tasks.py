"""The two tasks, described by what differs between them: network, targets, loss, validation.

Everything else (data preparation, augmentation, the training loop, checkpoints) is shared, so a
fix to the training loop fixes both models.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from mammocad.datasets.records import Lesion
from mammocad.ingest.pipeline import IngestOptions
from mammocad.vocabulary import Label
from models.classify.network import ClassifierOutput, LesionEvidenceClassifier
from models.classify.objective import classifier_loss
from models.data import Example, PreparedImage
from models.detect.decode import GridDetections, decode_detections
from models.detect.network import MassDetector
from models.detect.objective import detector_loss
from models.evaluation.classification import operating_point
from models.evaluation.detection import froc, match_detections
from models.ood import OodFeatures, concatenated, ood_features_of

__all__ = [
    "CLASSIFY",
    "DETECT",
    "ClassifierPredictions",
    "TaskSpec",
    "classifier_predictions",
    "predict_classifier",
    "predict_detections",
    "predict_probabilities",
]


class TaskSpec(Protocol):
    """What the shared training loop needs to know about a task."""

    name: str
    architecture: str
    metric_name: str

    def build(self, *, pretrained: bool) -> torch.nn.Module: ...
    def ingest_options(self, target_shape: tuple[int, int]) -> IngestOptions:
        """How this task's images are prepared (recorded in the model's metadata)."""
        ...

    def keep(self, lesion: Lesion) -> bool: ...
    def sample_weights(self, images: Sequence[PreparedImage]) -> list[float]: ...
    def loss(
        self, model: torch.nn.Module, images: torch.Tensor, examples: list[Example]
    ) -> torch.Tensor: ...
    def validate(
        self, model: torch.nn.Module, images: Sequence[PreparedImage], device: torch.device
    ) -> dict[str, Any]:
        """Validation metrics (floats, one named ``metric_name``) plus ``operating_point``:
        the decision thresholds chosen on these validation images."""
        ...


@dataclass(frozen=True)
class ClassifierPredictions:
    """The classifier's image-level answers for N inputs.

    The logits travel with the probabilities because calibration (temperature or Platt
    scaling) is applied to the logits, after the forward pass and outside the network.

    Attributes:
        probabilities: ``(N, 3)`` normal, benign, malignant.
        abnormal_logit: ``(N,)`` A, with ``p(abnormal) = sigmoid(A)``.
        malignant_logit: ``(N,)`` M, with ``p(malignant | abnormal) = sigmoid(M)``.
        ood_features: the feature views OOD detectors score (:mod:`models.ood`).
    """

    probabilities: np.ndarray
    abnormal_logit: np.ndarray
    malignant_logit: np.ndarray
    ood_features: OodFeatures


@torch.no_grad()
def predict_classifier(
    model: LesionEvidenceClassifier,
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
        return ClassifierPredictions(np.zeros((0, 3)), np.zeros(0), np.zeros(0), concatenated([]))
    return ClassifierPredictions(
        probabilities=np.concatenate([o.probabilities.cpu().numpy() for o in outputs]),
        abnormal_logit=np.concatenate([o.abnormal_logit.cpu().numpy() for o in outputs]),
        malignant_logit=np.concatenate([o.malignant_logit.cpu().numpy() for o in outputs]),
        ood_features=concatenated([ood_features_of(o) for o in outputs]),
    )


def predict_probabilities(
    model: LesionEvidenceClassifier,
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


def _balanced_weights(keys: Sequence[object]) -> list[float]:
    """Inverse-frequency weights so each group is drawn equally often."""
    counts: dict[object, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    return [1.0 / counts[key] for key in keys]


def _auc(truth: Sequence[bool], scores: np.ndarray) -> float:
    return float(roc_auc_score(truth, scores)) if 0 < sum(truth) < len(truth) else float("nan")


@dataclass(frozen=True)
class ClassifyTask:
    """normal / benign / malignant from lesion evidence maps."""

    name: str = "classify"
    architecture: str = "LesionEvidenceClassifier(EfficientNet-Lite0 ImageNet, MONAI FPN, s8)"
    metric_name: str = "auc_abnormal"

    def build(self, *, pretrained: bool) -> torch.nn.Module:
        return LesionEvidenceClassifier(pretrained=pretrained)

    def ingest_options(self, target_shape: tuple[int, int]) -> IngestOptions:
        # Calcifications decide many abnormal cases and vanish on the grid: keep their map.
        return IngestOptions(target_shape=target_shape, detail_channel=True)

    def keep(self, lesion: Lesion) -> bool:
        return True  # every located lesion is evidence of abnormality

    def sample_weights(self, images: Sequence[PreparedImage]) -> list[float]:
        return _balanced_weights([image.label for image in images])

    def loss(
        self, model: torch.nn.Module, images: torch.Tensor, examples: list[Example]
    ) -> torch.Tensor:
        return classifier_loss(model(images), examples, stride=model.stride)

    def validate(
        self, model: torch.nn.Module, images: Sequence[PreparedImage], device: torch.device
    ) -> dict[str, Any]:
        probabilities = predict_probabilities(model, [i.model_input() for i in images], device)
        labels = [i.label for i in images]
        abnormal = [lab is not Label.NORMAL for lab in labels]
        point: dict[str, Any] = {}
        if 0 < sum(abnormal) < len(abnormal):
            chosen = operating_point(abnormal, 1 - probabilities[:, 0], rule="youden")
            point = {
                "abnormal_threshold": chosen.threshold,
                "rule": "Youden on the validation split, score = 1 - p(normal)",
            }
        return {
            "auc_abnormal": _auc(abnormal, 1 - probabilities[:, 0]),
            "auc_malignant": _auc([lab is Label.MALIGNANT for lab in labels], probabilities[:, 2]),
            "operating_point": point,
        }


@dataclass(frozen=True)
class DetectTask:
    """Mass boxes with a malignancy score."""

    name: str = "detect"
    architecture: str = "MassDetector(CenterNet-style, EfficientNet-Lite0 ImageNet, MONAI FPN, s8)"
    metric_name: str = "froc_mean_sensitivity"

    def build(self, *, pretrained: bool) -> torch.nn.Module:
        return MassDetector(pretrained=pretrained)

    def ingest_options(self, target_shape: tuple[int, int]) -> IngestOptions:
        return IngestOptions(target_shape=target_shape)  # masses survive the resize

    def keep(self, lesion: Lesion) -> bool:
        return lesion.kind.is_mass

    def sample_weights(self, images: Sequence[PreparedImage]) -> list[float]:
        has_mass = [
            any(self.keep(lesion) and lesion.box is not None for lesion in i.lesions)
            for i in images
        ]
        return _balanced_weights(has_mass)

    def loss(
        self, model: torch.nn.Module, images: torch.Tensor, examples: list[Example]
    ) -> torch.Tensor:
        return detector_loss(model(images), examples, stride=model.stride)

    def validate(
        self, model: torch.nn.Module, images: Sequence[PreparedImage], device: torch.device
    ) -> dict[str, Any]:
        scorable = [
            i
            for i in images
            if all(lesion.box is not None for lesion in i.lesions if self.keep(lesion))
        ]
        detections = predict_detections(model, [i.model_input() for i in scorable], device)
        per_image = [
            (
                d.boxes,
                d.scores,
                np.array(
                    [lesion.box for lesion in i.lesions if self.keep(lesion)], dtype=float
                ).reshape(-1, 4),
            )
            for d, i in zip(detections, scorable, strict=True)
        ]
        if not any(len(truth) for _, _, truth in per_image):  # no mass to find: undefined
            return {
                "froc_mean_sensitivity": float("nan"),
                "sensitivity_at_1fpi": float("nan"),
                "operating_point": {},
            }
        result = froc(per_image)
        false_positive_scores = np.sort(
            np.concatenate(
                [match_detections(*image).fp_scores for image in per_image] or [np.zeros(0)]
            )
        )[::-1]
        # Boxes shown to people: at most about one false positive per image on validation.
        n_allowed = len(per_image)
        threshold = (
            float(false_positive_scores[n_allowed - 1])
            if len(false_positive_scores) >= n_allowed > 0
            else 0.0
        )
        return {
            "froc_mean_sensitivity": result.mean_sensitivity,
            "sensitivity_at_1fpi": result.sensitivity_at["1"],
            "operating_point": {
                "score_threshold": threshold,
                "rule": "about 1 false positive per image on the validation "
                "split (centre-in-box hits)",
            },
        }


CLASSIFY = ClassifyTask()
DETECT = DetectTask()
