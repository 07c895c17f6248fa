"""``POST /v1/classify``: normal, benign or malignant, from the registered classifier."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.auth import ACCESS_PROBLEMS, require_scope
from api.deps import RegistryDep, SettingsDep, TaskServicesDep
from api.dicom_outputs import (
    classification_findings,
    dicom_response,
    report_document,
    source_header,
)
from api.image_answers import classify_image
from api.inference import INFERENCE_PROBLEMS, ModelQuery
from api.inference_schemas import ClassifyResponse
from api.routes.report_formats import REPORT_RESPONSE, AnswerFormat
from api.upload import UPLOAD_REQUEST_BODY, UploadDep
from mammocad.reports.findings import ImageFindings
from registry import PRODUCTION

__all__ = ["router"]

router = APIRouter(
    prefix="/v1",
    tags=["models in use"],
    dependencies=[Depends(require_scope("inference"))],
    responses=ACCESS_PROBLEMS,
)


@router.post(
    "/classify",
    response_model=ClassifyResponse,
    summary="Classify a mammogram: normal, benign or malignant",
    openapi_extra={"requestBody": UPLOAD_REQUEST_BODY},
    responses={**INFERENCE_PROBLEMS, 200: REPORT_RESPONSE},
)
async def classify(
    request: Request,
    upload: UploadDep,
    registry: RegistryDep,
    settings: SettingsDep,
    services: TaskServicesDep,
    model: ModelQuery = PRODUCTION,
    output_format: AnswerFormat = "json",
) -> ClassifyResponse | Response:
    """The image-level probabilities of the worst finding, the most probable one, and whether
    the image is abnormal at the version's validated operating point (format=dicom-sr or
    dicom-mammo-cad-sr: the same as a DICOM Structured Report)."""
    found = await classify_image(
        request, upload.data, model, registry=registry, settings=settings, services=services
    )
    if output_format == "json":
        return found.response
    version, metadata = found.answered.version, found.answered.image.metadata

    def report() -> Response:
        source = source_header(upload.data, metadata, output_format)
        findings = ImageFindings(
            source, classification=classification_findings(found.response, version)
        )
        document = report_document(findings, output_format)
        return dicom_response(document, version, "classification-sr.dcm")

    return await run_in_threadpool(report)
