from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="MetricEstimate")


@_attrs_define
class MetricEstimate:
    """A measured value with its confidence interval when the report has one.

    Attributes:
        name (str):
        value (float):
        ci_high (float | None | Unset):
        ci_low (float | None | Unset):
        level (float | None | Unset): CI coverage, e.g. 0.95
        support (str | Unset): what it was computed on, e.g. '12 pos / 30 neg' Default: ''.
    """

    name: str
    value: float
    ci_high: float | None | Unset = UNSET
    ci_low: float | None | Unset = UNSET
    level: float | None | Unset = UNSET
    support: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        value = self.value

        ci_high: float | None | Unset
        if isinstance(self.ci_high, Unset):
            ci_high = UNSET
        else:
            ci_high = self.ci_high

        ci_low: float | None | Unset
        if isinstance(self.ci_low, Unset):
            ci_low = UNSET
        else:
            ci_low = self.ci_low

        level: float | None | Unset
        if isinstance(self.level, Unset):
            level = UNSET
        else:
            level = self.level

        support = self.support

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "value": value,
            }
        )
        if ci_high is not UNSET:
            field_dict["ci_high"] = ci_high
        if ci_low is not UNSET:
            field_dict["ci_low"] = ci_low
        if level is not UNSET:
            field_dict["level"] = level
        if support is not UNSET:
            field_dict["support"] = support

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        value = d.pop("value")

        def _parse_ci_high(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        ci_high = _parse_ci_high(d.pop("ci_high", UNSET))

        def _parse_ci_low(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        ci_low = _parse_ci_low(d.pop("ci_low", UNSET))

        def _parse_level(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        level = _parse_level(d.pop("level", UNSET))

        support = d.pop("support", UNSET)

        metric_estimate = cls(
            name=name,
            value=value,
            ci_high=ci_high,
            ci_low=ci_low,
            level=level,
            support=support,
        )

        metric_estimate.additional_properties = d
        return metric_estimate

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
