"""``POST /v1/detect``: mass boxes in original pixel coordinates, from the registered detector."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.auth import ACCESS_PROBLEMS, require_scope
from api.deps import RegistryDep, SettingsDep, TaskServicesDep
from api.dicom_outputs import detection_findings, dicom_response, report_document, source_header
from api.image_answers import detect_image
from api.inference import INFERENCE_PROBLEMS, ModelQuery
from api.inference_schemas import DetectResponse
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
    "/detect",
    response_model=DetectResponse,
    summary="Find masses in a mammogram",
    openapi_extra={"requestBody": UPLOAD_REQUEST_BODY},
    responses={**INFERENCE_PROBLEMS, 200: REPORT_RESPONSE},
)
async def detect(
    request: Request,
    upload: UploadDep,
    registry: RegistryDep,
    settings: SettingsDep,
    services: TaskServicesDep,
    model: ModelQuery = PRODUCTION,
    output_format: AnswerFormat = "json",
) -> DetectResponse | Response:
    """Mass boxes scoring at least the version's validated operating threshold, best first,
    each with its malignancy probability, in the uploaded image's own pixel coordinates
    (format=dicom-sr or dicom-mammo-cad-sr: the same as a DICOM Structured Report)."""
    found = await detect_image(
        request, upload.data, model, registry=registry, settings=settings, services=services
    )
    if output_format == "json":
        return found.response
    version, metadata = found.answered.version, found.answered.image.metadata

    def report() -> Response:
        source = source_header(upload.data, metadata, output_format)
        findings = ImageFindings(source, detection=detection_findings(found.response, version))
        document = report_document(findings, output_format)
        return dicom_response(document, version, "detection-sr.dcm")

    return await run_in_threadpool(report)
