"""Cell maps carried from the model grid back to the original image."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mammocad.geometry import GridTransform
from mammocad.heatmaps import (
    OriginalMap,
    peak_in_original,
    restrict_to_content,
    to_original_geometry,
)
from mammocad.ingest.pipeline import IngestOptions, ingest_bytes

STRIDE = 8
SOURCE = (1000, 700)
TOP, LEFT, BOTTOM, RIGHT = 100, 50, 900, 600  # crop: (800, 550)
FITTED, TARGET = (512, 352), (512, 384)  # resize by 0.64, then pad 32 columns on the right
SCALE = 0.64
BOX = (LEFT, TOP, RIGHT, BOTTOM)
CELLS = (TARGET[0] // STRIDE, TARGET[1] // STRIDE)  # (64, 48); columns 44.. are all padding


def chain() -> GridTransform:
    """Crop to the breast, mirror, resize to fit, pad right and bottom: what ingest does."""
    crop = GridTransform.crop(SOURCE, TOP, LEFT, BOTTOM, RIGHT)
    return (
        crop.then(GridTransform.flip_horizontal(crop.target_shape))
        .then(GridTransform.resize(crop.target_shape, FITTED))
        .then(GridTransform.pad(FITTED, TARGET))
    )


def hot(i: int, j: int, shape: tuple[int, int] = CELLS) -> np.ndarray:
    cells = np.zeros(shape, dtype=np.float32)
    cells[i, j] = 3.0
    return cells


def test_peak_maps_the_cell_centre_back_through_the_mirror() -> None:
    i, j = 20, 10  # left part of the model grid, i.e. the right part of the crop
    peak = peak_in_original(hot(i, j), STRIDE, chain())
    assert peak is not None
    # Worked by hand: undo the resize, then the mirror of the 550-wide crop, then the crop.
    expected_x = LEFT + (RIGHT - LEFT) - (j + 0.5) * STRIDE / SCALE
    expected_y = TOP + (i + 0.5) * STRIDE / SCALE
    assert peak == pytest.approx((expected_x, expected_y))
    assert peak[0] > (LEFT + RIGHT) / 2  # mirrored: model-left is original-right


def test_rendered_map_peaks_within_one_cell_of_the_peak() -> None:
    cells = hot(20, 10)
    result = to_original_geometry(cells, STRIDE, chain())
    assert result.values.shape == SOURCE and result.values.dtype == np.float32
    assert (result.scale_x, result.scale_y) == (1.0, 1.0)
    row, col = np.unravel_index(np.argmax(result.values), result.values.shape)
    peak = peak_in_original(cells, STRIDE, chain())
    assert peak is not None
    cell_extent = STRIDE / SCALE  # original pixels per cell side
    assert abs(col + 0.5 - peak[0]) <= cell_extent
    assert abs(row + 0.5 - peak[1]) <= cell_extent
    # Pixel centres miss the cell centre by up to half a pixel (0.04 cell) on each axis.
    assert result.values.max() == pytest.approx(1.0, abs=0.1)
    assert result.values.min() >= 0.0


def test_cropped_pixels_and_padding_carry_no_evidence() -> None:
    result = to_original_geometry(np.ones(CELLS), STRIDE, chain(), content_box=BOX)
    values = result.values
    inside = values[TOP:BOTTOM, LEFT:RIGHT]
    np.testing.assert_allclose(inside, 1.0)
    outside = values.copy()
    outside[TOP:BOTTOM, LEFT:RIGHT] = 0
    assert not outside.any()


def test_evidence_in_the_padding_stays_off_cropped_pixels() -> None:
    cells = np.zeros(CELLS)
    cells[:, 44:] = 5.0  # only padding columns: after the mirror they sit over cropped pixels
    values = to_original_geometry(cells, STRIDE, chain(), content_box=BOX).values
    # Bilinear sampling lets it bleed half a cell into the image from the edge it touches (the
    # left edge of the crop after the mirror), no further.
    half_cell = STRIDE / 2 / SCALE
    assert not values[:, :LEFT].any()
    assert not values[:, int(np.ceil(LEFT + half_cell)) :].any()
    assert values[TOP:BOTTOM, LEFT].min() > 0.4


def test_without_a_box_points_outside_the_model_grid_are_zero() -> None:
    values = to_original_geometry(np.ones(CELLS), STRIDE, chain()).values
    assert not values[:TOP].any() and not values[BOTTOM:].any()
    assert not values[:, RIGHT:].any()  # mirrored to negative model x
    assert values[TOP:BOTTOM, LEFT:RIGHT].min() == pytest.approx(1.0)


@pytest.mark.parametrize("fill", [0.0, -2.0])
def test_no_positive_evidence_gives_zeros_and_no_peak(fill: float) -> None:
    cells = np.full(CELLS, fill)
    result = to_original_geometry(cells, STRIDE, chain())
    assert not result.values.any() and np.isfinite(result.values).all()
    assert peak_in_original(cells, STRIDE, chain()) is None


def test_negative_evidence_is_dropped_not_rescaled() -> None:
    cells = np.full(CELLS, -10.0)
    cells[20, 10] = 1.0
    values = to_original_geometry(cells, STRIDE, chain()).values
    assert values.min() == 0.0 and values.max() == pytest.approx(1.0, abs=0.1)
    assert np.mean(values > 0) < 0.01  # only around the one positive cell


def test_ties_go_to_the_first_cell_in_c_order() -> None:
    cells = hot(30, 5)
    cells[10, 40] = 3.0
    peak = peak_in_original(cells, STRIDE, chain())
    assert peak is not None
    assert peak[1] == pytest.approx(TOP + 10.5 * STRIDE / SCALE)


def test_downscale_to_max_side_reports_exact_scales() -> None:
    result = to_original_geometry(hot(20, 10), STRIDE, chain(), max_side=300)
    assert result.values.shape == (300, 210)  # 1000 x 700 shrunk by 1000 / 300
    assert result.scale_y == pytest.approx(1000 / 300)
    assert result.scale_x == pytest.approx(700 / 210)
    assert result.source_shape == SOURCE
    row, col = np.unravel_index(np.argmax(result.values), result.values.shape)
    peak = peak_in_original(hot(20, 10), STRIDE, chain())
    assert peak is not None
    assert abs((col + 0.5) * result.scale_x - peak[0]) <= STRIDE / SCALE
    assert abs((row + 0.5) * result.scale_y - peak[1]) <= STRIDE / SCALE


def test_a_full_field_digital_mammogram_renders_at_display_size() -> None:
    source, target = (4664, 3064), (1024, 768)
    crop = GridTransform.crop(source, 0, 400, 4664, 3064)
    fitted = (1024, round(2664 * 1024 / 4664))
    transform = (
        crop.then(GridTransform.flip_horizontal(crop.target_shape))
        .then(GridTransform.resize(crop.target_shape, fitted))
        .then(GridTransform.pad(fitted, target))
    )
    cells = np.random.default_rng(0).random((128, 96)).astype(np.float32)
    result = to_original_geometry(cells, STRIDE, transform)
    assert result.values.shape == (2048, round(3064 * 2048 / 4664))
    assert result.values.max() <= 1.0


def test_real_ingest_round_trip(right_mlo_dicom: Path) -> None:
    ingested = ingest_bytes(right_mlo_dicom.read_bytes(), IngestOptions(target_shape=(128, 96)))
    assert ingested.orientation.flipped
    transform = ingested.transform
    cells = np.ones((128 // STRIDE, 96 // STRIDE))
    values = to_original_geometry(cells, STRIDE, transform, content_box=ingested.breast_box).values
    x0, y0, x1, y1 = ingested.breast_box
    assert values[y0:y1, x0:x1].min() == pytest.approx(1.0)
    assert values.sum() == pytest.approx((x1 - x0) * (y1 - y0), rel=1e-6)
    i, j = 3, 1
    peak = peak_in_original(hot(i, j, cells.shape), STRIDE, transform)
    assert peak is not None
    model = transform.to_model_points([peak])[0]
    np.testing.assert_allclose(model, [(j + 0.5) * STRIDE, (i + 0.5) * STRIDE])


@pytest.mark.parametrize(
    ("cells", "stride", "message"),
    [
        (np.ones(10), STRIDE, "2-D"),
        (np.ones((0, 48)), STRIDE, "2-D"),
        (np.full(CELLS, np.nan), STRIDE, "non-finite"),
        (np.ones(CELLS), 0, "stride"),
        (np.ones((32, 24)), STRIDE, "does not match"),
        (np.ones((65, 48)), STRIDE, "does not match"),
    ],
)
def test_bad_input_says_what_is_wrong(cells: np.ndarray, stride: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        to_original_geometry(cells, stride, chain())
    with pytest.raises(ValueError, match=message):
        peak_in_original(cells, stride, chain())


def test_a_ceil_sized_cell_grid_is_accepted() -> None:
    transform = GridTransform.identity((100, 60))  # 12.5 x 7.5 cells
    for shape in [(12, 7), (13, 8), (12, 8)]:
        result = to_original_geometry(np.ones(shape), STRIDE, transform)
        assert isinstance(result, OriginalMap)
        assert result.values.min() == pytest.approx(1.0)


def test_bad_max_side_and_box_are_refused() -> None:
    with pytest.raises(ValueError, match="max_side"):
        to_original_geometry(np.ones(CELLS), STRIDE, chain(), max_side=0)
    with pytest.raises(ValueError, match="content_box"):
        to_original_geometry(np.ones(CELLS), STRIDE, chain(), content_box=(600, 100, 50, 900))


def test_restrict_to_content_zeroes_cells_outside_the_box_and_keeps_those_inside() -> None:
    transform = chain()
    cells = np.ones(CELLS, dtype=np.float32)
    rows, cols = transform.source_shape
    box = (cols / 4, rows / 4, 3 * cols / 4, 3 * rows / 4)
    restricted = restrict_to_content(cells, STRIDE, transform, box)
    centres = np.array(
        [
            [(j + 0.5) * STRIDE, (i + 0.5) * STRIDE]
            for i in range(cells.shape[0])
            for j in range(cells.shape[1])
        ]
    )
    original = transform.to_original_points(centres)
    inside = (
        (original[:, 0] >= box[0])
        & (original[:, 0] < box[2])
        & (original[:, 1] >= box[1])
        & (original[:, 1] < box[3])
    ).reshape(cells.shape)
    assert inside.any() and (~inside).any()
    assert np.array_equal(restricted > 0, inside)
