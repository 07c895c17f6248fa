"""The two tasks, described by what differs between them: network, targets, loss, validation.

Everything else (data preparation, augmentation, the training loop, checkpoints) is shared, so a
fix to the training loop fixes both models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from mammocad.datasets.records import Lesion
from mammocad.ingest.pipeline import IngestOptions
from mammocad.schemas.artifact import DecisionThresholds
from mammocad.vocabulary import Label
from models.evaluation.classification import operating_point
from models.evaluation.detection import froc, match_detections
from models.inference.predict import predict_detections, predict_probabilities
from models.nets.classifier import ClassifierNetwork, LesionEvidenceClassifier
from models.nets.detector import MassDetector
from models.nets.patch_classifier import PATCH_WINDOW, PatchEvidenceClassifier
from models.training.data import Example, ModelInputs, PreparedImage
from models.training.distributed import unwrap
from models.training.objectives import classifier_loss, detector_loss, patch_cell_loss

__all__ = ["CLASSIFY", "DETECT", "PATCH_CLASSIFY", "TaskSpec", "Validation"]


class TaskSpec(Protocol):
    """What the shared training loop needs to know about a task.

    The descriptive attributes are read-only, so frozen dataclasses satisfy the protocol.
    """

    @property
    def name(self) -> str: ...
    @property
    def architecture(self) -> str: ...
    @property
    def metric_name(self) -> str: ...

    def build(self, *, pretrained: bool) -> torch.nn.Module: ...
    def ingest_options(self, target_shape: tuple[int, int]) -> IngestOptions:
        """How this task's images are prepared (recorded in the model's metadata)."""
        ...

    def keep(self, lesion: Lesion) -> bool: ...
    def sample_weights(self, images: Sequence[PreparedImage]) -> list[float]: ...
    def loss(
        self, model: torch.nn.Module, images: torch.Tensor, examples: list[Example]
    ) -> torch.Tensor:
        """The batch's mean loss. ``model`` may be a DistributedDataParallel wrapper: the
        forward pass must go through it (that is what sets up the gradient all-reduce), and
        the network's attributes are read from :func:`unwrap` of it."""
        ...

    def validate(
        self, model: torch.nn.Module, images: Sequence[PreparedImage], device: torch.device
    ) -> Validation:
        """Metrics on these validation images and the decision thresholds chosen on them."""
        ...


@dataclass(frozen=True)
class Validation:
    """One validation of a network.

    Attributes:
        metrics: floats, one of them named by the task's ``metric_name`` (NaN where the
            images cannot define it, e.g. no positive case).
        operating_point: the decision thresholds chosen on these images.
    """

    metrics: dict[str, float]
    operating_point: DecisionThresholds


def _balanced_weights(keys: Sequence[object]) -> list[float]:
    """Inverse-frequency weights so each group is drawn equally often."""
    counts: dict[object, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    return [1.0 / counts[key] for key in keys]


def _classifier(model: torch.nn.Module) -> LesionEvidenceClassifier:
    """The network of the classify task (the one :meth:`ClassifyTask.build` makes)."""
    if not isinstance(model, LesionEvidenceClassifier):
        raise TypeError(f"the classify task trains a LesionEvidenceClassifier, got {type(model)}")
    return model


def _patch_classifier(model: torch.nn.Module) -> PatchEvidenceClassifier:
    """The network of the patch classify task."""
    if not isinstance(model, PatchEvidenceClassifier):
        raise TypeError(f"the patch task trains a PatchEvidenceClassifier, got {type(model)}")
    return model


def _detector(model: torch.nn.Module) -> MassDetector:
    """The network of the detect task (the one :meth:`DetectTask.build` makes)."""
    if not isinstance(model, MassDetector):
        raise TypeError(f"the detect task trains a MassDetector, got {type(model)}")
    return model


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
        network = _classifier(unwrap(model))
        return classifier_loss(model(images), examples, stride=network.stride)

    def validate(
        self, model: torch.nn.Module, images: Sequence[PreparedImage], device: torch.device
    ) -> Validation:
        return _validate_classifier(_classifier(model), images, device)


def _validate_classifier(
    network: ClassifierNetwork, images: Sequence[PreparedImage], device: torch.device
) -> Validation:
    """AUCs on whole films and the Youden threshold on ``1 - p(normal)``."""
    probabilities = predict_probabilities(network, ModelInputs(images), device)
    labels = [i.label for i in images]
    abnormal = [lab is not Label.NORMAL for lab in labels]
    point = DecisionThresholds()
    if 0 < sum(abnormal) < len(abnormal):
        chosen = operating_point(abnormal, 1 - probabilities[:, 0], rule="youden")
        point = DecisionThresholds(
            abnormal_threshold=chosen.threshold,
            rule="Youden on the validation split, score = 1 - p(normal)",
        )
    metrics = {
        "auc_abnormal": _auc(abnormal, 1 - probabilities[:, 0]),
        "auc_malignant": _auc([lab is Label.MALIGNANT for lab in labels], probabilities[:, 2]),
    }
    return Validation(metrics, point)


@dataclass(frozen=True)
class PatchClassifyTask:
    """normal / benign / malignant from a patch classifier applied densely, trained on crops
    (:mod:`models.training.crops`) with per-cell targets."""

    name: str = "classify"
    architecture: str = (
        "PatchEvidenceClassifier(EfficientNet-Lite0 ImageNet, 80-96 px windows, s16, speck channel)"
    )
    metric_name: str = "auc_abnormal"

    def build(self, *, pretrained: bool) -> torch.nn.Module:
        return PatchEvidenceClassifier(pretrained=pretrained)

    def ingest_options(self, target_shape: tuple[int, int]) -> IngestOptions:
        return IngestOptions(target_shape=target_shape, detail_channel=True)

    def keep(self, lesion: Lesion) -> bool:
        return True  # every located lesion is a lesion cell

    def sample_weights(self, images: Sequence[PreparedImage]) -> list[float]:
        return [1.0] * len(images)  # the crop sampler already balances lesions and tissue

    def loss(
        self, model: torch.nn.Module, images: torch.Tensor, examples: list[Example]
    ) -> torch.Tensor:
        network = _patch_classifier(unwrap(model))
        return patch_cell_loss(
            model(images), images, examples, stride=network.stride, window=PATCH_WINDOW
        )

    def validate(
        self, model: torch.nn.Module, images: Sequence[PreparedImage], device: torch.device
    ) -> Validation:
        return _validate_classifier(_patch_classifier(model), images, device)


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
        network = _detector(unwrap(model))
        return detector_loss(model(images), examples, stride=network.stride)

    def validate(
        self, model: torch.nn.Module, images: Sequence[PreparedImage], device: torch.device
    ) -> Validation:
        scorable = [
            i
            for i in images
            if all(lesion.box is not None for lesion in i.lesions if self.keep(lesion))
        ]
        detections = predict_detections(_detector(model), ModelInputs(scorable), device)
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
            undefined = {"froc_mean_sensitivity": float("nan"), "sensitivity_at_1fpi": float("nan")}
            return Validation(undefined, DecisionThresholds())
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
        metrics = {
            "froc_mean_sensitivity": result.mean_sensitivity,
            "sensitivity_at_1fpi": result.sensitivity_at["1"],
        }
        return Validation(
            metrics,
            DecisionThresholds(
                score_threshold=threshold,
                rule="about 1 false positive per image on the validation split (centre-in-box "
                "hits)",
            ),
        )


CLASSIFY = ClassifyTask()
PATCH_CLASSIFY = PatchClassifyTask()
DETECT = DetectTask()
