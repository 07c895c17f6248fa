from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.calibration_applied import CalibrationApplied
    from ..models.detection import Detection
    from ..models.image_summary import ImageSummary
    from ..models.model_used import ModelUsed
    from ..models.ood_assessment import OodAssessment
    from ..models.timing_ms import TimingMs


T = TypeVar("T", bound="DetectResponse")


@_attrs_define
class DetectResponse:
    """The masses the detector found in an image, best first.

    Attributes:
        calibrated (bool): True when the scores are calibrated
        detections (list[Detection]): those scoring at least score_threshold
        image (ImageSummary): What the uploaded image was read as (the full reading is ``POST /v1/inspect``).
        model (ModelUsed): The registered model version that answered.
        request_id (str): also in the X-Request-ID header
        score_threshold (float | None): the version's operating point, chosen on its validation split; null when the
            version has none (then every detection is returned)
        timing_ms (TimingMs): Where the time went, in milliseconds (the upload transfer itself is not included).
        calibration (CalibrationApplied | None | Unset): the calibration applied to the probabilities; null: they are
            the model's own, uncalibrated (the version has no calibration record)
        ood (None | OodAssessment | Unset): whether the image looks unlike the model's training images (another vendor,
            processing, not a mammogram), so that the answer should not be trusted; flagged images are still answered. null:
            not assessed (the version has no OOD detector)
    """

    calibrated: bool
    detections: list[Detection]
    image: ImageSummary
    model: ModelUsed
    request_id: str
    score_threshold: float | None
    timing_ms: TimingMs
    calibration: CalibrationApplied | None | Unset = UNSET
    ood: None | OodAssessment | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.calibration_applied import CalibrationApplied  # noqa: PLC0415
        from ..models.ood_assessment import OodAssessment  # noqa: PLC0415

        calibrated = self.calibrated

        detections = []
        for detections_item_data in self.detections:
            detections_item = detections_item_data.to_dict()
            detections.append(detections_item)

        image = self.image.to_dict()

        model = self.model.to_dict()

        request_id = self.request_id

        score_threshold: float | None
        score_threshold = self.score_threshold

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
                "detections": detections,
                "image": image,
                "model": model,
                "request_id": request_id,
                "score_threshold": score_threshold,
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
        from ..models.detection import Detection  # noqa: PLC0415
        from ..models.image_summary import ImageSummary  # noqa: PLC0415
        from ..models.model_used import ModelUsed  # noqa: PLC0415
        from ..models.ood_assessment import OodAssessment  # noqa: PLC0415
        from ..models.timing_ms import TimingMs  # noqa: PLC0415

        d = dict(src_dict)
        calibrated = d.pop("calibrated")

        detections = []
        _detections = d.pop("detections")
        for detections_item_data in _detections:
            detections_item = Detection.from_dict(detections_item_data)

            detections.append(detections_item)

        image = ImageSummary.from_dict(d.pop("image"))

        model = ModelUsed.from_dict(d.pop("model"))

        request_id = d.pop("request_id")

        def _parse_score_threshold(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        score_threshold = _parse_score_threshold(d.pop("score_threshold"))

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

        detect_response = cls(
            calibrated=calibrated,
            detections=detections,
            image=image,
            model=model,
            request_id=request_id,
            score_threshold=score_threshold,
            timing_ms=timing_ms,
            calibration=calibration,
            ood=ood,
        )

        detect_response.additional_properties = d
        return detect_response

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
