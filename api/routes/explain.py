"""``POST /v1/explain``: Grad-CAM or SHAP heatmaps of a classification or a detection, in the
original image's geometry, as JSON with PNGs, or for PACS as a DICOM Parametric Map (the float
values) or a Secondary Capture (the coloured overlay, for viewers without Parametric Maps).

The explanation is computed where the model lives (the task's service, on the model grid); the
gateway maps it back through the upload's exact ingest transform and draws it over the decoded
upload.
"""

from __future__ import annotations

import base64
import time
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

import mammocad
from api.answers import classification_of, detections_in_original
from api.auth import ACCESS_PROBLEMS, require_scope
from api.calibrated import describe
from api.deps import RegistryDep, SettingsDep, TaskServicesDep
from api.dicom_outputs import (
    dicom_response,
    from_source_header,
    heatmap_document,
    source_header,
)
from api.explain_schemas import (
    ExplainedDetection,
    ExplainedOutput,
    ExplainResponse,
    ExplainTiming,
    ExplanationMethod,
    Heatmap,
)
from api.inference import INFERENCE_PROBLEMS, Answered, ModelQuery, explanation, threshold_of
from api.inference_schemas import ImageSummary, ModelUsed
from api.ood import assess
from api.overlays import overlay_of
from api.task_client import BadServiceAnswerError
from api.upload import UPLOAD_REQUEST_BODY, UploadDep
from mammocad.errors import InvalidInputError
from mammocad.heatmaps import (
    grey_png,
    peak_in_original,
    png_bytes,
    secondary_capture,
)
from mammocad.schemas.inference_contract import ExplainMethod, ExplainOutcome, ShapOptions
from registry import PRODUCTION

__all__ = ["router"]

router = APIRouter(
    prefix="/v1",
    tags=["models in use"],
    dependencies=[Depends(require_scope("inference"))],
    responses=ACCESS_PROBLEMS,
)

_TARGET_PATTERN = r"^(normal|benign|malignant|[0-9]{1,3})$"
_DICOM_RESPONSE = {
    "content": {"application/dicom": {"schema": {"type": "string", "format": "binary"}}},
    "description": "format=dicom: a DICOM Secondary Capture of the overlay; format=dicom-pm: a "
    "DICOM Parametric Map of the heatmap's float values (0 none, 1 strongest) with a real-world "
    "value mapping. Both in the source's study, referencing the source image",
}


@router.post(
    "/explain",
    response_model=ExplainResponse,
    summary="Explain a classification or a detection with a Grad-CAM or SHAP heatmap",
    openapi_extra={"requestBody": UPLOAD_REQUEST_BODY},
    responses={**INFERENCE_PROBLEMS, 200: _DICOM_RESPONSE},
)
async def explain(
    request: Request,
    upload: UploadDep,
    registry: RegistryDep,
    settings: SettingsDep,
    services: TaskServicesDep,
    task: Annotated[
        Literal["classify", "detect"], Query(description="which model's answer to explain")
    ],
    method: Annotated[
        ExplainMethod,
        Query(
            description="gradcam: captum LayerGradCam; shap: shap GradientExplainer; evidence: "
            "the model's own dense lesion evidence (cell probabilities)"
        ),
    ] = "gradcam",
    target: Annotated[
        str | None,
        Query(
            pattern=_TARGET_PATTERN,
            description="classify: normal, benign or malignant (default the most probable); "
            "detect: a detection index, best first as /v1/detect lists them (default 0)",
        ),
    ] = None,
    model: ModelQuery = PRODUCTION,
    output_format: Annotated[
        Literal["json", "dicom", "dicom-pm"],
        Query(
            alias="format",
            description="json (PNGs in base64), dicom (Secondary Capture of the overlay) or "
            "dicom-pm (Parametric Map of the values)",
        ),
    ] = "json",
    max_side: Annotated[
        int, Query(ge=64, le=8192, description="longest side of the heatmap PNGs")
    ] = 2048,
    nsamples: Annotated[
        int, Query(ge=8, le=512, description="SHAP: expected-gradient samples")
    ] = ShapOptions().nsamples,
) -> ExplainResponse | Response:
    """The heatmap of the evidence for one output of the model (a class's score, or one box's
    score), with the answer it explains, in the uploaded image's own pixel coordinates."""
    answered = await explanation(
        request,
        task=task,
        model_name=settings.classify_model if task == "classify" else settings.detect_model,
        ref=model,
        data=upload.data,
        registry=registry,
        settings=settings,
        client=services.classify if task == "classify" else services.detect,
        method=method,
        target=_target(task, target),
        shap=ShapOptions(nsamples=nsamples),
    )
    if output_format == "dicom":
        return await run_in_threadpool(_secondary_capture, answered, upload.data, max_side)
    if output_format == "dicom-pm":
        return await run_in_threadpool(_parametric_map, answered, upload.data, max_side)
    heatmap, rendering_ms = await run_in_threadpool(_heatmap, answered, max_side)
    return _response(request, task, answered, heatmap, rendering_ms)


def _target(task: str, target: str | None) -> str | int | None:
    if target is None:
        return None
    if task == "classify" and target.isdigit():
        raise InvalidInputError(
            f"target {target!r}: the classifier's targets are normal, benign or malignant",
            code="unknown-explanation-target",
        )
    if task == "detect" and not target.isdigit():
        raise InvalidInputError(
            f"target {target!r}: the detector's targets are detection indices (0 = the best)",
            code="unknown-explanation-target",
        )
    return int(target) if task == "detect" else target


def _heatmap(answered: Answered[ExplainOutcome], max_side: int) -> tuple[Heatmap, float]:
    """The public heatmap (PNGs in base64, peak) and the milliseconds it took."""
    started = time.perf_counter()
    drawn = overlay_of(answered, max_side)
    rows, columns = drawn.mapped.values.shape
    outcome = answered.outcome
    heatmap = Heatmap(
        width=columns,
        height=rows,
        scale_x=drawn.mapped.scale_x,
        scale_y=drawn.mapped.scale_y,
        png_base64=base64.b64encode(grey_png(drawn.mapped.values)).decode("ascii"),
        overlay_png_base64=base64.b64encode(png_bytes(drawn.rgb)).decode("ascii"),
        peak=peak_in_original(drawn.cells, outcome.stride, answered.image.transform),
    )
    return heatmap, (time.perf_counter() - started) * 1000


def _response(
    request: Request,
    task: Literal["classify", "detect"],
    answered: Answered[ExplainOutcome],
    heatmap: Heatmap,
    rendering_ms: float,
) -> ExplainResponse:
    outcome, version = answered.outcome, answered.version
    classification = detection = None
    calibration = None
    ood_score = None
    if task == "classify":
        if outcome.classification is None:
            raise BadServiceAnswerError("the classify service explained without a classification")
        classification = classification_of(outcome.classification, version)
        calibration = classification.calibration
        ood_score = outcome.classification.ood_score
    else:
        if outcome.detection is None or outcome.detection_index is None:
            raise BadServiceAnswerError("the detect service explained without its detections")
        calibration = describe(version.calibration, "detect")
        [box] = detections_in_original(
            outcome.detection.model_copy(
                update={"detections": [outcome.detection.detections[outcome.detection_index]]}
            ),
            answered.image.transform,
            None,
            version.calibration,
        )
        threshold = threshold_of(version, "score_threshold")
        score = outcome.detection.detections[outcome.detection_index].score
        detection = ExplainedDetection(
            detection=box, above_threshold=threshold is None or score >= threshold
        )
        ood_score = outcome.detection.ood_score
    timing = answered.timing()
    return ExplainResponse(
        request_id=request.state.request_id,
        task=task,
        model=ModelUsed.of(version, answered.alias),
        image=ImageSummary.of(answered.image.metadata),
        explained=ExplainedOutput(
            description=outcome.explained,
            class_name=outcome.class_name,
            detection_index=outcome.detection_index,
            value=outcome.value,
        ),
        probabilities=classification.probabilities if classification else None,
        prediction=classification.prediction if classification else None,
        detection=detection,
        calibrated=calibration is not None,
        calibration=calibration,
        method=ExplanationMethod(name=outcome.method, details=outcome.details),
        heatmap=heatmap,
        ood=assess(version, ood_score, answered.image.metadata),
        timing_ms=ExplainTiming(
            ingest=timing.ingest,
            inference=timing.inference,
            explanation=outcome.compute_ms,
            rendering=round(rendering_ms, 1),
            total=timing.total,
        ),
    )


def _parametric_map(answered: Answered[ExplainOutcome], data: bytes, max_side: int) -> Response:
    """The heatmap values as a DICOM Parametric Map in the source's study (DICOM uploads only)."""
    source = source_header(data, answered.image.metadata, "dicom-pm")
    document = heatmap_document(source, answered, overlay_of(answered, max_side).mapped)
    return dicom_response(document, answered.version, "explanation-pm.dcm")


def _secondary_capture(answered: Answered[ExplainOutcome], data: bytes, max_side: int) -> Response:
    """The overlay as a DICOM Secondary Capture in the source's study (DICOM uploads only)."""
    source = source_header(data, answered.image.metadata, "dicom")
    drawn = overlay_of(answered, max_side)
    version, outcome = answered.version, answered.outcome
    method = outcome.method
    described = f"{version.model_name} v{version.version} {method}: {outcome.explained}"
    body = from_source_header(
        "dicom",
        lambda: secondary_capture(
            source,
            drawn.rgb,
            series_description=f"mammocad {method} heatmap",
            derivation_description=f"{described}; {outcome.details}",
            software_version=f"mammocad {mammocad.__version__}",
        ),
    )
    return Response(
        content=body,
        media_type="application/dicom",
        headers={
            "Content-Disposition": 'attachment; filename="explanation.dcm"',
            "X-Mammocad-Model": f"{version.model_name}/{version.version}",
        },
    )
