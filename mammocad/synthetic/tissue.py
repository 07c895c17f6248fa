"""Normal tissue: fat, fibroglandular tissue, pectoral muscle and skin as one tissue map.

Tissue values are vendor-independent attenuation in [0, 1] (0 = air), scaled by the compressed
thickness. Glandular tissue is where a power-law field exceeds a threshold chosen so that exactly
the density's share of the breast is glandular, and it keeps clear of the subcutaneous fat under
the skin, as in real breasts.
"""

from __future__ import annotations

import numpy as np

from mammocad.errors import InvalidInputError
from mammocad.synthetic.anatomy import Anatomy

__all__ = ["DENSITIES", "FAT", "GLAND", "check_density", "normal_tissue"]

DENSITIES: dict[str, float] = {"fatty": 0.1, "fibroglandular": 0.3, "dense": 0.6}
"""Breast density -> share of the breast (pectoral muscle excluded) that is glandular."""

FAT = 0.36
"""Tissue value of fat at full thickness."""
GLAND = 0.62
"""Tissue value of fibroglandular tissue at full thickness: the ceiling of normal breast tissue."""
_PECTORAL = 0.68
_PECTORAL_SLOPE = 0.05
"""The muscle is thicker, so brighter, towards the chest wall."""
_SKIN = 0.08
_SKIN_MM = 1.5
_DETAIL = 0.03
"""Weight of the raw field everywhere: the faint mottle seen even in fat."""
_SUBCUTANEOUS_MM = 10.0
"""Fat layer under the skin where glandular tissue thins out."""
_SOFTNESS = 1.6
"""Width of the fat/gland transition in field standard deviations."""


def check_density(density: str) -> float:
    """The glandular share of ``density``.

    Raises:
        InvalidInputError: ``density`` is not a key of :data:`DENSITIES`.
    """
    try:
        return DENSITIES[density]
    except KeyError:
        raise InvalidInputError(
            f"unknown breast density {density!r}; known: {', '.join(DENSITIES)}"
        ) from None


def normal_tissue(anatomy: Anatomy, field: np.ndarray, density: str) -> np.ndarray:
    """Tissue map (float32, 0 outside the breast) of the normal breast in ``anatomy``."""
    share = check_density(density)
    skin = anatomy.skin_distance
    px_mm = np.float32(1 / anatomy.spacing_mm)
    deep = np.minimum(skin * (px_mm / np.float32(_SUBCUTANEOUS_MM)), np.float32(1))
    score = field + np.float32(1.5) * (deep - np.float32(1))
    region = anatomy.breast & ~anatomy.pectoral
    sample = score[region][::7]
    threshold = np.quantile(sample, 1 - share) if sample.size else np.float32(0)
    gland = _smoothstep((score - np.float32(threshold)) / np.float32(_SOFTNESS) + np.float32(0.5))

    breast = np.float32(FAT) + np.float32(GLAND - FAT) * gland
    column = np.arange(field.shape[1], dtype=np.float32)
    muscle = np.float32(_PECTORAL) + np.float32(_PECTORAL_SLOPE) * np.clip(
        1 - column / np.float32(max(field.shape[1] * 0.4, 1)), 0, 1
    )
    cover = anatomy.pectoral_cover
    tissue: np.ndarray = (
        breast * (1 - cover) + muscle * cover + np.float32(_DETAIL) * field * (1 + cover)
    )
    tissue *= anatomy.thickness
    skin_line = np.clip(1 - skin * (px_mm / np.float32(_SKIN_MM)), 0, 1)
    tissue += np.float32(_SKIN) * skin_line * anatomy.breast
    return tissue.astype(np.float32, copy=False)


def _smoothstep(value: np.ndarray) -> np.ndarray:
    v = np.clip(value, 0, 1)
    smooth: np.ndarray = v * v * (3 - 2 * v)
    return smooth
