"""The trainable networks: the shared pretrained trunk and feature pyramid, and the networks of
the two tasks (classifiers: :class:`~models.nets.patch_classifier.PatchEvidenceClassifier`,
:class:`~models.nets.classifier.LesionEvidenceClassifier`; detector:
:class:`~models.nets.detector.MassDetector`). Only ``nn.Module``\\ s live here; decoding their
outputs is :mod:`models.inference`, training them is :mod:`models.training`.
"""

from __future__ import annotations

from torch import nn

from mammocad.schemas.artifact import Task
from models.nets.classifier import LesionEvidenceClassifier
from models.nets.detector import MassDetector
from models.nets.patch_classifier import PatchEvidenceClassifier

__all__ = ["NETWORKS", "build_network"]

NETWORKS: dict[str, type[nn.Module]] = {
    "LesionEvidenceClassifier": LesionEvidenceClassifier,
    "PatchEvidenceClassifier": PatchEvidenceClassifier,
    "MassDetector": MassDetector,
}
"""Each network by the name its architecture description (training metadata) starts with."""


def build_network(task: Task, architecture: str, *, pretrained: bool) -> nn.Module:
    """The network an architecture description names: with the ImageNet trunk (training), or
    bare (loading a trained mammocad checkpoint, whose state dict overwrites every weight).

    Raises:
        ValueError: no such network, or one of the other task.
    """
    name = architecture.split("(", 1)[0].strip()
    network = NETWORKS.get(name)
    if network is None:
        raise ValueError(f"unknown network {name!r} (known: {', '.join(NETWORKS)})")
    if (task == "detect") != (network is MassDetector):
        raise ValueError(f"{name} is not a network of the {task} task")
    return network(pretrained=pretrained)
