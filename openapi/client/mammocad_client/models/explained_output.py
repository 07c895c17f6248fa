from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ExplainedOutput")


@_attrs_define
class ExplainedOutput:
    """The model output the heatmap explains.

    Attributes:
        class_name (None | str): classify: the explained class (default the most probable one)
        description (str):
        detection_index (int | None): detect: the explained detection's index, best first as /v1/detect lists them
            (default 0, the best)
        value (float): the explained output's value for this image (model scale)
    """

    class_name: None | str
    description: str
    detection_index: int | None
    value: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        class_name: None | str
        class_name = self.class_name

        description = self.description

        detection_index: int | None
        detection_index = self.detection_index

        value = self.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "class_name": class_name,
                "description": description,
                "detection_index": detection_index,
                "value": value,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_class_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        class_name = _parse_class_name(d.pop("class_name"))

        description = d.pop("description")

        def _parse_detection_index(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        detection_index = _parse_detection_index(d.pop("detection_index"))

        value = d.pop("value")

        explained_output = cls(
            class_name=class_name,
            description=description,
            detection_index=detection_index,
            value=value,
        )

        explained_output.additional_properties = d
        return explained_output

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
