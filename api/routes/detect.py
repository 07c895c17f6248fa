"""``POST /v1/detect``: mass boxes in original pixel coordinates, from the registered detector."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.calibrated import DETECTOR_PARAMETERS, calibrated_score, describe
from api.deps import RegistryDep, SettingsDep, TaskServicesDep
from api.inference import INFERENCE_PROBLEMS, ModelQuery, answer, from_service, threshold_of
from api.inference_schemas import Detection, DetectResponse, ImageSummary, ModelUsed
from api.ood import assess
from api.upload import UPLOAD_REQUEST_BODY, UploadDep
from mammocad.geometry import GridTransform
from mammocad.inference_contract import DetectItem, DetectOutcome
from registry import PRODUCTION
from registry.records import CalibrationRecord

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
    detections = from_service(
        "detect",
        lambda: _in_original(answered.outcome, answered.image.transform, threshold, record),
    )
    return DetectResponse(
        request_id=request.state.request_id,
        model=ModelUsed.of(answered.version, answered.alias),
        image=ImageSummary.of(answered.image.metadata),
        detections=detections,
        score_threshold=None if threshold is None else calibrated_score(threshold, record),
        calibrated=describe(record, DETECTOR_PARAMETERS) is not None,
        calibration=describe(record, DETECTOR_PARAMETERS),
        ood=assess(answered.version.ood_detector, answered.outcome.ood_score),
        timing_ms=answered.timing(),
    )


def _in_original(
    outcome: DetectOutcome,
    transform: GridTransform,
    threshold: float | None,
    calibration: CalibrationRecord | None,
) -> list[Detection]:
    """The service's model-grid boxes that pass ``threshold`` (on the model's own scores),
    mapped to the original pixels (undoing resize, mirror and crop; clipped to the image), with
    calibrated scores when the version has a calibration."""
    kept = [d for d in outcome.detections if threshold is None or d.score >= threshold]
    if not kept:
        return []
    boxes = transform.to_original_boxes([d.box for d in kept])
    return [
        Detection(
            box=(float(x0), float(y0), float(x1), float(y1)),
            score=calibrated_score(d.score, calibration),
            malignancy=d.malignancy,
        )
        for d, (x0, y0, x1, y1) in zip(kept, boxes, strict=True)
    ]
