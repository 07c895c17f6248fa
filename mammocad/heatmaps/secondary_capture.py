"""The heatmap overlay as a DICOM Secondary Capture image in the source image's study.

A PACS viewer shows it next to the mammogram it explains: same patient and study, its own new
series, a Source Image Sequence pointing at the explained image, and comments saying that it
is material for review, not a diagnosis. Like every object mammocad writes, it carries the
source's patient and study and none of the source's site or unit identifiers. The overlay has
the original image's geometry, so the source's Patient Orientation applies to it unchanged.
"""

from __future__ import annotations

import io

import highdicom
import numpy as np
import pydicom
from highdicom.sc import SCImage
from pydicom.dataset import Dataset
from pydicom.uid import ExplicitVRLittleEndian

from mammocad.reports.equipment import without_site_identifiers
from mammocad.reports.source import with_type2_present

__all__ = ["secondary_capture"]

_MANUFACTURER = "mammocad"
_IMAGE_COMMENTS = "heatmap overlay for review; not a diagnosis"
_LO_MAX, _ST_MAX = 64, 1024
# DCM 121322: the referenced image is the input of the processing that made this one.
_PURPOSE = ("121322", "DCM", "Source image for image processing operation")


def secondary_capture(
    source: pydicom.Dataset,
    rgb: np.ndarray,
    *,
    series_description: str,
    derivation_description: str,
    software_version: str,
    series_number: int = 9901,
    instance_number: int = 1,
) -> bytes:
    """A DICOM Part 10 Secondary Capture of an RGB overlay of ``source``.

    Args:
        source: the explained image (its header is enough; pixels are not read).
        rgb: uint8 ``(H, W, 3)`` overlay in the source's geometry (possibly downscaled).
        series_description: Series Description (LO, cut to 64 characters).
        derivation_description: how the overlay was made (ST, cut to 1024 characters).
        software_version: the producing software's version (Software Versions).
        series_number: Series Number of the new series.
        instance_number: Instance Number within it.

    Returns:
        The bytes of the file (explicit VR little endian, with the Part 10 preamble).

    Raises:
        ValueError: the source lacks Study or SOP Instance UID, or ``rgb`` is not uint8
            ``(H, W, 3)``.
    """
    for keyword in ("StudyInstanceUID", "SOPInstanceUID", "SOPClassUID"):
        if not str(source.get(keyword, "") or ""):
            raise ValueError(f"source dataset has no {keyword}: cannot place the overlay")
    arr = np.asarray(rgb)
    if arr.dtype != np.uint8 or arr.ndim != 3 or arr.shape[2] != 3 or 0 in arr.shape:
        raise ValueError(f"rgb must be uint8 (H, W, 3), got {arr.dtype} {arr.shape}")

    laterality = str(source.get("Laterality", "") or source.get("ImageLaterality", "") or "")
    sc = SCImage.from_ref_dataset(
        ref_dataset=with_type2_present(source),
        pixel_array=np.ascontiguousarray(arr),
        photometric_interpretation="RGB",
        bits_allocated=8,
        # highdicom accepts only "PATIENT" (then it requires a Patient Orientation, and only of
        # single-letter values, which rules out mammography's "FL"/"FR") or "SLIDE". A
        # placeholder passes its check; the source's real value replaces it below.
        coordinate_system="PATIENT",
        patient_orientation=("A", "F"),
        laterality=laterality if laterality in ("L", "R") else None,
        series_instance_uid=highdicom.UID(),
        series_number=series_number,
        sop_instance_uid=highdicom.UID(),
        instance_number=instance_number,
        manufacturer=_MANUFACTURER,
        transfer_syntax_uid=ExplicitVRLittleEndian,
        series_description=series_description[:_LO_MAX],
        software_versions=software_version[:_LO_MAX],
    )
    orientation = source.get("PatientOrientation")
    # Type 2: present but empty when the source does not say. highdicom's own assignment types
    # the attribute list[str]; pydicom takes "" as the empty value.
    value = list(orientation) if orientation is not None and len(orientation) == 2 else ""
    sc.PatientOrientation = value  # type: ignore[assignment]  # "" is DICOM's empty value
    sc.SourceImageSequence = [_source_reference(source)]
    sc.DerivationDescription = derivation_description[:_ST_MAX]
    sc.ImageComments = _IMAGE_COMMENTS
    without_site_identifiers(sc)

    buffer = io.BytesIO()
    pydicom.dcmwrite(buffer, sc, enforce_file_format=True)
    return buffer.getvalue()


def _source_reference(source: Dataset) -> Dataset:
    item = Dataset()
    item.ReferencedSOPClassUID = source.SOPClassUID
    item.ReferencedSOPInstanceUID = source.SOPInstanceUID
    purpose = Dataset()
    purpose.CodeValue, purpose.CodingSchemeDesignator, purpose.CodeMeaning = _PURPOSE
    item.PurposeOfReferenceCodeSequence = [purpose]
    return item
