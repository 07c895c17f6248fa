"""Power-law random fields: the statistical model of mammographic parenchyma.

Measured mammograms have an anatomical noise power spectrum close to ``1/f**beta`` with beta near
3 (Burgess et al., Med. Phys. 2001); filtered Gaussian noise with that spectrum is the standard
way to simulate breast background that detection models find as hard as the real thing.
"""

from __future__ import annotations

import numpy as np

__all__ = ["PARENCHYMA_BETA", "power_law_field"]

PARENCHYMA_BETA = 3.0
"""Exponent of the power spectrum of breast parenchyma."""


def power_law_field(
    shape: tuple[int, int], beta: float, rng: np.random.Generator, *, elongation: float = 1.0
) -> np.ndarray:
    """A zero-mean, unit-variance Gaussian field whose power spectrum falls as ``1/f**beta``.

    Built in the Fourier domain (complex white noise times ``f**(-beta/2)``, zero at f = 0) with a
    real inverse FFT, so it costs one FFT of the image size. ``elongation`` > 1 stretches the
    structures along the rows, the way ducts and ligaments run from chest wall to nipple; it scales
    the spectrum by direction only, so the radially averaged slope stays ``-beta``.
    """
    rows, cols = shape
    fy = np.fft.fftfreq(rows).astype(np.float32)[:, None]
    fx = np.fft.rfftfreq(cols).astype(np.float32)[None, :] * np.float32(elongation)
    squared = fy * fy + fx * fx
    squared[0, 0] = np.inf  # no DC: the mean is set afterwards
    amplitude = squared ** np.float32(-beta / 4)
    noise = rng.standard_normal((2, *amplitude.shape), dtype=np.float32)
    spectrum = (noise[0] + 1j * noise[1]) * amplitude
    field = np.fft.irfft2(spectrum, s=shape).astype(np.float32, copy=False)
    field -= field.mean()
    field /= field.std()
    return field
