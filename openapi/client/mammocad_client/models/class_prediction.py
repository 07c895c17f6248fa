from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.label import Label

T = TypeVar("T", bound="ClassPrediction")


@_attrs_define
class ClassPrediction:
    """The decisions a viewer shows.

    Attributes:
        abnormal (bool | None): abnormal_score >= abnormal_threshold; null without an operating point
        abnormal_score (float): 1 - p(normal): the score the operating point applies to
        abnormal_threshold (float | None): the version's operating point, chosen on its validation split; null when the
            version has none
        label (Label): Image-level ground truth: the worst finding in the image.
    """

    abnormal: bool | None
    abnormal_score: float
    abnormal_threshold: float | None
    label: Label
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        abnormal: bool | None
        abnormal = self.abnormal

        abnormal_score = self.abnormal_score

        abnormal_threshold: float | None
        abnormal_threshold = self.abnormal_threshold

        label = self.label.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "abnormal": abnormal,
                "abnormal_score": abnormal_score,
                "abnormal_threshold": abnormal_threshold,
                "label": label,
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

        def _parse_abnormal_threshold(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        abnormal_threshold = _parse_abnormal_threshold(d.pop("abnormal_threshold"))

        label = Label(d.pop("label"))

        class_prediction = cls(
            abnormal=abnormal,
            abnormal_score=abnormal_score,
            abnormal_threshold=abnormal_threshold,
            label=label,
        )

        class_prediction.additional_properties = d
        return class_prediction

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
