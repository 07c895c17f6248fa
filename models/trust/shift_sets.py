"""Inputs a model must NOT trust, made on the spot, to measure its OOD detector when it is fitted.

Far from the training distribution: images that are not mammograms at all (noise, gradients, a
blank frame, a checkerboard, smooth blobs), generated here so nothing is downloaded. Near: real
mammograms of another kind than the training ones; for a model trained on synthetic images,
synthetic images of a vendor profile it never saw; for a model trained on real films, synthetic
mammograms. (The full shift study, with pydicom's CT/MR test files and the DICOM samples, is the
``evaluate`` command's job; this is the quick measurement that every registered version carries.)
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import numpy as np
from PIL import Image

from mammocad.datasets.records import DataSet
from mammocad.datasets.spec import load_dataset

__all__ = ["near_shift_set", "non_mammograms", "training_vendors"]

_SHAPE = (512, 384)


def _png(values: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.round(np.clip(values, 0, 1) * 255).astype(np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def _patterns(rng: np.random.Generator) -> dict[str, Callable[[], np.ndarray]]:
    rows, cols = _SHAPE
    yy, xx = np.mgrid[0:rows, 0:cols] / max(rows, cols)

    def blobs() -> np.ndarray:
        spectrum = rng.normal(size=_SHAPE) + 1j * rng.normal(size=_SHAPE)
        fy, fx = np.meshgrid(np.fft.fftfreq(rows), np.fft.fftfreq(cols), indexing="ij")
        field = np.real(np.fft.ifft2(spectrum / (1e-3 + np.hypot(fy, fx) ** 2)))
        return (field - field.min()) / (np.ptp(field) or 1.0)

    return {
        "uniform noise": lambda: rng.uniform(size=_SHAPE),
        "gaussian noise": lambda: rng.normal(0.5, 0.15, _SHAPE),
        "gradient": lambda: (xx * rng.uniform(0.5, 1.5) + yy * rng.uniform(-0.5, 0.5)) % 1.0,
        "blank": lambda: np.full(_SHAPE, rng.uniform(0.2, 0.8)),
        "checkerboard": lambda: (
            ((xx * rng.integers(4, 16)).astype(int) + (yy * 8).astype(int)) % 2 * 0.8
        ),
        "smooth blobs": blobs,
    }


def non_mammograms(per_kind: int = 2, seed: int = 0) -> list[tuple[str, bytes]]:
    """``(kind, PNG bytes)`` of images that are not mammograms, ``per_kind`` of each kind."""
    rng = np.random.default_rng(seed)
    return [(kind, _png(make())) for kind, make in _patterns(rng).items() for _ in range(per_kind)]


def near_shift_set(training_data_name: str, training_vendors: tuple[str, ...]) -> DataSet:
    """Mammograms unlike the training ones (see the module docstring), 8 images."""
    if training_data_name.startswith("synthetic:"):
        unseen = next(
            v for v in ("vendor_c", "vendor_d", "vendor_a", "vendor_b") if v not in training_vendors
        )
        return load_dataset(f"synthetic:2,seed=9001,vendor={unseen}")
    return load_dataset("synthetic:2,seed=9001")


def training_vendors(data_name: str) -> tuple[str, ...]:
    """The synthetic vendor profiles a data set spec names (``vendor=a+b``; default reference)."""
    found = re.search(r"vendor=([^,]+)", data_name)
    return tuple(found.group(1).split("+")) if found else ("reference",)
