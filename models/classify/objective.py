"""What the classifier is trained on: lesion outlines (dense) and image labels."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from mammocad.vocabulary import Label
from models.classify.network import ClassifierOutput
from models.data import Example
from models.losses import binary_focal_loss
from models.targets import ellipse_cells

__all__ = ["classifier_loss"]


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
    grid = tuple(output.evidence.shape[-2:])
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
        malignant = torch.tensor(
            [e.label is Label.MALIGNANT for e in examples], device=device, dtype=torch.float32
        )
        loss = loss + F.binary_cross_entropy_with_logits(
            output.malignant_logit[rows], malignant[rows]
        )
    return loss
