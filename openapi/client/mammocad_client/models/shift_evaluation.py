from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ShiftEvaluation")


@_attrs_define
class ShiftEvaluation:
    """How well the detector separates in-distribution inputs from one shifted set.

    Attributes:
        auroc (float):
        n_in_distribution (int):
        n_shifted (int):
        shift_set (str): e.g. 'synthetic vendor B', 'chest CT'
        fingerprint (None | str | Unset):
    """

    auroc: float
    n_in_distribution: int
    n_shifted: int
    shift_set: str
    fingerprint: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        auroc = self.auroc

        n_in_distribution = self.n_in_distribution

        n_shifted = self.n_shifted

        shift_set = self.shift_set

        fingerprint: None | str | Unset
        if isinstance(self.fingerprint, Unset):
            fingerprint = UNSET
        else:
            fingerprint = self.fingerprint

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "auroc": auroc,
                "n_in_distribution": n_in_distribution,
                "n_shifted": n_shifted,
                "shift_set": shift_set,
            }
        )
        if fingerprint is not UNSET:
            field_dict["fingerprint"] = fingerprint

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        auroc = d.pop("auroc")

        n_in_distribution = d.pop("n_in_distribution")

        n_shifted = d.pop("n_shifted")

        shift_set = d.pop("shift_set")

        def _parse_fingerprint(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        fingerprint = _parse_fingerprint(d.pop("fingerprint", UNSET))

        shift_evaluation = cls(
            auroc=auroc,
            n_in_distribution=n_in_distribution,
            n_shifted=n_shifted,
            shift_set=shift_set,
            fingerprint=fingerprint,
        )

        return shift_evaluation
