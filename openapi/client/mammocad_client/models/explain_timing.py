from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ExplainTiming")


@_attrs_define
class ExplainTiming:
    """Where the time went, in milliseconds.

    Attributes:
        explanation (float): the explanation's compute inside the service
        inference (float): the task service's round trip, explanation included
        ingest (float):
        rendering (float): mapping to the original geometry and PNG encoding
        total (float):
    """

    explanation: float
    inference: float
    ingest: float
    rendering: float
    total: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        explanation = self.explanation

        inference = self.inference

        ingest = self.ingest

        rendering = self.rendering

        total = self.total

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "explanation": explanation,
                "inference": inference,
                "ingest": ingest,
                "rendering": rendering,
                "total": total,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        explanation = d.pop("explanation")

        inference = d.pop("inference")

        ingest = d.pop("ingest")

        rendering = d.pop("rendering")

        total = d.pop("total")

        explain_timing = cls(
            explanation=explanation,
            inference=inference,
            ingest=ingest,
            rendering=rendering,
            total=total,
        )

        explain_timing.additional_properties = d
        return explain_timing

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
