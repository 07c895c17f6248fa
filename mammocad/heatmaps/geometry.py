"""Carry a cell-grid explanation map from the model grid back to the original image geometry.

A network explains on a coarse grid of ``stride x stride`` cells of the model grid, which ingest
made by cropping, mirroring, resizing and padding the original. A reader needs the evidence where
it is on the image they know, so the map is resampled through the exact
:class:`~mammocad.geometry.GridTransform` of that upload: every output pixel centre is mapped to
the model grid and the cell map is sampled there bilinearly. Points that never reached the model
(cropped away, or outside the region the model saw) carry no evidence and are 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from mammocad.geometry import GridTransform

__all__ = [
    "OriginalMap",
    "display_shape",
    "peak_in_original",
    "restrict_to_content",
    "to_original_geometry",
]


@dataclass(frozen=True)
class OriginalMap:
    """An explanation map on the original image grid, possibly downscaled for display.

    Attributes:
        values: float32 ``(H', W')`` in [0, 1]; 1 is the strongest evidence for the explained
            output, 0 none.
        scale_x: original pixels per map pixel along x (1.0 at original size).
        scale_y: original pixels per map pixel along y.
        source_shape: ``(rows, columns)`` of the original image.
    """

    values: np.ndarray
    scale_x: float
    scale_y: float
    source_shape: tuple[int, int]


def display_shape(source_shape: tuple[int, int], max_side: int) -> tuple[int, int]:
    """``(rows, columns)`` of an image of ``source_shape`` shown with at most ``max_side`` pixels
    along its longest side: both axes divided by the same factor and rounded, never upscaled.

    Every display of the original geometry (the heatmaps of ``/v1/explain``, the pixels of
    ``/v1/render``) is sized here, so that a viewer can lay one on the other pixel for pixel.

    Raises:
        ValueError: a non-positive ``max_side`` or source side.
    """
    rows, cols = source_shape
    if max_side <= 0:
        raise ValueError(f"max_side must be positive, got {max_side}")
    if rows <= 0 or cols <= 0:
        raise ValueError(f"source_shape must be positive, got {source_shape}")
    factor = max(rows, cols) / max_side
    if factor <= 1:
        return int(rows), int(cols)
    return max(1, round(rows / factor)), max(1, round(cols / factor))


def to_original_geometry(
    cell_map: np.ndarray,
    stride: int,
    transform: GridTransform,
    *,
    max_side: int = 2048,
    content_box: tuple[float, float, float, float] | None = None,
) -> OriginalMap:
    """Resample a cell map onto the original image grid.

    Only the non-negative part counts (the map shows evidence *for* the explained output); it is
    divided by its maximum, so an all-zero or all-negative map stays all zero.

    Args:
        cell_map: ``(h, w)`` finite values; cell ``(i, j)`` covers model pixels
            ``[j*stride, (j+1)*stride) x [i*stride, (i+1)*stride)``.
        stride: model pixels per cell side.
        transform: the original -> model grid map of this upload (``IngestedImage.transform``).
        max_side: longest side of the result; larger originals are downscaled by the same factor
            on both axes (:func:`display_shape`; the exact per-axis factors are reported).
        content_box: ``(x0, y0, x1, y1)`` in original pixels of the region the model saw
            (``IngestedImage.breast_box``). The transform alone cannot tell the padding of the
            model grid from the image, and pixels cropped on one side can land in the padding
            after the mirror; with this box they are 0 whatever the network put there. None
            keeps every point that maps inside the model grid.

    Returns:
        The map on the original grid; see :class:`OriginalMap`.

    Raises:
        ValueError: a map that is not 2-D and finite, a non-positive stride or ``max_side``, a
            cell grid that does not match ``transform.target_shape``, or a malformed box.
    """
    _check(cell_map, stride, transform)
    rows, cols = transform.source_shape
    out_rows, out_cols = display_shape((rows, cols), max_side)
    scale_x, scale_y = cols / out_cols, rows / out_rows

    # Pixel centres of the output, in original coordinates, mapped one axis at a time: every
    # step of the chain is axis-aligned, so x never depends on y.
    orig_x = (np.arange(out_cols) + 0.5) * scale_x
    orig_y = (np.arange(out_rows) + 0.5) * scale_y
    model_x = transform.to_model_points(np.stack([orig_x, np.zeros_like(orig_x)], axis=1))[:, 0]
    model_y = transform.to_model_points(np.stack([np.zeros_like(orig_y), orig_y], axis=1))[:, 1]
    target_rows, target_cols = transform.target_shape
    keep_x = (model_x >= 0) & (model_x < target_cols)
    keep_y = (model_y >= 0) & (model_y < target_rows)
    if content_box is not None:
        x0, y0, x1, y1 = _check_box(content_box)
        keep_x &= (orig_x >= x0) & (orig_x < x1)
        keep_y &= (orig_y >= y0) & (orig_y < y1)

    values = np.zeros((out_rows, out_cols), dtype=np.float32)
    evidence = np.maximum(np.asarray(cell_map, dtype=np.float64), 0.0)
    peak = float(evidence.max())
    cols_kept, rows_kept = np.flatnonzero(keep_x), np.flatnonzero(keep_y)
    if peak > 0 and cols_kept.size and rows_kept.size:
        evidence /= peak
        # Both kept sets are intervals (monotone affine maps of intervals), so sample the
        # rectangle they span and nothing else.
        c0, c1 = cols_kept[0], cols_kept[-1] + 1
        r0, r1 = rows_kept[0], rows_kept[-1] + 1
        cell_x = model_x[c0:c1] / stride - 0.5
        cell_y = model_y[r0:r1] / stride - 0.5
        grid_y, grid_x = np.meshgrid(cell_y, cell_x, indexing="ij")
        sampled = ndimage.map_coordinates(
            evidence, [grid_y, grid_x], order=1, mode="nearest", prefilter=False
        )
        values[r0:r1, c0:c1] = np.clip(sampled, 0.0, 1.0)
    return OriginalMap(
        values=values, scale_x=scale_x, scale_y=scale_y, source_shape=(int(rows), int(cols))
    )


def restrict_to_content(
    cell_map: np.ndarray,
    stride: int,
    transform: GridTransform,
    content_box: tuple[float, float, float, float],
) -> np.ndarray:
    """The map with every cell whose centre falls outside ``content_box`` (original pixels:
    the region the model saw, ``IngestedImage.breast_box``) set to 0.

    The padding of the model grid, and the cropped-away pixels that land in it after the mirror,
    are not the image: whatever the network put there must neither be the peak nor set the
    normalisation of the displayed map.

    Raises:
        ValueError: as :func:`to_original_geometry`.
    """
    _check(cell_map, stride, transform)
    x0, y0, x1, y1 = _check_box(content_box)
    rows, cols = np.asarray(cell_map).shape
    centres_x = (np.arange(cols) + 0.5) * stride
    centres_y = (np.arange(rows) + 0.5) * stride
    orig_x = transform.to_original_points(np.stack([centres_x, np.zeros(cols)], axis=1))[:, 0]
    orig_y = transform.to_original_points(np.stack([np.zeros(rows), centres_y], axis=1))[:, 1]
    inside = np.outer((orig_y >= y0) & (orig_y < y1), (orig_x >= x0) & (orig_x < x1))
    return np.where(inside, np.asarray(cell_map, dtype=np.float32), np.float32(0))


def peak_in_original(
    cell_map: np.ndarray, stride: int, transform: GridTransform
) -> tuple[float, float] | None:
    """``(x, y)`` original-pixel coordinates of the centre of the strongest cell.

    The first cell in C order wins a tie. None when no cell is positive: there is no evidence
    to point at.

    Raises:
        ValueError: as :func:`to_original_geometry`.
    """
    _check(cell_map, stride, transform)
    arr = np.asarray(cell_map)
    flat = int(np.argmax(arr))
    best = float(arr.flat[flat])
    if not np.isfinite(best) or best <= 0:
        return None
    i, j = np.unravel_index(flat, arr.shape)
    centre = [[(j + 0.5) * stride, (i + 0.5) * stride]]
    x, y = transform.to_original_points(centre)[0]
    return float(x), float(y)


def _check(cell_map: np.ndarray, stride: int, transform: GridTransform) -> None:
    arr = np.asarray(cell_map)
    if arr.ndim != 2 or 0 in arr.shape:
        raise ValueError(f"cell_map must be a non-empty 2-D array, got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"cell_map must hold real numbers, got dtype {arr.dtype}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"cell_map holds {int(np.sum(~np.isfinite(arr)))} non-finite values")
    if isinstance(stride, bool) or not isinstance(stride, int | np.integer) or stride <= 0:
        raise ValueError(f"stride must be a positive integer, got {stride!r}")
    target_rows, target_cols = transform.target_shape
    allowed_rows = {target_rows // stride, -(-target_rows // stride)}
    allowed_cols = {target_cols // stride, -(-target_cols // stride)}
    if arr.shape[0] not in allowed_rows or arr.shape[1] not in allowed_cols:
        raise ValueError(
            f"cell_map shape {arr.shape} does not match the model grid "
            f"{transform.target_shape} at stride {stride} "
            f"(expected rows in {sorted(allowed_rows)}, columns in {sorted(allowed_cols)})"
        )


def _check_box(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    arr = np.asarray(box, dtype=np.float64)
    if arr.shape != (4,) or not np.all(np.isfinite(arr)) or arr[2] <= arr[0] or arr[3] <= arr[1]:
        raise ValueError(
            f"content_box must be finite (x0, y0, x1, y1) with x0 < x1, y0 < y1: {box}"
        )
    x0, y0, x1, y1 = (float(v) for v in arr)
    return x0, y0, x1, y1
