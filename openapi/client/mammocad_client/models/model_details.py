from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.model_details_hyperparameters import ModelDetailsHyperparameters
    from ..models.model_details_ingest import ModelDetailsIngest


T = TypeVar("T", bound="ModelDetails")


@_attrs_define
class ModelDetails:
    """Who made the model, when, how, and exactly which bytes it is.

    Attributes:
        architecture (str):
        artifact_sha256 (str):
        artifact_tag (str):
        code_version (str):
        device (str):
        hyperparameters (ModelDetailsHyperparameters):
        ingest (ModelDetailsIngest): how images are prepared for this model
        license_ (str):
        mammocad_version (str):
        name (str):
        owners (list[str]):
        registered_at (str):
        registered_by (str):
        seed (int):
        task (str):
        trained_at (str):
        version (int):
    """

    architecture: str
    artifact_sha256: str
    artifact_tag: str
    code_version: str
    device: str
    hyperparameters: ModelDetailsHyperparameters
    ingest: ModelDetailsIngest
    license_: str
    mammocad_version: str
    name: str
    owners: list[str]
    registered_at: str
    registered_by: str
    seed: int
    task: str
    trained_at: str
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        architecture = self.architecture

        artifact_sha256 = self.artifact_sha256

        artifact_tag = self.artifact_tag

        code_version = self.code_version

        device = self.device

        hyperparameters = self.hyperparameters.to_dict()

        ingest = self.ingest.to_dict()

        license_ = self.license_

        mammocad_version = self.mammocad_version

        name = self.name

        owners = self.owners

        registered_at = self.registered_at

        registered_by = self.registered_by

        seed = self.seed

        task = self.task

        trained_at = self.trained_at

        version = self.version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "architecture": architecture,
                "artifact_sha256": artifact_sha256,
                "artifact_tag": artifact_tag,
                "code_version": code_version,
                "device": device,
                "hyperparameters": hyperparameters,
                "ingest": ingest,
                "license": license_,
                "mammocad_version": mammocad_version,
                "name": name,
                "owners": owners,
                "registered_at": registered_at,
                "registered_by": registered_by,
                "seed": seed,
                "task": task,
                "trained_at": trained_at,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.model_details_hyperparameters import ModelDetailsHyperparameters  # noqa: PLC0415
        from ..models.model_details_ingest import ModelDetailsIngest  # noqa: PLC0415

        d = dict(src_dict)
        architecture = d.pop("architecture")

        artifact_sha256 = d.pop("artifact_sha256")

        artifact_tag = d.pop("artifact_tag")

        code_version = d.pop("code_version")

        device = d.pop("device")

        hyperparameters = ModelDetailsHyperparameters.from_dict(d.pop("hyperparameters"))

        ingest = ModelDetailsIngest.from_dict(d.pop("ingest"))

        license_ = d.pop("license")

        mammocad_version = d.pop("mammocad_version")

        name = d.pop("name")

        owners = cast(list[str], d.pop("owners"))

        registered_at = d.pop("registered_at")

        registered_by = d.pop("registered_by")

        seed = d.pop("seed")

        task = d.pop("task")

        trained_at = d.pop("trained_at")

        version = d.pop("version")

        model_details = cls(
            architecture=architecture,
            artifact_sha256=artifact_sha256,
            artifact_tag=artifact_tag,
            code_version=code_version,
            device=device,
            hyperparameters=hyperparameters,
            ingest=ingest,
            license_=license_,
            mammocad_version=mammocad_version,
            name=name,
            owners=owners,
            registered_at=registered_at,
            registered_by=registered_by,
            seed=seed,
            task=task,
            trained_at=trained_at,
            version=version,
        )

        model_details.additional_properties = d
        return model_details

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
