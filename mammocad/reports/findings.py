"""What one image's analysis found, in the terms every DICOM report of mammocad is built from.

The gateway turns its JSON answers into these records, and each DICOM writer
(:mod:`.measurement_report` for TID 1500, :mod:`.mammography_cad` for TID 4000,
:mod:`.parametric_map` for heatmaps) reads them. Keeping them here, free of the gateway's
schemas, lets ``mammocad`` stay the bottom layer and makes every writer say the same thing:
which registered model version answered, what it found where, at which validated operating
point, and whether the input looked unlike its training images.

Coordinates are the ORIGINAL image's pixels with the origin at the top-left corner of the
top-left pixel, x to the right and y down: exactly DICOM's SCOORD convention (the centre of the
top-left pixel is 0.5, 0.5), so boxes are written unchanged.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydicom.dataset import Dataset

__all__ = [
    "AlgorithmUsed",
    "ImageClassification",
    "ImageDetection",
    "ImageFindings",
    "MassFinding",
    "ShiftAssessment",
]


@dataclass(frozen=True)
class AlgorithmUsed:
    """One registered model version, as DICOM identifies an algorithm (TID 4019) and the
    equipment that contributed to a derived object (IHE AI Results).

    Attributes:
        model_name: the registry's model name (e.g. ``classifier``).
        version: the registry's version number.
        task: ``classify`` or ``detect``.
        artifact_sha256: the registered artifact's content hash; with name and version it makes
            the Device UID, so a new version (or a re-registered artifact) is a new device.
        software_version: the producing software, e.g. ``mammocad 0.1.0``.
        trained_on: one line on the training data, from the model card.
        synthetic_training: the version was trained on synthetic images only.
    """

    model_name: str
    version: int
    task: Literal["classify", "detect"]
    artifact_sha256: str
    software_version: str
    trained_on: str
    synthetic_training: bool = False

    @property
    def name(self) -> str:
        """Algorithm Name (TID 4019 row 1)."""
        return f"mammocad {self.model_name}"

    @property
    def version_text(self) -> str:
        """Algorithm Version (TID 4019 row 2): the registry version that answered."""
        return str(self.version)

    @property
    def device_uid(self) -> str:
        """A UID stable for this exact version and artifact, different for any other one."""
        # A name-based (version 5) UUID under the 2.25 root: deterministic, no UID root needed.
        name = f"mammocad-model/{self.model_name}/{self.version}/{self.artifact_sha256}"
        return f"2.25.{uuid.uuid5(uuid.NAMESPACE_URL, name).int}"


@dataclass(frozen=True)
class ShiftAssessment:
    """The version's out-of-distribution verdict on the image."""

    flagged: bool
    score: float
    threshold: float
    detector: str
    reasons: Sequence[str] = ()


@dataclass(frozen=True)
class ImageClassification:
    """The classifier's image-level answer.

    Attributes:
        probabilities: ``normal``, ``benign``, ``malignant`` (sum 1; calibrated when
            ``calibrated``).
        abnormal_score: 1 - p(normal), the score the operating point applies to.
        abnormal_threshold: the version's validated operating point, or None.
        abnormal: ``abnormal_score >= abnormal_threshold``, or None without one.
    """

    algorithm: AlgorithmUsed
    probabilities: Mapping[str, float]
    abnormal_score: float
    abnormal_threshold: float | None
    abnormal: bool | None
    calibrated: bool
    ood: ShiftAssessment | None = None


@dataclass(frozen=True)
class MassFinding:
    """One detected mass: box ``(x0, y0, x1, y1)`` in original pixels, calibrated score that it
    is a mass, and its malignancy probability."""

    box: tuple[float, float, float, float]
    score: float
    malignancy: float

    @property
    def center(self) -> tuple[float, float]:
        """``(x, y)`` of the box centre."""
        x0, y0, x1, y1 = self.box
        return (x0 + x1) / 2, (y0 + y1) / 2


@dataclass(frozen=True)
class ImageDetection:
    """The detector's answer: the masses at or above its operating threshold, best first."""

    algorithm: AlgorithmUsed
    masses: Sequence[MassFinding]
    score_threshold: float | None
    calibrated: bool
    ood: ShiftAssessment | None = None


@dataclass(frozen=True)
class ImageFindings:
    """Everything reported about one source image.

    Attributes:
        source: the analysed image's header (pixels are not needed); the report belongs to its
            patient and study, and references its SOP Instance UID.
        classification: the classifier's answer, if it was asked.
        detection: the detector's answer, if it was asked.
    """

    source: Dataset
    classification: ImageClassification | None = None
    detection: ImageDetection | None = None
    algorithms: tuple[AlgorithmUsed, ...] = field(init=False)

    def __post_init__(self) -> None:
        if self.classification is None and self.detection is None:
            raise ValueError("an image report needs a classification or a detection")
        used = [part.algorithm for part in (self.classification, self.detection) if part]
        object.__setattr__(self, "algorithms", tuple(used))

    @property
    def flagged_shift(self) -> bool:
        """Any answering version flagged the image as out of distribution."""
        return any(
            part.ood is not None and part.ood.flagged
            for part in (self.classification, self.detection)
            if part is not None
        )
