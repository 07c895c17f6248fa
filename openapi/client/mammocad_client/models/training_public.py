from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.ingest_options import IngestOptions
    from ..models.training_data_public import TrainingDataPublic
    from ..models.training_public_hyperparameters import TrainingPublicHyperparameters
    from ..models.training_public_operating_point import TrainingPublicOperatingPoint
    from ..models.training_public_validation_metrics import TrainingPublicValidationMetrics


T = TypeVar("T", bound="TrainingPublic")


@_attrs_define
class TrainingPublic:
    """How a version was trained.

    Attributes:
        architecture (str):
        best_epoch (int):
        code_version (str):
        created_at (str):
        data (TrainingDataPublic): The data a version was trained on, without patient identifiers.
        device (str):
        epochs_run (int):
        hyperparameters (TrainingPublicHyperparameters):
        ingest (IngestOptions): How to prepare an image for a model; each model declares the options it was trained
            with.
        intended_use (str):
        mammocad_version (str):
        operating_point (TrainingPublicOperatingPoint):
        seed (int):
        training_seconds (float):
        validation_metrics (TrainingPublicValidationMetrics):
    """

    architecture: str
    best_epoch: int
    code_version: str
    created_at: str
    data: TrainingDataPublic
    device: str
    epochs_run: int
    hyperparameters: TrainingPublicHyperparameters
    ingest: IngestOptions
    intended_use: str
    mammocad_version: str
    operating_point: TrainingPublicOperatingPoint
    seed: int
    training_seconds: float
    validation_metrics: TrainingPublicValidationMetrics
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        architecture = self.architecture

        best_epoch = self.best_epoch

        code_version = self.code_version

        created_at = self.created_at

        data = self.data.to_dict()

        device = self.device

        epochs_run = self.epochs_run

        hyperparameters = self.hyperparameters.to_dict()

        ingest = self.ingest.to_dict()

        intended_use = self.intended_use

        mammocad_version = self.mammocad_version

        operating_point = self.operating_point.to_dict()

        seed = self.seed

        training_seconds = self.training_seconds

        validation_metrics = self.validation_metrics.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "architecture": architecture,
                "best_epoch": best_epoch,
                "code_version": code_version,
                "created_at": created_at,
                "data": data,
                "device": device,
                "epochs_run": epochs_run,
                "hyperparameters": hyperparameters,
                "ingest": ingest,
                "intended_use": intended_use,
                "mammocad_version": mammocad_version,
                "operating_point": operating_point,
                "seed": seed,
                "training_seconds": training_seconds,
                "validation_metrics": validation_metrics,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.ingest_options import IngestOptions  # noqa: PLC0415
        from ..models.training_data_public import TrainingDataPublic  # noqa: PLC0415
        from ..models.training_public_hyperparameters import TrainingPublicHyperparameters  # noqa: PLC0415
        from ..models.training_public_operating_point import TrainingPublicOperatingPoint  # noqa: PLC0415
        from ..models.training_public_validation_metrics import TrainingPublicValidationMetrics  # noqa: PLC0415

        d = dict(src_dict)
        architecture = d.pop("architecture")

        best_epoch = d.pop("best_epoch")

        code_version = d.pop("code_version")

        created_at = d.pop("created_at")

        data = TrainingDataPublic.from_dict(d.pop("data"))

        device = d.pop("device")

        epochs_run = d.pop("epochs_run")

        hyperparameters = TrainingPublicHyperparameters.from_dict(d.pop("hyperparameters"))

        ingest = IngestOptions.from_dict(d.pop("ingest"))

        intended_use = d.pop("intended_use")

        mammocad_version = d.pop("mammocad_version")

        operating_point = TrainingPublicOperatingPoint.from_dict(d.pop("operating_point"))

        seed = d.pop("seed")

        training_seconds = d.pop("training_seconds")

        validation_metrics = TrainingPublicValidationMetrics.from_dict(d.pop("validation_metrics"))

        training_public = cls(
            architecture=architecture,
            best_epoch=best_epoch,
            code_version=code_version,
            created_at=created_at,
            data=data,
            device=device,
            epochs_run=epochs_run,
            hyperparameters=hyperparameters,
            ingest=ingest,
            intended_use=intended_use,
            mammocad_version=mammocad_version,
            operating_point=operating_point,
            seed=seed,
            training_seconds=training_seconds,
            validation_metrics=validation_metrics,
        )

        training_public.additional_properties = d
        return training_public

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
