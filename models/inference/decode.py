"""From detector maps to boxes: peak picking, box assembly and MONAI non-maximum suppression."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from monai.data.box_utils import non_max_suppression

from models.nets.detector import DetectorOutput

__all__ = ["GridDetections", "decode_detections"]


@dataclass(frozen=True)
class GridDetections:
    """Detections of one image on the MODEL grid, best first.

    Attributes:
        boxes: ``(K, 4)`` [x0, y0, x1, y1] model pixels. scores: ``(K,)`` mass probability.
        malignancy: ``(K,)`` probability that the mass is malignant.
    """

    boxes: np.ndarray
    scores: np.ndarray
    malignancy: np.ndarray


def decode_detections(
    output: DetectorOutput,
    *,
    stride: int,
    max_detections: int = 20,
    min_score: float = 0.01,
    nms_iou: float = 0.3,
) -> list[GridDetections]:
    """Local maxima of the heat map (3x3), their boxes, then NMS on overlapping boxes.

    ``min_score`` is low on purpose: FROC analysis needs the low-confidence tail; callers that
    show boxes to people apply the model's operating threshold.
    """
    heat = torch.sigmoid(output.heat)
    peaks = heat * (F.max_pool2d(heat, 3, stride=1, padding=1) == heat)
    results = []
    for index in range(heat.shape[0]):
        scores, flat = peaks[index, 0].flatten().topk(min(max_detections * 2, peaks[0, 0].numel()))
        keep = scores >= min_score
        scores, flat = scores[keep], flat[keep]
        width = heat.shape[-1]
        rows, cols = flat // width, flat % width
        size = torch.exp(output.size[index, :, rows, cols]).T  # (K, 2) width, height
        cx, cy = (cols.float() + 0.5) * stride, (rows.float() + 0.5) * stride
        boxes = torch.stack(
            [cx - size[:, 0] / 2, cy - size[:, 1] / 2, cx + size[:, 0] / 2, cy + size[:, 1] / 2],
            dim=1,
        )
        malignancy = torch.sigmoid(output.malignancy[index, 0, rows, cols])
        if len(scores):
            kept = non_max_suppression(boxes, scores, nms_iou, max_proposals=max_detections)
            boxes, scores, malignancy = boxes[kept], scores[kept], malignancy[kept]
        results.append(
            GridDetections(
                boxes=boxes.detach().cpu().numpy().reshape(-1, 4),
                scores=scores.detach().cpu().numpy(),
                malignancy=malignancy.detach().cpu().numpy(),
            )
        )
    return results
