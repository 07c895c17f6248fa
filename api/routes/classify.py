"""``POST /v1/classify``: normal, benign or malignant, from the registered classifier."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.calibrated import CLASSIFIER_PARAMETERS, calibrated_classification, describe
from api.deps import RegistryDep, SettingsDep, TaskServicesDep
from api.inference import INFERENCE_PROBLEMS, ModelQuery, answer, from_service, threshold_of
from api.inference_schemas import (
    ClassifyResponse,
    ClassPrediction,
    ClassProbabilities,
    ImageSummary,
    ModelUsed,
)
from api.ood import assess
from api.upload import UPLOAD_REQUEST_BODY, UploadDep
from mammocad.inference_contract import ClassifyItem
from mammocad.vocabulary import Label
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
    record = answered.version.calibration
    threshold = threshold_of(answered.version, "abnormal_threshold")
    calibrated = from_service(
        "classify", lambda: calibrated_classification(answered.outcome, record, threshold)
    )
    raw = calibrated.probabilities if calibrated else answered.outcome.probabilities
    probabilities = from_service("classify", lambda: ClassProbabilities.model_validate(raw))
    return ClassifyResponse(
        request_id=request.state.request_id,
        model=ModelUsed.of(answered.version, answered.alias),
        image=ImageSummary.of(answered.image.metadata),
        probabilities=probabilities,
        prediction=_prediction(
            probabilities, calibrated.abnormal_threshold if calibrated else threshold
        ),
        calibrated=calibrated is not None,
        calibration=describe(record, CLASSIFIER_PARAMETERS) if calibrated else None,
        ood=assess(answered.version.ood_detector, answered.outcome.ood_score),
        timing_ms=answered.timing(),
    )


def _prediction(probabilities: ClassProbabilities, threshold: float | None) -> ClassPrediction:
    scores = probabilities.model_dump()
    abnormal_score = 1.0 - probabilities.normal
    return ClassPrediction(
        label=Label(max(scores, key=scores.__getitem__)),
        abnormal_score=min(1.0, max(0.0, abnormal_score)),
        abnormal_threshold=threshold,
        abnormal=None if threshold is None else abnormal_score >= threshold,
    )
