"""Ingest: uploaded bytes -> model-ready image + metadata + the exact map back to the original.

Steps, in order: detect the format from magic bytes (never from a file name or content type) ->
decode with intensities normalised to [0, 1] -> find the breast and blank everything else (film
labels, markers, background) -> crop to the breast -> mirror so the chest wall is on the left ->
resize to fit the model grid (aspect kept) and pad at the right and bottom. Every geometric step
is composed into one :class:`~mammocad.geometry.GridTransform`, derived from the same numbers that
moved the pixels, so boxes and heatmap peaks map back to the original image exactly. When a model
asks for it, a calcification (speck) map is made on the crop at the original resolution and
follows the image through the same flip and resize (:mod:`mammocad.ingest.detail`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image
from pydantic import BaseModel, ConfigDict, Field

from mammocad.geometry import GridTransform
from mammocad.ingest.breast import (
    chest_wall_side_from_mask,
    find_breast_region,
    whole_image_region,
)
from mammocad.ingest.decoded import DecodedImage
from mammocad.ingest.detail import dilate_for_downsampling, speck_map
from mammocad.ingest.dicom import decode_dicom
from mammocad.ingest.errors import EmptyInputError, UnsupportedFormatError
from mammocad.ingest.metadata import ChestWallSource, ImageMetadata, Orientation, SourceFormat
from mammocad.ingest.raster import decode_raster
from mammocad.ingest.refusals import typed_refusals
from mammocad.vocabulary import Laterality

__all__ = [
    "IngestOptions",
    "IngestedImage",
    "decode_bytes",
    "detect_format",
    "ingest_bytes",
    "ingest_file",
    "model_input",
    "prepare",
]


class IngestOptions(BaseModel):
    """How to prepare an image for a model; each model declares the options it was trained with."""

    model_config = ConfigDict(frozen=True)

    target_shape: tuple[int, int] | None = Field(
        default=(1024, 768),
        description="(rows, columns) of the model grid; None keeps the crop size",
    )
    crop_breast: bool = Field(default=True, description="crop to the breast and blank the rest")
    orient: bool = Field(default=True, description="mirror so the chest wall is on the left")
    max_pixels: int = Field(default=40_000_000, gt=0, description="cap on decoded pixels")
    detail_channel: bool = Field(
        default=False,
        description="also compute the calcification (speck) map at the original resolution "
        "and carry it to the model grid (see mammocad.ingest.detail)",
    )


@dataclass(frozen=True)
class IngestedImage:
    """A model-ready image and everything needed to interpret answers about it.

    Attributes:
        pixels: ``(rows, columns)`` float32 in [0, 1] on the model grid, chest wall on the left.
        metadata: technical metadata of the original (see :class:`ImageMetadata`).
        transform: original -> model grid map; ``transform.to_original_boxes`` maps answers back.
        orientation: which side the chest wall was on and what decided it.
        breast_box: (x0, y0, x1, y1) of the breast region in original pixel coordinates.
        breast_found: False when no plausible breast was found (then nothing was cropped).
        detail: the speck map on the same grid as ``pixels`` when the options ask for it.
    """

    pixels: np.ndarray
    metadata: ImageMetadata
    transform: GridTransform
    orientation: Orientation
    breast_box: tuple[int, int, int, int]
    breast_found: bool
    detail: np.ndarray | None = None

    def model_input(self) -> np.ndarray:
        """``(channels, rows, columns)``: the grey image, then the speck map when there is one."""
        return model_input(self.pixels, self.detail)


def model_input(pixels: np.ndarray, detail: np.ndarray | None) -> np.ndarray:
    """Stack the grey image and its optional speck map into the networks' channel layout."""
    channels = [pixels] if detail is None else [pixels, detail]
    return np.ascontiguousarray(np.stack(channels), dtype=np.float32)


_MAGIC: tuple[tuple[int, bytes, SourceFormat], ...] = (
    (128, b"DICM", "dicom"),
    (0, b"\x89PNG\r\n\x1a\n", "png"),
    (0, b"\xff\xd8\xff", "jpeg"),
    (0, b"P5", "pgm"),
    (0, b"P2", "pgm"),
)


def detect_format(data: bytes) -> SourceFormat:
    """The image format from its magic bytes.

    Raises:
        EmptyInputError: no bytes at all.
        UnsupportedFormatError: none of DICOM Part 10, PNG, JPEG or PGM.
    """
    if not data:
        raise EmptyInputError("the upload is empty (0 bytes)")
    for offset, magic, name in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return name
    raise UnsupportedFormatError(
        "not a DICOM Part 10 file (no 'DICM' at byte 128), PNG, JPEG or PGM image"
    )


def ingest_file(
    path: Path, options: IngestOptions | None = None, *, laterality: Laterality | None = None
) -> IngestedImage:
    """Ingest an image file from disk (CLI, training and evaluation use this)."""
    return ingest_bytes(Path(path).read_bytes(), options, laterality=laterality)


def ingest_bytes(
    data: bytes, options: IngestOptions | None = None, *, laterality: Laterality | None = None
) -> IngestedImage:
    """Ingest an uploaded image held in memory.

    Args:
        data: the file's bytes.
        options: model grid and steps; defaults to :class:`IngestOptions()`.
        laterality: the laterality known to the caller (a data set record, an API parameter),
            used only when the file itself does not say (PNG, PGM, JPEG, DICOM without it).

    Raises:
        IngestError: any subclass, each a clear client error (see ``mammocad.ingest.errors``).
    """
    options = options or IngestOptions()
    return prepare(decode_bytes(data, options.max_pixels, laterality=laterality), options)


def decode_bytes(
    data: bytes, max_pixels: int, *, laterality: Laterality | None = None
) -> DecodedImage:
    """The decoding half of :func:`ingest_bytes`: the original pixels and metadata, before any
    geometric step (an explanation overlay is drawn on these).

    Raises:
        IngestError: any subclass, each a clear client error (see ``mammocad.ingest.errors``).
    """
    source_format = detect_format(data)
    with typed_refusals(source_format):
        if source_format == "dicom":
            decoded = decode_dicom(data, max_pixels=max_pixels)
        else:
            decoded = decode_raster(data, source_format, max_pixels=max_pixels)
    if laterality not in (None, Laterality.UNKNOWN) and (
        decoded.metadata.laterality is Laterality.UNKNOWN
    ):
        metadata = decoded.metadata.model_copy(
            update={"laterality": Laterality(laterality), "laterality_source": "caller"}
        )
        decoded = DecodedImage(decoded.pixels, metadata, decoded.row_direction)
    return decoded


def prepare(decoded: DecodedImage, options: IngestOptions) -> IngestedImage:
    """The geometric half of ingest, shared by every format.

    Raises:
        CorruptImageError: the decoded pixels broke a step (see :func:`typed_refusals`).
    """
    with typed_refusals(decoded.metadata.source_format):
        return _prepare(decoded, options)


def _prepare(decoded: DecodedImage, options: IngestOptions) -> IngestedImage:
    pixels = decoded.pixels
    shape = (int(pixels.shape[0]), int(pixels.shape[1]))
    transform = GridTransform.identity(shape)
    region = find_breast_region(pixels) if options.crop_breast else whole_image_region(shape)

    if region.found:
        top, left, bottom, right = region.box
        crop_mask = region.mask[top:bottom, left:right]
        # Blank outside the breast on the crop only: on a 14-megapixel film the crop is often
        # half the image, and this is the hot path of every upload.
        pixels = np.where(crop_mask, pixels[top:bottom, left:right], np.float32(0))
        transform = transform.then(GridTransform.crop(shape, top, left, bottom, right))
    else:
        crop_mask = None

    orientation = (
        _orientation(decoded, crop_mask)
        if options.orient
        else Orientation(chest_wall_side="left", source="default", flipped=False)
    )
    detail = None
    if options.detail_channel:
        spacing = decoded.metadata.pixel_spacing_mm
        detail = speck_map(pixels, crop_mask, spacing[0] if spacing else None)
    if orientation.flipped:
        transform = transform.then(GridTransform.flip_horizontal(transform.target_shape))
        pixels = pixels[:, ::-1]
        detail = None if detail is None else detail[:, ::-1]

    if options.target_shape is not None:
        if detail is not None:
            scale = _fit_scale(pixels.shape, options.target_shape)
            detail, _ = _fit(dilate_for_downsampling(detail, scale), options.target_shape)
        pixels, fitted = _fit(pixels, options.target_shape)
        transform = transform.then(fitted)

    top, left, bottom, right = region.box
    return IngestedImage(
        pixels=np.ascontiguousarray(pixels, dtype=np.float32),
        metadata=decoded.metadata,
        transform=transform,
        orientation=orientation,
        breast_box=(left, top, right, bottom),
        breast_found=region.found,
        detail=None if detail is None else np.ascontiguousarray(detail, dtype=np.float32),
    )


def _orientation(decoded: DecodedImage, crop_mask: np.ndarray | None) -> Orientation:
    """Chest-wall side from Patient Orientation, else the image, else the laterality."""
    side: Literal["left", "right"] | None = None
    source: ChestWallSource = "default"
    if decoded.row_direction and decoded.row_direction[0] in "AP":
        # Columns increase towards anterior ("A"): the posterior chest wall is at x = 0.
        side, source = (
            ("left" if decoded.row_direction[0] == "A" else "right"),
            "patient_orientation",
        )
    if side is None and crop_mask is not None:
        side = chest_wall_side_from_mask(crop_mask)
        source = "image" if side else source
    if side is None and decoded.metadata.laterality is not Laterality.UNKNOWN:
        # Standard display: a left breast has its chest wall on the left of the image.
        side = "left" if decoded.metadata.laterality is Laterality.LEFT else "right"
        source = "laterality"
    side = side or "left"
    return Orientation(chest_wall_side=side, source=source, flipped=side == "right")


def _fit_scale(shape: tuple[int, ...], target: tuple[int, int]) -> float:
    """The aspect-preserving scale that makes ``shape`` fit ``target``."""
    return min(target[0] / shape[0], target[1] / shape[1])


def _fit(pixels: np.ndarray, target: tuple[int, int]) -> tuple[np.ndarray, GridTransform]:
    """Resize keeping the aspect ratio so the image fits ``target``, then pad right/bottom."""
    rows, columns = pixels.shape
    scale = _fit_scale(pixels.shape, target)
    size = (
        max(1, min(target[0], round(rows * scale))),
        max(1, min(target[1], round(columns * scale))),
    )
    transform = GridTransform.resize((rows, columns), size)
    if size != (rows, columns):
        resampled = Image.fromarray(np.ascontiguousarray(pixels, dtype=np.float32)).resize(
            (size[1], size[0]), Image.Resampling.BILINEAR
        )
        pixels = np.asarray(resampled, dtype=np.float32)
    canvas = np.zeros(target, dtype=np.float32)
    canvas[: size[0], : size[1]] = pixels
    return canvas, transform.then(GridTransform.pad(size, target))
