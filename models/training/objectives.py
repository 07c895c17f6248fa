"""What each network is trained on: the losses of the two tasks.

* Evidence-map classifier: lesion outlines (dense evidence maps) and image labels.
* Patch classifier: each cell's window is background, benign or malignant lesion.
* Detector: mass centres, sizes and malignancy (CenterNet-style).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from mammocad.vocabulary import Label
from models.nets.classifier import ClassifierOutput
from models.nets.detector import DetectorOutput
from models.nets.patch_classifier import MIN_COVERAGE, breast_coverage
from models.training.data import Example
from models.training.losses import binary_focal_loss, centre_focal_loss
from models.training.targets import centre_heatmap, ellipse_cells, window_cell_targets

__all__ = ["PATCH_CLASS_WEIGHTS", "classifier_loss", "detector_loss", "patch_cell_loss"]

PATCH_CLASS_WEIGHTS = (1.0, 3.0, 3.0)
"""Background, benign, malignant: lesion cells are few, and a missed lesion costs more."""


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
    else:
        # No mass in the batch: the size and malignancy heads learn nothing, but they stay in
        # the graph with a zero gradient, as every parameter must get one in every step of a
        # distributed job (DistributedDataParallel waits for all of them).
        loss = loss + 0.0 * (output.size.sum() + output.malignancy.sum())
    return loss


def patch_cell_loss(
    output: ClassifierOutput,
    images: torch.Tensor,
    examples: list[Example],
    *,
    stride: int,
    window: int,
) -> torch.Tensor:
    """Cross-entropy of every cell's background/benign/malignant logits against its window's
    target (:func:`~models.training.targets.window_cell_targets`); cells whose window holds
    little breast are ignored, as the network ignores them when it reads the image."""
    if output.cells is None:
        raise TypeError("a patch loss needs a patch model's per-cell logits")
    grid = (int(output.cells.shape[-2]), int(output.cells.shape[-1]))
    crop = (int(images.shape[-2]), int(images.shape[-1]))
    coverage = breast_coverage(images[:, :1]).cpu().numpy()
    targets = []
    for index, example in enumerate(examples):
        classes = [2 if severity is Label.MALIGNANT else 1 for severity in example.severities]
        target = window_cell_targets(
            grid, stride, example.boxes, classes, window=window, crop=crop, located=example.located
        )
        target[coverage[index][: grid[0], : grid[1]] < MIN_COVERAGE] = -100
        targets.append(target)
    target_tensor = torch.from_numpy(np.stack(targets)).to(output.cells.device)
    if not (target_tensor >= 0).any():
        return output.cells.sum() * 0.0  # nothing to learn from this batch
    weight = torch.tensor(PATCH_CLASS_WEIGHTS, device=output.cells.device)
    return F.cross_entropy(output.cells, target_tensor, weight=weight, ignore_index=-100)
