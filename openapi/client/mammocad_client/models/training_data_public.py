from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.training_data_public_label_counts import TrainingDataPublicLabelCounts


T = TypeVar("T", bound="TrainingDataPublic")


@_attrs_define
class TrainingDataPublic:
    """The data a version was trained on, without patient identifiers.

    Attributes:
        fingerprint (str):
        label_counts (TrainingDataPublicLabelCounts):
        n_images (int):
        n_patients (int):
        n_train_patients (int):
        n_validation_patients (int):
        name (str):
        synthetic (bool):
    """

    fingerprint: str
    label_counts: TrainingDataPublicLabelCounts
    n_images: int
    n_patients: int
    n_train_patients: int
    n_validation_patients: int
    name: str
    synthetic: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        fingerprint = self.fingerprint

        label_counts = self.label_counts.to_dict()

        n_images = self.n_images

        n_patients = self.n_patients

        n_train_patients = self.n_train_patients

        n_validation_patients = self.n_validation_patients

        name = self.name

        synthetic = self.synthetic

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "fingerprint": fingerprint,
                "label_counts": label_counts,
                "n_images": n_images,
                "n_patients": n_patients,
                "n_train_patients": n_train_patients,
                "n_validation_patients": n_validation_patients,
                "name": name,
                "synthetic": synthetic,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.training_data_public_label_counts import TrainingDataPublicLabelCounts  # noqa: PLC0415

        d = dict(src_dict)
        fingerprint = d.pop("fingerprint")

        label_counts = TrainingDataPublicLabelCounts.from_dict(d.pop("label_counts"))

        n_images = d.pop("n_images")

        n_patients = d.pop("n_patients")

        n_train_patients = d.pop("n_train_patients")

        n_validation_patients = d.pop("n_validation_patients")

        name = d.pop("name")

        synthetic = d.pop("synthetic")

        training_data_public = cls(
            fingerprint=fingerprint,
            label_counts=label_counts,
            n_images=n_images,
            n_patients=n_patients,
            n_train_patients=n_train_patients,
            n_validation_patients=n_validation_patients,
            name=name,
            synthetic=synthetic,
        )

        training_data_public.additional_properties = d
        return training_data_public

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
