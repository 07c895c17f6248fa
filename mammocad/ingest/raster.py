"""PNG (8 and 16 bit), PGM (the mini-MIAS format) and JPEG decoding with Pillow.

These formats carry no VOI or laterality information: values are normalised by their bit depth
(inferred from the data for 16-bit containers, which often hold 10-14 bit detector values), and
laterality stays unknown unless the image itself shows the chest wall.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

from mammocad.ingest.decoded import DecodedImage
from mammocad.ingest.errors import (
    ColourImageError,
    CorruptImageError,
    EmptyInputError,
    ImageTooLargeError,
    UnsupportedImageError,
)
from mammocad.ingest.metadata import ImageMetadata, SourceFormat

__all__ = ["decode_raster"]

_GREY_MODES = {"L", "I;16", "I;16B", "I;16L", "I"}
_COLOUR_MODES = {"RGB", "RGBA", "LA", "P", "CMYK", "YCbCr"}


def decode_raster(data: bytes, source_format: SourceFormat, *, max_pixels: int) -> DecodedImage:
    """Decode a PNG, PGM or JPEG held in memory.

    The size is checked from the header before any pixel is decoded, so a decompression bomb
    costs nothing.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            columns, rows = image.size
            if rows * columns > max_pixels:
                raise ImageTooLargeError(
                    f"decoded image would be {rows} x {columns}, above the limit of "
                    f"{max_pixels} pixels"
                )
            if rows == 0 or columns == 0:
                raise EmptyInputError(f"image has {rows} rows and {columns} columns")
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageTooLargeError(f"image is too large to decode safely: {exc}") from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise CorruptImageError(
                f"{source_format.upper()} data is truncated or malformed: {exc}"
            ) from exc
    stored, bits = _grey_values(image)
    pixels = (stored.astype(np.float32) / float(2**bits - 1)).clip(0.0, 1.0)
    metadata = ImageMetadata(
        source_format=source_format,
        rows=rows,
        columns=columns,
        bits_stored=bits,
        photometric_interpretation="MONOCHROME2",
    )
    return DecodedImage(pixels=pixels, metadata=metadata)


def _grey_values(image: Image.Image) -> tuple[np.ndarray, int]:
    """Greyscale values and their bit depth; grey stored as RGB is accepted, colour is not."""
    mode = image.mode
    if mode in _COLOUR_MODES:
        rgb = np.asarray(image.convert("RGB"))
        if not (
            np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(rgb[..., 0], rgb[..., 2])
        ):
            raise ColourImageError(f"the image is in colour ({mode}); mammocad expects greyscale")
        return rgb[..., 0], 8
    if mode not in _GREY_MODES:
        raise UnsupportedImageError(f"image mode {mode} is not a supported greyscale layout")
    values = np.asarray(image)
    if mode == "L":
        return values, 8
    values = values.astype(np.int64)
    if values.min() < 0:
        raise UnsupportedImageError("signed pixel values are not a supported greyscale layout")
    return values, max(8, int(values.max()).bit_length())
