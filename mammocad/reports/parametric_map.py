"""An explanation heatmap as a DICOM Parametric Map that references the explained mammogram.

The map's float values (0: no evidence, 1: the strongest evidence for the explained output) are
carried unchanged, with a Real World Value Mapping that says what they mean; a viewer that
understands Parametric Maps can overlay it with its own colour map and threshold, which a
Secondary Capture (:mod:`mammocad.heatmaps.secondary_capture`, the fallback for old viewers)
cannot offer.

Geometry. The Parametric Map IOD requires a Frame of Reference with plane position and
orientation; projection mammograms have none. The map therefore gets a frame of reference of its
own (a new UID, shared with nothing): the source's pixel grid, origin at the top-left corner,
rows along +y and columns along +x, and Pixel Spacing of the source scaled by the map's
downscaling, so that map pixel ``(r, c)`` covers source pixels
``[c * scale_x, (c + 1) * scale_x) x [r * scale_y, (r + 1) * scale_y)``. Spatial Locations
Preserved says YES only when the map has the source's own grid. highdicom derives all of that
from its source image argument, so it is given a copy of the source header with that geometry;
the written object references the real source by its SOP Instance UID.
"""

from __future__ import annotations

import highdicom
import numpy as np
from highdicom.pm import ParametricMap, RealWorldValueMapping
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes

from mammocad.heatmaps.geometry import OriginalMap
from mammocad.reports.equipment import (
    MANUFACTURER,
    contributing_equipment,
    without_site_identifiers,
)
from mammocad.reports.findings import AlgorithmUsed
from mammocad.reports.source import with_type2_present

__all__ = ["parametric_map"]

_IDENTITY_ORIENTATION = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
_ORIGIN = [0.0, 0.0, 0.0]
_NOMINAL_SPACING_MM = 1.0  # when the source states no spacing at all
_LO_MAX, _ST_MAX, _CS_MAX = 64, 1024, 16


def parametric_map(
    source: Dataset,
    heatmap: OriginalMap,
    *,
    algorithm: AlgorithmUsed,
    method: str,
    explained: str,
    series_instance_uid: str,
    sop_instance_uid: str,
    series_number: int,
    instance_number: int = 1,
) -> ParametricMap:
    """The Parametric Map of ``heatmap``, an explanation of ``source`` by ``algorithm``.

    Args:
        source: the explained image's header (pixels are not needed).
        heatmap: the map on the source's grid, possibly downscaled (values in [0, 1]).
        algorithm: the model version that was explained.
        method: the explanation method, e.g. ``grad-cam`` or ``shap``.
        explained: what the map is evidence for, e.g. ``malignant`` or ``mass 1``.
        series_instance_uid, sop_instance_uid, series_number, instance_number: the new object's.

    Raises:
        ValueError: the source lacks its SOP Class/Instance or Study Instance UID, or the map
            is not 2-D float values in [0, 1].
    """
    for keyword in ("StudyInstanceUID", "SOPInstanceUID", "SOPClassUID"):
        if not str(source.get(keyword, "") or ""):
            raise ValueError(f"source dataset has no {keyword}: cannot reference it")
    values = np.ascontiguousarray(heatmap.values, dtype=np.float32)
    if values.ndim != 2 or 0 in values.shape or not np.all((values >= 0) & (values <= 1)):
        raise ValueError("heatmap values must be a non-empty 2-D array in [0, 1]")

    spacing = _map_spacing(source, heatmap)
    description = (
        f"{method} evidence for {explained} from {algorithm.name} version "
        f"{algorithm.version}; 0 = none, 1 = strongest; map pixel (r, c) covers source pixels "
        f"x [{heatmap.scale_x:g} c, {heatmap.scale_x:g} (c + 1)), "
        f"y [{heatmap.scale_y:g} r, {heatmap.scale_y:g} (r + 1)); for review, not a diagnosis"
    )
    mapping = RealWorldValueMapping(
        lut_label="EVIDENCE",
        lut_explanation=f"{method} evidence for {explained}"[:_LO_MAX],
        unit=codes.UCUM.NoUnits,
        value_range=(0.0, 1.0),
        slope=1.0,
        intercept=0.0,
    )
    document = ParametricMap(
        source_images=[_with_map_geometry(source)],
        pixel_array=values,
        series_instance_uid=series_instance_uid,
        series_number=series_number,
        sop_instance_uid=sop_instance_uid,
        instance_number=instance_number,
        manufacturer=MANUFACTURER,
        manufacturer_model_name=f"{algorithm.model_name} v{algorithm.version}"[:_LO_MAX],
        software_versions=algorithm.software_version[:_LO_MAX],
        device_serial_number=algorithm.artifact_sha256[:_LO_MAX],
        contains_recognizable_visual_features=False,
        real_world_value_mappings=[mapping],
        voi_lut_transformations=[
            highdicom.VOILUTTransformation(window_center=0.5, window_width=1.0)
        ],
        content_label=method.upper().replace("-", "")[:_CS_MAX],
        content_description=f"{method} heatmap, {explained}"[:_LO_MAX],
        pixel_measures=highdicom.PixelMeasuresSequence(pixel_spacing=spacing, slice_thickness=1.0),
        plane_orientation=highdicom.PlaneOrientationSequence("PATIENT", _IDENTITY_ORIENTATION),
        plane_positions=[highdicom.PlanePositionSequence("PATIENT", _ORIGIN)],
        contributing_equipment=contributing_equipment([algorithm]),
    )
    laterality = str(source.get("ImageLaterality", "") or source.get("Laterality", "") or "")
    # General Series: Laterality is Type 2C for a paired body part (the breast).
    document.Laterality = laterality if laterality in ("L", "R") else ""
    document.SeriesDescription = f"mammocad {method} heatmap (unverified)"[:_LO_MAX]
    document.DerivationDescription = description[:_ST_MAX]
    without_site_identifiers(document)
    return document


def _source_spacing(source: Dataset) -> tuple[float, float]:
    for keyword in ("PixelSpacing", "ImagerPixelSpacing"):
        value = source.get(keyword)
        if value is not None and len(value) == 2 and all(float(v) > 0 for v in value):
            return float(value[0]), float(value[1])
    return _NOMINAL_SPACING_MM, _NOMINAL_SPACING_MM


def _map_spacing(source: Dataset, heatmap: OriginalMap) -> list[float]:
    row_spacing, column_spacing = _source_spacing(source)
    return [row_spacing * heatmap.scale_y, column_spacing * heatmap.scale_x]


def _with_map_geometry(source: Dataset) -> Dataset:
    """A copy of the source header with the map's own frame of reference (see the module
    docstring) and its absent Type 2 patient/study attributes empty; only highdicom reads it,
    the written object names the real source."""
    geometry = with_type2_present(source)
    geometry.FrameOfReferenceUID = highdicom.UID()
    geometry.ImageOrientationPatient = _IDENTITY_ORIENTATION
    geometry.ImagePositionPatient = _ORIGIN
    geometry.SliceThickness = 1.0
    geometry.PixelSpacing = list(_source_spacing(source))
    return geometry
