"""Every kind of bad upload is a typed ingest error, never a crash or an unbounded allocation."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from mammocad.ingest.errors import (
    ColourImageError,
    CorruptImageError,
    EmptyInputError,
    ImageTooLargeError,
    MissingPixelDataError,
    UnsupportedFormatError,
    UnsupportedImageError,
)
from mammocad.ingest.pipeline import IngestOptions, detect_format, ingest_bytes

from .conftest import phantom


def _png(array: np.ndarray, mode: str | None = None) -> bytes:
    buffer = io.BytesIO()
    image = Image.fromarray(array) if mode is None else Image.fromarray(array).convert(mode)
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge image over a tiny compressed stream (a bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_empty_upload() -> None:
    with pytest.raises(EmptyInputError):
        ingest_bytes(b"")


@pytest.mark.parametrize(
    "data", [b"%PDF-1.7 not an image", b"hello world", b"\x00" * 500, b"GIF89a" + b"\x00" * 100]
)
def test_not_an_image(data: bytes) -> None:
    with pytest.raises(UnsupportedFormatError, match="not a DICOM"):
        ingest_bytes(data)


def test_truncated_dicom(make_dicom: Callable[..., bytes]) -> None:
    data = make_dicom(np.zeros((64, 64), np.uint16))
    with pytest.raises(CorruptImageError):
        ingest_bytes(data[: len(data) - 3000])


def test_dicom_header_cut_in_the_middle(make_dicom: Callable[..., bytes]) -> None:
    """pydicom stops quietly at the cut, so what is left is an object without pixels."""
    data = make_dicom(np.zeros((64, 64), np.uint16))
    with pytest.raises((CorruptImageError, MissingPixelDataError)):
        ingest_bytes(data[:200])


def test_dicom_without_pixel_data(make_dicom: Callable[..., bytes]) -> None:
    with pytest.raises(MissingPixelDataError, match="no Pixel Data"):
        ingest_bytes(make_dicom(None))


def test_dicom_bomb_is_refused_before_decoding(make_dicom: Callable[..., bytes]) -> None:
    data = make_dicom(np.zeros((4, 4), np.uint16), Rows=60000, Columns=60000)
    with pytest.raises(ImageTooLargeError, match="60000 x 60000"):
        ingest_bytes(data)


def test_png_bomb_is_refused_before_decoding() -> None:
    with pytest.raises(ImageTooLargeError):
        ingest_bytes(_png_header_only(100_000, 100_000))


def test_pixel_cap_is_configurable() -> None:
    data = _png((phantom() * 255).astype(np.uint8))
    with pytest.raises(ImageTooLargeError):
        ingest_bytes(data, IngestOptions(max_pixels=1000))


def test_zero_size_dicom(make_dicom: Callable[..., bytes]) -> None:
    data = make_dicom(np.zeros((4, 4), np.uint16), Rows=0)
    with pytest.raises(EmptyInputError):
        ingest_bytes(data)


def test_truncated_png() -> None:
    data = _png((phantom() * 255).astype(np.uint8))
    with pytest.raises(CorruptImageError):
        ingest_bytes(data[: len(data) // 2])


def test_colour_png_is_refused() -> None:
    rgb = np.zeros((64, 64, 3), np.uint8)
    rgb[..., 0] = 200
    with pytest.raises(ColourImageError):
        ingest_bytes(_png(rgb))


def test_grey_saved_as_rgb_is_accepted() -> None:
    grey = (phantom() * 255).astype(np.uint8)
    ingested = ingest_bytes(_png(grey, mode="RGB"), IngestOptions(target_shape=None))
    assert ingested.metadata.bits_stored == 8


def test_colour_dicom_is_refused(make_dicom: Callable[..., bytes]) -> None:
    rgb = np.zeros((16, 16, 3), np.uint8)
    rgb[..., 1] = 255
    data = make_dicom(
        None,
        Rows=16,
        Columns=16,
        BitsAllocated=8,
        BitsStored=8,
        HighBit=7,
        PixelRepresentation=0,
        SamplesPerPixel=3,
        PlanarConfiguration=0,
        PhotometricInterpretation="RGB",
        PixelData=rgb.tobytes(),
    )
    with pytest.raises(ColourImageError):
        ingest_bytes(data)


def test_multiframe_dicom_is_refused(make_dicom: Callable[..., bytes]) -> None:
    frames = np.zeros((3, 16, 16), np.uint16)
    data = make_dicom(
        None,
        Rows=16,
        Columns=16,
        BitsAllocated=16,
        BitsStored=16,
        HighBit=15,
        PixelRepresentation=0,
        NumberOfFrames=3,
        PixelData=frames.tobytes(),
    )
    with pytest.raises(UnsupportedImageError, match="multi-frame"):
        ingest_bytes(data)


def test_structured_report_like_object_has_no_pixels(make_dicom: Callable[..., bytes]) -> None:
    item = Dataset()
    item.CodeValue = "126000"
    data = make_dicom(None, Modality="SR", ConceptNameCodeSequence=Sequence([item]))
    with pytest.raises(MissingPixelDataError):
        ingest_bytes(data)


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 10, "png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 10, "jpeg"),
        (b"P5\n1 1\n255\n\x00", "pgm"),
        (b"\x00" * 128 + b"DICM" + b"\x00" * 10, "dicom"),
    ],
)
def test_format_is_detected_from_magic_bytes(data: bytes, expected: str) -> None:
    assert detect_format(data) == expected
