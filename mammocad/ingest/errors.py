"""Why an upload was refused: typed, so the gateway maps each to the right 4xx in one place.

Each subclass has a stable ``code`` that becomes the problem+json ``type`` suffix. Messages say
what was wrong with the input and never echo identifying header values.
"""

from __future__ import annotations

from mammocad.errors import InvalidInputError

__all__ = [
    "ColourImageError",
    "CorruptImageError",
    "EmptyInputError",
    "ImageTooLargeError",
    "IngestError",
    "MissingPixelDataError",
    "UndecodableTransferSyntaxError",
    "UnsupportedFormatError",
    "UnsupportedImageError",
]


class IngestError(InvalidInputError):
    """Base class of every refusal by ingest."""

    code = "invalid-image"
    title = "Invalid image"


class EmptyInputError(IngestError):
    """Zero bytes, or an image with zero rows or columns."""

    code = "empty-image"
    title = "Empty image"


class UnsupportedFormatError(IngestError):
    """Not DICOM, PNG, PGM or JPEG (e.g. a PDF, text, or an unknown binary)."""

    code = "unsupported-format"
    title = "Unsupported image format"


class CorruptImageError(IngestError):
    """A recognised format whose content is truncated or malformed."""

    code = "corrupt-image"
    title = "Corrupt image"


class MissingPixelDataError(IngestError):
    """A DICOM object without Pixel Data (e.g. a structured report or a presentation state)."""

    code = "no-pixel-data"
    title = "DICOM object has no pixel data"


class UndecodableTransferSyntaxError(IngestError):
    """Compressed pixel data in a transfer syntax that no installed decoder can decode."""

    code = "undecodable-transfer-syntax"
    title = "Undecodable DICOM transfer syntax"


class ColourImageError(IngestError):
    """A true-colour image where a greyscale mammogram is expected."""

    code = "colour-image"
    title = "Colour image where greyscale is expected"


class UnsupportedImageError(IngestError):
    """A well-formed image that mammocad does not handle (multi-frame, signed odd layouts...)."""

    code = "unsupported-image"
    title = "Unsupported image layout"


class ImageTooLargeError(IngestError):
    """Decoded size above the configured pixel cap: refused before any pixel is decoded."""

    code = "image-too-large"
    title = "Image too large"
