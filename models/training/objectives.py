"""What each network is trained on: the losses of the two tasks.

* Classifier: lesion outlines (dense evidence maps) and image labels.
* Detector: mass centres, sizes and malignancy (CenterNet-style).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from mammocad.vocabulary import Label
from models.nets.classifier import ClassifierOutput
from models.nets.detector import DetectorOutput
from models.training.data import Example
from models.training.losses import binary_focal_loss, centre_focal_loss
from models.training.targets import centre_heatmap, ellipse_cells

__all__ = ["classifier_loss", "detector_loss"]


def classifier_loss(
    output: ClassifierOutput,
    examples: list[Example],
    *,
    stride: int,
    dense_weight: float = 1.0,
    abnormal_pos_weight: float = 1.0,
) -> torch.Tensor:
    """Dense evidence loss + image-level losses.

    * Evidence maps: channel 0 must light up inside every lesion outline, channel 1 inside
      malignant ones only; everything else is background. Images with a lesion without a
      location (e.g. widely spread calcifications) get no dense loss: their background is not
      known to be normal.
    * Image level: abnormal vs normal on every image (``abnormal_pos_weight`` balances the
      classes), malignant vs benign on abnormal images.
    """
    grid = (output.evidence.shape[-2], output.evidence.shape[-1])
    device = output.evidence.device
    targets, dense_rows = [], []
    for index, example in enumerate(examples):
        if not example.located:
            continue
        malignant = [
            b
            for b, s in zip(example.boxes, example.severities, strict=True)
            if s is Label.MALIGNANT
        ]
        targets.append(
            np.stack(
                [ellipse_cells(grid, stride, example.boxes), ellipse_cells(grid, stride, malignant)]
            )
        )
        dense_rows.append(index)
    loss = output.abnormal_logit.new_zeros(())
    if dense_rows:
        target = torch.from_numpy(np.stack(targets)).to(device)
        loss = loss + dense_weight * binary_focal_loss(output.evidence[dense_rows], target)

    abnormal = torch.tensor(
        [e.label is not Label.NORMAL for e in examples], device=device, dtype=torch.float32
    )
    loss = loss + F.binary_cross_entropy_with_logits(
        output.abnormal_logit, abnormal, pos_weight=torch.tensor(abnormal_pos_weight, device=device)
    )
    rows = abnormal.bool()
    if rows.any():
        malignant_label = torch.tensor(
            [e.label is Label.MALIGNANT for e in examples], device=device, dtype=torch.float32
        )
        loss = loss + F.binary_cross_entropy_with_logits(
            output.malignant_logit[rows], malignant_label[rows]
        )
    return loss


_SIZE_WEIGHT = 0.2


def detector_loss(output: DetectorOutput, examples: list[Example], *, stride: int) -> torch.Tensor:
    """Centre focal loss + L1 on log box size + malignancy BCE, the last two at centres only."""
    grid = (output.heat.shape[-2], output.heat.shape[-1])
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
