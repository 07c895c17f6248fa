"""The ingest transform describes exactly what happened to the pixels (flip, crop, resize)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from mammocad.ingest.pipeline import IngestOptions, ingest_bytes

from .conftest import phantom


def _png16(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.round(image * 65535).astype(np.uint16)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("chest_wall", ["left", "right"])
def test_every_model_pixel_comes_from_the_original_pixel_the_transform_names(
    chest_wall: str,
) -> None:
    original = phantom(chest_wall=chest_wall)
    stored = np.round(original * 65535).astype(np.uint16)
    ingested = ingest_bytes(_png16(original), IngestOptions(target_shape=None))

    assert ingested.orientation.flipped is (chest_wall == "right")
    assert ingested.orientation.source == "image"
    rows, cols = ingested.pixels.shape
    yy, xx = np.mgrid[0:rows, 0:cols]
    centres = np.stack([xx.ravel() + 0.5, yy.ravel() + 0.5], axis=1)
    back = ingested.transform.to_original_points(centres)
    src_cols = np.floor(back[:, 0]).astype(int)
    src_rows = np.floor(back[:, 1]).astype(int)
    inside = ingested.pixels.ravel() > 0  # blanked background is zero by design
    expected = stored[src_rows[inside], src_cols[inside]] / 65535
    np.testing.assert_array_equal(ingested.pixels.ravel()[inside], expected.astype(np.float32))


@pytest.mark.parametrize("chest_wall", ["left", "right"])
@pytest.mark.parametrize("target", [(256, 192), (1024, 768), (300, 500)])
def test_lesion_found_on_the_model_grid_maps_back_onto_the_original_lesion(
    chest_wall: str, target: tuple[int, int]
) -> None:
    x, y, half = 60, 200, 12
    original = phantom(chest_wall=chest_wall, lesion=(x, y, half))
    true_x = x if chest_wall == "left" else original.shape[1] - x
    ingested = ingest_bytes(_png16(original), IngestOptions(target_shape=target))

    assert ingested.pixels.shape == target
    bright = ingested.pixels > 0.75
    rows, cols = np.nonzero(bright)
    weights = ingested.pixels[bright]
    centroid = [[np.average(cols + 0.5, weights=weights), np.average(rows + 0.5, weights=weights)]]
    back = ingested.transform.to_original_points(centroid)[0]
    assert abs(back[0] - true_x) < 1.0 and abs(back[1] - y) < 1.0

    lesion_box = [[true_x - half, y - half, true_x + half, y + half]]
    model_box = ingested.transform.to_model_boxes(lesion_box)[0]
    assert model_box[0] <= centroid[0][0] <= model_box[2]
    np.testing.assert_allclose(
        ingested.transform.to_original_boxes([model_box])[0], lesion_box[0], atol=1e-9
    )


@pytest.mark.parametrize("chest_wall", ["left", "right"])
def test_film_label_is_blanked_and_cropped_away(chest_wall: str) -> None:
    original = phantom(chest_wall=chest_wall)
    ingested = ingest_bytes(_png16(original), IngestOptions(target_shape=(512, 384)))
    x0, _, x1, _ = ingested.breast_box
    label_first, label_last = (250, 290) if chest_wall == "left" else (10, 50)
    assert x1 <= label_first or x0 >= label_last, "the label's columns are inside the crop"
    assert ingested.pixels.max() == pytest.approx(1.0, abs=0.02)  # the lesion, not the label
    assert not np.any(np.isclose(ingested.pixels, 0.9, atol=0.01))
