"""Vendor profiles: the ways real mammography systems differ, made explicit and reproducible.

A model trained on one scanner degrades on another because the same breast reaches the file as
different numbers: another intensity curve, bit depth, noise level, pixel size, inverted
photometric interpretation, raw ("for processing") instead of processed data. Each
:class:`VendorProfile` fixes one such combination so that domain-shift work can generate the SAME
anatomy (same seed) as seen by different "scanners" and measure what changes. Manufacturer names
are fictional and say SYNTH so that no file can be mistaken for a real device's output.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from mammocad.errors import InvalidInputError

__all__ = [
    "DEFAULT_VENDOR",
    "VENDOR_PROFILES",
    "Photometric",
    "PresentationIntent",
    "TransferCurve",
    "VendorProfile",
    "get_vendor",
]

ATTENUATION_SCALE = 4.0
"""Tissue value 1.0 lets exp(-4) ~ 1.8 % of the X-rays through: the scale of the exposure model."""


class TransferCurve(StrEnum):
    """How a tissue value t in [0, 1] (0 = air, 1 = densest) becomes a grey level in [0, 1]."""

    LINEAR = "linear"
    """v = t: a plain processed image."""
    LOG = "log"
    """v = log(1 + k t) / log(1 + k): lifts fat, compresses dense tissue (k = parameter)."""
    GAMMA = "gamma"
    """v = t ** g: g > 1 darkens fat, g < 1 brightens it, like a film H&D curve (g = parameter)."""
    EXPOSURE = "exposure"
    """v = 1 - exposure (normalised): raw detector data, linear in X-ray intensity."""


class PresentationIntent(StrEnum):
    """DICOM Presentation Intent Type: processed for reading, or raw for further processing."""

    PRESENTATION = "FOR PRESENTATION"
    PROCESSING = "FOR PROCESSING"


class Photometric(StrEnum):
    """DICOM Photometric Interpretation: MONOCHROME1 shows the LOWEST value as white."""

    MONOCHROME1 = "MONOCHROME1"
    MONOCHROME2 = "MONOCHROME2"


_PARAMETERISED = {TransferCurve.LOG, TransferCurve.GAMMA}
_DETECTOR_TYPES = ("DIRECT", "SCINTILLATOR", "FILM")


@dataclass(frozen=True)
class VendorProfile:
    """One fictional scanner: everything that turns a tissue map into stored pixel values.

    Attributes:
        name: short key in :data:`VENDOR_PROFILES`.
        description: one line for people choosing a profile.
        manufacturer: DICOM Manufacturer, always "MAMMOCAD SYNTH ..." (fictional, marked synthetic).
        model_name: DICOM Manufacturer's Model Name.
        intent: FOR PRESENTATION (processed) or FOR PROCESSING (raw).
        photometric: MONOCHROME2 stores dense tissue high; MONOCHROME1 stores it low.
        bits_stored: 8 to 16; 8-bit profiles allocate 8 bits, the others 16.
        curve: the intensity transfer curve.
        curve_parameter: k for LOG, the exponent for GAMMA; must be 1.0 for the other curves so
            that no profile carries a number that silently does nothing.
        photons_per_pixel: X-ray quanta reaching an unattenuated pixel; the quantum noise level
            (lower is noisier).
        black_level: stored fraction of full scale for grey level 0 (air in MONOCHROME2 sense).
        white_level: stored fraction of full scale for grey level 1.
        detector_type: DICOM Detector Type: DIRECT, SCINTILLATOR or FILM (digitised film).
        detector_pitch_mm: physical detector element spacing (DICOM Detector Element Spacing).
        field_of_view_mm: detector height imaged by the rows; the image's pixel spacing is this
            divided by the number of rows, so the same breast covers more rows on a smaller field.
        window_levels: grey levels (low, high) that a reader's window spans; None for raw data,
            which has no window. :attr:`voi_window` converts them to stored values.
    """

    name: str
    description: str
    manufacturer: str
    model_name: str
    intent: PresentationIntent
    photometric: Photometric
    bits_stored: int
    curve: TransferCurve
    curve_parameter: float
    photons_per_pixel: float
    black_level: float
    white_level: float
    detector_type: str
    detector_pitch_mm: float
    field_of_view_mm: float
    window_levels: tuple[float, float] | None

    def __post_init__(self) -> None:
        if not 8 <= self.bits_stored <= 16:
            raise ValueError(f"{self.name}: bits_stored must be 8..16, got {self.bits_stored}")
        if not 0.0 <= self.black_level < self.white_level <= 1.0:
            raise ValueError(f"{self.name}: need 0 <= black_level < white_level <= 1")
        if (self.curve in _PARAMETERISED) != (self.curve_parameter != 1.0):
            raise ValueError(
                f"{self.name}: curve_parameter must be 1.0 exactly when the "
                f"{self.curve.value} curve has no parameter"
            )
        if (self.window_levels is None) != (self.intent is PresentationIntent.PROCESSING):
            raise ValueError(f"{self.name}: presentation images need a window, raw ones none")
        if self.detector_type not in _DETECTOR_TYPES:
            raise ValueError(f"{self.name}: detector_type must be one of {_DETECTOR_TYPES}")
        if self.photons_per_pixel <= 0 or self.detector_pitch_mm <= 0 or self.field_of_view_mm <= 0:
            raise ValueError(f"{self.name}: photons, pitch and field of view must be positive")

    @property
    def bits_allocated(self) -> int:
        """8 for 8-bit profiles, else 16 (DICOM allocates whole bytes)."""
        return 8 if self.bits_stored == 8 else 16

    @property
    def max_value(self) -> int:
        """Largest storable value, 2**bits_stored - 1."""
        return (1 << self.bits_stored) - 1

    @property
    def dtype(self) -> type[np.unsignedinteger]:
        """Numpy type of the stored pixels."""
        return np.uint8 if self.bits_allocated == 8 else np.uint16

    @property
    def inverted(self) -> bool:
        """True for MONOCHROME1: stored values fall as tissue density rises."""
        return self.photometric is Photometric.MONOCHROME1

    @property
    def voi_window(self) -> tuple[float, float] | None:
        """(Window Center, Window Width) in stored values, or None for raw data."""
        if self.window_levels is None:
            return None
        low, high = (self.stored_level(level) for level in self.window_levels)
        low, high = min(low, high), max(low, high)
        return (round((low + high) / 2, 1), round(high - low, 1))

    def stored_level(self, grey: float) -> float:
        """The stored value that a grey level in [0, 1] (MONOCHROME2 sense) becomes."""
        fraction = self.black_level + grey * (self.white_level - self.black_level)
        if self.inverted:
            fraction = 1.0 - fraction
        return fraction * self.max_value

    def pixel_spacing_mm(self, rows: int) -> float:
        """Pixel spacing of an image of ``rows`` rows on this detector."""
        return self.field_of_view_mm / rows

    def grey_levels(self, tissue: np.ndarray) -> np.ndarray:
        """Apply the transfer curve to tissue values in [0, 1]; grey levels clipped to [0, 1]."""
        t: np.ndarray = np.clip(tissue, 0.0, 1.0)
        if self.curve is TransferCurve.LINEAR:
            grey = t
        elif self.curve is TransferCurve.LOG:
            grey = np.log1p(self.curve_parameter * t) / np.log1p(self.curve_parameter)
        elif self.curve is TransferCurve.GAMMA:
            grey = t**self.curve_parameter
        else:
            grey = -np.expm1(-ATTENUATION_SCALE * t) / -np.expm1(-ATTENUATION_SCALE)
        return grey.astype(np.float32, copy=False)


DEFAULT_VENDOR = "reference"

VENDOR_PROFILES: dict[str, VendorProfile] = {
    profile.name: profile
    for profile in (
        VendorProfile(
            name="reference",
            description="processed, linear, 12-bit, low noise: the default training domain",
            manufacturer="MAMMOCAD SYNTH REFERENCE",
            model_name="SYNTH-REF",
            intent=PresentationIntent.PRESENTATION,
            photometric=Photometric.MONOCHROME2,
            bits_stored=12,
            curve=TransferCurve.LINEAR,
            curve_parameter=1.0,
            photons_per_pixel=4000.0,
            black_level=0.0,
            white_level=0.95,
            detector_type="DIRECT",
            detector_pitch_mm=0.1,
            field_of_view_mm=240.0,
            window_levels=(0.25, 1.0),
        ),
        VendorProfile(
            name="vendor_a",
            description="processed, log curve, 14-bit, large field, fine pitch",
            manufacturer="MAMMOCAD SYNTH A",
            model_name="SYNTH-A14",
            intent=PresentationIntent.PRESENTATION,
            photometric=Photometric.MONOCHROME2,
            bits_stored=14,
            curve=TransferCurve.LOG,
            curve_parameter=6.0,
            photons_per_pixel=2500.0,
            black_level=0.02,
            white_level=0.98,
            detector_type="DIRECT",
            detector_pitch_mm=0.07,
            field_of_view_mm=290.0,
            window_levels=(0.45, 1.0),
        ),
        VendorProfile(
            name="vendor_b",
            description="RAW for processing, MONOCHROME1, 16-bit, linear in exposure, noisier",
            manufacturer="MAMMOCAD SYNTH B",
            model_name="SYNTH-B16RAW",
            intent=PresentationIntent.PROCESSING,
            photometric=Photometric.MONOCHROME1,
            bits_stored=16,
            curve=TransferCurve.EXPOSURE,
            curve_parameter=1.0,
            photons_per_pixel=1500.0,
            black_level=0.01,
            white_level=0.9,
            detector_type="DIRECT",
            detector_pitch_mm=0.085,
            field_of_view_mm=300.0,
            window_levels=None,
        ),
        VendorProfile(
            name="vendor_c",
            description="processed, MONOCHROME1, gamma 1.8, 10-bit, small field",
            manufacturer="MAMMOCAD SYNTH C",
            model_name="SYNTH-C10",
            intent=PresentationIntent.PRESENTATION,
            photometric=Photometric.MONOCHROME1,
            bits_stored=10,
            curve=TransferCurve.GAMMA,
            curve_parameter=1.8,
            photons_per_pixel=2000.0,
            black_level=0.0,
            white_level=1.0,
            detector_type="SCINTILLATOR",
            detector_pitch_mm=0.05,
            field_of_view_mm=180.0,
            window_levels=(0.08, 0.9),
        ),
        VendorProfile(
            name="vendor_d",
            description="digitised film: 8-bit, gamma 0.75, fogged base, grainy, 0.2 mm",
            manufacturer="MAMMOCAD SYNTH FILM",
            model_name="SYNTH-DIGITISER",
            intent=PresentationIntent.PRESENTATION,
            photometric=Photometric.MONOCHROME2,
            bits_stored=8,
            curve=TransferCurve.GAMMA,
            curve_parameter=0.75,
            photons_per_pixel=600.0,
            black_level=0.05,
            white_level=0.92,
            detector_type="FILM",
            detector_pitch_mm=0.2,
            field_of_view_mm=205.0,
            window_levels=(0.3, 1.0),
        ),
    )
}
"""All profiles by name; "reference" is the default domain."""


def get_vendor(name: str) -> VendorProfile:
    """The profile called ``name``.

    Raises:
        InvalidInputError: no profile has that name (the message lists the known ones).
    """
    try:
        return VENDOR_PROFILES[name]
    except KeyError:
        raise InvalidInputError(
            f"unknown vendor profile {name!r}; known: {', '.join(VENDOR_PROFILES)}"
        ) from None
