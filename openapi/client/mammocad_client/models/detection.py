from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Detection")


@_attrs_define
class Detection:
    """One mass found in the image.

    Attributes:
        box (list[float]): [x0, y0, x1, y1] in ORIGINAL pixel coordinates (x right, y down, origin at the top-left
            corner of the top-left pixel)
        malignancy (float): probability that the mass is malignant
        score (float): probability that this box is a mass (calibrated when the answer's calibrated is true)
        label (Literal['mass'] | Unset):  Default: 'mass'.
    """

    box: list[float]
    malignancy: float
    score: float
    label: Literal["mass"] | Unset = "mass"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        box = []
        for box_item_data in self.box:
            box_item: float
            box_item = box_item_data
            box.append(box_item)

        malignancy = self.malignancy

        score = self.score

        label = self.label

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "box": box,
                "malignancy": malignancy,
                "score": score,
            }
        )
        if label is not UNSET:
            field_dict["label"] = label

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        box = []
        _box = d.pop("box")
        for box_item_data in _box:

            def _parse_box_item(data: object) -> float:
                return cast(float, data)

            box_item = _parse_box_item(box_item_data)

            box.append(box_item)

        malignancy = d.pop("malignancy")

        score = d.pop("score")

        label = cast(Literal["mass"] | Unset, d.pop("label", UNSET))
        if label != "mass" and not isinstance(label, Unset):
            raise ValueError(f"label must match const 'mass', got '{label}'")

        detection = cls(
            box=box,
            malignancy=malignancy,
            score=score,
            label=label,
        )

        detection.additional_properties = d
        return detection

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
