"""``POST /v1/classify``: normal, benign or malignant, from the registered classifier."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.answers import classification_of
from api.deps import RegistryDep, SettingsDep, TaskServicesDep
from api.inference import INFERENCE_PROBLEMS, ModelQuery, answer
from api.inference_schemas import ClassifyResponse, ImageSummary, ModelUsed
from api.ood import assess
from api.upload import UPLOAD_REQUEST_BODY, UploadDep
from mammocad.schemas.inference_contract import ClassifyItem
from registry import PRODUCTION

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["models in use"])


@router.post(
    "/classify",
    response_model=ClassifyResponse,
    summary="Classify a mammogram: normal, benign or malignant",
    openapi_extra={"requestBody": UPLOAD_REQUEST_BODY},
    responses=INFERENCE_PROBLEMS,
)
async def classify(
    request: Request,
    upload: UploadDep,
    registry: RegistryDep,
    settings: SettingsDep,
    services: TaskServicesDep,
    model: ModelQuery = PRODUCTION,
) -> ClassifyResponse:
    """The image-level probabilities of the worst finding, the most probable one, and whether
    the image is abnormal at the version's validated operating point."""
    answered = await answer(
        request,
        task="classify",
        model_name=settings.classify_model,
        ref=model,
        data=upload.data,
        registry=registry,
        settings=settings,
        client=services.classify,
        item=ClassifyItem,
    )
    classification = classification_of(answered.outcome, answered.version)
    return ClassifyResponse(
        request_id=request.state.request_id,
        model=ModelUsed.of(answered.version, answered.alias),
        image=ImageSummary.of(answered.image.metadata),
        probabilities=classification.probabilities,
        prediction=classification.prediction,
        calibrated=classification.calibration is not None,
        calibration=classification.calibration,
        ood=assess(answered.version, answered.outcome.ood_score, answered.image.metadata),
        timing_ms=answered.timing(),
    )
