"""Lesion-evidence classifier: dense evidence maps supervised by lesion locations, read into
image-level probabilities.

A whole-image classifier fine-tuned on ~200 mammograms stays near chance (docs/results.md) and
looks at film labels, because the lesion is a few hundred pixels of a megapixel image. Here the
network is told where the lesions are: every stride-8 cell predicts
"abnormal tissue here" and "malignant tissue here", trained against the lesion outlines, and the
image-level answer is a robust maximum of those maps. The maps are also what a clinician can be
shown.

Calcifications are specks far smaller than a grid cell, so the network also reads the speck map
that ingest made at the original resolution (:mod:`mammocad.ingest.detail`) through a small
convolutional pathway of its own at the full grid resolution (a cluster of specks versus a lone
noise peak is a local pattern); the pathway's maximum and mean over each stride-8 cell join the
image features in a fusion convolution, whose output is the last convolutional map (Grad-CAM's
target) and feeds the evidence head.

Probabilities are hierarchical, so they always sum to one and each AUC reads one quantity:
``p(abnormal) = sigmoid(A)``, ``p(malignant | abnormal) = sigmoid(M)``;
normal = 1 - p(abnormal), benign = p(abnormal)(1 - p(malignant | abnormal)),
malignant = p(abnormal) p(malignant | abnormal).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional

from models.nets.neck import STRIDE, PyramidTrunk, channel_statistics

__all__ = [
    "CLASSES",
    "ClassifierNetwork",
    "ClassifierOutput",
    "LesionEvidenceClassifier",
    "top_k_mean",
]

CLASSES = ("normal", "benign", "malignant")
_SPECK_CHANNELS = 8  # features of the speck pathway; each enters as its cell maximum and mean


@dataclass
class ClassifierOutput:
    """Everything one forward pass gives.

    Attributes:
        evidence: ``(B, 2, H/8, W/8)`` logits: channel 0 abnormal, channel 1 malignant.
        abnormal_logit, malignant_logit: ``(B,)`` image-level logits A and M.
        probabilities: ``(B, 3)`` normal, benign, malignant.
        features: ``(B, 320)`` penultimate features (OOD).
        statistics: ``(B, 80)`` channel means and standard deviations of the trunk's stride-8
            map (OOD: :func:`~models.nets.neck.channel_statistics`).
    """

    evidence: torch.Tensor
    abnormal_logit: torch.Tensor
    malignant_logit: torch.Tensor
    probabilities: torch.Tensor
    features: torch.Tensor
    statistics: torch.Tensor
    cells: torch.Tensor | None = None
    """A patch model's ``(B, 3, h, w)`` per-cell logits of background, benign, malignant (what
    it is trained on); None for the evidence-map classifier."""


class ClassifierNetwork(nn.Module, ABC):
    """What every classifier network is: a ``(B, 2, H, W)`` model input (grey image, speck map)
    to a :class:`ClassifierOutput`, split where its trunk's features end (SHAP attributes the
    output to those, :meth:`intermediate`), with a convolutional layer for Grad-CAM."""

    stride: int

    @property
    @abstractmethod
    def gradcam_layer(self) -> nn.Module:
        """The last convolutional map's module (Grad-CAM's target)."""

    @abstractmethod
    def intermediate(self, image: torch.Tensor) -> dict[str, torch.Tensor]:
        """The first half of :meth:`forward`: the features SHAP attributes to."""

    @abstractmethod
    def from_intermediate(self, features: Mapping[str, torch.Tensor]) -> ClassifierOutput:
        """The second half of :meth:`forward`."""

    def forward(self, image: torch.Tensor) -> ClassifierOutput:
        return self.from_intermediate(self.intermediate(image))


def top_k_mean(maps: torch.Tensor, k: int) -> torch.Tensor:
    """Mean of the ``k`` largest values of each map: a maximum that one noisy cell cannot set.

    Args:
        maps: ``(B, C, h, w)``. Returns ``(B, C)``.
    """
    flat = maps.flatten(2)
    return flat.topk(min(k, flat.shape[-1]), dim=-1).values.mean(dim=-1)


class LesionEvidenceClassifier(ClassifierNetwork):
    """Image -> evidence maps -> normal/benign/malignant probabilities."""

    stride = STRIDE

    def __init__(self, *, pretrained: bool = True, top_k: int = 4) -> None:
        super().__init__()
        self.body = PyramidTrunk(pretrained=pretrained)
        channels = self.body.channels
        self.speck_pathway = nn.Sequential(
            nn.Conv2d(1, _SPECK_CHANNELS, kernel_size=5, padding=2),
            nn.ReLU(),
            nn.Conv2d(_SPECK_CHANNELS, _SPECK_CHANNELS, kernel_size=3, padding=1),
            nn.ReLU(),
        )
        self.fusion = nn.Sequential(
            nn.Conv2d(channels + 2 * _SPECK_CHANNELS, channels, kernel_size=3, padding=1),
            nn.ReLU(),
        )
        self.evidence_head = nn.Conv2d(channels, 2, kernel_size=1)
        # Small weights and a "no lesion" bias: lesions are rare, and large random logits on
        # pretrained features would start every cell firing.
        nn.init.normal_(self.evidence_head.weight, std=0.001)
        assert self.evidence_head.bias is not None  # Conv2d has a bias by default
        nn.init.constant_(self.evidence_head.bias, -4.0)
        # Learned affine read-out of the pooled evidence (scale, offset per channel).
        self.readout_scale = nn.Parameter(torch.ones(2))
        self.readout_bias = nn.Parameter(torch.zeros(2))
        self.top_k = top_k

    @property
    def gradcam_layer(self) -> nn.Module:
        """The last convolutional block (Grad-CAM's target): image and speck features fused."""
        return self.fusion

    def forward(self, image: torch.Tensor) -> ClassifierOutput:
        """Args: image ``(B, 2, H, W)`` in [0, 1]: grey image and speck map, H and W multiples
        of 32 (``IngestedImage.model_input()`` gives this layout)."""
        return self.from_intermediate(self.intermediate(image))

    def intermediate(self, image: torch.Tensor) -> dict[str, torch.Tensor]:
        """The first half of :meth:`forward`: the trunk's features at strides 8, 16 and 32
        (``c3``, ``c4``, ``c5``) and the speck pathway's cell maximum and mean at stride 8
        (``speck_max``, ``speck_mean``). SHAP attributes the output to these."""
        if image.shape[1] != 2:
            raise ValueError(
                f"the classifier reads 2 channels (image, speck map), got {image.shape[1]}: "
                "ingest with IngestOptions(detail_channel=True)"
            )
        features = dict(self.body.trunk(image[:, :1]))
        specks = self.speck_pathway(image[:, 1:])
        features["speck_max"] = functional.max_pool2d(specks, self.stride)
        features["speck_mean"] = functional.avg_pool2d(specks, self.stride)
        return features

    def from_intermediate(self, features: Mapping[str, torch.Tensor]) -> ClassifierOutput:
        """The second half of :meth:`forward`, from :meth:`intermediate`'s features."""
        fine, pooled = self.body.from_features(features)
        cells = torch.cat([fine, features["speck_max"], features["speck_mean"]], dim=1)
        evidence = self.evidence_head(self.fusion(cells))
        logits = top_k_mean(evidence, self.top_k) * self.readout_scale + self.readout_bias
        abnormal, malignant = logits[:, 0], logits[:, 1]
        p_abnormal, p_malignant = torch.sigmoid(abnormal), torch.sigmoid(malignant)
        probabilities = torch.stack(
            [1 - p_abnormal, p_abnormal * (1 - p_malignant), p_abnormal * p_malignant], dim=1
        )
        return ClassifierOutput(
            evidence,
            abnormal,
            malignant,
            probabilities,
            pooled,
            channel_statistics(features["c3"]),
        )
