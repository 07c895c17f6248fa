from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.calibration_applied_parameters import CalibrationAppliedParameters


T = TypeVar("T", bound="CalibrationApplied")


@_attrs_define
class CalibrationApplied:
    """How the probabilities were calibrated (the version's registry record).

    Attributes:
        ece_after (float): expected calibration error after, on that data
        ece_before (float): expected calibration error before, on that data
        fitted_on (str): the data it was fitted on (never the training split)
        method (str): temperature (logit / T) or platt (scale * logit + bias), per logit
        parameters (CalibrationAppliedParameters):
    """

    ece_after: float
    ece_before: float
    fitted_on: str
    method: str
    parameters: CalibrationAppliedParameters
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ece_after = self.ece_after

        ece_before = self.ece_before

        fitted_on = self.fitted_on

        method = self.method

        parameters = self.parameters.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ece_after": ece_after,
                "ece_before": ece_before,
                "fitted_on": fitted_on,
                "method": method,
                "parameters": parameters,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.calibration_applied_parameters import CalibrationAppliedParameters  # noqa: PLC0415

        d = dict(src_dict)
        ece_after = d.pop("ece_after")

        ece_before = d.pop("ece_before")

        fitted_on = d.pop("fitted_on")

        method = d.pop("method")

        parameters = CalibrationAppliedParameters.from_dict(d.pop("parameters"))

        calibration_applied = cls(
            ece_after=ece_after,
            ece_before=ece_before,
            fitted_on=fitted_on,
            method=method,
            parameters=parameters,
        )

        calibration_applied.additional_properties = d
        return calibration_applied

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
