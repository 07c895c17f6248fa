"""Public schemas of ``/v1/classify`` and ``/v1/detect``: what a CAD viewer draws and trusts.

Every answer names the exact model version that produced it and what the image was read as.
Probabilities are calibrated with the version's own temperature scaling when it has one
(``calibrated: true``, and ``calibration`` says how); ``ood`` compares the image with the
version's training images when the version has an OOD detector, and is null (not assessed)
otherwise, because a made-up value is worse than none.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from mammocad.ingest.metadata import ImageMetadata, SourceFormat
from mammocad.vocabulary import Label, Laterality, View
from registry import ModelVersion

__all__ = [
    "CalibrationApplied",
    "ClassPrediction",
    "ClassProbabilities",
    "ClassifyResponse",
    "DetectResponse",
    "Detection",
    "ImageSummary",
    "ModelUsed",
    "OodAssessment",
    "TimingMs",
]

_CALIBRATION = (
    "the calibration applied to the probabilities; null: they are the model's own, "
    "uncalibrated (the version has no calibration record)"
)
_OOD = (
    "whether the image looks unlike the model's training images (another vendor, processing, "
    "not a mammogram), so that the answer should not be trusted; flagged images are still "
    "answered. null: not assessed (the version has no OOD detector)"
)


class ModelUsed(BaseModel):
    """The registered model version that answered."""

    name: str = Field(examples=["classifier"])
    version: int = Field(ge=1, examples=[3])
    alias: str | None = Field(
        description="the alias the request named (default production); null when it named a "
        "version number",
        examples=["production"],
    )
    synthetic_training: bool = Field(
        description="true when the version was trained on synthetic images only (its training "
        "record's data.synthetic): a demonstration, not for clinical use",
        examples=[False],
    )

    @classmethod
    def of(cls, version: ModelVersion, alias: str | None) -> ModelUsed:
        """The answering version, the alias that led to it, and whether it learned from
        synthetic images only (every answer says so, not only the registry's records)."""
        return cls(
            name=version.model_name,
            version=version.version,
            alias=alias,
            synthetic_training=version.training.data.synthetic,
        )


class ImageSummary(BaseModel):
    """What the uploaded image was read as (the full reading is ``POST /v1/inspect``)."""

    source_format: SourceFormat = Field(examples=["dicom"])
    rows: int = Field(description="rows of the ORIGINAL pixel grid", examples=[4664])
    columns: int = Field(description="columns of the ORIGINAL pixel grid", examples=[3064])
    laterality: Laterality = Field(description="L, R, or U when unknown", examples=["R"])
    view: View = Field(examples=["MLO"])
    sop_instance_uid: str | None = Field(
        description="SOP Instance UID of a DICOM upload, to match the answer to the image; "
        "null for other formats",
        examples=["1.2.826.0.1.3680043.8.498.12345"],
    )

    @classmethod
    def of(cls, metadata: ImageMetadata) -> ImageSummary:
        """The public summary of ingest's metadata."""
        return cls(
            source_format=metadata.source_format,
            rows=metadata.rows,
            columns=metadata.columns,
            laterality=metadata.laterality,
            view=metadata.view,
            sop_instance_uid=metadata.sop_instance_uid,
        )


class TimingMs(BaseModel):
    """Where the time went, in milliseconds (the upload transfer itself is not included)."""

    ingest: float = Field(description="decode, crop, orient and resize", examples=[412.3])
    inference: float = Field(
        description="the task service's round trip, model forward included", examples=[95.1]
    )
    total: float = Field(
        description="from the upload being received to the answer being ready", examples=[512.8]
    )


class CalibrationApplied(BaseModel):
    """How the probabilities were calibrated (the version's registry record)."""

    method: str = Field(
        description="temperature (logit / T) or platt (scale * logit + bias), per logit",
        examples=["platt"],
    )
    parameters: dict[str, float] = Field(
        examples=[
            {
                "abnormal_scale": 0.4,
                "abnormal_bias": 0.8,
                "malignant_scale": 0.2,
                "malignant_bias": -0.4,
            }
        ]
    )
    fitted_on: str = Field(description="the data it was fitted on (never the training split)")
    ece_before: float = Field(description="expected calibration error before, on that data")
    ece_after: float = Field(description="expected calibration error after, on that data")


class OodAssessment(BaseModel):
    """The version's out-of-distribution detector on this image."""

    flagged: bool = Field(
        description="the feature score is above its threshold, or the header differs from the "
        "training images' headers: do not trust this answer"
    )
    score: float = Field(description="the feature detector's score (higher: less like training)")
    threshold: float = Field(description="the version's threshold, chosen on validation data")
    detector: str = Field(examples=["mahalanobis + header gate"])
    reasons: list[str] = Field(
        description='why it was flagged, in words (e.g. "not a mammography modality: the DICOM '
        "Modality is 'CT'\", \"manufacturer 'X' not seen in training\"); empty when not"
    )


class ClassProbabilities(BaseModel):
    """Probability of each image-level finding (the worst finding in the image); sum 1."""

    normal: float = Field(ge=0, le=1, examples=[0.21])
    benign: float = Field(ge=0, le=1, examples=[0.17])
    malignant: float = Field(ge=0, le=1, examples=[0.62])


class ClassPrediction(BaseModel):
    """The decisions a viewer shows."""

    label: Label = Field(description="the most probable finding", examples=["malignant"])
    abnormal_score: float = Field(
        ge=0, le=1, description="1 - p(normal): the score the operating point applies to"
    )
    abnormal_threshold: float | None = Field(
        description="the version's operating point, chosen on its validation split; null when "
        "the version has none",
        examples=[0.42],
    )
    abnormal: bool | None = Field(
        description="abnormal_score >= abnormal_threshold; null without an operating point",
        examples=[True],
    )


class ClassifyResponse(BaseModel):
    """What the classifier says about an image."""

    request_id: str = Field(description="also in the X-Request-ID header")
    model: ModelUsed
    image: ImageSummary
    probabilities: ClassProbabilities
    prediction: ClassPrediction
    calibrated: bool = Field(description="True when the probabilities are calibrated")
    calibration: CalibrationApplied | None = Field(default=None, description=_CALIBRATION)
    ood: OodAssessment | None = Field(default=None, description=_OOD)
    timing_ms: TimingMs


class Detection(BaseModel):
    """One mass found in the image."""

    box: tuple[float, float, float, float] = Field(
        description="[x0, y0, x1, y1] in ORIGINAL pixel coordinates (x right, y down, origin at "
        "the top-left corner of the top-left pixel)",
        examples=[[1520.5, 2210.0, 1804.25, 2475.75]],
    )
    score: float = Field(
        ge=0,
        le=1,
        description="probability that this box is a mass (calibrated when the answer's "
        "calibrated is true)",
        examples=[0.81],
    )
    label: Literal["mass"] = "mass"
    malignancy: float = Field(
        ge=0, le=1, description="probability that the mass is malignant", examples=[0.67]
    )


class DetectResponse(BaseModel):
    """The masses the detector found in an image, best first."""

    request_id: str = Field(description="also in the X-Request-ID header")
    model: ModelUsed
    image: ImageSummary
    detections: list[Detection] = Field(description="those scoring at least score_threshold")
    score_threshold: float | None = Field(
        description="the version's operating point, chosen on its validation split; null when "
        "the version has none (then every detection is returned)",
        examples=[0.35],
    )
    calibrated: bool = Field(description="True when the scores are calibrated")
    calibration: CalibrationApplied | None = Field(default=None, description=_CALIBRATION)
    ood: OodAssessment | None = Field(default=None, description=_OOD)
    timing_ms: TimingMs
