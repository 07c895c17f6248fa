"""Breast outline, compressed thickness, skin distance and pectoral muscle of one view.

Everything here is drawn in a CANONICAL frame: chest wall on the left image edge, nipple pointing
right, which is how a LEFT breast is displayed. A right breast is the mirror image, flipped once
at the end (see :mod:`mammocad.synthetic.case`), so that geometry is written only once.

The outline is a superellipse per row, ``x_b(y) = D (1 - |(y - c) / A|^p)^(1/p)``, with a slow
random wobble of D: one number per row, so masks and distances cost a few array operations
instead of a distance transform (the generator must stay well under 0.15 s per image).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mammocad.vocabulary import View

__all__ = ["Anatomy", "BreastShape", "build_anatomy", "draw_breast_shape"]

_EDGE_ROUNDING_MM = 20.0
"""Radius of the rounded edge of a compressed breast: thickness falls to zero over this distance."""
_MIN_THICKNESS = 0.15
"""Relative thickness right at the skin, so the outline stays visible after noise."""


@dataclass(frozen=True)
class BreastShape:
    """Physical size and form of one compressed breast, shared by its CC and MLO views.

    Attributes:
        depth_mm: chest wall to nipple on the CC view.
        width_mm: extent along the chest wall on the CC view.
        fullness: superellipse exponent (2 is an ellipse, larger is fuller).
        centre: CC vertical position of the breast centre, as a fraction of the rows.
        wobble: (amplitude, cycles over the image height, phase) terms of the outline.
        pectoral_width: MLO pectoral width at the top edge, as a fraction of breast depth.
        pectoral_length: MLO pectoral length down the chest wall, as a fraction of the rows.
        pectoral_bulge: exponent of the pectoral edge; below 1 it bulges convexly.
    """

    depth_mm: float
    width_mm: float
    fullness: float
    centre: float
    wobble: tuple[tuple[float, float, float], ...]
    pectoral_width: float
    pectoral_length: float
    pectoral_bulge: float


def draw_breast_shape(rng: np.random.Generator) -> BreastShape:
    """A plausible compressed breast (sizes from typical screening mammograms)."""
    return BreastShape(
        depth_mm=float(rng.uniform(80.0, 125.0)),
        width_mm=float(rng.uniform(140.0, 200.0)),
        fullness=float(rng.uniform(1.8, 2.4)),
        centre=float(rng.uniform(0.46, 0.54)),
        wobble=tuple(
            (
                float(rng.uniform(0.005, 0.02)),
                float(rng.uniform(1.0, 3.5)),
                float(rng.uniform(0.0, 2 * np.pi)),
            )
            for _ in range(2)
        ),
        pectoral_width=float(rng.uniform(0.3, 0.45)),
        pectoral_length=float(rng.uniform(0.35, 0.6)),
        pectoral_bulge=float(rng.uniform(0.6, 1.0)),
    )


@dataclass(frozen=True)
class Anatomy:
    """One view of one breast in the canonical frame (chest wall on the left edge).

    Attributes:
        breast: tissue (not air), pectoral muscle included.
        pectoral: pectoral muscle; all False on CC views.
        pectoral_cover: anti-aliased pectoral coverage in [0, 1], for smooth compositing.
        thickness: compressed thickness relative to the interior, 0 outside the breast.
        skin_distance: approximate distance to the skin line in pixels, 0 outside.
        boundary: x of the skin outline per row (0 where the row has no breast).
        centre_row: row of the nipple axis.
        half_heights: breast extent above and below the nipple axis, in rows.
        spacing_mm: pixel spacing the sizes were converted with.
    """

    breast: np.ndarray
    pectoral: np.ndarray
    pectoral_cover: np.ndarray
    thickness: np.ndarray
    skin_distance: np.ndarray
    boundary: np.ndarray
    centre_row: float
    half_heights: tuple[float, float]
    spacing_mm: float

    def locate(self, depth: float, across: float) -> tuple[float, float]:
        """(row, col) of a point ``depth`` of the way from chest wall to skin, ``across`` in
        [-1, 1] from the upper to the lower part: the same numbers give corresponding points on
        the CC and MLO views of one breast."""
        up, down = self.half_heights
        row = self.centre_row + across * 0.7 * (down if across > 0 else min(up, self.centre_row))
        row = float(np.clip(row, 0, len(self.boundary) - 1))
        return row, depth * float(self.boundary[int(row)])


def build_anatomy(
    shape: BreastShape, view: View, image_shape: tuple[int, int], spacing_mm: float
) -> Anatomy:
    """Rasterise ``shape`` as seen in ``view`` on an image of ``image_shape`` (rows, cols)."""
    rows, cols = image_shape
    y = np.arange(rows, dtype=np.float64) + 0.5
    x = np.arange(cols, dtype=np.float32) + np.float32(0.5)
    mlo = view is View.MLO
    depth = min(shape.depth_mm * (1.05 if mlo else 1.0) / spacing_mm, (0.82 if mlo else 0.8) * cols)
    depth_per_row = depth * (
        1 + sum(a * np.sin(2 * np.pi * f * y / rows + phase) for a, f, phase in shape.wobble)
    )
    if mlo:
        # The MLO view reaches into the axilla: the outline leaves through the top edge.
        centre = (shape.centre + 0.07) * rows
        down = min(0.9 * shape.width_mm / 2 / spacing_mm, 0.95 * rows - centre)
        up = 1.2 * centre  # about half the depth is left where the outline leaves the top
    else:
        half = min(shape.width_mm / 2 / spacing_mm, 0.46 * rows)
        centre = float(np.clip(shape.centre * rows, half + 0.02 * rows, 0.98 * rows - half))
        up = down = half
    offset = (y - centre) / np.where(y < centre, up, down)
    inside = np.clip(1 - np.abs(offset) ** shape.fullness, 0, None) ** (1 / shape.fullness)
    boundary = depth_per_row * inside
    slope = np.gradient(boundary)
    skin = (boundary[:, None].astype(np.float32) - x) / np.sqrt(1 + slope**2)[:, None].astype(
        np.float32
    )
    breast = skin > 0
    np.maximum(skin, 0, out=skin)

    rounded = np.minimum(skin * np.float32(spacing_mm / _EDGE_ROUNDING_MM), np.float32(1))
    thickness = np.sqrt(rounded * (2 - rounded))  # a semicircular edge in profile
    thickness = np.where(breast, _MIN_THICKNESS + (1 - _MIN_THICKNESS) * thickness, 0).astype(
        np.float32
    )

    if mlo:
        length = shape.pectoral_length * rows
        edge = (
            shape.pectoral_width
            * depth
            * np.clip(1 - y / length, 0, None) ** (shape.pectoral_bulge)
        )
        cover = np.clip(edge[:, None].astype(np.float32) - x + np.float32(0.5), 0, 1) * breast
    else:
        cover = np.zeros((rows, cols), dtype=np.float32)
    return Anatomy(
        breast=breast,
        pectoral=cover >= 0.5,
        pectoral_cover=cover.astype(np.float32, copy=False),
        thickness=thickness,
        skin_distance=skin,
        boundary=boundary,
        centre_row=centre,
        half_heights=(up, down),
        spacing_mm=spacing_mm,
    )
