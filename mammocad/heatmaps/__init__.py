"""Explanation heatmaps in the original image's geometry, for a CAD viewer and for PACS.

Services explain on their model grid (cropped, mirrored, resized, padded). The gateway turns
that cell map into what a reader can check against the image they know: a map on the original
pixel grid (:func:`to_original_geometry`, :func:`peak_in_original`), PNGs of it and of a colour
overlay (:mod:`.render`), and a DICOM Secondary Capture in the source's study
(:func:`secondary_capture`). Only numpy, scipy, Pillow, matplotlib's colormaps, pydicom and
highdicom are used: the gateway must never import torch, so nothing here does.
"""

from mammocad.heatmaps.geometry import (
    OriginalMap,
    display_shape,
    peak_in_original,
    restrict_to_content,
    to_original_geometry,
)
from mammocad.heatmaps.render import grey_png, overlay_rgb, png_bytes
from mammocad.heatmaps.secondary_capture import secondary_capture

__all__ = [
    "OriginalMap",
    "display_shape",
    "grey_png",
    "overlay_rgb",
    "peak_in_original",
    "png_bytes",
    "restrict_to_content",
    "secondary_capture",
    "to_original_geometry",
]
