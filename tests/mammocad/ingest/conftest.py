"""Builders of small, fully controlled inputs for ingest tests."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid

MG_FOR_PRESENTATION = UID("1.2.840.10008.5.1.4.1.1.1.2")


def dicom_bytes(pixels: np.ndarray | None, **attributes: Any) -> bytes:
    """A minimal but valid MG DICOM Part 10 file; ``attributes`` override or add header values."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = MG_FOR_PRESENTATION
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=["test"])
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = MG_FOR_PRESENTATION
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.Modality = "MG"
    ds.PatientName = "DOE^JANE"
    ds.PatientID = "SECRET-ID-123"
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.SamplesPerPixel = 1
    if pixels is not None:
        ds.Rows, ds.Columns = pixels.shape[:2]
        ds.BitsAllocated = 16 if pixels.dtype == np.uint16 else 8
        ds.BitsStored = ds.BitsAllocated
        ds.HighBit = ds.BitsStored - 1
        ds.PixelRepresentation = 0
        ds.PixelData = pixels.tobytes()
    for key, value in attributes.items():
        setattr(ds, key, value)
    buffer = io.BytesIO()
    pydicom.dcmwrite(buffer, ds, enforce_file_format=True)
    return buffer.getvalue()


def phantom(
    rows: int = 400,
    columns: int = 300,
    *,
    chest_wall: str = "left",
    lesion: tuple[int, int, int] = (60, 200, 12),
    label: bool = True,
) -> np.ndarray:
    """A breast-like half ellipse against one side, a bright square lesion, a film label.

    Args:
        lesion: (x, y, half-size) of the square lesion, x measured from the chest wall.
        label: draw a bright label block in the background corner away from the breast.

    Returns:
        float64 ``(rows, columns)`` in [0, 1].
    """
    yy, xx = np.mgrid[0:rows, 0:columns]
    breast = ((xx / (0.6 * columns)) ** 2 + ((yy - rows / 2) / (0.45 * rows)) ** 2) <= 1
    image = np.where(breast, 0.5, 0.0)
    x, y, half = lesion
    image[y - half : y + half, x - half : x + half] = 1.0
    if label:
        image[10:40, columns - 50 : columns - 10] = 0.9
    return image[:, ::-1].copy() if chest_wall == "right" else image


@pytest.fixture
def make_dicom() -> Callable[..., bytes]:
    return dicom_bytes
