from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.detection import Detection


T = TypeVar("T", bound="ExplainedDetection")


@_attrs_define
class ExplainedDetection:
    """detect: the explained box, as /v1/detect would report it.

    Attributes:
        above_threshold (bool): True when /v1/detect shows this box (score at or above the version's operating
            threshold); an explanation may be asked of any candidate
        detection (Detection): One mass found in the image.
    """

    above_threshold: bool
    detection: Detection
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        above_threshold = self.above_threshold

        detection = self.detection.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "above_threshold": above_threshold,
                "detection": detection,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.detection import Detection  # noqa: PLC0415

        d = dict(src_dict)
        above_threshold = d.pop("above_threshold")

        detection = Detection.from_dict(d.pop("detection"))

        explained_detection = cls(
            above_threshold=above_threshold,
            detection=detection,
        )

        explained_detection.additional_properties = d
        return explained_detection

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
