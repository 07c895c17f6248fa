"""Real MG headers and findings for the report writers' tests: the synthetic generator's files,
with identifying attributes a report must never carry added on request."""

from __future__ import annotations

import copy
from pathlib import Path

import pydicom
from pydicom.dataset import Dataset

from mammocad.datasets.spec import load_dataset
from mammocad.reports.findings import (
    AlgorithmUsed,
    ImageClassification,
    ImageDetection,
    MassFinding,
    ShiftAssessment,
)

__all__ = [
    "CLASSIFIER",
    "DETECTOR",
    "IDENTIFYING_EXTRAS",
    "classification",
    "detection",
    "source_headers",
    "with_identifying_extras",
]

CLASSIFIER = AlgorithmUsed("classifier", 3, "classify", "ab" * 32, "mammocad 0.1.0", "synthetic")
DETECTOR = AlgorithmUsed("detector", 2, "detect", "cd" * 32, "mammocad 0.1.0", "synthetic")

IDENTIFYING_EXTRAS = {
    "InstitutionName": "ST ELSEWHERE HOSPITAL",
    "InstitutionAddress": "1 SECRET ROAD",
    "OtherPatientIDs": "OTHER-ID-4711",
    "PatientAddress": "42 HIDDEN LANE",
    "ImageComments": "CALL MRS DOE ON 555-0100",
    "OperatorsName": "TECH^ALICE",
    "DeviceSerialNumber": "SCANNER-SN-999",
}
"""Attributes of a source image that belong to neither the patient/study a report shares nor
anything a report needs: none of their values may appear in a written object."""


def source_headers(cache_root: Path) -> list[Dataset]:
    """The four views of the first synthetic patient, headers only."""
    data = load_dataset("synthetic:2", cache_root=cache_root)
    headers: list[Dataset] = [
        pydicom.dcmread(record.path, stop_before_pixels=True) for record in data
    ]
    return headers[:4]


def with_identifying_extras(source: Dataset) -> Dataset:
    """A copy of ``source`` carrying :data:`IDENTIFYING_EXTRAS`."""
    extended = copy.deepcopy(source)
    for keyword, value in IDENTIFYING_EXTRAS.items():
        setattr(extended, keyword, value)
    return extended


def classification(*, flagged: bool = False) -> ImageClassification:
    """A classifier answer at an operating point, with an OOD verdict."""
    return ImageClassification(
        algorithm=CLASSIFIER,
        probabilities={"normal": 0.2, "benign": 0.3, "malignant": 0.5},
        abnormal_score=0.8,
        abnormal_threshold=0.4,
        abnormal=True,
        calibrated=True,
        ood=ShiftAssessment(
            flagged=flagged,
            score=5.0 if flagged else 1.0,
            threshold=3.0,
            detector="mahalanobis + header gate",
            reasons=["manufacturer 'X' not seen in training"] if flagged else [],
        ),
    )


def detection(count: int) -> ImageDetection:
    """A detector answer with ``count`` distinct masses."""
    masses = [
        MassFinding(
            box=(10.5 + 100 * i, 20.0 + 50 * i, 90.25 + 100 * i, 140.0 + 50 * i),
            score=0.9 - 0.1 * i,
            malignancy=0.7 - 0.2 * i,
        )
        for i in range(count)
    ]
    return ImageDetection(algorithm=DETECTOR, masses=masses, score_threshold=0.5, calibrated=True)
