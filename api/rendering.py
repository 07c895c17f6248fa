"""An image's display pixels for a viewer: the answer of ``POST /v1/render`` and of the study
instance render, built once here for both.

A browser cannot decode a DICOM, and an 8-bit PNG of a mammogram throws away most of the
contrast steps a radiologist windows into, so the answer is the decoded image (after the modality
LUT, the VOI LUT or window, and MONOCHROME1 inversion: exactly what the models are given) as
16-bit values, downscaled to :func:`~mammocad.heatmaps.display_shape` like ``/v1/explain``'s
heatmaps, so a heatmap of the same ``max_side`` lies on it pixel for pixel.
"""

from __future__ import annotations

import base64
import time
from typing import Annotated

import numpy as np
from fastapi import Query
from PIL import Image

from api.schemas import RenderResponse
from mammocad.heatmaps import display_shape
from mammocad.ingest.pipeline import decode_bytes

__all__ = ["MaxSideQuery", "render_display"]

MaxSideQuery = Annotated[
    int, Query(ge=64, le=8192, description="longest side of the rendered pixels")
]
"""The ``max_side`` of every render route (the default is each route's)."""


def render_display(
    data: bytes, *, max_pixels: int, max_side: int, request_id: str
) -> RenderResponse:
    """The display pixels of the image in ``data`` (CPU work: call it from a worker thread).

    Raises:
        IngestError: any subclass, as an upload of ``data`` would get (413, 415, 422).
    """
    started = time.perf_counter()
    decoded = decode_bytes(data, max_pixels)
    rows, cols = decoded.pixels.shape
    out_rows, out_cols = display_shape((rows, cols), max_side)
    pixels = decoded.pixels
    if (out_rows, out_cols) != (rows, cols):  # area average: no aliasing of fine structure
        pixels = np.asarray(
            Image.fromarray(pixels.astype(np.float32), mode="F").resize(
                (out_cols, out_rows), Image.Resampling.BOX
            )
        )
    values = np.round(np.clip(pixels, 0.0, 1.0) * 65535).astype("<u2")
    return RenderResponse(
        request_id=request_id,
        image=decoded.metadata,
        width=out_cols,
        height=out_rows,
        scale_x=cols / out_cols,
        scale_y=rows / out_rows,
        pixels_base64=base64.b64encode(values.tobytes()).decode("ascii"),
        timing_ms=round((time.perf_counter() - started) * 1000, 1),
    )
