"""Losses behave as designed; decoding finds planted peaks in the right place."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from models.inference.decode import decode_detections
from models.nets.detector import DetectorOutput
from models.training.losses import binary_focal_loss, centre_focal_loss


def test_focal_loss_is_small_when_right_and_large_when_wrong() -> None:
    target = torch.zeros(1, 1, 8, 8)
    target[0, 0, 3, 3] = 1
    right = torch.where(target > 0, 8.0, -8.0)
    wrong = -right
    assert binary_focal_loss(right, target) < 1e-3
    assert binary_focal_loss(wrong, target) > 1.0


def test_centre_focal_loss_penalises_near_misses_less() -> None:
    heatmap = torch.zeros(1, 1, 9, 9)
    yy, xx = torch.meshgrid(torch.arange(9.0), torch.arange(9.0), indexing="ij")
    heatmap[0, 0] = torch.exp(-((xx - 4) ** 2 + (yy - 4) ** 2) / 2)
    near = torch.full((1, 1, 9, 9), -8.0)
    near[0, 0, 4, 5] = 8.0  # fires next to the centre
    far = torch.full((1, 1, 9, 9), -8.0)
    far[0, 0, 0, 0] = 8.0  # fires far away
    assert centre_focal_loss(near, heatmap) < centre_focal_loss(far, heatmap)


def _planted(peaks: list[tuple[int, int, float]], size: float = 24.0) -> DetectorOutput:
    heat = torch.full((1, 1, 16, 12), -10.0)
    for row, col, prob in peaks:
        heat[0, 0, row, col] = math.log(prob / (1 - prob))
    return DetectorOutput(
        heat=heat,
        size=torch.full((1, 2, 16, 12), math.log(size)),
        malignancy=torch.zeros(1, 1, 16, 12),
        features=torch.zeros(1, 320),
        statistics=torch.zeros(1, 80),
    )


def test_decode_places_boxes_on_planted_peaks() -> None:
    found = decode_detections(_planted([(5, 3, 0.9), (12, 9, 0.6)]), stride=8)[0]
    np.testing.assert_allclose(found.scores, [0.9, 0.6], rtol=1e-5)
    np.testing.assert_allclose(found.boxes[0], [28 - 12, 44 - 12, 28 + 12, 44 + 12], rtol=1e-5)
    np.testing.assert_allclose(found.malignancy, [0.5, 0.5])


def test_decode_suppresses_overlapping_boxes() -> None:
    found = decode_detections(_planted([(5, 3, 0.9), (5, 5, 0.8)], size=40.0), stride=8)[0]
    assert len(found.scores) == 1 and found.scores[0] > 0.89


def test_decode_floor_drops_only_scores_below_it() -> None:
    planted = _planted([(5, 3, 0.005)])
    assert len(decode_detections(planted, stride=8)[0].scores) == 0  # default floor 0.01
    kept = decode_detections(planted, stride=8, min_score=0.001)[0].scores
    assert kept[0] == pytest.approx(0.005, rel=1e-4)
