"""A trained model folder: the names of its files and what ``metadata.json`` says.

Torch-free, because the registry reads it inside the gateway, which must never import torch;
:mod:`models.training.artifacts` writes the folder and :mod:`models.inference.loaded` reads it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from mammocad.acquisition import AcquisitionProfile
from mammocad.ingest.pipeline import IngestOptions

__all__ = [
    "BACKGROUND_FILE",
    "CALIBRATION_FILE",
    "METADATA_FILE",
    "OOD_PARAMETERS_FILE",
    "OOD_RECORD_FILE",
    "WEIGHTS_FILE",
    "DataProvenance",
    "DecisionThresholds",
    "Task",
    "TrainingMetadata",
]

WEIGHTS_FILE = "model.pt"
"""The network's state dict."""
METADATA_FILE = "metadata.json"
"""A :class:`TrainingMetadata`."""
CALIBRATION_FILE = "calibration.json"
"""The fitted calibration (:class:`~mammocad.schemas.trust.CalibrationRecord`)."""
OOD_RECORD_FILE = "ood.json"
"""The fitted OOD detector's record (:class:`~mammocad.schemas.trust.OodDetectorRecord`); written
last by training, so its presence means the folder is complete."""
OOD_PARAMETERS_FILE = "ood.npz"
"""The OOD detector's fitted parameters, named by its record."""
BACKGROUND_FILE = "shap_background.npz"
"""The SHAP background images (:mod:`models.explain.background`)."""

Task = Literal["classify", "detect"]


class DecisionThresholds(BaseModel):
    """The version's operating point: the decision thresholds chosen on held-out data, and how.

    A classifier has ``abnormal_threshold`` (on ``1 - p(normal)``), a detector
    ``score_threshold`` (boxes below it are not shown); both are on the model's own, uncalibrated
    scores. Empty when the held-out data could not define one (e.g. no positive case).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    abnormal_threshold: float | None = None
    score_threshold: float | None = None
    rule: str | None = Field(default=None, description="how the threshold was chosen")

    @model_serializer(mode="wrap")
    def _without_absent(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Only the thresholds the task has: ``{}`` when none was chosen, as written before the
        record was typed, so stored metadata and the registry API read the same."""
        return {key: value for key, value in handler(self).items() if value is not None}


class DataProvenance(BaseModel):
    """Which data a model saw."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="data set spec or name, e.g. minimias:../shared/...")
    fingerprint: str = Field(description="sha256 over records and image bytes")
    synthetic: bool = Field(description="True when the images are mammocad's synthetic ones")
    n_images: int
    n_patients: int
    label_counts: dict[str, int]
    train_patients: list[str]
    validation_patients: list[str]
    calibration_data: str | None = Field(
        default=None,
        description="a data set of other patients added to the validation split to fit the "
        "calibration and the OOD threshold (None: the validation split alone)",
    )
    calibration_patients: list[str] = Field(default_factory=list)


class TrainingMetadata(BaseModel):
    """Everything needed to reproduce, audit and correctly use a trained model."""

    task: Task
    architecture: str
    created_at: str
    mammocad_version: str
    code_version: str
    ingest: IngestOptions
    data: DataProvenance
    acquisition: AcquisitionProfile | None = Field(
        default=None,
        description="what the training and validation images' headers said (the OOD header "
        "gate compares each upload with it); None for versions trained before it was recorded",
    )
    hyperparameters: dict[str, Any]
    seed: int
    device: str
    epochs_run: int
    best_epoch: int
    training_seconds: float
    validation_metrics: dict[str, float]
    operating_point: DecisionThresholds = Field(
        description="decision thresholds (chosen on the validation split, or cross-fitted on "
        "the out-of-fold predictions for a release), and how"
    )
    history: list[dict[str, float]]
    intended_use: str = Field(
        default="Research and demonstration only. Not for clinical use.",
    )

    @property
    def cross_validated(self) -> bool:
        """True for a release (:mod:`models.release`): trained on every film for a fixed
        schedule, its figures and thresholds from patient-level cross-validation, not from a
        validation split (the protocol is recorded in ``hyperparameters["cross_validation"]``).
        """
        return "cross_validation" in self.hyperparameters
