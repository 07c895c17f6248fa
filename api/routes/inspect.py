"""An upload read without running a model: ``POST /v1/inspect`` and ``POST /v1/render``.

Integrators use ``/v1/inspect`` to check that their DICOM is accepted and read as they expect
(laterality, view, orientation, the breast region) before they rely on model answers about it.

``/v1/render`` answers the decoded image's display pixels for a viewer's window and level
(:mod:`api.rendering`: 16-bit values, downscaled like ``/v1/explain``'s heatmaps, so a heatmap of
the same ``max_side`` lies on it pixel for pixel).
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from api.auth import ACCESS_PROBLEMS, require_scope
from api.rendering import MaxSideQuery, render_display
from api.schemas import InspectResponse, ModelGrid, RenderResponse
from api.settings import GatewaySettings, get_settings
from api.upload import UPLOAD_REQUEST_BODY, UploadDep
from mammocad.errors import PROBLEM_MEDIA_TYPE
from mammocad.ingest.pipeline import IngestOptions, ingest_bytes

__all__ = ["router"]

router = APIRouter(
    prefix="/v1",
    tags=["ingest"],
    dependencies=[Depends(require_scope("inference"))],
    responses=ACCESS_PROBLEMS,
)

_PROBLEM: dict[str, Any] = {"content": {PROBLEM_MEDIA_TYPE: {}}}
_REFUSALS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Empty upload or malformed request", **_PROBLEM},
    413: {"description": "Upload or decoded image too large", **_PROBLEM},
    415: {
        "description": "Not DICOM/PNG/PGM/JPEG, or undecodable DICOM compression",
        **_PROBLEM,
    },
    422: {"description": "Corrupt image, no pixel data, colour image", **_PROBLEM},
}


@router.post(
    "/inspect",
    response_model=InspectResponse,
    summary="Read an image the way the models will see it",
    openapi_extra={"requestBody": UPLOAD_REQUEST_BODY},
    responses=_REFUSALS,
)
def inspect_image(
    request: Request,
    upload: UploadDep,
    settings: Annotated[GatewaySettings, Depends(get_settings)],
) -> InspectResponse:
    """Ingest the upload and describe the result: metadata, orientation, breast region and the
    exact map from original pixels to the model grid. Runs in a worker thread (sync ``def``) so
    decoding a large DICOM never blocks the event loop."""
    started = time.perf_counter()
    ingested = ingest_bytes(upload.data, IngestOptions(max_pixels=settings.max_image_pixels))
    rows, columns = ingested.pixels.shape
    return InspectResponse(
        request_id=request.state.request_id,
        image=ingested.metadata,
        orientation=ingested.orientation,
        breast_found=ingested.breast_found,
        breast_box=ingested.breast_box,
        model_grid=ModelGrid(rows=rows, columns=columns),
        transform=ingested.transform,
        timing_ms=round((time.perf_counter() - started) * 1000, 1),
    )


@router.post(
    "/render",
    response_model=RenderResponse,
    summary="The image's 16-bit display pixels, for window and level in a viewer",
    openapi_extra={"requestBody": UPLOAD_REQUEST_BODY},
    responses=_REFUSALS,
)
def render_image(
    request: Request,
    upload: UploadDep,
    settings: Annotated[GatewaySettings, Depends(get_settings)],
    max_side: MaxSideQuery = 2048,
) -> RenderResponse:
    """Decode the upload and answer its display pixels (a worker thread: sync ``def``)."""
    return render_display(
        upload.data,
        max_pixels=settings.max_image_pixels,
        max_side=max_side,
        request_id=request.state.request_id,
    )
