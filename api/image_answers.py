"""One image's classification or detection answer, whoever asks: the routes and the study analysis.

``/v1/classify``, ``/v1/detect`` and ``/v1/studies/{uid}/analyse`` must give the same answer for
the same image and model version, so the JSON answer is built here once: the task service's
outcome read with the version's calibration, operating point and OOD detector.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from fastapi import Request

from api.answers import classification_of, detections_in_original
from api.calibrated import calibrated_score, describe
from api.inference import Answered, answer, threshold_of
from api.inference_schemas import (
    ClassifyResponse,
    DetectResponse,
    ImageSummary,
    ModelUsed,
)
from api.ood import assess
from api.settings import GatewaySettings
from api.task_client import TaskServices
from mammocad.schemas.inference_contract import (
    ClassifyItem,
    ClassifyOutcome,
    DetectItem,
    DetectOutcome,
)
from registry import Registry

__all__ = ["ImageAnswer", "classify_image", "detect_image"]

OutcomeT = TypeVar("OutcomeT", ClassifyOutcome, DetectOutcome)
ResponseT = TypeVar("ResponseT", ClassifyResponse, DetectResponse)


@dataclass(frozen=True)
class ImageAnswer(Generic[OutcomeT, ResponseT]):
    """The public answer, and what it was made from (version, ingest, raw outcome)."""

    answered: Answered[OutcomeT]
    response: ResponseT


async def classify_image(
    request: Request,
    data: bytes,
    ref: str,
    *,
    registry: Registry,
    settings: GatewaySettings,
    services: TaskServices,
) -> ImageAnswer[ClassifyOutcome, ClassifyResponse]:
    """The classifier's answer about ``data`` (version ``ref`` of the configured model).

    Raises:
        as :func:`api.inference.answer`.
    """
    answered = await answer(
        request,
        task="classify",
        model_name=settings.classify_model,
        ref=ref,
        data=data,
        registry=registry,
        settings=settings,
        client=services.classify,
        item=ClassifyItem,
    )
    classification = classification_of(answered.outcome, answered.version)
    response = ClassifyResponse(
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
    return ImageAnswer(answered, response)


async def detect_image(
    request: Request,
    data: bytes,
    ref: str,
    *,
    registry: Registry,
    settings: GatewaySettings,
    services: TaskServices,
) -> ImageAnswer[DetectOutcome, DetectResponse]:
    """The detector's answer about ``data`` (version ``ref`` of the configured model).

    Raises:
        as :func:`api.inference.answer`.
    """
    answered = await answer(
        request,
        task="detect",
        model_name=settings.detect_model,
        ref=ref,
        data=data,
        registry=registry,
        settings=settings,
        client=services.detect,
        item=DetectItem,
    )
    record = answered.version.calibration
    threshold = threshold_of(answered.version, "score_threshold")
    response = DetectResponse(
        request_id=request.state.request_id,
        model=ModelUsed.of(answered.version, answered.alias),
        image=ImageSummary.of(answered.image.metadata),
        detections=detections_in_original(
            answered.outcome, answered.image.transform, threshold, record
        ),
        score_threshold=None if threshold is None else calibrated_score(threshold, record),
        calibrated=describe(record, "detect") is not None,
        calibration=describe(record, "detect"),
        ood=assess(answered.version, answered.outcome.ood_score, answered.image.metadata),
        timing_ms=answered.timing(),
    )
    return ImageAnswer(answered, response)
