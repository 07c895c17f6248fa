from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.explanation_method_name import ExplanationMethodName

if TYPE_CHECKING:
    from ..models.explanation_method_details import ExplanationMethodDetails


T = TypeVar("T", bound="ExplanationMethod")


@_attrs_define
class ExplanationMethod:
    """How the heatmap was computed.

    Attributes:
        details (ExplanationMethodDetails): library, layer, and for SHAP: samples, seed, background images, expected
            value and the completeness gap (|sum of SHAP values - (value - expected value)|: the sampling error of this
            estimate)
        name (ExplanationMethodName):
    """

    details: ExplanationMethodDetails
    name: ExplanationMethodName
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        details = self.details.to_dict()

        name = self.name.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "details": details,
                "name": name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.explanation_method_details import ExplanationMethodDetails  # noqa: PLC0415

        d = dict(src_dict)
        details = ExplanationMethodDetails.from_dict(d.pop("details"))

        name = ExplanationMethodName(d.pop("name"))

        explanation_method = cls(
            details=details,
            name=name,
        )

        explanation_method.additional_properties = d
        return explanation_method

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
