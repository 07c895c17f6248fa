"""PNGs of heatmaps and the colour overlay."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from mammocad.heatmaps import grey_png, overlay_rgb, png_bytes


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    return image


def test_grey_png_is_8_bit_greyscale_of_the_values() -> None:
    values = np.linspace(0, 1, 40 * 30).reshape(40, 30)
    image = decode(grey_png(values))
    assert image.mode == "L" and image.size == (30, 40)
    pixels = np.asarray(image)
    np.testing.assert_array_equal(pixels, np.rint(values * 255).astype(np.uint8))
    assert pixels[0, 0] == 0 and pixels[-1, -1] == 255


def test_rgb_png_round_trips() -> None:
    rgb = np.random.default_rng(1).integers(0, 256, (20, 12, 3), dtype=np.uint8)
    image = decode(png_bytes(rgb))
    assert image.mode == "RGB" and image.size == (12, 20)
    np.testing.assert_array_equal(np.asarray(image), rgb)


def test_zero_evidence_leaves_the_plain_grey_image() -> None:
    grey = np.random.default_rng(2).random((50, 40))
    out = overlay_rgb(grey, np.zeros((50, 40)))
    assert out.shape == (50, 40, 3) and out.dtype == np.uint8
    expected = np.rint(grey * 255)
    for channel in range(3):
        assert np.abs(out[..., channel] - expected).max() <= 1


def test_full_evidence_is_coloured() -> None:
    grey = np.full((50, 40), 0.5)
    values = np.zeros((50, 40))
    values[10:20, 10:20] = 1.0
    out = overlay_rgb(grey, values, colormap="jet", max_alpha=0.5).astype(int)
    plain, hot = out[0, 0], out[15, 15]
    assert (plain == plain[0]).all()  # grey: R = G = B
    assert hot[0] > hot[2] + 50  # jet at 1 is red, blended half over mid grey


def test_overlay_shrinks_the_image_to_the_map() -> None:
    grey = np.zeros((400, 300), dtype=np.float32)
    grey[:, 150:] = 1.0  # right half white
    out = overlay_rgb(grey, np.zeros((100, 75)))
    assert out.shape == (100, 75, 3)
    assert out[:, :37].max() == 0 and out[:, 38:].min() == 255  # a box average keeps the edge


def test_bad_overlay_arguments_are_refused() -> None:
    grey = np.zeros((10, 10))
    with pytest.raises(ValueError, match="colormap"):
        overlay_rgb(grey, grey, colormap="no-such-map")
    with pytest.raises(ValueError, match="max_alpha"):
        overlay_rgb(grey, grey, max_alpha=1.5)
    with pytest.raises(ValueError, match="2-D"):
        overlay_rgb(np.zeros((10, 10, 3)), grey)
    with pytest.raises(ValueError, match="uint8"):
        png_bytes(np.zeros((10, 10, 3)))
