"""Acquisition: a noiseless tissue map becomes the stored pixel values of one vendor profile.

Noise is added in the exposure domain, where X-ray quantum noise lives (Poisson, variance equal
to the count, approximated as Gaussian), and only then sent through the vendor's transfer curve.
That makes the noise depend on the tissue the way it does on real detectors (denser tissue lets
fewer quanta through, so relative noise grows) and on the profile's dose.
"""

from __future__ import annotations

import numpy as np

from mammocad.synthetic.vendors import ATTENUATION_SCALE, VendorProfile

__all__ = ["acquire"]

_MIN_EXPOSURE = 1e-3
"""Floor for noisy exposure: below exp(-4) the log would only amplify noise into nonsense."""


def acquire(tissue: np.ndarray, vendor: VendorProfile, rng: np.random.Generator) -> np.ndarray:
    """Stored pixel values (``vendor.dtype``) for a tissue map with values in [0, 1]."""
    exposure = np.exp(np.float32(-ATTENUATION_SCALE) * tissue.astype(np.float32, copy=False))
    quanta_noise = rng.standard_normal(tissue.shape, dtype=np.float32)
    exposure += np.sqrt(exposure / np.float32(vendor.photons_per_pixel)) * quanta_noise
    np.maximum(exposure, np.float32(_MIN_EXPOSURE), out=exposure)
    seen = np.log(exposure) / np.float32(-ATTENUATION_SCALE)
    grey = vendor.grey_levels(seen)
    span = vendor.white_level - vendor.black_level
    fraction = np.float32(vendor.black_level) + grey * np.float32(span)
    if vendor.inverted:
        fraction = np.float32(1.0) - fraction
    stored: np.ndarray = np.rint(fraction * np.float32(vendor.max_value))
    return stored.astype(vendor.dtype)
