"""The speck map: specks too small for the model grid survive ingest, exactly where they are."""

from __future__ import annotations

import numpy as np
import pytest

from mammocad.ingest.detail import dilate_for_downsampling, speck_map
from mammocad.ingest.pipeline import IngestedImage, IngestOptions, ingest_bytes
from tests.mammocad.ingest.conftest import dicom_bytes, phantom

SPECKS = [(150, 300), (158, 306), (146, 310)]  # (x, y) from the chest wall, original pixels


def _film_with_specks(chest_wall: str) -> np.ndarray:
    """A 1000 x 750 breast with texture, a large (mass-like) blob and three 2-pixel specks."""
    rng = np.random.default_rng(0)
    image = phantom(1000, 750, lesion=(300, 600, 40), label=False)
    breast = image > 0
    image = np.where(breast, image + rng.normal(0, 0.01, image.shape), 0)
    for x, y in SPECKS:
        image[y : y + 2, x : x + 2] += 0.2
    image = np.clip(image, 0, 1)
    return image[:, ::-1].copy() if chest_wall == "right" else image


def _ingest(image: np.ndarray, **options: object) -> IngestedImage:
    data = dicom_bytes(np.round(image * 4095).astype(np.uint16), BitsStored=12, HighBit=11)
    return ingest_bytes(data, IngestOptions(target_shape=(256, 192), **options))


def test_no_speck_map_unless_asked() -> None:
    ingested = _ingest(_film_with_specks("left"))
    assert ingested.detail is None and ingested.model_input().shape == (1, 256, 192)


@pytest.mark.parametrize("chest_wall", ["left", "right"])
def test_specks_survive_the_resize_where_they_are(chest_wall: str) -> None:
    image = _film_with_specks(chest_wall)
    ingested = _ingest(image, detail_channel=True)
    assert ingested.detail is not None and ingested.detail.shape == ingested.pixels.shape
    assert ingested.model_input().shape == (2, 256, 192)

    columns = image.shape[1]
    originals = [(columns - 1 - x if chest_wall == "right" else x, y) for x, y in SPECKS]
    cells = np.round(ingested.transform.to_model_points(np.array(originals, float) + 1)).astype(int)
    for cx, cy in cells:
        assert ingested.detail[cy - 1 : cy + 2, cx - 1 : cx + 2].max() > 0.9  # speck: bright
    # On the grey grid the same specks are averaged into the texture ...
    cx, cy = cells[0]
    background = np.median(ingested.pixels[ingested.pixels > 0])
    assert ingested.pixels[cy - 1 : cy + 2, cx - 1 : cx + 2].max() - background < 0.1
    # ... and the speck map is quiet elsewhere: tissue texture, the mass and the breast edge.
    quiet = ingested.detail.copy()
    for cx, cy in cells:
        quiet[cy - 3 : cy + 4, cx - 3 : cx + 4] = 0
    assert (quiet > 0.5).mean() < 0.005


def test_speck_map_ignores_broad_structures() -> None:
    flat = np.zeros((200, 200), dtype=np.float32)
    flat[50:150, 50:150] = 0.8  # a "mass" far wider than the structuring element
    flat[100:102, 20:22] = 0.3  # a speck outside the mask: not in the breast, not reported
    mask = np.zeros_like(flat, dtype=bool)
    mask[30:170, 30:170] = True
    assert speck_map(flat, mask, spacing_mm=0.1).max() == 0.0


def test_dilation_keeps_the_maximum_of_each_footprint() -> None:
    values = np.zeros((12, 12), dtype=np.float32)
    values[5, 5] = 1.0
    dilated = dilate_for_downsampling(values, scale=1 / 3)  # support of the resize: 7 pixels
    assert dilated[2:9, 2:9].min() == 1.0 and dilated.sum() == 49.0
    assert dilate_for_downsampling(values, scale=1.0) is values
