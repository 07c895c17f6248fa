"""The coded concepts mammocad's reports use, and the few that no standard terminology has.

Standard codes come from DICOM (DCM), SNOMED CT (SCT) and UCUM through pydicom's code
dictionary. Where no standard concept exists (the probability of a benign or of no finding, the
classifier's abnormality score and decision, the out-of-distribution verdict), a code of the
private coding scheme ``99MAMMOCAD`` is used, and every object that uses one declares the scheme
in its Coding Scheme Identification Sequence, as PS3.3 C.12.1.1.3 asks.
"""

from __future__ import annotations

from highdicom.sr import CodedConcept
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes

__all__ = [
    "ABNORMALITY_SCORE",
    "ABNORMAL_AT_OPERATING_POINT",
    "BENIGN_PROBABILITY",
    "LOCAL_SCHEME",
    "MAMMOGRAPHY_PROCEDURE",
    "MASS",
    "MASSES_AT_OPERATING_POINT",
    "NORMAL_PROBABILITY",
    "OUT_OF_DISTRIBUTION",
    "OUT_OF_DISTRIBUTION_SCORE",
    "coding_scheme_identification",
    "yes_no",
]

LOCAL_SCHEME = "99MAMMOCAD"


def _local(value: str, meaning: str) -> CodedConcept:
    return CodedConcept(value, LOCAL_SCHEME, meaning)


MAMMOGRAPHY_PROCEDURE = CodedConcept("71651007", "SCT", "Mammography")
MASS = codes.SCT.Mass  # SCT 4147007

NORMAL_PROBABILITY = _local("P-NORMAL", "Probability of no finding")
BENIGN_PROBABILITY = _local("P-BENIGN", "Probability of benign finding")
ABNORMALITY_SCORE = _local("ABN-SCORE", "Abnormality score")
ABNORMAL_AT_OPERATING_POINT = _local("ABN-AT-OP", "Abnormal at validated operating point")
MASSES_AT_OPERATING_POINT = _local("N-MASSES", "Masses at validated operating point")
OUT_OF_DISTRIBUTION = _local("OOD", "Input out of training distribution")
OUT_OF_DISTRIBUTION_SCORE = _local("OOD-SCORE", "Out-of-distribution score")


def yes_no(value: bool) -> CodedConcept:
    """SCT Yes (373066001) or No (373067005)."""
    code = codes.SCT.Yes if value else codes.SCT.No
    return CodedConcept(code.value, code.scheme_designator, code.meaning)


def coding_scheme_identification() -> Dataset:
    """The Coding Scheme Identification item that declares :data:`LOCAL_SCHEME`."""
    item = Dataset()
    item.CodingSchemeDesignator = LOCAL_SCHEME
    item.CodingSchemeName = "mammocad local concepts (no standard code exists)"
    item.CodingSchemeResponsibleOrganization = "mammocad"
    return item
