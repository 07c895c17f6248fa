"""Public response schemas of the gateway.

They reuse the shared, already-public models of ``mammocad.ingest`` (technical metadata only) and
never expose internal objects such as pixel arrays.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from mammocad.geometry import GridTransform
from mammocad.ingest.metadata import ImageMetadata, Orientation

__all__ = ["InspectResponse", "Liveness", "ModelGrid", "RenderResponse"]


class Liveness(BaseModel):
    """The process is up and serving HTTP."""

    status: str = "ok"
    version: str


class ModelGrid(BaseModel):
    """Size of the model-ready image ingest produced."""

    rows: int
    columns: int


class InspectResponse(BaseModel):
    """How mammocad reads an uploaded image, before any model sees it."""

    request_id: str
    image: ImageMetadata
    orientation: Orientation
    breast_found: bool = Field(description="False: no breast-like region, nothing was cropped")
    breast_box: tuple[int, int, int, int] = Field(
        description="[x0, y0, x1, y1] of the breast region in ORIGINAL pixel coordinates "
        "(x right, y down, origin top-left)"
    )
    model_grid: ModelGrid
    transform: GridTransform = Field(
        description="original -> model grid map: model = scale * original + offset per axis"
    )
    timing_ms: float


class RenderResponse(BaseModel):
    """The uploaded image as a viewer draws it: 16-bit grey display values in the original
    geometry, so the viewer's window and level act on the image's own contrast steps rather
    than on an 8-bit picture of them."""

    request_id: str
    image: ImageMetadata
    width: int = Field(description="columns of the rendered pixels")
    height: int = Field(description="rows of the rendered pixels")
    scale_x: float = Field(description="original pixels per rendered pixel along x (1: full size)")
    scale_y: float = Field(description="original pixels per rendered pixel along y (1: full size)")
    pixels_base64: str = Field(
        description="height x width little-endian uint16, row by row: 0 black, 65535 white "
        "(MONOCHROME2 sense, after the DICOM modality LUT, VOI LUT or window and any "
        "MONOCHROME1 inversion); the same geometry as /v1/explain's heatmap PNGs at the same "
        "max_side"
    )
    timing_ms: float
