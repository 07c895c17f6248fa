"""Exact mapping between an original pixel grid and a model grid.

Every geometric step of ingest (flip, crop, pad, resize) is an axis-aligned affine map, so the
whole chain is one :class:`GridTransform`: ``model = scale * original + offset`` per axis. Points
use continuous pixel coordinates: x to the right, y down, origin at the top-left corner of the
top-left pixel, so pixel ``(col, row)`` covers ``[col, col+1) x [row, row+1)`` and its centre is
``(col + 0.5, row + 0.5)``. With that convention a flip of a ``W``-wide grid is ``x -> W - x`` and a
resize by ``s`` is ``x -> s * x`` with no half-pixel fudge, which is what makes the inverse exact.

Example:
    >>> t = GridTransform.identity((100, 200)).then(GridTransform.flip_horizontal((100, 200)))
    >>> t.to_original_points([[10.0, 5.0]]).tolist()
    [[190.0, 5.0]]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["AxisMap", "GridTransform"]

ArrayLike = Sequence[Sequence[float]] | np.ndarray


class AxisMap(BaseModel):
    """``model = scale * original + offset`` along one axis; a negative scale is a flip."""

    model_config = ConfigDict(frozen=True)

    scale: float
    offset: float = 0.0

    @model_validator(mode="after")
    def _non_degenerate(self) -> AxisMap:
        if self.scale == 0 or not np.isfinite(self.scale) or not np.isfinite(self.offset):
            raise ValueError(f"axis map scale={self.scale}, offset={self.offset} is not invertible")
        return self

    def then(self, other: AxisMap) -> AxisMap:
        """This map followed by ``other``."""
        return AxisMap(
            scale=other.scale * self.scale, offset=other.scale * self.offset + other.offset
        )


class GridTransform(BaseModel):
    """Maps points and boxes between the original grid and the model grid.

    Attributes:
        source_shape: (rows, columns) of the original image.
        target_shape: (rows, columns) of the model grid.
        x, y: the per-axis affine maps from original to model coordinates.
    """

    model_config = ConfigDict(frozen=True)

    source_shape: tuple[int, int] = Field(description="(rows, columns) of the original image")
    target_shape: tuple[int, int] = Field(description="(rows, columns) of the model grid")
    x: AxisMap
    y: AxisMap

    # -- constructors for the elementary steps -------------------------------------------------
    @classmethod
    def identity(cls, shape: tuple[int, int]) -> GridTransform:
        """No change: the starting point of a chain."""
        return cls(source_shape=shape, target_shape=shape, x=AxisMap(scale=1), y=AxisMap(scale=1))

    @classmethod
    def flip_horizontal(cls, shape: tuple[int, int]) -> GridTransform:
        """Mirror left-right, as ``array[:, ::-1]`` does."""
        return cls(
            source_shape=shape,
            target_shape=shape,
            x=AxisMap(scale=-1, offset=shape[1]),
            y=AxisMap(scale=1),
        )

    @classmethod
    def crop(
        cls, shape: tuple[int, int], top: int, left: int, bottom: int, right: int
    ) -> GridTransform:
        """Keep rows ``top:bottom`` and columns ``left:right``, as array slicing does."""
        if not (0 <= top < bottom <= shape[0] and 0 <= left < right <= shape[1]):
            raise ValueError(f"crop rows {top}:{bottom}, cols {left}:{right} outside {shape}")
        return cls(
            source_shape=shape,
            target_shape=(bottom - top, right - left),
            x=AxisMap(scale=1, offset=-left),
            y=AxisMap(scale=1, offset=-top),
        )

    @classmethod
    def pad(cls, shape: tuple[int, int], target: tuple[int, int]) -> GridTransform:
        """Pad at the bottom and right up to ``target``: coordinates do not move."""
        if target[0] < shape[0] or target[1] < shape[1]:
            raise ValueError(f"cannot pad {shape} to the smaller {target}")
        return cls(source_shape=shape, target_shape=target, x=AxisMap(scale=1), y=AxisMap(scale=1))

    @classmethod
    def resize(cls, shape: tuple[int, int], target: tuple[int, int]) -> GridTransform:
        """Resample the whole grid onto ``target`` (pixel-centre aligned, as Pillow does)."""
        return cls(
            source_shape=shape,
            target_shape=target,
            x=AxisMap(scale=target[1] / shape[1]),
            y=AxisMap(scale=target[0] / shape[0]),
        )

    # -- composition and mapping ---------------------------------------------------------------
    def then(self, other: GridTransform) -> GridTransform:
        """This transform followed by ``other`` (whose source must be this target)."""
        if other.source_shape != self.target_shape:
            raise ValueError(f"cannot chain {self.target_shape} into {other.source_shape}")
        return GridTransform(
            source_shape=self.source_shape,
            target_shape=other.target_shape,
            x=self.x.then(other.x),
            y=self.y.then(other.y),
        )

    def to_model_points(self, points: ArrayLike) -> np.ndarray:
        """Original ``(N, 2)`` [x, y] points -> model grid points."""
        pts = _as_points(points)
        return np.stack(
            [self.x.scale * pts[:, 0] + self.x.offset, self.y.scale * pts[:, 1] + self.y.offset],
            axis=1,
        )

    def to_original_points(self, points: ArrayLike) -> np.ndarray:
        """Model grid ``(N, 2)`` [x, y] points -> original pixel coordinates."""
        pts = _as_points(points)
        return np.stack(
            [
                (pts[:, 0] - self.x.offset) / self.x.scale,
                (pts[:, 1] - self.y.offset) / self.y.scale,
            ],
            axis=1,
        )

    def to_model_boxes(self, boxes: ArrayLike) -> np.ndarray:
        """Original ``(N, 4)`` [x0, y0, x1, y1] boxes -> model grid boxes (corners re-sorted)."""
        return _map_boxes(boxes, self.to_model_points)

    def to_original_boxes(self, boxes: ArrayLike, *, clip: bool = True) -> np.ndarray:
        """Model grid boxes -> original boxes; ``clip`` keeps them inside the original image."""
        out = _map_boxes(boxes, self.to_original_points)
        if clip:
            rows, cols = self.source_shape
            out[:, [0, 2]] = out[:, [0, 2]].clip(0, cols)
            out[:, [1, 3]] = out[:, [1, 3]].clip(0, rows)
        return out

    @property
    def flipped_horizontally(self) -> bool:
        """True when the model grid is mirrored left-right relative to the original."""
        return self.x.scale < 0


def _as_points(points: ArrayLike) -> np.ndarray:
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return pts


def _map_boxes(boxes: ArrayLike, map_points: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    arr = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    p0 = map_points(arr[:, 0:2])
    p1 = map_points(arr[:, 2:4])
    return np.concatenate([np.minimum(p0, p1), np.maximum(p0, p1)], axis=1)
