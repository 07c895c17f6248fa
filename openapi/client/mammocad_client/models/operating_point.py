from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.operating_point_parameters import OperatingPointParameters


T = TypeVar("T", bound="OperatingPoint")


@_attrs_define
class OperatingPoint:
    """A decision threshold and how it was chosen (on the validation split, never on test).

    Attributes:
        name (str):
        parameters (OperatingPointParameters):
    """

    name: str
    parameters: OperatingPointParameters
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        parameters = self.parameters.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "parameters": parameters,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.operating_point_parameters import OperatingPointParameters  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        parameters = OperatingPointParameters.from_dict(d.pop("parameters"))

        operating_point = cls(
            name=name,
            parameters=parameters,
        )

        operating_point.additional_properties = d
        return operating_point

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
