from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="CalibrationQuality")


@_attrs_define
class CalibrationQuality:
    """How well predicted probabilities match observed frequencies (lower is better).

    Attributes:
        brier (float): Brier score
        ece (float): expected calibration error
    """

    brier: float
    ece: float

    def to_dict(self) -> dict[str, Any]:
        brier = self.brier

        ece = self.ece

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "brier": brier,
                "ece": ece,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        brier = d.pop("brier")

        ece = d.pop("ece")

        calibration_quality = cls(
            brier=brier,
            ece=ece,
        )

        return calibration_quality
