from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.laterality import Laterality
from ..models.view import View

if TYPE_CHECKING:
    from ..models.classify_response import ClassifyResponse
    from ..models.detect_response import DetectResponse
    from ..models.stored_object import StoredObject


T = TypeVar("T", bound="ImageAnalysis")


@_attrs_define
class ImageAnalysis:
    """One mammogram of the study and what mammocad says about it.

    Attributes:
        classification (ClassifyResponse): What the classifier says about an image.
        detection (DetectResponse): The masses the detector found in an image, best first.
        laterality (Laterality): Which breast: DICOM ImageLaterality codes.
        series_instance_uid (str):
        sop_instance_uid (str):
        stored (list[StoredObject]): empty when store=false
        view (View): Mammographic projection (DICOM ViewPosition codes).
    """

    classification: ClassifyResponse
    detection: DetectResponse
    laterality: Laterality
    series_instance_uid: str
    sop_instance_uid: str
    stored: list[StoredObject]
    view: View
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        classification = self.classification.to_dict()

        detection = self.detection.to_dict()

        laterality = self.laterality.value

        series_instance_uid = self.series_instance_uid

        sop_instance_uid = self.sop_instance_uid

        stored = []
        for stored_item_data in self.stored:
            stored_item = stored_item_data.to_dict()
            stored.append(stored_item)

        view = self.view.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "classification": classification,
                "detection": detection,
                "laterality": laterality,
                "series_instance_uid": series_instance_uid,
                "sop_instance_uid": sop_instance_uid,
                "stored": stored,
                "view": view,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.classify_response import ClassifyResponse  # noqa: PLC0415
        from ..models.detect_response import DetectResponse  # noqa: PLC0415
        from ..models.stored_object import StoredObject  # noqa: PLC0415

        d = dict(src_dict)
        classification = ClassifyResponse.from_dict(d.pop("classification"))

        detection = DetectResponse.from_dict(d.pop("detection"))

        laterality = Laterality(d.pop("laterality"))

        series_instance_uid = d.pop("series_instance_uid")

        sop_instance_uid = d.pop("sop_instance_uid")

        stored = []
        _stored = d.pop("stored")
        for stored_item_data in _stored:
            stored_item = StoredObject.from_dict(stored_item_data)

            stored.append(stored_item)

        view = View(d.pop("view"))

        image_analysis = cls(
            classification=classification,
            detection=detection,
            laterality=laterality,
            series_instance_uid=series_instance_uid,
            sop_instance_uid=sop_instance_uid,
            stored=stored,
            view=view,
        )

        image_analysis.additional_properties = d
        return image_analysis

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
