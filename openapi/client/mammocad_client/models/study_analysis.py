from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.breast_summary import BreastSummary
    from ..models.exam_summary import ExamSummary
    from ..models.image_analysis import ImageAnalysis
    from ..models.model_used import ModelUsed
    from ..models.skipped_image import SkippedImage


T = TypeVar("T", bound="StudyAnalysis")


@_attrs_define
class StudyAnalysis:
    """A study's mammograms analysed, summarised per breast and per exam, and (by default)
    written back to the PACS as DICOM objects.

        Attributes:
            breasts (list[BreastSummary]): one per breast with an analysed view
            classifier (ModelUsed): The registered model version that answered.
            detector (ModelUsed): The registered model version that answered.
            exam (ExamSummary | None): null when no image could be analysed
            images (list[ImageAnalysis]):
            request_id (str):
            skipped (list[SkippedImage]):
            study_instance_uid (str):
    """

    breasts: list[BreastSummary]
    classifier: ModelUsed
    detector: ModelUsed
    exam: ExamSummary | None
    images: list[ImageAnalysis]
    request_id: str
    skipped: list[SkippedImage]
    study_instance_uid: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.exam_summary import ExamSummary  # noqa: PLC0415

        breasts = []
        for breasts_item_data in self.breasts:
            breasts_item = breasts_item_data.to_dict()
            breasts.append(breasts_item)

        classifier = self.classifier.to_dict()

        detector = self.detector.to_dict()

        exam: dict[str, Any] | None
        if isinstance(self.exam, ExamSummary):
            exam = self.exam.to_dict()
        else:
            exam = self.exam

        images = []
        for images_item_data in self.images:
            images_item = images_item_data.to_dict()
            images.append(images_item)

        request_id = self.request_id

        skipped = []
        for skipped_item_data in self.skipped:
            skipped_item = skipped_item_data.to_dict()
            skipped.append(skipped_item)

        study_instance_uid = self.study_instance_uid

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "breasts": breasts,
                "classifier": classifier,
                "detector": detector,
                "exam": exam,
                "images": images,
                "request_id": request_id,
                "skipped": skipped,
                "study_instance_uid": study_instance_uid,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.breast_summary import BreastSummary  # noqa: PLC0415
        from ..models.exam_summary import ExamSummary  # noqa: PLC0415
        from ..models.image_analysis import ImageAnalysis  # noqa: PLC0415
        from ..models.model_used import ModelUsed  # noqa: PLC0415
        from ..models.skipped_image import SkippedImage  # noqa: PLC0415

        d = dict(src_dict)
        breasts = []
        _breasts = d.pop("breasts")
        for breasts_item_data in _breasts:
            breasts_item = BreastSummary.from_dict(breasts_item_data)

            breasts.append(breasts_item)

        classifier = ModelUsed.from_dict(d.pop("classifier"))

        detector = ModelUsed.from_dict(d.pop("detector"))

        def _parse_exam(data: object) -> ExamSummary | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                exam_type_0 = ExamSummary.from_dict(data)

                return exam_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ExamSummary | None, data)

        exam = _parse_exam(d.pop("exam"))

        images = []
        _images = d.pop("images")
        for images_item_data in _images:
            images_item = ImageAnalysis.from_dict(images_item_data)

            images.append(images_item)

        request_id = d.pop("request_id")

        skipped = []
        _skipped = d.pop("skipped")
        for skipped_item_data in _skipped:
            skipped_item = SkippedImage.from_dict(skipped_item_data)

            skipped.append(skipped_item)

        study_instance_uid = d.pop("study_instance_uid")

        study_analysis = cls(
            breasts=breasts,
            classifier=classifier,
            detector=detector,
            exam=exam,
            images=images,
            request_id=request_id,
            skipped=skipped,
            study_instance_uid=study_instance_uid,
        )

        study_analysis.additional_properties = d
        return study_analysis

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
