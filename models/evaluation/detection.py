"""Lesion detection metrics: matching detections to lesions, and the FROC curve.

A mammography detector is judged by how many lesions it finds at a tolerable number of false marks
per image (FROC), not by COCO mAP: a radiologist looks at every mark, so false positives per image
is the cost that matters. The curve itself comes from MONAI's CAMELYON16 code
(``compute_froc_curve_data``, ``compute_froc_score``); this module does the box matching that
MONAI leaves to the caller, and pins down MONAI's edge cases.

Boxes are ``[x0, y0, x1, y1]`` in original pixel coordinates (see ``mammocad.datasets.records``).

MONAI is imported inside :func:`froc` only: it loads torch, which the light CLI paths must not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from mammocad.schemas.evaluation import FrocResult, HitRule

__all__ = [
    "DEFAULT_FP_RATES",
    "Matches",
    "box_iou",
    "detection_hits",
    "froc",
    "match_detections",
]


DEFAULT_FP_RATES = (0.25, 0.5, 1, 2, 4)


class Matches(NamedTuple):
    """Outcome of matching one image's detections to its lesions."""

    tp_scores: NDArray[np.float64]
    """(n_hit,) for each lesion hit, the highest score among the detections hitting it."""
    fp_scores: NDArray[np.float64]
    """(n_fp,) scores of the detections that hit no lesion."""
    n_hit: int
    """Number of lesions hit by at least one detection (= ``len(tp_scores)``)."""


def _boxes(boxes: ArrayLike, name: str) -> NDArray[np.float64]:
    """Boxes as a float (K, 4) array; an empty input such as ``[]`` becomes (0, 4)."""
    array = np.asarray(boxes, dtype=float)
    if array.size == 0:
        return array.reshape(0, 4)
    if array.ndim != 2 or array.shape[1] != 4:
        raise ValueError(f"{name} must have shape (K, 4), got {array.shape}")
    return array


def box_iou(a: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
    """Pairwise intersection over union of two sets of ``[x0, y0, x1, y1]`` boxes.

    Plain numpy rather than ``monai.data.box_utils.box_iou``, which needs torch.

    Args:
        a: (K, 4) boxes.
        b: (M, 4) boxes.

    Returns:
        (K, M) IoU; 0 where the union is empty (degenerate boxes).
    """
    a, b = _boxes(a, "a"), _boxes(b, "b")
    top_left = np.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = np.minimum(a[:, None, 2:], b[None, :, 2:])
    intersection = np.clip(bottom_right - top_left, 0, None).prod(axis=2)
    area_a = (a[:, 2:] - a[:, :2]).prod(axis=1)
    area_b = (b[:, 2:] - b[:, :2]).prod(axis=1)
    union = area_a[:, None] + area_b[None, :] - intersection
    return np.divide(intersection, union, out=np.zeros_like(intersection), where=union > 0)


def _hits(
    pred: NDArray[np.float64], gt: NDArray[np.float64], hit_rule: HitRule, iou_threshold: float
) -> NDArray[np.bool_]:
    """(K, M): does detection k hit lesion m."""
    if hit_rule == "centre":
        centre = (pred[:, None, :2] + pred[:, None, 2:]) / 2
        inside = (centre >= gt[None, :, :2]) & (centre <= gt[None, :, 2:])
        return np.asarray(inside.all(axis=2))  # an array (the stubs also allow a scalar)
    if hit_rule == "iou":
        return box_iou(pred, gt) >= iou_threshold
    raise ValueError(f"unknown hit_rule {hit_rule!r}: use 'centre' or 'iou'")


def detection_hits(
    pred_boxes: ArrayLike,
    gt_boxes: ArrayLike,
    *,
    hit_rule: HitRule = "centre",
    iou_threshold: float = 0.3,
) -> NDArray[np.bool_]:
    """``(K,)``: whether each detection lies on some lesion (duplicates included), the label
    "this box is a mass" that a box score's calibration is measured against."""
    hits = _hits(
        _boxes(pred_boxes, "pred_boxes"), _boxes(gt_boxes, "gt_boxes"), hit_rule, iou_threshold
    )
    return np.asarray(hits.any(axis=1))  # an array (the stubs also allow a scalar)


def match_detections(
    pred_boxes: ArrayLike,
    pred_scores: ArrayLike,
    gt_boxes: ArrayLike,
    *,
    hit_rule: HitRule = "centre",
    iou_threshold: float = 0.3,
) -> Matches:
    """Split one image's detections into lesion hits and false positives.

    The usual FROC convention (CAMELYON16, LUNA16): each lesion counts once, with the score of the
    highest-scoring detection that hits it; a detection that hits a lesion is never a false
    positive, even when another detection on that lesion scores higher (duplicates are ignored,
    neither TP nor FP); a detection that hits no lesion is a false positive. A detection lying on
    two overlapping lesions may count for both.

    Args:
        pred_boxes: (K, 4) detected boxes.
        pred_scores: (K,) their scores.
        gt_boxes: (M, 4) lesion boxes; M may be 0 (normal image: every detection is an FP).
        hit_rule: ``"centre"`` or ``"iou"`` (see :data:`HitRule`).
        iou_threshold: minimum IoU for a hit under ``"iou"``.

    Returns:
        The hit lesions' scores, the false positives' scores and the number of lesions hit.
    """
    pred, gt = _boxes(pred_boxes, "pred_boxes"), _boxes(gt_boxes, "gt_boxes")
    scores = np.asarray(pred_scores, dtype=float).reshape(-1)
    if len(scores) != len(pred):
        raise ValueError(f"{len(pred)} boxes but {len(scores)} scores")
    if not np.isfinite(scores).all():
        raise ValueError("pred_scores must be finite")
    hits = _hits(pred, gt, hit_rule, iou_threshold)
    lesion_hit = hits.any(axis=0)
    best = np.where(hits, scores[:, None], -np.inf).max(axis=0, initial=-np.inf)
    return Matches(
        tp_scores=best[lesion_hit],
        fp_scores=scores[~hits.any(axis=1)],
        n_hit=int(lesion_hit.sum()),
    )


def froc(
    per_image: Sequence[tuple[ArrayLike, ArrayLike, ArrayLike]],
    *,
    hit_rule: HitRule = "centre",
    iou_threshold: float = 0.3,
    fp_rates: Sequence[float] = DEFAULT_FP_RATES,
) -> FrocResult:
    """FROC curve over a set of images, and sensitivity at given false-positive rates.

    Sensitivity is over ALL lesions: one never hit by any detection is a miss at every threshold.
    Images without lesions count in the FP-per-image denominator.

    How MONAI's functions are used, and what follows from them:

    * ``compute_froc_curve_data`` sweeps thresholds over the distinct scores but skips the
      lowest one (in CAMELYON16 code that is the 0 given to missed lesions). Missed lesions and
      one extra false positive are therefore given the score ``-inf``, so that the skipped
      threshold is always ``-inf`` and every real score stays on the curve.
    * ``compute_froc_score`` interpolates linearly (``np.interp``) between the curve's points.
      With distinct scores the curve is a staircase, so this is the best sensitivity reachable
      with at most that many FPs per image; where several points share an FP rate, the highest
      sensitivity among them is taken.
    * A rate beyond the detector's largest FPs per image (it never makes that many false marks)
      gets the curve's final sensitivity, that of the lowest threshold (np.interp clamps).

    Args:
        per_image: for each image, (pred_boxes (K, 4), pred_scores (K,), gt_boxes (M, 4)).
        hit_rule: ``"centre"`` or ``"iou"``.
        iou_threshold: minimum IoU for a hit under ``"iou"``.
        fp_rates: false positives per image at which to report sensitivity.

    Returns:
        The curve, the sensitivities at ``fp_rates`` and their mean.

    Raises:
        ValueError: no images, or no lesions (sensitivity undefined).
    """
    from monai.metrics import compute_froc_curve_data, compute_froc_score

    if not per_image:
        raise ValueError("froc needs at least one image")
    if not fp_rates:
        raise ValueError("fp_rates must not be empty")
    tp_scores: list[NDArray[np.float64]] = []
    fp_scores: list[NDArray[np.float64]] = [np.array([-np.inf])]
    n_lesions = 0
    for pred_boxes, pred_scores, gt_boxes in per_image:
        matches = match_detections(
            pred_boxes, pred_scores, gt_boxes, hit_rule=hit_rule, iou_threshold=iou_threshold
        )
        n_image_lesions = len(_boxes(gt_boxes, "gt_boxes"))
        n_lesions += n_image_lesions
        tp_scores += [matches.tp_scores, np.full(n_image_lesions - matches.n_hit, -np.inf)]
        fp_scores.append(matches.fp_scores)
    if n_lesions == 0:
        raise ValueError("froc needs at least one lesion: sensitivity is undefined without")

    fps, sensitivity = compute_froc_curve_data(
        np.concatenate(fp_scores), np.concatenate(tp_scores), n_lesions, len(per_image)
    )
    at = {f"{rate:g}": float(compute_froc_score(fps, sensitivity, (rate,))) for rate in fp_rates}
    return FrocResult(
        fps_per_image=fps[::-1].tolist(),
        sensitivity=sensitivity[::-1].tolist(),
        sensitivity_at=at,
        mean_sensitivity=float(np.mean(list(at.values()))),
        n_lesions=n_lesions,
        n_images=len(per_image),
        hit_rule=hit_rule,
        iou_threshold=iou_threshold,
    )
