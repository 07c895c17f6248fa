from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.evaluation_record_task import EvaluationRecordTask
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.evaluation_record_report import EvaluationRecordReport
    from ..models.metric_estimate import MetricEstimate
    from ..models.subgroup_metric import SubgroupMetric


T = TypeVar("T", bound="EvaluationRecord")


@_attrs_define
class EvaluationRecord:
    """One version evaluated on one data set.

    Attributes:
        data_fingerprint (str):
        data_name (str):
        metrics (list[MetricEstimate]):
        n_images (int):
        patients_seen_in_training (int):
        primary_metric (str):
        report (EvaluationRecordReport): the report as written by mammocad evaluate
        task (EvaluationRecordTask):
        subgroups (list[SubgroupMetric] | Unset):
    """

    data_fingerprint: str
    data_name: str
    metrics: list[MetricEstimate]
    n_images: int
    patients_seen_in_training: int
    primary_metric: str
    report: EvaluationRecordReport
    task: EvaluationRecordTask
    subgroups: list[SubgroupMetric] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data_fingerprint = self.data_fingerprint

        data_name = self.data_name

        metrics = []
        for metrics_item_data in self.metrics:
            metrics_item = metrics_item_data.to_dict()
            metrics.append(metrics_item)

        n_images = self.n_images

        patients_seen_in_training = self.patients_seen_in_training

        primary_metric = self.primary_metric

        report = self.report.to_dict()

        task = self.task.value

        subgroups: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.subgroups, Unset):
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
                "n_images": n_images,
                "patients_seen_in_training": patients_seen_in_training,
                "primary_metric": primary_metric,
                "report": report,
                "task": task,
            }
        )
        if subgroups is not UNSET:
            field_dict["subgroups"] = subgroups

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.evaluation_record_report import EvaluationRecordReport  # noqa: PLC0415
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

        n_images = d.pop("n_images")

        patients_seen_in_training = d.pop("patients_seen_in_training")

        primary_metric = d.pop("primary_metric")

        report = EvaluationRecordReport.from_dict(d.pop("report"))

        task = EvaluationRecordTask(d.pop("task"))

        _subgroups = d.pop("subgroups", UNSET)
        subgroups: list[SubgroupMetric] | Unset = UNSET
        if _subgroups is not UNSET:
            subgroups = []
            for subgroups_item_data in _subgroups:
                subgroups_item = SubgroupMetric.from_dict(subgroups_item_data)

                subgroups.append(subgroups_item)

        evaluation_record = cls(
            data_fingerprint=data_fingerprint,
            data_name=data_name,
            metrics=metrics,
            n_images=n_images,
            patients_seen_in_training=patients_seen_in_training,
            primary_metric=primary_metric,
            report=report,
            task=task,
            subgroups=subgroups,
        )

        evaluation_record.additional_properties = d
        return evaluation_record

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
