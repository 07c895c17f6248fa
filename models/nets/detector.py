"""Anchor-free mass detector (CenterNet-style) on the shared pretrained trunk.

MONAI's RetinaNet needs torchvision (its anchor matcher and pyramid builder import it), which the
CPU build of torch here cannot use; a centre-heatmap detector needs no anchors, no matcher and a
single stride-8 map, and suits masses, which are compact blobs. Per stride-8 cell it predicts: is
a mass centred here (heat), how large is it (width, height), and how malignant does it look.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import torch
from torch import nn

from models.nets.neck import STRIDE, PyramidTrunk, channel_statistics

__all__ = ["DetectorOutput", "MassDetector"]

_PRIOR = 0.01  # initial heat probability: focal-loss training starts stable (CenterNet, RetinaNet)


@dataclass
class DetectorOutput:
    """One forward pass.

    Attributes:
        heat: ``(B, 1, H/8, W/8)`` centre logits.
        size: ``(B, 2, H/8, W/8)`` log of box (width, height) in model pixels.
        malignancy: ``(B, 1, H/8, W/8)`` malignancy logits.
        features: ``(B, 320)`` penultimate features (OOD).
        statistics: ``(B, 80)`` channel means and standard deviations of the trunk's stride-8
            map (OOD: :func:`~models.nets.neck.channel_statistics`).
    """

    heat: torch.Tensor
    size: torch.Tensor
    malignancy: torch.Tensor
    features: torch.Tensor
    statistics: torch.Tensor


class MassDetector(nn.Module):
    """Image -> mass centre heatmap, box sizes and malignancy per cell."""

    stride = STRIDE

    def __init__(self, *, pretrained: bool = True) -> None:
        super().__init__()
        self.body = PyramidTrunk(pretrained=pretrained)
        channels = self.body.channels
        self.heat_head = nn.Conv2d(channels, 1, kernel_size=1)
        self.size_head = nn.Conv2d(channels, 2, kernel_size=1)
        self.malignancy_head = nn.Conv2d(channels, 1, kernel_size=1)
        for head in (self.heat_head, self.size_head, self.malignancy_head):
            # Small weights: pretrained features are large, and a head that starts with large
            # random logits fires everywhere and swamps the focal loss (CenterNet does the same).
            nn.init.normal_(head.weight, std=0.001)
            assert head.bias is not None  # Conv2d has a bias by default
            nn.init.zeros_(head.bias)
        assert self.heat_head.bias is not None and self.size_head.bias is not None
        nn.init.constant_(self.heat_head.bias, -math.log((1 - _PRIOR) / _PRIOR))
        nn.init.constant_(self.size_head.bias, math.log(32.0))

    @property
    def gradcam_layer(self) -> nn.Module:
        """The last convolutional block (Grad-CAM's target)."""
        return self.body.last_conv

    def forward(self, image: torch.Tensor) -> DetectorOutput:
        """Args: image ``(B, 1, H, W)`` in [0, 1], H and W multiples of 32."""
        return self.from_intermediate(self.intermediate(image))

    def intermediate(self, image: torch.Tensor) -> dict[str, torch.Tensor]:
        """The first half of :meth:`forward`: the trunk's features at strides 8, 16 and 32
        (``c3``, ``c4``, ``c5``). SHAP attributes the output to these."""
        return dict(self.body.trunk(image))

    def from_intermediate(self, features: Mapping[str, torch.Tensor]) -> DetectorOutput:
        """The second half of :meth:`forward`, from :meth:`intermediate`'s features."""
        fine, pooled = self.body.from_features(features)
        return DetectorOutput(
            heat=self.heat_head(fine),
            size=self.size_head(fine),
            malignancy=self.malignancy_head(fine),
            features=pooled,
            statistics=channel_statistics(features["c3"]),
        )
