"""Public response schemas of the gateway.

They reuse the shared, already-public models of ``mammocad.ingest`` (technical metadata only) and
never expose internal objects such as pixel arrays.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from mammocad.geometry import GridTransform
from mammocad.ingest.metadata import ImageMetadata, Orientation

__all__ = ["InspectResponse", "Liveness", "ModelGrid"]


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
