from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.metric_estimate import MetricEstimate
    from ..models.subgroup_metric import SubgroupMetric


T = TypeVar("T", bound="QuantitativeAnalysis")


@_attrs_define
class QuantitativeAnalysis:
    """Results on one evaluation data set: unitary metrics with CIs, and subgroups if reported.

    Attributes:
        data_fingerprint (str):
        data_name (str):
        metrics (list[MetricEstimate]):
        primary_metric (str):
        subgroups (list[SubgroupMetric]):
    """

    data_fingerprint: str
    data_name: str
    metrics: list[MetricEstimate]
    primary_metric: str
    subgroups: list[SubgroupMetric]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data_fingerprint = self.data_fingerprint

        data_name = self.data_name

        metrics = []
        for metrics_item_data in self.metrics:
            metrics_item = metrics_item_data.to_dict()
            metrics.append(metrics_item)

        primary_metric = self.primary_metric

        subgroups = []
        for subgroups_item_data in self.subgroups:
            subgroups_item = subgroups_item_data.to_dict()
            subgroups.append(subgroups_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data_fingerprint": data_fingerprint,
                "data_name": data_name,
                "metrics": metrics,
                "primary_metric": primary_metric,
                "subgroups": subgroups,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.metric_estimate import MetricEstimate  # noqa: PLC0415
        from ..models.subgroup_metric import SubgroupMetric  # noqa: PLC0415

        d = dict(src_dict)
        data_fingerprint = d.pop("data_fingerprint")

        data_name = d.pop("data_name")

        metrics = []
        _metrics = d.pop("metrics")
        for metrics_item_data in _metrics:
            metrics_item = MetricEstimate.from_dict(metrics_item_data)

            metrics.append(metrics_item)

        primary_metric = d.pop("primary_metric")

        subgroups = []
        _subgroups = d.pop("subgroups")
        for subgroups_item_data in _subgroups:
            subgroups_item = SubgroupMetric.from_dict(subgroups_item_data)

            subgroups.append(subgroups_item)

        quantitative_analysis = cls(
            data_fingerprint=data_fingerprint,
            data_name=data_name,
            metrics=metrics,
            primary_metric=primary_metric,
            subgroups=subgroups,
        )

        quantitative_analysis.additional_properties = d
        return quantitative_analysis

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
