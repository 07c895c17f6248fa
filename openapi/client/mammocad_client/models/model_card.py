from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.calibration_record import CalibrationRecord
    from ..models.data_summary import DataSummary
    from ..models.factors import Factors
    from ..models.intended_use import IntendedUse
    from ..models.model_details import ModelDetails
    from ..models.ood_detector_record import OodDetectorRecord
    from ..models.operating_point import OperatingPoint
    from ..models.quantitative_analysis import QuantitativeAnalysis


T = TypeVar("T", bound="ModelCard")


@_attrs_define
class ModelCard:
    """A complete model card of one version.

    Attributes:
        calibration (CalibrationRecord | None):
        caveats_and_recommendations (list[str]):
        clinical_use_warning (None | str): set when the training data is synthetic: the model is not for clinical use
        ethical_considerations (list[str]):
        evaluation_data (list[DataSummary]):
        factors (Factors): Factors that may change performance, and those the evaluation broke results down by.
        intended_use (IntendedUse): What the model is for, for whom, and what it must not be used for.
        metrics (list[str]): the performance measures and why they were chosen
        missing (list[str]): required sections nobody has written yet
        model_details (ModelDetails): Who made the model, when, how, and exactly which bytes it is.
        ood_detector (None | OodDetectorRecord):
        operating_points (list[OperatingPoint]):
        quantitative_analyses (list[QuantitativeAnalysis]):
        training_data (DataSummary): A data set the model was trained or evaluated on.
    """

    calibration: CalibrationRecord | None
    caveats_and_recommendations: list[str]
    clinical_use_warning: None | str
    ethical_considerations: list[str]
    evaluation_data: list[DataSummary]
    factors: Factors
    intended_use: IntendedUse
    metrics: list[str]
    missing: list[str]
    model_details: ModelDetails
    ood_detector: None | OodDetectorRecord
    operating_points: list[OperatingPoint]
    quantitative_analyses: list[QuantitativeAnalysis]
    training_data: DataSummary
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.calibration_record import CalibrationRecord  # noqa: PLC0415
        from ..models.ood_detector_record import OodDetectorRecord  # noqa: PLC0415

        calibration: dict[str, Any] | None
        if isinstance(self.calibration, CalibrationRecord):
            calibration = self.calibration.to_dict()
        else:
            calibration = self.calibration

        caveats_and_recommendations = self.caveats_and_recommendations

        clinical_use_warning: None | str
        clinical_use_warning = self.clinical_use_warning

        ethical_considerations = self.ethical_considerations

        evaluation_data = []
        for evaluation_data_item_data in self.evaluation_data:
            evaluation_data_item = evaluation_data_item_data.to_dict()
            evaluation_data.append(evaluation_data_item)

        factors = self.factors.to_dict()

        intended_use = self.intended_use.to_dict()

        metrics = self.metrics

        missing = self.missing

        model_details = self.model_details.to_dict()

        ood_detector: dict[str, Any] | None
        if isinstance(self.ood_detector, OodDetectorRecord):
            ood_detector = self.ood_detector.to_dict()
        else:
            ood_detector = self.ood_detector

        operating_points = []
        for operating_points_item_data in self.operating_points:
            operating_points_item = operating_points_item_data.to_dict()
            operating_points.append(operating_points_item)

        quantitative_analyses = []
        for quantitative_analyses_item_data in self.quantitative_analyses:
            quantitative_analyses_item = quantitative_analyses_item_data.to_dict()
            quantitative_analyses.append(quantitative_analyses_item)

        training_data = self.training_data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "calibration": calibration,
                "caveats_and_recommendations": caveats_and_recommendations,
                "clinical_use_warning": clinical_use_warning,
                "ethical_considerations": ethical_considerations,
                "evaluation_data": evaluation_data,
                "factors": factors,
                "intended_use": intended_use,
                "metrics": metrics,
                "missing": missing,
                "model_details": model_details,
                "ood_detector": ood_detector,
                "operating_points": operating_points,
                "quantitative_analyses": quantitative_analyses,
                "training_data": training_data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.calibration_record import CalibrationRecord  # noqa: PLC0415
        from ..models.data_summary import DataSummary  # noqa: PLC0415
        from ..models.factors import Factors  # noqa: PLC0415
        from ..models.intended_use import IntendedUse  # noqa: PLC0415
        from ..models.model_details import ModelDetails  # noqa: PLC0415
        from ..models.ood_detector_record import OodDetectorRecord  # noqa: PLC0415
        from ..models.operating_point import OperatingPoint  # noqa: PLC0415
        from ..models.quantitative_analysis import QuantitativeAnalysis  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_calibration(data: object) -> CalibrationRecord | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                calibration_type_0 = CalibrationRecord.from_dict(data)

                return calibration_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CalibrationRecord | None, data)

        calibration = _parse_calibration(d.pop("calibration"))

        caveats_and_recommendations = cast(list[str], d.pop("caveats_and_recommendations"))

        def _parse_clinical_use_warning(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        clinical_use_warning = _parse_clinical_use_warning(d.pop("clinical_use_warning"))

        ethical_considerations = cast(list[str], d.pop("ethical_considerations"))

        evaluation_data = []
        _evaluation_data = d.pop("evaluation_data")
        for evaluation_data_item_data in _evaluation_data:
            evaluation_data_item = DataSummary.from_dict(evaluation_data_item_data)

            evaluation_data.append(evaluation_data_item)

        factors = Factors.from_dict(d.pop("factors"))

        intended_use = IntendedUse.from_dict(d.pop("intended_use"))

        metrics = cast(list[str], d.pop("metrics"))

        missing = cast(list[str], d.pop("missing"))

        model_details = ModelDetails.from_dict(d.pop("model_details"))

        def _parse_ood_detector(data: object) -> None | OodDetectorRecord:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                ood_detector_type_0 = OodDetectorRecord.from_dict(data)

                return ood_detector_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OodDetectorRecord, data)

        ood_detector = _parse_ood_detector(d.pop("ood_detector"))

        operating_points = []
        _operating_points = d.pop("operating_points")
        for operating_points_item_data in _operating_points:
            operating_points_item = OperatingPoint.from_dict(operating_points_item_data)

            operating_points.append(operating_points_item)

        quantitative_analyses = []
        _quantitative_analyses = d.pop("quantitative_analyses")
        for quantitative_analyses_item_data in _quantitative_analyses:
            quantitative_analyses_item = QuantitativeAnalysis.from_dict(quantitative_analyses_item_data)

            quantitative_analyses.append(quantitative_analyses_item)

        training_data = DataSummary.from_dict(d.pop("training_data"))

        model_card = cls(
            calibration=calibration,
            caveats_and_recommendations=caveats_and_recommendations,
            clinical_use_warning=clinical_use_warning,
            ethical_considerations=ethical_considerations,
            evaluation_data=evaluation_data,
            factors=factors,
            intended_use=intended_use,
            metrics=metrics,
            missing=missing,
            model_details=model_details,
            ood_detector=ood_detector,
            operating_points=operating_points,
            quantitative_analyses=quantitative_analyses,
            training_data=training_data,
        )

        model_card.additional_properties = d
        return model_card

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
