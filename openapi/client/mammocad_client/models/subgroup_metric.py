from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.metric_estimate import MetricEstimate


T = TypeVar("T", bound="SubgroupMetric")


@_attrs_define
class SubgroupMetric:
    """A metric on one subgroup, e.g. factor 'density', group 'C'.

    Attributes:
        factor (str):
        group (str):
        metric (MetricEstimate): A measured value with its confidence interval when the report has one.
    """

    factor: str
    group: str
    metric: MetricEstimate
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        factor = self.factor

        group = self.group

        metric = self.metric.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "factor": factor,
                "group": group,
                "metric": metric,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.metric_estimate import MetricEstimate  # noqa: PLC0415

        d = dict(src_dict)
        factor = d.pop("factor")

        group = d.pop("group")

        metric = MetricEstimate.from_dict(d.pop("metric"))

        subgroup_metric = cls(
            factor=factor,
            group=group,
            metric=metric,
        )

        subgroup_metric.additional_properties = d
        return subgroup_metric

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
