"""``POST /v1/detect``: mass boxes in original pixel coordinates, from the registered detector."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.answers import detections_in_original
from api.calibrated import calibrated_score, describe
from api.deps import RegistryDep, SettingsDep, TaskServicesDep
from api.inference import INFERENCE_PROBLEMS, ModelQuery, answer, threshold_of
from api.inference_schemas import DetectResponse, ImageSummary, ModelUsed
from api.ood import assess
from api.upload import UPLOAD_REQUEST_BODY, UploadDep
from mammocad.schemas.inference_contract import DetectItem
from registry import PRODUCTION

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["models in use"])


@router.post(
    "/detect",
    response_model=DetectResponse,
    summary="Find masses in a mammogram",
    openapi_extra={"requestBody": UPLOAD_REQUEST_BODY},
    responses=INFERENCE_PROBLEMS,
)
async def detect(
    request: Request,
    upload: UploadDep,
    registry: RegistryDep,
    settings: SettingsDep,
    services: TaskServicesDep,
    model: ModelQuery = PRODUCTION,
) -> DetectResponse:
    """Mass boxes scoring at least the version's validated operating threshold, best first,
    each with its malignancy probability, in the uploaded image's own pixel coordinates."""
    answered = await answer(
        request,
        task="detect",
        model_name=settings.detect_model,
        ref=model,
        data=upload.data,
        registry=registry,
        settings=settings,
        client=services.detect,
        item=DetectItem,
    )
    record = answered.version.calibration
    threshold = threshold_of(answered.version, "score_threshold")
    detections = detections_in_original(
        answered.outcome, answered.image.transform, threshold, record
    )
    return DetectResponse(
        request_id=request.state.request_id,
        model=ModelUsed.of(answered.version, answered.alias),
        image=ImageSummary.of(answered.image.metadata),
        detections=detections,
        score_threshold=None if threshold is None else calibrated_score(threshold, record),
        calibrated=describe(record, "detect") is not None,
        calibration=describe(record, "detect"),
        ood=assess(answered.version, answered.outcome.ood_score, answered.image.metadata),
        timing_ms=answered.timing(),
    )
