"""DICOM Part 10 decoding with pydicom and the pylibjpeg plugins.

Order of operations follows PS3.3 C.11 (Modality LUT, then VOI LUT/window), then MONOCHROME1
inversion, so that every DICOM image reaches the models as [0, 1] intensities where bright means
dense tissue, whichever scanner, bit depth or photometric interpretation produced it.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.pixels import apply_modality_lut, apply_voi_lut

from mammocad.ingest.decoded import DecodedImage
from mammocad.ingest.errors import (
    ColourImageError,
    CorruptImageError,
    EmptyInputError,
    ImageTooLargeError,
    MissingPixelDataError,
    UndecodableTransferSyntaxError,
    UnsupportedImageError,
)
from mammocad.ingest.metadata import ImageMetadata
from mammocad.vocabulary import Laterality, View

__all__ = ["decode_dicom"]

_PIXEL_KEYWORDS = ("PixelData", "FloatPixelData", "DoubleFloatPixelData")
# SNOMED CT and the legacy SNOMED-RT (SRT) codes of the two screening views (DICOM CID 4014).
_VIEW_CODES = {
    "399162004": View.CC,
    "R-10242": View.CC,
    "399368009": View.MLO,
    "R-10226": View.MLO,
}
_VIEW_POSITIONS = {"CC": View.CC, "MLO": View.MLO}


def decode_dicom(data: bytes, *, max_pixels: int) -> DecodedImage:
    """Decode a DICOM Part 10 file held in memory.

    Args:
        data: the whole file.
        max_pixels: refuse images whose decoded size (rows x columns x frames x samples) is
            larger, before decoding a single pixel.

    Raises:
        CorruptImageError, MissingPixelDataError, UndecodableTransferSyntaxError,
        ColourImageError, UnsupportedImageError, ImageTooLargeError, EmptyInputError.
    """
    ds = _read_dataset(data)
    _check_layout(ds, max_pixels)
    stored = _decode_pixels(ds)
    if stored.ndim == 3:
        stored = _grey_from_identical_channels(stored)
    pixels = _to_unit_range(stored, ds)
    metadata = _metadata(ds, stored)
    orientation = ds.get("PatientOrientation")
    row_direction = str(orientation[0]).upper() if orientation and len(orientation) == 2 else None
    return DecodedImage(pixels=pixels, metadata=metadata, row_direction=row_direction)


def _read_dataset(data: bytes) -> Dataset:
    try:
        ds = pydicom.dcmread(io.BytesIO(data), force=False)
    except InvalidDicomError as exc:
        raise CorruptImageError(f"not a valid DICOM Part 10 file: {exc}") from exc
    except Exception as exc:  # pydicom raises many types on truncated or malformed input
        raise CorruptImageError(
            f"DICOM file is truncated or malformed ({type(exc).__name__})"
        ) from exc
    if not any(keyword in ds for keyword in _PIXEL_KEYWORDS):
        sop_class = ds.get("SOPClassUID")
        kind = f" ({sop_class.name})" if sop_class is not None else ""
        raise MissingPixelDataError(f"the DICOM object{kind} has no Pixel Data")
    if "PixelData" not in ds:
        raise UnsupportedImageError("float pixel data is not a mammogram encoding mammocad accepts")
    return ds


def _check_layout(ds: Dataset, max_pixels: int) -> None:
    try:
        rows, columns = int(ds.Rows), int(ds.Columns)
        frames = int(ds.get("NumberOfFrames", 1) or 1)
        samples = int(ds.get("SamplesPerPixel", 1) or 1)
        bits_allocated = int(ds.BitsAllocated)
    except (AttributeError, TypeError, ValueError) as exc:
        raise CorruptImageError(
            "DICOM image pixel module is incomplete (Rows, Columns, BitsAllocated)"
        ) from exc
    if rows <= 0 or columns <= 0:
        raise EmptyInputError(f"DICOM image has {rows} rows and {columns} columns")
    if rows * columns * frames * samples > max_pixels:
        raise ImageTooLargeError(
            f"decoded image would be {rows} x {columns} x {frames} frame(s) x {samples} "
            f"sample(s), above the limit of {max_pixels} pixels"
        )
    if frames != 1:
        raise UnsupportedImageError(
            f"multi-frame images ({frames} frames, e.g. tomosynthesis) are not supported; "
            "send a 2D mammogram"
        )
    if samples not in (1, 3):
        raise UnsupportedImageError(f"{samples} samples per pixel is not a supported layout")
    if bits_allocated not in (8, 16, 32):
        raise UnsupportedImageError(f"BitsAllocated {bits_allocated} is not supported")


def _decode_pixels(ds: Dataset) -> np.ndarray:
    syntax = ds.file_meta.get("TransferSyntaxUID") if hasattr(ds, "file_meta") else None
    try:
        return ds.pixel_array
    except Exception as exc:  # each decoder plugin raises its own exception types
        if syntax is not None and syntax.is_compressed:
            raise UndecodableTransferSyntaxError(
                f"pixel data in transfer syntax {syntax.name} ({syntax}) could not be decoded by "
                "any installed decoder; send it uncompressed (Explicit VR Little Endian), "
                "JPEG 2000, JPEG-LS or RLE"
            ) from exc
        raise CorruptImageError(f"pixel data could not be read: {_short(exc)}") from exc


def _grey_from_identical_channels(stored: np.ndarray) -> np.ndarray:
    """Accept greyscale stored as RGB (a common export); refuse real colour."""
    first = stored[..., 0]
    if np.array_equal(first, stored[..., 1]) and np.array_equal(first, stored[..., 2]):
        return first
    raise ColourImageError("the DICOM image is in colour; mammocad expects a greyscale mammogram")


def _to_unit_range(stored: np.ndarray, ds: Dataset) -> np.ndarray:
    """Modality LUT -> VOI LUT/window -> [0, 1] by the output range -> MONOCHROME1 inversion.

    For integer pixels the whole chain is evaluated once per distinct stored value (at most
    65536 of them) and then looked up, which keeps pydicom's exact LUT and windowing semantics
    while costing one indexing pass over a 14-megapixel mammogram instead of several float64
    passes.
    """
    if np.issubdtype(stored.dtype, np.integer) and stored.dtype.itemsize <= 2:
        first = int(stored.min())
        domain = np.arange(first, int(stored.max()) + 1, dtype=np.int64)
        table = _intensity_curve(domain, ds)
        return table[stored.astype(np.int64) - first]
    return _intensity_curve(stored, ds)


def _intensity_curve(values: np.ndarray, ds: Dataset) -> np.ndarray:
    photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2")).upper()
    if not photometric.startswith("MONO"):  # grey stored as colour: values are display values
        low, high = 0.0, float(2 ** int(ds.get("BitsStored", 8)) - 1)
        out = values.astype(np.float64)
    else:
        out = apply_modality_lut(values, ds)
        if "VOILUTSequence" in ds or "WindowCenter" in ds:
            if "VOILUTSequence" in ds and not np.issubdtype(out.dtype, np.integer):
                out = np.rint(out).astype(np.int64)  # a LUT is indexed by integers
            out = apply_voi_lut(out, ds, index=0)
            low, high = _voi_output_range(ds)
        else:
            low, high = _modality_output_range(ds)
        out = np.asarray(out, dtype=np.float64)
    span = high - low if high > low and np.isfinite(high - low) else 1.0
    with np.errstate(invalid="ignore", over="ignore"):
        unit = np.clip((out - low) / span, 0.0, 1.0).astype(np.float32)
    if not np.isfinite(unit).all():
        # A Rescale Slope/Intercept or window so large that the intensities overflow: the file
        # says nothing usable about its intensities, and the model must never see NaN.
        raise CorruptImageError(
            "the modality or VOI LUT of the DICOM file (Rescale Slope/Intercept, window) "
            "turns its pixel values into non-finite numbers"
        )
    return 1.0 - unit if photometric == "MONOCHROME1" else unit


def _stored_range(ds: Dataset) -> tuple[float, float]:
    bits = int(ds.get("BitsStored", ds.BitsAllocated))
    if int(ds.get("PixelRepresentation", 0)) == 1:
        return -(2.0 ** (bits - 1)), 2.0 ** (bits - 1) - 1
    return 0.0, 2.0**bits - 1


def _modality_output_range(ds: Dataset) -> tuple[float, float]:
    if "ModalityLUTSequence" in ds:
        descriptor = ds.ModalityLUTSequence[0].LUTDescriptor
        return 0.0, 2.0 ** int(descriptor[2]) - 1
    low, high = _stored_range(ds)
    slope = float(ds.get("RescaleSlope", 1) or 1)
    intercept = float(ds.get("RescaleIntercept", 0) or 0)
    ends = sorted((low * slope + intercept, high * slope + intercept))
    return ends[0], ends[1]


def _voi_output_range(ds: Dataset) -> tuple[float, float]:
    """The range pydicom's ``apply_voi_lut`` maps into (see its windowing docs)."""
    if "VOILUTSequence" in ds:
        descriptor = ds.VOILUTSequence[0].LUTDescriptor
        return 0.0, 2.0 ** int(descriptor[2]) - 1
    return _modality_output_range(ds)


def _metadata(ds: Dataset, stored: np.ndarray) -> ImageMetadata:
    laterality, laterality_source = _laterality(ds)
    syntax = ds.file_meta.get("TransferSyntaxUID") if hasattr(ds, "file_meta") else None
    return ImageMetadata(
        source_format="dicom",
        rows=int(stored.shape[0]),
        columns=int(stored.shape[1]),
        bits_stored=int(ds.get("BitsStored", ds.BitsAllocated)),
        photometric_interpretation=str(ds.get("PhotometricInterpretation", "MONOCHROME2")),
        laterality=laterality,
        laterality_source=laterality_source,
        view=_view(ds),
        modality=_text(ds.get("Modality")),
        presentation_intent=_text(ds.get("PresentationIntentType")),
        manufacturer=_text(ds.get("Manufacturer")),
        pixel_spacing_mm=_spacing(ds),
        sop_instance_uid=_text(ds.get("SOPInstanceUID")),
        sop_class_uid=_text(ds.get("SOPClassUID")),
        transfer_syntax_uid=_text(syntax),
    )


def _laterality(ds: Dataset) -> tuple[Laterality, str | None]:
    """ImageLaterality, then (series) Laterality, then words in the View Code Sequence."""
    for keyword in ("ImageLaterality", "Laterality"):
        value = str(ds.get(keyword, "") or "").strip().upper()
        if value in ("L", "R"):
            return Laterality(value), keyword
    for item in ds.get("ViewCodeSequence", []) or []:
        meaning = str(item.get("CodeMeaning", "")).lower()
        words = set(meaning.replace("-", " ").split())
        if "left" in words:
            return Laterality.LEFT, "ViewCodeSequence"
        if "right" in words:
            return Laterality.RIGHT, "ViewCodeSequence"
    return Laterality.UNKNOWN, None


def _view(ds: Dataset) -> View:
    """ViewPosition, then the View Code Sequence (codes from CID 4014, then its meaning)."""
    position = str(ds.get("ViewPosition", "") or "").strip().upper()
    if position:
        return _VIEW_POSITIONS.get(position, View.OTHER)
    for item in ds.get("ViewCodeSequence", []) or []:
        code = str(item.get("CodeValue", "")).strip()
        if code in _VIEW_CODES:
            return _VIEW_CODES[code]
        meaning = str(item.get("CodeMeaning", "")).lower().replace("-", "").replace(" ", "")
        if "craniocaudal" in meaning:
            return View.CC
        if "mediolateraloblique" in meaning:
            return View.MLO
        return View.OTHER
    return View.UNKNOWN


def _spacing(ds: Dataset) -> tuple[float, float] | None:
    for keyword in ("PixelSpacing", "ImagerPixelSpacing"):
        value = ds.get(keyword)
        if value is not None and len(value) == 2:
            try:
                return float(value[0]), float(value[1])
            except (TypeError, ValueError):
                return None
    return None


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
