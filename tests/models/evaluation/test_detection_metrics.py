"""Box matching and FROC against hand-computed examples."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import ArrayLike

from models.evaluation.detection import box_iou, froc, match_detections

LESION = [[0.0, 0.0, 100.0, 100.0]]
SMALL_CENTRED = [[40.0, 40.0, 60.0, 60.0]]  # centre (50, 50) inside, IoU 400/10000 = 0.04


class TestMatching:
    def test_box_iou_hand_computed(self) -> None:
        iou = box_iou([[0, 0, 2, 2], [10, 10, 11, 11]], [[1, 1, 3, 3]])
        assert iou.shape == (2, 1)
        assert iou[:, 0] == pytest.approx([1 / 7, 0.0])

    def test_centre_rule_hits_a_small_box_inside(self) -> None:
        matches = match_detections(SMALL_CENTRED, [0.7], LESION, hit_rule="centre")
        assert matches.tp_scores.tolist() == [0.7]
        assert matches.fp_scores.tolist() == []
        assert matches.n_hit == 1

    def test_iou_rule_misses_the_same_box(self) -> None:
        matches = match_detections(SMALL_CENTRED, [0.7], LESION, hit_rule="iou", iou_threshold=0.3)
        assert matches.tp_scores.tolist() == []
        assert matches.fp_scores.tolist() == [0.7]
        assert matches.n_hit == 0

    def test_iou_rule_hits_an_overlapping_box(self) -> None:
        matches = match_detections([[0, 0, 100, 80]], [0.6], LESION, hit_rule="iou")
        assert (matches.tp_scores.tolist(), matches.n_hit) == ([0.6], 1)

    def test_duplicates_are_ignored_and_misses_are_false_positives(self) -> None:
        boxes = [[10, 10, 30, 30], [50, 50, 90, 90], [200, 200, 220, 220]]
        matches = match_detections(boxes, [0.4, 0.9, 0.3], LESION)
        assert matches.tp_scores.tolist() == [0.9]  # the best of the two hits
        assert matches.fp_scores.tolist() == [0.3]  # the duplicate 0.4 is neither TP nor FP

    def test_each_lesion_counted_once(self) -> None:
        lesions = [[0, 0, 10, 10], [50, 50, 60, 60]]
        boxes = [[1, 1, 9, 9], [51, 51, 59, 59], [52, 52, 58, 58]]
        matches = match_detections(boxes, [0.2, 0.5, 0.8], lesions)
        assert matches.tp_scores.tolist() == [0.2, 0.8]
        assert matches.n_hit == 2

    def test_image_without_lesions(self) -> None:
        matches = match_detections([[0, 0, 5, 5], [9, 9, 12, 12]], [0.5, 0.1], [])
        assert matches.fp_scores.tolist() == [0.5, 0.1]
        assert matches.n_hit == 0

    def test_no_detections(self) -> None:
        matches = match_detections(np.zeros((0, 4)), [], LESION)
        assert (len(matches.tp_scores), len(matches.fp_scores), matches.n_hit) == (0, 0, 0)

    def test_unknown_rule_raises(self) -> None:
        with pytest.raises(ValueError, match="hit_rule"):
            match_detections(SMALL_CENTRED, [0.7], LESION, hit_rule="overlap")  # type: ignore[arg-type]  # not a HitRule, on purpose

    def test_mismatched_scores_raise(self) -> None:
        with pytest.raises(ValueError, match="scores"):
            match_detections(SMALL_CENTRED, [0.7, 0.2], LESION)


# Image 1: lesions A, B. Hits: A 0.9 (and a duplicate 0.7, ignored), B 0.3. FP 0.8.
# Image 2: lesion C. Hit: C 0.5. FPs 0.6, 0.2.
# Threshold -> (FP per image, sensitivity): 0.9 (0, 1/3), 0.8 (0.5, 1/3), 0.6 (1, 1/3),
# 0.5 (1, 2/3), 0.3 (1, 1), 0.2 (1.5, 1).
TWO_IMAGES = [
    (
        [[1, 1, 9, 9], [20, 20, 30, 30], [2, 2, 8, 8], [52, 52, 58, 58]],
        [0.9, 0.8, 0.7, 0.3],
        [[0, 0, 10, 10], [50, 50, 60, 60]],
    ),
    (
        [[100, 100, 110, 110], [5, 5, 15, 15], [200, 200, 210, 210]],
        [0.6, 0.5, 0.2],
        [[0, 0, 20, 20]],
    ),
]


class TestFroc:
    def test_hand_computed_two_images(self) -> None:
        result = froc(TWO_IMAGES)
        assert (result.n_lesions, result.n_images) == (3, 2)
        assert result.sensitivity_at["0.5"] == pytest.approx(1 / 3)
        assert result.sensitivity_at["1"] == pytest.approx(1.0)  # best sensitivity at 1 FP/image
        assert result.sensitivity_at["0.25"] == pytest.approx(1 / 3)
        assert result.mean_sensitivity == pytest.approx((1 / 3 + 1 / 3 + 1 + 1 + 1) / 5)
        assert result.fps_per_image[-1] == 1.5  # the lowest-scoring detection is on the curve
        assert result.fps_per_image == sorted(result.fps_per_image)
        assert list(result.sensitivity_at) == ["0.25", "0.5", "1", "2", "4"]

    def test_iou_rule_changes_the_result(self) -> None:
        result = froc(TWO_IMAGES, hit_rule="iou", iou_threshold=0.5)
        # Only A still hits (IoU 0.64 at 0.9); A's duplicate (0.36), B's (0.36) and C's (0.25)
        # boxes become FPs, 6 over 2 images.
        assert result.sensitivity_at == pytest.approx(dict.fromkeys(result.sensitivity_at, 1 / 3))
        assert result.fps_per_image[-1] == 3.0
        assert (result.hit_rule, result.iou_threshold) == ("iou", 0.5)

    def test_perfect_detector(self) -> None:
        images = [
            ([[1, 1, 9, 9]], [0.9], [[0, 0, 10, 10]]),
            ([[1, 1, 9, 9]], [0.4], [[0, 0, 10, 10]]),
        ]
        result = froc(images)
        assert set(result.sensitivity_at.values()) == {1.0}
        assert result.mean_sensitivity == 1.0

    def test_no_detections(self) -> None:
        images: list[tuple[ArrayLike, ArrayLike, ArrayLike]] = [
            (np.zeros((0, 4)), [], [[0, 0, 10, 10]]),
            ([], [], []),
        ]
        result = froc(images)
        assert set(result.sensitivity_at.values()) == {0.0}
        assert result.n_lesions == 1

    def test_rates_beyond_the_curve_get_its_final_sensitivity(self) -> None:
        # Lesion A hit at 0.9; lesion B never hit; one FP (0.5) over 2 images: max 0.5 FP/image.
        images = [
            ([[1, 1, 9, 9]], [0.9], [[0, 0, 10, 10]]),
            ([[80, 80, 90, 90]], [0.5], [[0, 0, 10, 10]]),
        ]
        result = froc(images, fp_rates=(0.5, 2, 4))
        assert max(result.fps_per_image) == 0.5
        assert result.sensitivity_at == {"0.5": 0.5, "2": 0.5, "4": 0.5}

    def test_tied_scores_are_interpolated_linearly(self) -> None:
        # A hit at 0.9; B hit and an FP share 0.5: the curve goes (0, 1/2) -> (0.5, 1) diagonally.
        images = [
            ([[1, 1, 9, 9], [80, 80, 90, 90]], [0.9, 0.5], [[0, 0, 10, 10]]),
            ([[1, 1, 9, 9]], [0.5], [[0, 0, 10, 10]]),
        ]
        assert froc(images, fp_rates=(0.25,)).sensitivity_at["0.25"] == pytest.approx(0.75)

    def test_without_lesions_raises(self) -> None:
        with pytest.raises(ValueError, match="lesion"):
            froc([([[0, 0, 5, 5]], [0.5], [])])

    def test_without_images_raises(self) -> None:
        with pytest.raises(ValueError, match="image"):
            froc([])
