"""The model card schema: the sections of Mitchell et al. plus what a CAD model needs.

A card has two origins. :class:`AuthoredCard` holds what only people can say (owners, intended
users, out-of-scope uses, relevant factors, ethical considerations, caveats); it is stored per
version and every edit is audited. Everything else of :class:`ModelCard` is composed from the
version's own records each time the card is shown (training metadata, evaluations, calibration,
OOD detector), so a card can never disagree with what the registry knows.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mammocad.schemas.evaluation import MetricEstimate, SubgroupMetric
from mammocad.schemas.trust import CalibrationRecord, OodDetectorRecord

__all__ = [
    "NOT_FOR_CLINICAL_USE",
    "REQUIRED_AUTHORED_FIELDS",
    "AuthoredCard",
    "CardEdit",
    "DataSummary",
    "Factors",
    "IntendedUse",
    "ModelCard",
    "ModelDetails",
    "OperatingPoint",
    "QuantitativeAnalysis",
]

NOT_FOR_CLINICAL_USE = (
    "NOT FOR CLINICAL USE. This model was trained on synthetic mammograms; it has not been "
    "validated on patient data and must not inform any diagnosis."
)


class AuthoredCard(BaseModel):
    """The sections people write; a card is complete when none of the required ones is empty."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    owners: list[str] = Field(default=[], description="who is responsible for the model")
    license: str = ""
    primary_users: list[str] = Field(default=[], description="who should use it")
    out_of_scope_uses: list[str] = Field(default=[], description="uses it must not be put to")
    relevant_factors: list[str] = Field(
        default=[], description="groups, instruments, environments that may change performance"
    )
    ethical_considerations: list[str] = []
    caveats_and_recommendations: list[str] = []


REQUIRED_AUTHORED_FIELDS: tuple[str, ...] = (
    "owners",
    "primary_users",
    "out_of_scope_uses",
    "relevant_factors",
    "ethical_considerations",
    "caveats_and_recommendations",
)


class CardEdit(BaseModel):
    """A partial edit of the authored sections: only the fields given are replaced."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    owners: list[str] | None = None
    license: str | None = None
    primary_users: list[str] | None = None
    out_of_scope_uses: list[str] | None = None
    relevant_factors: list[str] | None = None
    ethical_considerations: list[str] | None = None
    caveats_and_recommendations: list[str] | None = None

    def apply(self, card: AuthoredCard) -> AuthoredCard:
        """``card`` with the given fields replaced."""
        return card.model_copy(update=self.model_dump(exclude_none=True))


class ModelDetails(BaseModel):
    """Who made the model, when, how, and exactly which bytes it is."""

    name: str
    version: int
    task: str
    architecture: str
    owners: list[str]
    license: str
    trained_at: str
    registered_at: str
    registered_by: str
    mammocad_version: str
    code_version: str
    artifact_tag: str
    artifact_sha256: str
    seed: int
    device: str
    hyperparameters: dict[str, Any]
    ingest: dict[str, Any] = Field(description="how images are prepared for this model")


class IntendedUse(BaseModel):
    """What the model is for, for whom, and what it must not be used for."""

    primary_uses: list[str]
    primary_users: list[str]
    out_of_scope_uses: list[str]


class Factors(BaseModel):
    """Factors that may change performance, and those the evaluation broke results down by."""

    relevant: list[str]
    evaluation: list[str]


class DataSummary(BaseModel):
    """A data set the model was trained or evaluated on."""

    name: str
    fingerprint: str
    synthetic: bool | None = Field(description="None: not recorded")
    n_images: int
    n_patients: int | None = None
    label_counts: dict[str, int] = {}
    notes: list[str] = []


class OperatingPoint(BaseModel):
    """A decision threshold and how it was chosen (on the validation split, never on test)."""

    name: str
    parameters: dict[str, Any]


class QuantitativeAnalysis(BaseModel):
    """Results on one evaluation data set: unitary metrics with CIs, and subgroups if reported."""

    data_name: str
    data_fingerprint: str
    primary_metric: str
    metrics: list[MetricEstimate]
    subgroups: list[SubgroupMetric]


class ModelCard(BaseModel):
    """A complete model card of one version."""

    clinical_use_warning: str | None = Field(
        description="set when the training data is synthetic: the model is not for clinical use"
    )
    model_details: ModelDetails
    intended_use: IntendedUse
    factors: Factors
    metrics: list[str] = Field(description="the performance measures and why they were chosen")
    operating_points: list[OperatingPoint]
    training_data: DataSummary
    evaluation_data: list[DataSummary]
    quantitative_analyses: list[QuantitativeAnalysis]
    calibration: CalibrationRecord | None
    ood_detector: OodDetectorRecord | None
    ethical_considerations: list[str]
    caveats_and_recommendations: list[str]
    missing: list[str] = Field(description="required sections nobody has written yet")

    @property
    def complete(self) -> bool:
        """Every required section is filled in."""
        return not self.missing
