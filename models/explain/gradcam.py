"""Grad-CAM (Selvaraju et al., 2017) with captum's ``LayerGradCam`` on the last convolutional map.

The map is the ReLU of the channel-weighted sum of that layer's activations, each channel weighted
by the mean gradient of the explained output: where the features that raise the output are. It is
on the layer's stride-8 grid, the resolution at which both networks localise findings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from captum.attr import LayerGradCam
from torch import nn

__all__ = ["grad_cam"]


def grad_cam(
    network: nn.Module, image: torch.Tensor, layer: nn.Module, read: Callable[[Any], torch.Tensor]
) -> np.ndarray:
    """The ``(h, w)`` Grad-CAM map of ``read(network(image))`` at ``layer``.

    Args:
        image: ``(1, channels, rows, columns)`` on the network's device.
        read: network output -> ``(1,)`` explained quantity.
    """
    network.eval()
    cam = LayerGradCam(lambda batch: read(network(batch)), layer)
    with torch.enable_grad():
        attribution = cam.attribute(image, relu_attributions=True)
    return attribution[0].sum(dim=0).detach().cpu().numpy().astype(np.float32)
