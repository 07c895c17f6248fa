"""The stride-8 feature map both heads read: MONAI's feature pyramid over the trunk."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping

import torch
from monai.networks.blocks.feature_pyramid_network import FeaturePyramidNetwork
from torch import nn

from models.nets.backbone import FEATURE_CHANNELS, EfficientNetLite0Features

__all__ = ["STRIDE", "PyramidTrunk", "channel_statistics"]

STRIDE = 8


def channel_statistics(feature_map: torch.Tensor) -> torch.Tensor:
    """``(B, 2C)``: each channel's mean, then each channel's standard deviation, over the map.

    Read from the trunk's stride-8 map these are the image's low-level "style" (how its grey
    curve, contrast and noise drive the early filters): what another scanner changes and what
    the pooled stride-32 features, trained to be invariant to augmented contrast, no longer
    show. The OOD detector can read them (``models.trust.ood``)."""
    flat = feature_map.flatten(2)
    return torch.cat([flat.mean(dim=2), flat.std(dim=2)], dim=1)


class PyramidTrunk(nn.Module):
    """Trunk + feature pyramid + one 3x3 conv: the last convolutional feature map.

    Stride 8 because masses in a downsampled mammogram are 10-70 pixels across: a coarser map
    would give the smaller ones a single cell or none. The top-down pyramid brings the stride-32
    context (breast density, surrounding tissue) into that fine map.

    Attributes:
        last_conv: the module whose output is the last convolutional feature map, the target of
            Grad-CAM.
    """

    def __init__(self, *, pretrained: bool = True, channels: int = 64) -> None:
        super().__init__()
        self.trunk = EfficientNetLite0Features(pretrained=pretrained)
        self.pyramid = FeaturePyramidNetwork(2, list(FEATURE_CHANNELS.values()), channels)
        # The pyramid's output convolutions of the coarser levels run, but nothing reads their
        # maps, so no loss ever reaches them: not trainable (DistributedDataParallel would
        # otherwise wait for their gradients forever). The state dict is unchanged.
        self.pyramid.layer_blocks[1:].requires_grad_(False)
        self.last_conv = nn.Sequential(nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU())
        self.channels = channels

    def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Args: image ``(B, 1, H, W)`` in [0, 1], H and W multiples of 32.

        Returns:
            the stride-8 map ``(B, C, H/8, W/8)`` and the pooled stride-32 features
            ``(B, 320)``: the penultimate feature vector that OOD detectors use.
        """
        return self.from_features(self.trunk(image))

    def from_features(
        self, features: Mapping[str, torch.Tensor]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The second half of :meth:`forward`, from the trunk's ``c3``/``c4``/``c5`` features:
        where SHAP explanations start (see :mod:`models.explain.expected_gradients`)."""
        pooled = features["c5"].mean(dim=(2, 3))
        fine = self.pyramid(OrderedDict((name, features[name]) for name in ("c3", "c4", "c5")))
        return self.last_conv(fine["c3"]), pooled
