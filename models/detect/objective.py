"""What the detector is trained on: mass centres, sizes and malignancy."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from mammocad.vocabulary import Label
from models.data import Example
from models.detect.network import DetectorOutput
from models.losses import centre_focal_loss
from models.targets import centre_heatmap

__all__ = ["detector_loss"]

_SIZE_WEIGHT = 0.2


def detector_loss(output: DetectorOutput, examples: list[Example], *, stride: int) -> torch.Tensor:
    """Centre focal loss + L1 on log box size + malignancy BCE, the last two at centres only."""
    grid = tuple(output.heat.shape[-2:])
    device = output.heat.device
    heatmaps, rows, cols, batch_index, sizes, malignant = [], [], [], [], [], []
    for index, example in enumerate(examples):
        heatmap, box_sizes, centres = centre_heatmap(grid, stride, example.boxes)
        heatmaps.append(heatmap)
        for (row, col), size, severity in zip(centres, box_sizes, example.severities, strict=True):
            batch_index.append(index)
            rows.append(row)
            cols.append(col)
            sizes.append(size)
            malignant.append(float(severity is Label.MALIGNANT))
    target = torch.from_numpy(np.stack(heatmaps))[:, None].to(device)
    loss = centre_focal_loss(output.heat, target)
    if batch_index:
        b = torch.tensor(batch_index, device=device)
        r = torch.tensor(rows, device=device)
        c = torch.tensor(cols, device=device)
        predicted_size = output.size[b, :, r, c]
        true_size = torch.log(torch.from_numpy(np.stack(sizes)).to(device).clamp(min=1.0))
        loss = loss + _SIZE_WEIGHT * F.l1_loss(predicted_size, true_size)
        loss = loss + F.binary_cross_entropy_with_logits(
            output.malignancy[b, 0, r, c], torch.tensor(malignant, device=device)
        )
    return loss
