"""The hand-over between the format decoders and the geometric pipeline."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mammocad.ingest.metadata import ImageMetadata

__all__ = ["DecodedImage"]


@dataclass(frozen=True)
class DecodedImage:
    """A decoded image with intensities normalised, before any geometric change.

    Attributes:
        pixels: ``(rows, columns)`` float32 in [0, 1], MONOCHROME2 sense (bright = dense),
            after modality LUT, VOI LUT/window and inversion where the format has them.
        metadata: technical metadata of the original.
        row_direction: first value of DICOM Patient Orientation (the patient direction of
            increasing column index, e.g. "A" or "P"), or None when unknown.
    """

    pixels: np.ndarray
    metadata: ImageMetadata
    row_direction: str | None = None
