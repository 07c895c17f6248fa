from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ReliabilityBin")


@_attrs_define
class ReliabilityBin:
    """One bin of a reliability diagram: predicted confidence against observed frequency.

    Attributes:
        count (int):
        lower (float):
        mean_confidence (float):
        observed_frequency (float):
        upper (float):
    """

    count: int
    lower: float
    mean_confidence: float
    observed_frequency: float
    upper: float

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        lower = self.lower

        mean_confidence = self.mean_confidence

        observed_frequency = self.observed_frequency

        upper = self.upper

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "count": count,
                "lower": lower,
                "mean_confidence": mean_confidence,
                "observed_frequency": observed_frequency,
                "upper": upper,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        count = d.pop("count")

        lower = d.pop("lower")

        mean_confidence = d.pop("mean_confidence")

        observed_frequency = d.pop("observed_frequency")

        upper = d.pop("upper")

        reliability_bin = cls(
            count=count,
            lower=lower,
            mean_confidence=mean_confidence,
            observed_frequency=observed_frequency,
            upper=upper,
        )

        return reliability_bin
