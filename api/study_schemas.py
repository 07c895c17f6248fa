"""Public schemas of ``POST /v1/studies/{StudyInstanceUID}/analyse``.

Each mammogram of the study gets exactly the answers ``/v1/classify`` and ``/v1/detect`` would
give for it, plus the DICOM objects stored for it. The summaries take the worst finding across the
views of each breast, and across both breasts for the exam, because that is how a reader reads a
screening exam: one suspicious view makes the breast suspicious.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.inference_schemas import ClassifyResponse, DetectResponse, ModelUsed
from mammocad.vocabulary import Label, Laterality, View

__all__ = [
    "BreastSummary",
    "ExamSummary",
    "ImageAnalysis",
    "SkippedImage",
    "StoredKind",
    "StoredObject",
    "StudyAnalysis",
]

StoredKind = Literal["sr", "mammography-cad-sr", "parametric-map"]

_ABNORMAL = (
    "true when any view is abnormal at the classifier's validated operating point; null when "
    "the classifier version has no operating point"
)


class StoredObject(BaseModel):
    """A DICOM object made for one image and stored in the PACS (STOW-RS accepted it)."""

    kind: StoredKind = Field(
        description="sr: Comprehensive 3D SR (TID 1500); mammography-cad-sr: Mammography CAD SR "
        "(TID 4000); parametric-map: the classifier's Grad-CAM evidence for malignant"
    )
    sop_class_uid: str
    sop_instance_uid: str
    series_instance_uid: str
    retrieve_url: str | None = Field(description="WADO-RS URL as the PACS reported it")


class ImageAnalysis(BaseModel):
    """One mammogram of the study and what mammocad says about it."""

    series_instance_uid: str
    sop_instance_uid: str
    laterality: Laterality
    view: View
    classification: ClassifyResponse = Field(description="as POST /v1/classify answers")
    detection: DetectResponse = Field(description="as POST /v1/detect answers")
    stored: list[StoredObject] = Field(description="empty when store=false")


class SkippedImage(BaseModel):
    """A mammogram of the study that could not be analysed (the others still were)."""

    series_instance_uid: str
    sop_instance_uid: str
    problem: str = Field(description="the problem type an upload of it would get")
    detail: str


class BreastSummary(BaseModel):
    """The worst finding across the analysed views of one breast."""

    laterality: Laterality
    images: list[str] = Field(description="SOP Instance UIDs of its analysed views")
    worst_label: Label = Field(description="the most severe most-probable label of its views")
    malignant_probability: float = Field(ge=0, le=1, description="highest p(malignant)")
    abnormal_score: float = Field(ge=0, le=1, description="highest 1 - p(normal)")
    abnormal: bool | None = Field(description=_ABNORMAL)
    masses: int = Field(ge=0, description="masses found at the detector's operating point")
    highest_mass_malignancy: float | None = Field(
        description="the highest malignancy of those masses; null without any"
    )
    out_of_distribution: bool = Field(
        description="any view was flagged out of distribution by either model: do not trust"
    )


class ExamSummary(BaseModel):
    """The worst finding across both breasts."""

    worst_label: Label
    malignant_probability: float = Field(ge=0, le=1)
    abnormal: bool | None = Field(description=_ABNORMAL)
    abnormal_breasts: list[Laterality] = Field(
        description="breasts abnormal at the operating point"
    )
    masses: int = Field(ge=0)
    out_of_distribution: bool


class StudyAnalysis(BaseModel):
    """A study's mammograms analysed, summarised per breast and per exam, and (by default)
    written back to the PACS as DICOM objects."""

    request_id: str
    study_instance_uid: str
    classifier: ModelUsed = Field(description="the classifier version used for every image")
    detector: ModelUsed = Field(description="the detector version used for every image")
    images: list[ImageAnalysis]
    skipped: list[SkippedImage]
    breasts: list[BreastSummary] = Field(description="one per breast with an analysed view")
    exam: ExamSummary | None = Field(description="null when no image could be analysed")
