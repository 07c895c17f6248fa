from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.calibration_applied import CalibrationApplied
    from ..models.class_prediction import ClassPrediction
    from ..models.class_probabilities import ClassProbabilities
    from ..models.image_summary import ImageSummary
    from ..models.model_used import ModelUsed
    from ..models.ood_assessment import OodAssessment
    from ..models.timing_ms import TimingMs


T = TypeVar("T", bound="ClassifyResponse")


@_attrs_define
class ClassifyResponse:
    """What the classifier says about an image.

    Attributes:
        calibrated (bool): True when the probabilities are calibrated
        image (ImageSummary): What the uploaded image was read as (the full reading is ``POST /v1/inspect``).
        model (ModelUsed): The registered model version that answered.
        prediction (ClassPrediction): The decisions a viewer shows.
        probabilities (ClassProbabilities): Probability of each image-level finding (the worst finding in the image);
            sum 1.
        request_id (str): also in the X-Request-ID header
        timing_ms (TimingMs): Where the time went, in milliseconds (the upload transfer itself is not included).
        calibration (CalibrationApplied | None | Unset): the calibration applied to the probabilities; null: they are
            the model's own, uncalibrated (the version has no calibration record)
        ood (None | OodAssessment | Unset): whether the image looks unlike the model's training images (another vendor,
            processing, not a mammogram), so that the answer should not be trusted; flagged images are still answered. null:
            not assessed (the version has no OOD detector)
    """

    calibrated: bool
    image: ImageSummary
    model: ModelUsed
    prediction: ClassPrediction
    probabilities: ClassProbabilities
    request_id: str
    timing_ms: TimingMs
    calibration: CalibrationApplied | None | Unset = UNSET
    ood: None | OodAssessment | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.calibration_applied import CalibrationApplied  # noqa: PLC0415
        from ..models.ood_assessment import OodAssessment  # noqa: PLC0415

        calibrated = self.calibrated

        image = self.image.to_dict()

        model = self.model.to_dict()

        prediction = self.prediction.to_dict()

        probabilities = self.probabilities.to_dict()

        request_id = self.request_id

        timing_ms = self.timing_ms.to_dict()

        calibration: dict[str, Any] | None | Unset
        if isinstance(self.calibration, Unset):
            calibration = UNSET
        elif isinstance(self.calibration, CalibrationApplied):
            calibration = self.calibration.to_dict()
        else:
            calibration = self.calibration

        ood: dict[str, Any] | None | Unset
        if isinstance(self.ood, Unset):
            ood = UNSET
        elif isinstance(self.ood, OodAssessment):
            ood = self.ood.to_dict()
        else:
            ood = self.ood

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "calibrated": calibrated,
                "image": image,
                "model": model,
                "prediction": prediction,
                "probabilities": probabilities,
                "request_id": request_id,
                "timing_ms": timing_ms,
            }
        )
        if calibration is not UNSET:
            field_dict["calibration"] = calibration
        if ood is not UNSET:
            field_dict["ood"] = ood

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.calibration_applied import CalibrationApplied  # noqa: PLC0415
        from ..models.class_prediction import ClassPrediction  # noqa: PLC0415
        from ..models.class_probabilities import ClassProbabilities  # noqa: PLC0415
        from ..models.image_summary import ImageSummary  # noqa: PLC0415
        from ..models.model_used import ModelUsed  # noqa: PLC0415
        from ..models.ood_assessment import OodAssessment  # noqa: PLC0415
        from ..models.timing_ms import TimingMs  # noqa: PLC0415

        d = dict(src_dict)
        calibrated = d.pop("calibrated")

        image = ImageSummary.from_dict(d.pop("image"))

        model = ModelUsed.from_dict(d.pop("model"))

        prediction = ClassPrediction.from_dict(d.pop("prediction"))

        probabilities = ClassProbabilities.from_dict(d.pop("probabilities"))

        request_id = d.pop("request_id")

        timing_ms = TimingMs.from_dict(d.pop("timing_ms"))

        def _parse_calibration(data: object) -> CalibrationApplied | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                calibration_type_0 = CalibrationApplied.from_dict(data)

                return calibration_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CalibrationApplied | None | Unset, data)

        calibration = _parse_calibration(d.pop("calibration", UNSET))

        def _parse_ood(data: object) -> None | OodAssessment | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                ood_type_0 = OodAssessment.from_dict(data)

                return ood_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OodAssessment | Unset, data)

        ood = _parse_ood(d.pop("ood", UNSET))

        classify_response = cls(
            calibrated=calibrated,
            image=image,
            model=model,
            prediction=prediction,
            probabilities=probabilities,
            request_id=request_id,
            timing_ms=timing_ms,
            calibration=calibration,
            ood=ood,
        )

        classify_response.additional_properties = d
        return classify_response

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
