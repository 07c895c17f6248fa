from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.data_summary_label_counts import DataSummaryLabelCounts


T = TypeVar("T", bound="DataSummary")


@_attrs_define
class DataSummary:
    """A data set the model was trained or evaluated on.

    Attributes:
        fingerprint (str):
        n_images (int):
        name (str):
        synthetic (bool | None): None: not recorded
        label_counts (DataSummaryLabelCounts | Unset):
        n_patients (int | None | Unset):
        notes (list[str] | Unset):
    """

    fingerprint: str
    n_images: int
    name: str
    synthetic: bool | None
    label_counts: DataSummaryLabelCounts | Unset = UNSET
    n_patients: int | None | Unset = UNSET
    notes: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        fingerprint = self.fingerprint

        n_images = self.n_images

        name = self.name

        synthetic: bool | None
        synthetic = self.synthetic

        label_counts: dict[str, Any] | Unset = UNSET
        if not isinstance(self.label_counts, Unset):
            label_counts = self.label_counts.to_dict()

        n_patients: int | None | Unset
        if isinstance(self.n_patients, Unset):
            n_patients = UNSET
        else:
            n_patients = self.n_patients

        notes: list[str] | Unset = UNSET
        if not isinstance(self.notes, Unset):
            notes = self.notes

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "fingerprint": fingerprint,
                "n_images": n_images,
                "name": name,
                "synthetic": synthetic,
            }
        )
        if label_counts is not UNSET:
            field_dict["label_counts"] = label_counts
        if n_patients is not UNSET:
            field_dict["n_patients"] = n_patients
        if notes is not UNSET:
            field_dict["notes"] = notes

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.data_summary_label_counts import DataSummaryLabelCounts  # noqa: PLC0415

        d = dict(src_dict)
        fingerprint = d.pop("fingerprint")

        n_images = d.pop("n_images")

        name = d.pop("name")

        def _parse_synthetic(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        synthetic = _parse_synthetic(d.pop("synthetic"))

        _label_counts = d.pop("label_counts", UNSET)
        label_counts: DataSummaryLabelCounts | Unset
        if isinstance(_label_counts, Unset):
            label_counts = UNSET
        else:
            label_counts = DataSummaryLabelCounts.from_dict(_label_counts)

        def _parse_n_patients(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        n_patients = _parse_n_patients(d.pop("n_patients", UNSET))

        notes = cast(list[str], d.pop("notes", UNSET))

        data_summary = cls(
            fingerprint=fingerprint,
            n_images=n_images,
            name=name,
            synthetic=synthetic,
            label_counts=label_counts,
            n_patients=n_patients,
            notes=notes,
        )

        data_summary.additional_properties = d
        return data_summary

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
