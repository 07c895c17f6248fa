"""The source image's header as the writers hand it to highdicom.

highdicom copies the patient and study attributes of the source into every derived object and
refuses a source that lacks one of them, although most are Type 2 (required, but may be empty)
and real headers often leave Type 2 attributes out. Adding them empty is what DICOM means by an
unknown value: nothing is invented. Type 1 identifiers (Study, Series and SOP Instance UID) are
not touched: without them a derived object cannot say what it belongs to, and the writers refuse.
"""

from __future__ import annotations

import copy

from pydicom.dataset import Dataset

__all__ = ["PATIENT_AND_STUDY", "TYPE2_PATIENT_AND_STUDY", "with_type2_present"]

PATIENT_AND_STUDY = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "StudyInstanceUID",
    "StudyDate",
    "StudyTime",
    "StudyID",
    "AccessionNumber",
    "ReferringPhysicianName",
)
"""What a derived object copies from its source to belong to the same patient and study, and
nothing else of the source."""
TYPE2_PATIENT_AND_STUDY = tuple(k for k in PATIENT_AND_STUDY if k != "StudyInstanceUID")


def with_type2_present(source: Dataset) -> Dataset:
    """A copy of ``source`` with every absent Type 2 patient/study attribute present and empty
    (``source`` itself is not changed)."""
    completed = copy.deepcopy(source)
    for keyword in TYPE2_PATIENT_AND_STUDY:
        if keyword not in completed:
            setattr(completed, keyword, "")
    return completed
