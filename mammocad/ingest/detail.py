"""Fine detail that downsampling would erase: a calcification map made at the original resolution.

Microcalcifications are 0.1-1 mm specks. On a model grid of about half a millimetre per pixel an
averaging resize blurs them below the texture of normal tissue (docs/results.md shows what that
cost a classifier on the synthetic set: it missed the calcification cases). The classical
CAD answer is a white top-hat: the image minus its morphological opening with a structuring
element a little larger than a speck keeps bright spots smaller than the element and removes
everything broader (parenchyma, masses, the skin line). It is computed here, at the original
resolution, normalised per image by its own tissue statistics (vendors differ in noise), and then
carried to the model grid by a local MAXIMUM (dilation before the resize), so a one-pixel speck
survives as a bright grid cell instead of being averaged away.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

__all__ = ["SPECK_ELEMENT_MM", "dilate_for_downsampling", "speck_map"]

SPECK_ELEMENT_MM = 1.5
"""Width of the top-hat's structuring element: larger than a microcalcification (<= 1 mm),
smaller than a mass (>= 5 mm)."""

_ASSUMED_FIELD_MM = 240.0
"""Long side of a mammography detector (24 x 30 cm): spacing estimate when the file has none."""

_FLOOR_QUANTILE = 0.99
"""Top-hat values below this quantile of the breast's own values read as tissue texture."""

_SATURATION = 4.0
"""Values at this multiple of that quantile and above map to 1."""


def speck_map(
    pixels: np.ndarray, mask: np.ndarray | None, spacing_mm: float | None = None
) -> np.ndarray:
    """Bright specks smaller than :data:`SPECK_ELEMENT_MM`, in [0, 1], same shape as ``pixels``.

    Args:
        pixels: ``(rows, columns)`` in [0, 1] at the original resolution (breast only).
        mask: True inside the breast; None when no breast was found (whole image used).
        spacing_mm: pixel spacing; None estimates it from the image size.

    Returns:
        0 where nothing stands out, rising to 1 for specks at :data:`_SATURATION` times the
        image's own 99th percentile of top-hat values; 0 outside the (eroded) breast, so the
        breast outline itself is not read as a speck.
    """
    if spacing_mm is None or spacing_mm <= 0:
        spacing_mm = _ASSUMED_FIELD_MM / max(pixels.shape)
    size = int(np.clip(round(SPECK_ELEMENT_MM / spacing_mm), 3, 31)) | 1  # odd
    tophat = ndimage.white_tophat(pixels.astype(np.float32, copy=False), size=size)
    inside = (
        np.ones(pixels.shape, dtype=bool)
        if mask is None
        # A square erosion is separable: two 1-D minimum passes, not size**2 work per pixel
        # (binary_erosion dominated ingest on large crops: docs/performance.md).
        else ndimage.minimum_filter(mask.view(np.uint8), size=size, mode="constant").astype(bool)
    )
    if not inside.any():
        return np.zeros(pixels.shape, dtype=np.float32)
    floor = float(np.quantile(tophat[inside], _FLOOR_QUANTILE))
    if floor <= 0:
        return np.zeros(pixels.shape, dtype=np.float32)
    scaled = (tophat / np.float32(floor) - 1) / np.float32(_SATURATION - 1)
    return np.where(inside, np.clip(scaled, 0, 1), np.float32(0)).astype(np.float32)


def dilate_for_downsampling(values: np.ndarray, scale: float) -> np.ndarray:
    """Local maximum before a resize by ``scale`` < 1, over the resize filter's whole support.

    Pillow's bilinear downscale averages over a triangle of ``2 / scale`` source pixels; dilating
    by that width makes the average near a speck read the speck's value, not a fraction of it.
    """
    if scale >= 1:
        return values
    size = int(np.ceil(2 / scale)) + 1
    dilated: np.ndarray = ndimage.grey_dilation(values, size=(size, size))  # scipy is untyped
    return dilated
