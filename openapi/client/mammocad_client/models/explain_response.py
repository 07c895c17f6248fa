from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.explain_response_task import ExplainResponseTask
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.calibration_applied import CalibrationApplied
    from ..models.class_prediction import ClassPrediction
    from ..models.class_probabilities import ClassProbabilities
    from ..models.explain_timing import ExplainTiming
    from ..models.explained_detection import ExplainedDetection
    from ..models.explained_output import ExplainedOutput
    from ..models.explanation_method import ExplanationMethod
    from ..models.heatmap import Heatmap
    from ..models.image_summary import ImageSummary
    from ..models.model_used import ModelUsed
    from ..models.ood_assessment import OodAssessment


T = TypeVar("T", bound="ExplainResponse")


@_attrs_define
class ExplainResponse:
    """Why the model answered as it did about an image.

    Attributes:
        calibrated (bool): True when probabilities or scores are calibrated
        detection (ExplainedDetection | None): detect: the explained box
        explained (ExplainedOutput): The model output the heatmap explains.
        heatmap (Heatmap): The explanation map in the original image's geometry.
        image (ImageSummary): What the uploaded image was read as (the full reading is ``POST /v1/inspect``).
        method (ExplanationMethod): How the heatmap was computed.
        model (ModelUsed): The registered model version that answered.
        prediction (ClassPrediction | None): classify: as /v1/classify
        probabilities (ClassProbabilities | None): classify: the answer /v1/classify gives for this image
        request_id (str): also in the X-Request-ID header
        task (ExplainResponseTask):
        timing_ms (ExplainTiming): Where the time went, in milliseconds.
        calibration (CalibrationApplied | None | Unset):
        ood (None | OodAssessment | Unset): as in /v1/classify: an explanation of an out-of-distribution image explains
            an answer that should not be trusted
    """

    calibrated: bool
    detection: ExplainedDetection | None
    explained: ExplainedOutput
    heatmap: Heatmap
    image: ImageSummary
    method: ExplanationMethod
    model: ModelUsed
    prediction: ClassPrediction | None
    probabilities: ClassProbabilities | None
    request_id: str
    task: ExplainResponseTask
    timing_ms: ExplainTiming
    calibration: CalibrationApplied | None | Unset = UNSET
    ood: None | OodAssessment | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.calibration_applied import CalibrationApplied  # noqa: PLC0415
        from ..models.class_prediction import ClassPrediction  # noqa: PLC0415
        from ..models.class_probabilities import ClassProbabilities  # noqa: PLC0415
        from ..models.explained_detection import ExplainedDetection  # noqa: PLC0415
        from ..models.ood_assessment import OodAssessment  # noqa: PLC0415

        calibrated = self.calibrated

        detection: dict[str, Any] | None
        if isinstance(self.detection, ExplainedDetection):
            detection = self.detection.to_dict()
        else:
            detection = self.detection

        explained = self.explained.to_dict()

        heatmap = self.heatmap.to_dict()

        image = self.image.to_dict()

        method = self.method.to_dict()

        model = self.model.to_dict()

        prediction: dict[str, Any] | None
        if isinstance(self.prediction, ClassPrediction):
            prediction = self.prediction.to_dict()
        else:
            prediction = self.prediction

        probabilities: dict[str, Any] | None
        if isinstance(self.probabilities, ClassProbabilities):
            probabilities = self.probabilities.to_dict()
        else:
            probabilities = self.probabilities

        request_id = self.request_id

        task = self.task.value

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
                "detection": detection,
                "explained": explained,
                "heatmap": heatmap,
                "image": image,
                "method": method,
                "model": model,
                "prediction": prediction,
                "probabilities": probabilities,
                "request_id": request_id,
                "task": task,
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
        from ..models.explain_timing import ExplainTiming  # noqa: PLC0415
        from ..models.explained_detection import ExplainedDetection  # noqa: PLC0415
        from ..models.explained_output import ExplainedOutput  # noqa: PLC0415
        from ..models.explanation_method import ExplanationMethod  # noqa: PLC0415
        from ..models.heatmap import Heatmap  # noqa: PLC0415
        from ..models.image_summary import ImageSummary  # noqa: PLC0415
        from ..models.model_used import ModelUsed  # noqa: PLC0415
        from ..models.ood_assessment import OodAssessment  # noqa: PLC0415

        d = dict(src_dict)
        calibrated = d.pop("calibrated")

        def _parse_detection(data: object) -> ExplainedDetection | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                detection_type_0 = ExplainedDetection.from_dict(data)

                return detection_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ExplainedDetection | None, data)

        detection = _parse_detection(d.pop("detection"))

        explained = ExplainedOutput.from_dict(d.pop("explained"))

        heatmap = Heatmap.from_dict(d.pop("heatmap"))

        image = ImageSummary.from_dict(d.pop("image"))

        method = ExplanationMethod.from_dict(d.pop("method"))

        model = ModelUsed.from_dict(d.pop("model"))

        def _parse_prediction(data: object) -> ClassPrediction | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                prediction_type_0 = ClassPrediction.from_dict(data)

                return prediction_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ClassPrediction | None, data)

        prediction = _parse_prediction(d.pop("prediction"))

        def _parse_probabilities(data: object) -> ClassProbabilities | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                probabilities_type_0 = ClassProbabilities.from_dict(data)

                return probabilities_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ClassProbabilities | None, data)

        probabilities = _parse_probabilities(d.pop("probabilities"))

        request_id = d.pop("request_id")

        task = ExplainResponseTask(d.pop("task"))

        timing_ms = ExplainTiming.from_dict(d.pop("timing_ms"))

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

        explain_response = cls(
            calibrated=calibrated,
            detection=detection,
            explained=explained,
            heatmap=heatmap,
            image=image,
            method=method,
            model=model,
            prediction=prediction,
            probabilities=probabilities,
            request_id=request_id,
            task=task,
            timing_ms=timing_ms,
            calibration=calibration,
            ood=ood,
        )

        explain_response.additional_properties = d
        return explain_response

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
