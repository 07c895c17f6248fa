from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.calibration_record_method import CalibrationRecordMethod
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.calibration_quality import CalibrationQuality
    from ..models.calibration_record_method_selection_type_0 import CalibrationRecordMethodSelectionType0
    from ..models.calibration_record_parameters import CalibrationRecordParameters
    from ..models.data_ref import DataRef
    from ..models.reliability_bin import ReliabilityBin


T = TypeVar("T", bound="CalibrationRecord")


@_attrs_define
class CalibrationRecord:
    """A fitted probability calibration of one version.

    Attributes:
        after (CalibrationQuality): How well predicted probabilities match observed frequencies (lower is better).
        before (CalibrationQuality): How well predicted probabilities match observed frequencies (lower is better).
        fitted_on (DataRef): A data set by name and content fingerprint (``mammocad data show SPEC --fingerprint``).
        method (CalibrationRecordMethod): 'none': measured, and no candidate improved the cross-validated likelihood, so
            answers carry the model's own probabilities (calibrated: false)
        parameters (CalibrationRecordParameters): fitted values, e.g. {'temperature': 1.7}
        reliability_bins (list[ReliabilityBin]): after calibration, in increasing confidence
        target (str): which output, e.g. 'p(abnormal)'
        method_selection (CalibrationRecordMethodSelectionType0 | None | Unset): the figure each candidate method scored
            when this one was chosen, e.g. {'platt (5-fold cross-validated NLL)': 61.2}
    """

    after: CalibrationQuality
    before: CalibrationQuality
    fitted_on: DataRef
    method: CalibrationRecordMethod
    parameters: CalibrationRecordParameters
    reliability_bins: list[ReliabilityBin]
    target: str
    method_selection: CalibrationRecordMethodSelectionType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.calibration_record_method_selection_type_0 import CalibrationRecordMethodSelectionType0  # noqa: PLC0415

        after = self.after.to_dict()

        before = self.before.to_dict()

        fitted_on = self.fitted_on.to_dict()

        method = self.method.value

        parameters = self.parameters.to_dict()

        reliability_bins = []
        for reliability_bins_item_data in self.reliability_bins:
            reliability_bins_item = reliability_bins_item_data.to_dict()
            reliability_bins.append(reliability_bins_item)

        target = self.target

        method_selection: dict[str, Any] | None | Unset
        if isinstance(self.method_selection, Unset):
            method_selection = UNSET
        elif isinstance(self.method_selection, CalibrationRecordMethodSelectionType0):
            method_selection = self.method_selection.to_dict()
        else:
            method_selection = self.method_selection

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "after": after,
                "before": before,
                "fitted_on": fitted_on,
                "method": method,
                "parameters": parameters,
                "reliability_bins": reliability_bins,
                "target": target,
            }
        )
        if method_selection is not UNSET:
            field_dict["method_selection"] = method_selection

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.calibration_quality import CalibrationQuality  # noqa: PLC0415
        from ..models.calibration_record_method_selection_type_0 import CalibrationRecordMethodSelectionType0  # noqa: PLC0415
        from ..models.calibration_record_parameters import CalibrationRecordParameters  # noqa: PLC0415
        from ..models.data_ref import DataRef  # noqa: PLC0415
        from ..models.reliability_bin import ReliabilityBin  # noqa: PLC0415

        d = dict(src_dict)
        after = CalibrationQuality.from_dict(d.pop("after"))

        before = CalibrationQuality.from_dict(d.pop("before"))

        fitted_on = DataRef.from_dict(d.pop("fitted_on"))

        method = CalibrationRecordMethod(d.pop("method"))

        parameters = CalibrationRecordParameters.from_dict(d.pop("parameters"))

        reliability_bins = []
        _reliability_bins = d.pop("reliability_bins")
        for reliability_bins_item_data in _reliability_bins:
            reliability_bins_item = ReliabilityBin.from_dict(reliability_bins_item_data)

            reliability_bins.append(reliability_bins_item)

        target = d.pop("target")

        def _parse_method_selection(data: object) -> CalibrationRecordMethodSelectionType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                method_selection_type_0 = CalibrationRecordMethodSelectionType0.from_dict(data)

                return method_selection_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CalibrationRecordMethodSelectionType0 | None | Unset, data)

        method_selection = _parse_method_selection(d.pop("method_selection", UNSET))

        calibration_record = cls(
            after=after,
            before=before,
            fitted_on=fitted_on,
            method=method,
            parameters=parameters,
            reliability_bins=reliability_bins,
            target=target,
            method_selection=method_selection,
        )

        return calibration_record
