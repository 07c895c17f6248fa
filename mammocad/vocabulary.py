"""Controlled vocabularies shared by ingest, data sets and the API.

Kept in one place so that a laterality read from a DICOM header, a label parsed from mini-MIAS and
a field in an API answer are the same type.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Label", "Laterality", "LesionKind", "View"]


class Laterality(StrEnum):
    """Which breast: DICOM ImageLaterality codes."""

    LEFT = "L"
    RIGHT = "R"
    UNKNOWN = "U"


class View(StrEnum):
    """Mammographic projection (DICOM ViewPosition codes)."""

    CC = "CC"
    MLO = "MLO"
    OTHER = "OTHER"
    UNKNOWN = "UNKNOWN"


class Label(StrEnum):
    """Image-level ground truth: the worst finding in the image."""

    NORMAL = "normal"
    BENIGN = "benign"
    MALIGNANT = "malignant"

    @property
    def severity(self) -> int:
        """Order used to pick the worst finding (normal < benign < malignant)."""
        return _SEVERITY[self]


_SEVERITY = {Label.NORMAL: 0, Label.BENIGN: 1, Label.MALIGNANT: 2}


class LesionKind(StrEnum):
    """Kinds of abnormality, after the mini-MIAS classes (which CBIS-DDSM/VinDr also map onto)."""

    CALCIFICATION = "calcification"
    CIRCUMSCRIBED_MASS = "circumscribed_mass"
    SPICULATED_MASS = "spiculated_mass"
    ILL_DEFINED_MASS = "ill_defined_mass"
    ARCHITECTURAL_DISTORTION = "architectural_distortion"
    ASYMMETRY = "asymmetry"

    @property
    def is_mass(self) -> bool:
        """Masses are what the detector is trained and evaluated on."""
        return self in _MASSES


_MASSES = {
    LesionKind.CIRCUMSCRIBED_MASS,
    LesionKind.SPICULATED_MASS,
    LesionKind.ILL_DEFINED_MASS,
}
