"""Dense training targets from lesion boxes, and the instance maps that carry boxes through
augmentation. Pure numpy, so they are tested on hand-made examples.

Coordinates are model-grid pixels (x right, y down, continuous: pixel (c, r) covers
[c, c+1) x [r, r+1)); a feature map of stride ``s`` has cell (i, j) centred on
``((j + 0.5) * s, (i + 0.5) * s)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "Box",
    "boxes_from_instances",
    "centre_heatmap",
    "ellipse_cells",
    "instance_map",
    "window_cell_targets",
]

Box = tuple[float, float, float, float]


def instance_map(shape: tuple[int, int], boxes: Sequence[Box]) -> np.ndarray:
    """Each lesion drawn as the filled ellipse inscribed in its box, labelled 1..N.

    Spatial augmentation moves this map with the image (nearest-neighbour), and
    :func:`boxes_from_instances` reads the moved boxes back. Larger lesions are drawn first so
    a small lesion inside a large one keeps its own pixels.

    Returns:
        ``(H, W)`` int16, 0 = background, ``i + 1`` = ``boxes[i]``.
    """
    rows, cols = shape
    out = np.zeros(shape, np.int16)
    yy, xx = np.mgrid[0:rows, 0:cols]
    centres_x, centres_y = xx + 0.5, yy + 0.5
    order = sorted(range(len(boxes)), key=lambda i: -_area(boxes[i]))
    for index in order:
        x0, y0, x1, y1 = boxes[index]
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        rx, ry = max((x1 - x0) / 2, 0.5), max((y1 - y0) / 2, 0.5)
        inside = ((centres_x - cx) / rx) ** 2 + ((centres_y - cy) / ry) ** 2 <= 1.0
        if not inside.any():  # a lesion smaller than a pixel still owns its centre pixel
            r, c = int(np.clip(cy, 0, rows - 1)), int(np.clip(cx, 0, cols - 1))
            inside = np.zeros(shape, bool)
            inside[r, c] = True
        out[inside] = index + 1
    return out


def boxes_from_instances(instances: np.ndarray, count: int) -> dict[int, Box]:
    """Bounding boxes of labels 1..count still present in an (augmented) instance map.

    Returns:
        ``{i: (x0, y0, x1, y1)}`` for every lesion index ``i`` (0-based) with pixels left;
        lesions moved out of the image are absent.
    """
    found: dict[int, Box] = {}
    for index in range(count):
        rows, cols = np.nonzero(instances == index + 1)
        if rows.size:
            found[index] = (
                float(cols.min()),
                float(rows.min()),
                float(cols.max() + 1),
                float(rows.max() + 1),
            )
    return found


def ellipse_cells(grid: tuple[int, int], stride: int, boxes: Sequence[Box]) -> np.ndarray:
    """Cells of a stride-``stride`` feature map whose centre lies in a lesion's ellipse.

    The cell holding the lesion centre is always on, so lesions smaller than a cell are seen.

    Returns:
        ``(grid_rows, grid_cols)`` float32 mask in {0, 1}.
    """
    mask = np.zeros(grid, np.float32)
    yy, xx = np.mgrid[0 : grid[0], 0 : grid[1]]
    centres_x, centres_y = (xx + 0.5) * stride, (yy + 0.5) * stride
    for x0, y0, x1, y1 in boxes:
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        rx, ry = max((x1 - x0) / 2, 1e-3), max((y1 - y0) / 2, 1e-3)
        mask[((centres_x - cx) / rx) ** 2 + ((centres_y - cy) / ry) ** 2 <= 1.0] = 1.0
        mask[_cell_of(cy, stride, grid[0]), _cell_of(cx, stride, grid[1])] = 1.0
    return mask


def centre_heatmap(
    grid: tuple[int, int], stride: int, boxes: Sequence[Box]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CenterNet targets: a Gaussian peak of 1 at each lesion centre cell, plus its size.

    The Gaussian's sigma is a sixth of the box size (in cells, at least 0.5), so neighbouring
    cells of a large lesion are penalised less than far background (the focal loss's
    ``(1 - target) ** 4`` factor).

    Returns:
        heatmap ``(gr, gc)`` float32 in [0, 1]; sizes ``(N, 2)`` float32 box (width, height) in
        model pixels; centres ``(N, 2)`` int64 (row, col) cell of each lesion.
    """
    heatmap = np.zeros(grid, np.float32)
    yy, xx = np.mgrid[0 : grid[0], 0 : grid[1]]
    sizes = np.zeros((len(boxes), 2), np.float32)
    centres = np.zeros((len(boxes), 2), np.int64)
    for index, (x0, y0, x1, y1) in enumerate(boxes):
        row = _cell_of((y0 + y1) / 2, stride, grid[0])
        col = _cell_of((x0 + x1) / 2, stride, grid[1])
        sigma_x = max((x1 - x0) / stride / 6, 0.5)
        sigma_y = max((y1 - y0) / stride / 6, 0.5)
        peak = np.exp(-((xx - col) ** 2) / (2 * sigma_x**2) - ((yy - row) ** 2) / (2 * sigma_y**2))
        np.maximum(heatmap, peak.astype(np.float32), out=heatmap)
        sizes[index] = (x1 - x0, y1 - y0)
        centres[index] = (row, col)
    return heatmap, sizes, centres


def _cell_of(coordinate: float, stride: int, cells: int) -> int:
    return int(np.clip(np.floor(coordinate / stride), 0, cells - 1))


def _area(box: Box) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def window_cell_targets(
    grid: tuple[int, int],
    stride: int,
    boxes: Sequence[Box],
    classes: Sequence[int],
    *,
    window: int,
    crop: tuple[int, int],
    located: bool,
    margin: float = 24.0,
    min_radius: float = 16.0,
) -> np.ndarray:
    """Per-cell class targets of a patch model whose cell ``(i, j)`` judges the ``window``-wide
    square centred on ``((j + 0.5) * stride, (i + 0.5) * stride)``.

    A cell whose centre lies within a lesion's radius (at least ``min_radius``) takes the
    lesion's class, and so does the cell nearest to a lesion's centre (a lesion smaller than a
    cell still owns one); cells within ``margin`` beyond the radius are ignored (their window
    holds part of the lesion); so is every cell whose window crosses the crop's edge (it would
    see zeros there instead of tissue). A film that is not ``located`` (a lesion without a box)
    cannot say which cells are normal: only its lesions' cells are targets.

    Returns:
        ``(rows, columns)`` int64: a class index, or -100 (ignored, the cross-entropy
        convention).
    """
    rows, columns = grid
    centres_y = (np.arange(rows) + 0.5) * stride
    centres_x = (np.arange(columns) + 0.5) * stride
    target = np.zeros(grid, np.int64) if located else np.full(grid, -100, np.int64)
    for (x0, y0, x1, y1), cls in zip(boxes, classes, strict=True):
        radius = max((x1 - x0) / 2, (y1 - y0) / 2, min_radius)
        distance = np.hypot(centres_x[None, :] - (x0 + x1) / 2, centres_y[:, None] - (y0 + y1) / 2)
        unsure = (distance > radius) & (distance <= radius + margin) & (target == 0)
        target[unsure] = -100
        target[distance <= radius] = cls
        nearest = np.unravel_index(int(np.argmin(distance)), distance.shape)
        if distance[nearest] <= radius + margin:
            target[nearest] = cls
    half = window / 2
    outside_rows = (centres_y < half) | (centres_y > crop[0] - half)
    outside_columns = (centres_x < half) | (centres_x > crop[1] - half)
    target[outside_rows, :] = -100
    target[:, outside_columns] = -100
    return target
