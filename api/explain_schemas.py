"""Public schemas of ``/v1/explain``: the explanation a clinician checks against the image.

The heatmap comes in the ORIGINAL image's geometry (the one the viewer shows): same orientation,
same origin, at full size or downscaled by the stated factors, so a viewer can lay it over the
image without knowing anything of the model's grid.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.inference_schemas import (
    CalibrationApplied,
    ClassPrediction,
    ClassProbabilities,
    Detection,
    ImageSummary,
    ModelUsed,
    OodAssessment,
)
from mammocad.schemas.inference_contract import ExplainMethod

__all__ = [
    "ExplainResponse",
    "ExplainTiming",
    "ExplainedDetection",
    "ExplainedOutput",
    "ExplanationMethod",
    "Heatmap",
]


class ExplainedOutput(BaseModel):
    """The model output the heatmap explains."""

    description: str = Field(
        examples=["A + M: the abnormal plus the malignant-given-abnormal score"]
    )
    class_name: str | None = Field(
        description="classify: the explained class (default the most probable one)",
        examples=["malignant"],
    )
    detection_index: int | None = Field(
        description="detect: the explained detection's index, best first as /v1/detect lists "
        "them (default 0, the best)",
        examples=[None],
    )
    value: float = Field(description="the explained output's value for this image (model scale)")


class ExplainedDetection(BaseModel):
    """detect: the explained box, as /v1/detect would report it."""

    detection: Detection
    above_threshold: bool = Field(
        description="True when /v1/detect shows this box (score at or above the version's "
        "operating threshold); an explanation may be asked of any candidate"
    )


class ExplanationMethod(BaseModel):
    """How the heatmap was computed."""

    name: ExplainMethod
    details: dict[str, str | int | float | bool] = Field(
        description="library, layer, and for SHAP: samples, seed, background images, expected "
        "value and the completeness gap (|sum of SHAP values - (value - expected value)|: the "
        "sampling error of this estimate)",
        examples=[{"library": "captum 0.9.0 LayerGradCam", "layer": "fusion", "relu": True}],
    )


class Heatmap(BaseModel):
    """The explanation map in the original image's geometry."""

    width: int = Field(description="columns of the PNGs")
    height: int = Field(description="rows of the PNGs")
    scale_x: float = Field(description="original pixels per heatmap pixel along x (1: full size)")
    scale_y: float = Field(description="original pixels per heatmap pixel along y (1: full size)")
    png_base64: str = Field(
        description="8-bit grey PNG of the map: the strongest cell's evidence for the explained "
        "output in this image is 255 (bilinear resampling may leave the brightest pixel a "
        "little lower), 0 none; negative evidence and the region the model did not see "
        "(cropped away) are 0. The pixel at (col, row) covers original pixels "
        "[col*scale_x, (col+1)*scale_x) x [row*scale_y, (row+1)*scale_y)"
    )
    overlay_png_base64: str = Field(
        description="RGB PNG for display: the image in grey with the map in colour (jet)"
    )
    peak: tuple[float, float] | None = Field(
        description="[x, y] of the strongest evidence in ORIGINAL pixel coordinates; null when "
        "the map holds no positive evidence at all",
        examples=[[1612.0, 2290.0]],
    )


class ExplainTiming(BaseModel):
    """Where the time went, in milliseconds."""

    ingest: float
    inference: float = Field(description="the task service's round trip, explanation included")
    explanation: float = Field(description="the explanation's compute inside the service")
    rendering: float = Field(description="mapping to the original geometry and PNG encoding")
    total: float


class ExplainResponse(BaseModel):
    """Why the model answered as it did about an image."""

    request_id: str = Field(description="also in the X-Request-ID header")
    task: Literal["classify", "detect"]
    model: ModelUsed
    image: ImageSummary
    explained: ExplainedOutput
    probabilities: ClassProbabilities | None = Field(
        description="classify: the answer /v1/classify gives for this image"
    )
    prediction: ClassPrediction | None = Field(description="classify: as /v1/classify")
    detection: ExplainedDetection | None = Field(description="detect: the explained box")
    calibrated: bool = Field(description="True when probabilities or scores are calibrated")
    calibration: CalibrationApplied | None = None
    method: ExplanationMethod
    heatmap: Heatmap
    ood: OodAssessment | None = Field(
        default=None,
        description="as in /v1/classify: an explanation of an out-of-distribution image "
        "explains an answer that should not be trusted",
    )
    timing_ms: ExplainTiming
