"""What ingest keeps about an image: technical metadata only, never identifying data.

The fields are those a CAD answer and the out-of-distribution gate need (modality, view,
laterality, presentation intent, manufacturer, spacing, bit depth, photometric interpretation) plus
the SOP Instance UID so a viewer can match the answer to its image. Patient name, id, birth date,
institution and free text are never read into this model, so they cannot leak into logs or answers.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mammocad.vocabulary import Laterality, View

__all__ = ["ChestWallSource", "ImageMetadata", "Orientation", "SourceFormat"]

SourceFormat = Literal["dicom", "png", "pgm", "jpeg"]
ChestWallSource = Literal["patient_orientation", "image", "laterality", "default"]


class ImageMetadata(BaseModel):
    """Technical description of an ingested image as it was received."""

    model_config = ConfigDict(frozen=True)

    source_format: SourceFormat
    rows: int = Field(description="rows of the original pixel grid")
    columns: int = Field(description="columns of the original pixel grid")
    bits_stored: int
    photometric_interpretation: str = Field(
        description="as received; pixels are always delivered MONOCHROME2 (bright = dense)"
    )
    laterality: Laterality = Laterality.UNKNOWN
    laterality_source: str | None = Field(
        default=None, description="header attribute the laterality was read from"
    )
    view: View = View.UNKNOWN
    modality: str | None = None
    presentation_intent: str | None = None
    manufacturer: str | None = None
    pixel_spacing_mm: tuple[float, float] | None = Field(
        default=None, description="(row, column) spacing in mm"
    )
    sop_instance_uid: str | None = None
    sop_class_uid: str | None = None
    transfer_syntax_uid: str | None = None


class Orientation(BaseModel):
    """How ingest oriented the image so that the chest wall is always on the left of the grid."""

    model_config = ConfigDict(frozen=True)

    chest_wall_side: Literal["left", "right"] = Field(
        description="side of the ORIGINAL image where the chest wall is"
    )
    source: ChestWallSource = Field(description="what decided the chest-wall side")
    flipped: bool = Field(description="True if the model grid is mirrored left-right")
