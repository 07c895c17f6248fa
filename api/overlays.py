"""An explanation drawn in the original image's geometry, for every output that shows one.

The JSON heatmaps, the Secondary Capture and the Parametric Map of ``/v1/explain``, and the
Parametric Maps the study analysis stores, all come from :func:`overlay_of`, so they show the
same evidence at the same place.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from api.inference import Answered
from mammocad.heatmaps import OriginalMap, overlay_rgb, restrict_to_content, to_original_geometry
from mammocad.schemas.inference_contract import ExplainOutcome

__all__ = ["Overlay", "overlay_of"]


@dataclass(frozen=True)
class Overlay:
    """The explanation drawn in the original geometry."""

    cells: np.ndarray  # the cell map, zero outside the region the model saw
    mapped: OriginalMap
    original: np.ndarray  # the decoded upload's pixels, in [0, 1]

    @cached_property
    def rgb(self) -> np.ndarray:
        """The colour overlay on the decoded upload, drawn on first use: a Parametric Map needs
        only the values, and drawing a 14-megapixel overlay costs more than the map itself."""
        return overlay_rgb(self.original, self.mapped.values)


def overlay_of(answered: Answered[ExplainOutcome], max_side: int) -> Overlay:
    """The map in the original geometry (only the region the model saw can hold evidence), and
    the colour overlay on the decoded upload when asked for."""
    outcome, image, original = answered.outcome, answered.image, answered.original
    if original is None:
        raise RuntimeError("explanation() keeps the decoded upload; it is missing")
    x0, y0, x1, y1 = image.breast_box
    box = (float(x0), float(y0), float(x1), float(y1))
    cells = restrict_to_content(outcome.cell_map.decode(), outcome.stride, image.transform, box)
    mapped = to_original_geometry(
        cells, outcome.stride, image.transform, max_side=max_side, content_box=box
    )
    return Overlay(cells, mapped, original.pixels)
