"""Write a synthetic case as a greyscale PNG, for tools and people that do not read DICOM.

PNG has no photometric interpretation, so pixels are always written in MONOCHROME2 sense (dense
tissue bright): a MONOCHROME1 profile is inverted on the way out. Values are NOT rescaled: a
12-bit profile gives a 16-bit PNG whose values stay within 0..4095, so the vendor's value range,
part of the domain shift, survives the format. 8-bit profiles give 8-bit PNGs.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from mammocad.synthetic.case import SyntheticCase

__all__ = ["write_png"]

_COMPRESSION = 1
"""zlib level: noisy 16-bit pixels barely compress, so the fastest level costs little size."""


def write_png(case: SyntheticCase, path: Path) -> Path:
    """Write ``case`` to ``path`` (parents created) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(case.monochrome2()).save(path, format="PNG", compress_level=_COMPRESSION)
    return path
