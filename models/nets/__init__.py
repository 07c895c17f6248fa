"""The trainable networks: the shared pretrained trunk and feature pyramid, and one network per
task (:class:`~models.nets.classifier.LesionEvidenceClassifier`,
:class:`~models.nets.detector.MassDetector`). Only ``nn.Module``\\ s live here; decoding their
outputs is :mod:`models.inference`, training them is :mod:`models.training`.
"""

from __future__ import annotations

from torch import nn

from mammocad.schemas.artifact import Task
from models.nets.classifier import LesionEvidenceClassifier
from models.nets.detector import MassDetector

__all__ = ["build_network"]


def build_network(task: Task, *, pretrained: bool) -> nn.Module:
    """The network of ``task``: with the ImageNet trunk (training), or bare (loading a trained
    mammocad checkpoint, whose state dict overwrites every weight)."""
    return (
        LesionEvidenceClassifier(pretrained=pretrained)
        if task == "classify"
        else MassDetector(pretrained=pretrained)
    )
