from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SkippedImage")


@_attrs_define
class SkippedImage:
    """A mammogram of the study that could not be analysed (the others still were).

    Attributes:
        detail (str):
        problem (str): the problem type an upload of it would get
        series_instance_uid (str):
        sop_instance_uid (str):
    """

    detail: str
    problem: str
    series_instance_uid: str
    sop_instance_uid: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        detail = self.detail

        problem = self.problem

        series_instance_uid = self.series_instance_uid

        sop_instance_uid = self.sop_instance_uid

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "detail": detail,
                "problem": problem,
                "series_instance_uid": series_instance_uid,
                "sop_instance_uid": sop_instance_uid,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        detail = d.pop("detail")

        problem = d.pop("problem")

        series_instance_uid = d.pop("series_instance_uid")

        sop_instance_uid = d.pop("sop_instance_uid")

        skipped_image = cls(
            detail=detail,
            problem=problem,
            series_instance_uid=series_instance_uid,
            sop_instance_uid=sop_instance_uid,
        )

        skipped_image.additional_properties = d
        return skipped_image

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
