"""Finding the breast: its region (to drop background, film labels and markers) and the side of
its chest wall (to put every breast the same way round).

Pure numpy/scipy on a downsampled copy: the region only has to be right to a few original pixels,
and working at ~512 px keeps ingest of a 4664 x 3064 mammogram fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from PIL import Image
from scipy import ndimage

__all__ = [
    "BreastRegion",
    "chest_wall_side_from_mask",
    "find_breast_region",
    "otsu_threshold",
    "whole_image_region",
]

_WORK_SIZE = 512  # long side of the copy the region is found on
_MIN_BREAST_FRACTION = 0.02
# Opening removes thin bright structures (rulers, film edges, text) that touch the breast.
_OPENING_ITERATIONS = 6
# Where between the background level and Otsu's split the breast edge is cut: low, because the
# fatty tissue behind the skin line is barely brighter than the background.
_THRESHOLD_FRACTION = 0.25  # below this the "largest component" is noise, not a breast


@dataclass(frozen=True)
class BreastRegion:
    """The breast in original pixel coordinates.

    Attributes:
        box: (top, left, bottom, right), array-slice convention, in original pixels.
        mask: boolean mask of the breast at the original size (dilated by a small margin).
        found: False when no plausible breast was found (blank or non-mammogram input); then
            ``box`` is the whole image and ``mask`` is all True, so nothing is thrown away.
    """

    box: tuple[int, int, int, int]
    mask: np.ndarray
    found: bool


def otsu_threshold(values: np.ndarray, bins: int = 256) -> float:
    """Otsu's threshold of an array of values in [0, 1]."""
    hist, edges = np.histogram(values, bins=bins, range=(0.0, 1.0))
    centres = (edges[:-1] + edges[1:]) / 2
    weight0 = np.cumsum(hist)
    weight1 = weight0[-1] - weight0
    sum0 = np.cumsum(hist * centres)
    mean0 = np.divide(sum0, weight0, out=np.zeros_like(sum0), where=weight0 > 0)
    mean1 = np.divide(sum0[-1] - sum0, weight1, out=np.zeros_like(sum0), where=weight1 > 0)
    between = weight0 * weight1 * (mean0 - mean1) ** 2
    return float(centres[int(np.argmax(between))])


def find_breast_region(pixels: np.ndarray, margin_fraction: float = 0.02) -> BreastRegion:
    """The largest bright connected region, holes filled, with a small margin.

    The threshold sits a quarter of the way from the background level (the mean below Otsu's
    split, which copes with grey film base as well as black detector background) to Otsu's
    split, low enough to keep the faint fatty periphery near the skin line. Film labels and
    markers are separate components, and thin rulers or film edges that touch the breast are
    cut off by a morphological opening, so both fall outside the mask.

    Args:
        pixels: ``(rows, columns)`` in [0, 1], bright = dense.
        margin_fraction: dilation of the mask, as a fraction of the long side.
    """
    rows, columns = pixels.shape
    small = _downsample(pixels)
    split = otsu_threshold(small)
    dark = small[small < split]
    background = float(dark.mean()) if dark.size else 0.0
    threshold = background + _THRESHOLD_FRACTION * (split - background)
    foreground = ndimage.binary_opening(small > threshold, iterations=_OPENING_ITERATIONS)
    labels, count = ndimage.label(foreground)
    if count == 0:
        return whole_image_region((rows, columns))
    sizes = ndimage.sum_labels(foreground, labels, index=np.arange(1, count + 1))
    largest = int(np.argmax(sizes)) + 1
    if sizes[largest - 1] < _MIN_BREAST_FRACTION * small.size:
        return whole_image_region((rows, columns))
    mask_small = ndimage.binary_fill_holes(labels == largest)
    margin = max(1, round(margin_fraction * max(small.shape)))
    mask_small = ndimage.binary_dilation(mask_small, iterations=margin)
    mask = _upsample_mask(mask_small, (rows, columns))
    row_hits = np.flatnonzero(mask.any(axis=1))
    col_hits = np.flatnonzero(mask.any(axis=0))
    box = (int(row_hits[0]), int(col_hits[0]), int(row_hits[-1]) + 1, int(col_hits[-1]) + 1)
    return BreastRegion(box=box, mask=mask, found=True)


def chest_wall_side_from_mask(
    mask: np.ndarray, *, band: float = 0.05, min_contact: float = 0.3, min_ratio: float = 1.5
) -> Literal["left", "right"] | None:
    """The side where the breast reaches the edge of its bounding box along most of its height.

    The chest wall is cut by the detector (or film) edge, so on that side the breast extends to
    the edge over a long run of rows; on the nipple side only the rows near the apex get there.
    A band of a few percent of the width tolerates films that were scanned slightly tilted.
    Returns None when the evidence is not clear (e.g. a non-mammogram), so callers fall back on
    header data.

    Args:
        mask: breast mask cropped to the breast's bounding box.
        band: how close to an edge (fraction of the width) a row must reach to count.
    """
    rows_with_breast = mask.any(axis=1)
    if not rows_with_breast.any():
        return None
    columns = mask.shape[1]
    reach = max(1, round(band * columns))
    left = float(mask[rows_with_breast, :reach].any(axis=1).mean())
    right = float(mask[rows_with_breast, columns - reach :].any(axis=1).mean())
    if max(left, right) < min_contact:
        return None
    if left >= min_ratio * right:
        return "left"
    if right >= min_ratio * left:
        return "right"
    return None


def _downsample(pixels: np.ndarray) -> np.ndarray:
    rows, columns = pixels.shape
    factor = max(rows, columns) / _WORK_SIZE
    if factor <= 1:
        return pixels
    size = (max(1, round(columns / factor)), max(1, round(rows / factor)))
    return np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.BOX))


def _upsample_mask(mask: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    if mask.shape == shape:
        return mask
    image = Image.fromarray(mask.astype(np.uint8) * 255)
    resized = image.resize((shape[1], shape[0]), Image.Resampling.NEAREST)
    return np.asarray(resized) > 127


def whole_image_region(shape: tuple[int, int]) -> BreastRegion:
    """No breast found, or cropping not wanted: the whole image, nothing thrown away."""
    return BreastRegion(box=(0, 0, *shape), mask=np.ones(shape, bool), found=False)
