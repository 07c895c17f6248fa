"""The parenchyma model: a 1/f^beta field with beta about 3, whatever its elongation."""

from __future__ import annotations

import numpy as np
import pytest

from mammocad.synthetic.texture import PARENCHYMA_BETA, power_law_field


def spectral_beta(field: np.ndarray) -> float:
    """-slope of the radially averaged power spectrum in log-log, over log-spaced bands from
    2 cycles per image to near Nyquist."""
    power = np.abs(np.fft.fft2(field - field.mean())) ** 2
    rows, cols = field.shape
    radius = np.hypot(np.fft.fftfreq(rows)[:, None], np.fft.fftfreq(cols)[None, :]).ravel()
    edges = np.geomspace(2 / min(rows, cols), 0.45, 16)
    band = np.digitize(radius, edges)
    freqs, powers = [], []
    for i in range(1, len(edges)):
        chosen = band == i
        freqs.append(radius[chosen].mean())
        powers.append(power.ravel()[chosen].mean())
    slope = np.polyfit(np.log(freqs), np.log(powers), 1)[0]
    return float(-slope)


@pytest.mark.parametrize("elongation", [1.0, 2.5])
def test_parenchyma_spectrum_falls_as_f_to_minus_3(elongation: float) -> None:
    betas = [
        spectral_beta(
            power_law_field(
                (256, 256), PARENCHYMA_BETA, np.random.default_rng(seed), elongation=elongation
            )
        )
        for seed in range(3)
    ]
    assert all(2.5 <= beta <= 3.5 for beta in betas), betas


def test_the_measurement_tells_other_exponents_apart() -> None:
    beta = spectral_beta(power_law_field((256, 192), 2.0, np.random.default_rng(0)))
    assert 1.7 <= beta <= 2.3


def test_field_is_standardised_and_seeded() -> None:
    field = power_law_field((128, 96), 3.0, np.random.default_rng(1))
    assert field.dtype == np.float32 and field.shape == (128, 96)
    assert abs(float(field.mean())) < 1e-5 and abs(float(field.std()) - 1) < 1e-4
    assert np.array_equal(field, power_law_field((128, 96), 3.0, np.random.default_rng(1)))


def test_elongation_stretches_structures_along_the_rows() -> None:
    field = power_law_field((256, 256), 3.0, np.random.default_rng(2), elongation=2.5)
    along = np.abs(np.diff(field, axis=1)).mean()
    across = np.abs(np.diff(field, axis=0)).mean()
    assert along < 0.7 * across
