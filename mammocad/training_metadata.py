"""What ``metadata.json`` of a trained model says: the schema, without the weights.

It lives in the torch-free core (not in ``models/``) because the registry reads it inside the
gateway, which must never import torch; ``models.artifacts`` writes it next to the weights.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mammocad.acquisition import AcquisitionProfile
from mammocad.ingest.pipeline import IngestOptions

__all__ = ["METADATA_FILE", "WEIGHTS_FILE", "DataProvenance", "Task", "TrainingMetadata"]

# The two files of a trained model folder.
WEIGHTS_FILE = "model.pt"
METADATA_FILE = "metadata.json"
Task = Literal["classify", "detect"]


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
    operating_point: dict[str, Any] = Field(
        description="decision thresholds chosen on the validation split, and how"
    )
    history: list[dict[str, float]]
    intended_use: str = Field(
        default="Research and demonstration only. Not for clinical use.",
    )
