from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.label import Label
from ..models.laterality import Laterality

T = TypeVar("T", bound="BreastSummary")


@_attrs_define
class BreastSummary:
    """The worst finding across the analysed views of one breast.

    Attributes:
        abnormal (bool | None): true when any view is abnormal at the classifier's validated operating point; null when
            the classifier version has no operating point
        abnormal_score (float): highest 1 - p(normal)
        highest_mass_malignancy (float | None): the highest malignancy of those masses; null without any
        images (list[str]): SOP Instance UIDs of its analysed views
        laterality (Laterality): Which breast: DICOM ImageLaterality codes.
        malignant_probability (float): highest p(malignant)
        masses (int): masses found at the detector's operating point
        out_of_distribution (bool): any view was flagged out of distribution by either model: do not trust
        worst_label (Label): Image-level ground truth: the worst finding in the image.
    """

    abnormal: bool | None
    abnormal_score: float
    highest_mass_malignancy: float | None
    images: list[str]
    laterality: Laterality
    malignant_probability: float
    masses: int
    out_of_distribution: bool
    worst_label: Label
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        abnormal: bool | None
        abnormal = self.abnormal

        abnormal_score = self.abnormal_score

        highest_mass_malignancy: float | None
        highest_mass_malignancy = self.highest_mass_malignancy

        images = self.images

        laterality = self.laterality.value

        malignant_probability = self.malignant_probability

        masses = self.masses

        out_of_distribution = self.out_of_distribution

        worst_label = self.worst_label.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "abnormal": abnormal,
                "abnormal_score": abnormal_score,
                "highest_mass_malignancy": highest_mass_malignancy,
                "images": images,
                "laterality": laterality,
                "malignant_probability": malignant_probability,
                "masses": masses,
                "out_of_distribution": out_of_distribution,
                "worst_label": worst_label,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_abnormal(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        abnormal = _parse_abnormal(d.pop("abnormal"))

        abnormal_score = d.pop("abnormal_score")

        def _parse_highest_mass_malignancy(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        highest_mass_malignancy = _parse_highest_mass_malignancy(d.pop("highest_mass_malignancy"))

        images = cast(list[str], d.pop("images"))

        laterality = Laterality(d.pop("laterality"))

        malignant_probability = d.pop("malignant_probability")

        masses = d.pop("masses")

        out_of_distribution = d.pop("out_of_distribution")

        worst_label = Label(d.pop("worst_label"))

        breast_summary = cls(
            abnormal=abnormal,
            abnormal_score=abnormal_score,
            highest_mass_malignancy=highest_mass_malignancy,
            images=images,
            laterality=laterality,
            malignant_probability=malignant_probability,
            masses=masses,
            out_of_distribution=out_of_distribution,
            worst_label=worst_label,
        )

        breast_summary.additional_properties = d
        return breast_summary

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
