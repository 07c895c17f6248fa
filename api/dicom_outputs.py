"""The gateway's answers as DICOM objects: Structured Reports, Parametric Maps, their HTTP form.

Routes build their JSON answer first and then, for a ``format=dicom-*`` request, hand the same
answer to :mod:`mammocad.reports` through the records made here, so a DICOM object can never say
something the JSON would not: same boxes, same calibrated probabilities, same operating point,
same OOD verdict, same model version.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Literal, TypeVar

import highdicom
import pydicom
from fastapi.responses import Response
from pydicom.dataset import Dataset

import mammocad
from api.inference import Answered
from api.inference_schemas import ClassifyResponse, DetectResponse, OodAssessment
from mammocad.errors import InvalidInputError
from mammocad.heatmaps import OriginalMap
from mammocad.ingest.metadata import ImageMetadata
from mammocad.reports.findings import (
    AlgorithmUsed,
    ImageClassification,
    ImageDetection,
    ImageFindings,
    MassFinding,
    ShiftAssessment,
)
from mammocad.reports.mammography_cad import mammography_cad_report
from mammocad.reports.measurement_report import measurement_report
from mammocad.reports.parametric_map import parametric_map
from mammocad.schemas.inference_contract import ExplainOutcome
from registry import ModelVersion

__all__ = [
    "DICOM_MEDIA_TYPE",
    "ReportFormat",
    "UnusableHeaderError",
    "algorithm_used",
    "classification_findings",
    "detection_findings",
    "dicom_bytes",
    "dicom_response",
    "from_source_header",
    "heatmap_document",
    "report_document",
    "source_header",
]

T = TypeVar("T")

DICOM_MEDIA_TYPE = "application/dicom"
ReportFormat = Literal["dicom-sr", "dicom-mammo-cad-sr"]
"""``dicom-sr``: Comprehensive 3D SR, TID 1500; ``dicom-mammo-cad-sr``: Mammography CAD SR,
TID 4000."""

PARAMETRIC_MAP_SERIES_NUMBER = 9903
SR_SERIES_NUMBER = 9902
MAMMO_CAD_SERIES_NUMBER = 9904


def algorithm_used(version: ModelVersion) -> AlgorithmUsed:
    """The registered version as the algorithm and device DICOM names."""
    data = version.training.data
    scheme = data.name.split(":", 1)[0]
    trained_on = (
        f"{scheme}, {data.n_images} images of {data.n_patients} patients"
        + (" (synthetic)" if data.synthetic else "")
        + f", data fingerprint {data.fingerprint[:12]}"
    )
    return AlgorithmUsed(
        model_name=version.model_name,
        version=version.version,
        task=version.task,
        artifact_sha256=version.artifact_sha256,
        software_version=f"mammocad {mammocad.__version__}",
        trained_on=trained_on,
        synthetic_training=data.synthetic,
    )


def _shift(ood: OodAssessment | None) -> ShiftAssessment | None:
    if ood is None:
        return None
    return ShiftAssessment(
        flagged=ood.flagged,
        score=ood.score,
        threshold=ood.threshold,
        detector=ood.detector,
        reasons=tuple(ood.reasons),
    )


def classification_findings(answer: ClassifyResponse, version: ModelVersion) -> ImageClassification:
    """The classifier's JSON answer as report findings."""
    prediction = answer.prediction
    return ImageClassification(
        algorithm=algorithm_used(version),
        probabilities=answer.probabilities.model_dump(),
        abnormal_score=prediction.abnormal_score,
        abnormal_threshold=prediction.abnormal_threshold,
        abnormal=prediction.abnormal,
        calibrated=answer.calibrated,
        ood=_shift(answer.ood),
    )


def detection_findings(answer: DetectResponse, version: ModelVersion) -> ImageDetection:
    """The detector's JSON answer as report findings."""
    return ImageDetection(
        algorithm=algorithm_used(version),
        masses=[
            MassFinding(box=found.box, score=found.score, malignancy=found.malignancy)
            for found in answer.detections
        ],
        score_threshold=answer.score_threshold,
        calibrated=answer.calibrated,
        ood=_shift(answer.ood),
    )


def source_header(data: bytes, metadata: ImageMetadata, output: str) -> Dataset:
    """The DICOM header of the upload a DICOM object will reference.

    Raises:
        InvalidInputError: the upload is not DICOM (422: a report belongs to a DICOM study).
    """
    if metadata.source_format != "dicom":
        raise InvalidInputError(
            f"format={output} makes a DICOM object in the source image's study, so it needs a "
            "DICOM upload; use format=json for PNG, PGM or JPEG uploads",
            code="dicom-source-required",
        )
    return pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)


class UnusableHeaderError(InvalidInputError):
    """The upload is DICOM, but its header lacks or garbles what the asked DICOM object must
    copy or reference (e.g. no Study Instance UID, a laterality that is not a breast)."""

    code = "dicom-header-unusable"
    title = "DICOM header unusable for the asked object"


def from_source_header(output: str, build: Callable[[], T]) -> T:
    """``build()``, with a refusal of the source header (the writers' ValueError, highdicom's
    ValueError or AttributeError on an attribute the header lacks) answered as 422."""
    try:
        return build()
    except (ValueError, AttributeError) as refused:
        raise UnusableHeaderError(
            f"format={output}: the DICOM header of the upload cannot make this object "
            f"({type(refused).__name__}: {refused})"
        ) from refused


def report_document(findings: ImageFindings, output: ReportFormat) -> Dataset:
    """The Structured Report of ``findings`` in the asked format, in a new series.

    Raises:
        UnusableHeaderError: the source header cannot make the report (422).
    """
    build = measurement_report if output == "dicom-sr" else mammography_cad_report
    series = SR_SERIES_NUMBER if output == "dicom-sr" else MAMMO_CAD_SERIES_NUMBER
    return from_source_header(
        output,
        lambda: build(
            findings,
            series_instance_uid=highdicom.UID(),
            sop_instance_uid=highdicom.UID(),
            series_number=series,
        ),
    )


def heatmap_document(
    source: Dataset, answered: Answered[ExplainOutcome], mapped: OriginalMap
) -> Dataset:
    """The explanation in ``answered`` (drawn as ``mapped``) as a Parametric Map of ``source``.

    Raises:
        UnusableHeaderError: the source header cannot make the map (422).
    """
    outcome = answered.outcome
    return from_source_header(
        "dicom-pm",
        lambda: parametric_map(
            source,
            mapped,
            algorithm=algorithm_used(answered.version),
            method=outcome.method,
            explained=outcome.explained,
            series_instance_uid=highdicom.UID(),
            sop_instance_uid=highdicom.UID(),
            series_number=PARAMETRIC_MAP_SERIES_NUMBER,
        ),
    )


def dicom_bytes(document: Dataset) -> bytes:
    """``document`` as a DICOM Part 10 file."""
    buffer = io.BytesIO()
    pydicom.dcmwrite(buffer, document, enforce_file_format=True)
    return buffer.getvalue()


def dicom_response(document: Dataset, version: ModelVersion, filename: str) -> Response:
    """``document`` as the HTTP answer, naming the model version that produced it."""
    return Response(
        content=dicom_bytes(document),
        media_type=DICOM_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Mammocad-Model": f"{version.model_name}/{version.version}",
            "X-Mammocad-SOP-Instance-UID": str(document.SOPInstanceUID),
        },
    )
