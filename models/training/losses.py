"""Losses for sparse, small targets (lesions cover well under 1 % of a mammogram)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["binary_focal_loss", "centre_focal_loss"]


def binary_focal_loss(
    logits: torch.Tensor, targets: torch.Tensor, *, gamma: float = 2.0, alpha: float = 0.75
) -> torch.Tensor:
    """Focal loss (Lin et al. 2017) summed over cells, per map, then averaged over maps.

    Easy background cells, which are nearly all of them, contribute almost nothing, so the few
    lesion cells are not drowned out. ``alpha`` weights the positive cells.

    Args:
        logits, targets: ``(B, C, h, w)``, targets in {0, 1}.

    Returns:
        scalar: per-map sum normalised by the map's positive cells (at least 1), averaged.
    """
    probability = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    p_t = probability * targets + (1 - probability) * (1 - targets)
    weight = alpha * targets + (1 - alpha) * (1 - targets)
    loss = weight * (1 - p_t) ** gamma * ce
    positives = targets.flatten(2).sum(-1).clamp(min=1.0)
    return (loss.flatten(2).sum(-1) / positives).mean()


def centre_focal_loss(
    logits: torch.Tensor, heatmap: torch.Tensor, *, alpha: float = 2.0, beta: float = 4.0
) -> torch.Tensor:
    """CenterNet's penalty-reduced focal loss on a Gaussian centre heatmap.

    Cells near a centre (target close to 1) are penalised less for firing, by
    ``(1 - target) ** beta``. Normalised by the number of centres (cells with target == 1).

    Args:
        logits, heatmap: ``(B, 1, h, w)``.
    """
    probability = torch.sigmoid(logits).clamp(1e-6, 1 - 1e-6)
    is_centre = heatmap.eq(1.0).float()
    positive = -torch.log(probability) * (1 - probability) ** alpha * is_centre
    negative = (
        -torch.log(1 - probability) * probability**alpha * (1 - heatmap) ** beta * (1 - is_centre)
    )
    return (positive.sum() + negative.sum()) / is_centre.sum().clamp(min=1.0)
