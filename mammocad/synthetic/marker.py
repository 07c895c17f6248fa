"""Film label: a bright plate with blocky letters such as "L MLO", burned into the background.

Real mammograms carry laterality/view markers and patient labels in the air beside the breast.
Breast-region cropping must drop them, so the synthetic label is kept clear of the breast by a
gap: a test can then check that the crop contains the breast and not the label.
"""

from __future__ import annotations

import numpy as np

from mammocad.synthetic.placement import FreeSpace

__all__ = ["draw_marker", "render_label"]

_GLYPHS = {
    "L": ("10000", "10000", "10000", "10000", "11111"),
    "R": ("11110", "10001", "11110", "10010", "10001"),
    "C": ("01111", "10000", "10000", "10000", "01111"),
    "M": ("10001", "11011", "10101", "10001", "10001"),
    "O": ("01110", "10001", "10001", "10001", "01110"),
    " ": ("000", "000", "000", "000", "000"),
}
_PLATE = 0.97
"""Tissue value of the plate: nearly opaque, so it shows almost white."""
_INK = 0.3
_PADDING = 2
"""Plate border around the text, in glyph cells."""


def render_label(text: str, cell: int) -> np.ndarray:
    """Tissue values of a plate with ``text`` written in 5-cell-high blocky letters, each cell
    ``cell`` pixels square."""
    glyphs = [np.array([[c == "1" for c in row] for row in _GLYPHS[ch]]) for ch in text.upper()]
    gap = np.zeros((5, 1), dtype=bool)
    ink = np.hstack([part for glyph in glyphs for part in (glyph, gap)][:-1])
    ink = np.pad(ink, _PADDING)
    plate = np.where(ink, np.float32(_INK), np.float32(_PLATE)).astype(np.float32)
    return np.kron(plate, np.ones((cell, cell), dtype=np.float32))


def draw_marker(
    tissue: np.ndarray, breast: np.ndarray, text: str, far_right: bool, rng: np.random.Generator
) -> tuple[float, float, float, float] | None:
    """Burn a label with ``text`` into ``tissue`` (in place), in a top or bottom corner on the
    nipple side (right when ``far_right``), at least a gap away from the breast and the image edge.

    Returns the label's box [x0, y0, x1, y1], or None when the background has no room for it.
    """
    rows, cols = tissue.shape
    label = render_label(text, cell=max(1, min(rows, cols) // 256))
    height, width = label.shape
    gap = max(4, min(rows, cols) // 100)
    free = ~breast
    free[:gap, :] = free[-gap:, :] = False
    free[:, :gap] = free[:, -gap:] = False
    row = gap + height / 2 + gap if rng.random() < 0.5 else rows - 2 * gap - height / 2
    col = cols - 2 * gap - width / 2 if far_right else 2 * gap + width / 2
    corner = FreeSpace(free).find(height + 2 * gap, width + 2 * gap, (row, col), rng)
    if corner is None:
        return None
    top, left = corner[0] + gap, corner[1] + gap
    tissue[top : top + height, left : left + width] = label
    return (float(left), float(top), float(left + width), float(top + height))
