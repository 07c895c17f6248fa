"""Finding room for boxes: lesions inside the breast, labels outside it, never overlapping.

A summed-area table answers "is this whole box free?" for many candidate positions in one
vectorised step, so placement stays cheap on full-size images.
"""

from __future__ import annotations

import numpy as np

__all__ = ["FreeSpace"]

_SPREADS = (0.0, 0.03, 0.08, 0.2, 0.5, 1.0)
"""Candidate spread around the target, as a fraction of the image size, tried in this order."""
_CANDIDATES = 48


class FreeSpace:
    """The pixels where a box may still go."""

    def __init__(self, free: np.ndarray) -> None:
        self._free = free.astype(bool, copy=True)
        self._refresh()

    def _refresh(self) -> None:
        rows, cols = self._free.shape
        table = np.zeros((rows + 1, cols + 1), dtype=np.int32)
        np.cumsum(np.cumsum(self._free, axis=0, dtype=np.int32), axis=1, out=table[1:, 1:])
        self._table = table

    def find(
        self, height: int, width: int, target: tuple[float, float], rng: np.random.Generator
    ) -> tuple[int, int] | None:
        """Top-left (row, col) of a fully free ``height`` x ``width`` box whose centre is as near
        ``target`` (row, col) as the tries find, or None when there is no room."""
        rows, cols = self._free.shape
        if height > rows or width > cols:
            return None
        scale = max(rows, cols)
        for spread in _SPREADS:
            count = 1 if spread == 0 else _CANDIDATES
            centres = np.asarray(target) + rng.normal(0, spread * scale, (count, 2))
            tops = np.clip(np.rint(centres[:, 0] - height / 2), 0, rows - height).astype(int)
            lefts = np.clip(np.rint(centres[:, 1] - width / 2), 0, cols - width).astype(int)
            t = self._table
            inside = (
                t[tops + height, lefts + width]
                - t[tops, lefts + width]
                - t[tops + height, lefts]
                + t[tops, lefts]
            )
            hits = np.flatnonzero(inside == height * width)
            if hits.size:
                return int(tops[hits[0]]), int(lefts[hits[0]])
        return None

    def claim(self, top: int, left: int, bottom: int, right: int) -> None:
        """Mark the box [top, bottom) x [left, right) as taken."""
        self._free[top:bottom, left:right] = False
        self._refresh()
