from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TimingMs")


@_attrs_define
class TimingMs:
    """Where the time went, in milliseconds (the upload transfer itself is not included).

    Attributes:
        inference (float): the task service's round trip, model forward included
        ingest (float): decode, crop, orient and resize
        total (float): from the upload being received to the answer being ready
    """

    inference: float
    ingest: float
    total: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        inference = self.inference

        ingest = self.ingest

        total = self.total

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "inference": inference,
                "ingest": ingest,
                "total": total,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        inference = d.pop("inference")

        ingest = d.pop("ingest")

        total = d.pop("total")

        timing_ms = cls(
            inference=inference,
            ingest=ingest,
            total=total,
        )

        timing_ms.additional_properties = d
        return timing_ms

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
