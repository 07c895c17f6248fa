"""The ``format`` query of ``/v1/classify`` and ``/v1/detect``: the JSON answer, or the same
answer as a DICOM Structured Report for a PACS or a CAD viewer."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query

__all__ = ["REPORT_RESPONSE", "AnswerFormat"]

AnswerFormat = Annotated[
    Literal["json", "dicom-sr", "dicom-mammo-cad-sr"],
    Query(
        alias="format",
        description="json (default); dicom-sr: a Comprehensive 3D SR with the TID 1500 "
        "Measurement Report; dicom-mammo-cad-sr: a Mammography CAD SR (TID 4000). Both DICOM "
        "forms need a DICOM upload, belong to its patient and study, and are UNVERIFIED",
    ),
]

REPORT_RESPONSE: dict[str, Any] = {
    "content": {"application/dicom": {"schema": {"type": "string", "format": "binary"}}},
    "description": "format=json: the answer below; format=dicom-sr or dicom-mammo-cad-sr: the "
    "same answer as a DICOM Structured Report (X-Mammocad-Model names the model version, "
    "X-Mammocad-SOP-Instance-UID the new object)",
}
