"""Pictures of an explanation map: a grey PNG of the map and a colour overlay on the image.

The overlay's opacity follows the evidence, so where the map is 0 the reader sees the plain
mammogram and nothing suggests a finding. Only ``matplotlib.colormaps`` is used: no pyplot, no
figure, no GUI backend, so this runs in a server process.
"""

from __future__ import annotations

import io

import matplotlib
import numpy as np
from PIL import Image

__all__ = ["grey_png", "overlay_rgb", "png_bytes"]


def grey_png(values: np.ndarray) -> bytes:
    """8-bit greyscale (``"L"``) PNG of ``values`` in [0, 1]; pixel = ``round(v * 255)``.

    Raises:
        ValueError: ``values`` is not a non-empty finite 2-D array.
    """
    arr = _unit_map(values, "values")
    return _png(Image.fromarray(_to_uint8(arr)))


def overlay_rgb(
    image: np.ndarray, values: np.ndarray, *, colormap: str = "jet", max_alpha: float = 0.5
) -> np.ndarray:
    """The grey image with the colour-mapped ``values`` blended on top.

    Args:
        image: ``(rows, columns)`` grey image in [0, 1], bright = dense; resized to the shape of
            ``values`` (box filter when shrinking, as an area average).
        values: ``(H', W')`` map in [0, 1].
        colormap: a name in ``matplotlib.colormaps``.
        max_alpha: opacity of the colour where ``values`` is 1; it falls linearly to 0.

    Returns:
        uint8 ``(H', W', 3)`` RGB.

    Raises:
        ValueError: arrays that are not finite and 2-D, an unknown colormap, or ``max_alpha``
            outside [0, 1].
    """
    evidence = _unit_map(values, "values")
    grey = np.asarray(image, dtype=np.float32)  # the original may be 14 megapixels: no copies
    if grey.ndim != 2 or 0 in grey.shape:
        raise ValueError(f"image must be a non-empty 2-D array, got shape {grey.shape}")
    if not np.isfinite(grey).all():
        raise ValueError("image holds non-finite values")
    if not 0.0 <= max_alpha <= 1.0:
        raise ValueError(f"max_alpha must be in [0, 1], got {max_alpha}")
    try:
        cmap = matplotlib.colormaps[colormap]
    except KeyError:
        raise ValueError(f"unknown matplotlib colormap {colormap!r}") from None

    out_rows, out_cols = evidence.shape
    if grey.shape != evidence.shape:
        shrinking = out_rows <= grey.shape[0] and out_cols <= grey.shape[1]
        resample = Image.Resampling.BOX if shrinking else Image.Resampling.BILINEAR
        grey = np.asarray(Image.fromarray(grey).resize((out_cols, out_rows), resample))
    grey = np.clip(grey, 0.0, 1.0)
    # The colormap as a 256-entry table indexed by the 8-bit map (what the grey PNG holds):
    # float64 colormap calls on a megapixel map are slow (docs/performance.md).
    levels = _to_uint8(evidence)
    colour = cmap(np.linspace(0.0, 1.0, 256))[:, :3].astype(np.float32)[levels]
    alpha = (np.float32(max_alpha / 255.0) * levels)[..., None]
    blended = (1.0 - alpha) * grey[..., None] + alpha * colour
    return _to_uint8(blended)


def png_bytes(rgb: np.ndarray) -> bytes:
    """RGB PNG of a uint8 ``(H, W, 3)`` array.

    Raises:
        ValueError: ``rgb`` is not uint8 ``(H, W, 3)``.
    """
    arr = np.asarray(rgb)
    if arr.dtype != np.uint8 or arr.ndim != 3 or arr.shape[2] != 3 or 0 in arr.shape:
        raise ValueError(f"rgb must be uint8 (H, W, 3), got {arr.dtype} {arr.shape}")
    return _png(Image.fromarray(np.ascontiguousarray(arr)))


def _unit_map(values: np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 2 or 0 in arr.shape:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {arr.shape}")
    unit = arr.astype(np.float64)
    if not np.all(np.isfinite(unit)):
        raise ValueError(f"{name} holds non-finite values")
    return np.clip(unit, 0.0, 1.0)


def _to_uint8(unit: np.ndarray) -> np.ndarray:
    levels: np.ndarray = np.rint(np.clip(unit, 0.0, 1.0) * 255.0)
    return levels.astype(np.uint8)


def _png(image: Image.Image) -> bytes:
    # zlib level 1: about 3 times faster than the default 6 on a megapixel overlay, for files
    # some 30 % larger; lossless either way.
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
