from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.stored_object_kind import StoredObjectKind

T = TypeVar("T", bound="StoredObject")


@_attrs_define
class StoredObject:
    """A DICOM object made for one image and stored in the PACS (STOW-RS accepted it).

    Attributes:
        kind (StoredObjectKind): sr: Comprehensive 3D SR (TID 1500); mammography-cad-sr: Mammography CAD SR (TID 4000);
            parametric-map: the classifier's Grad-CAM evidence for malignant
        retrieve_url (None | str): WADO-RS URL as the PACS reported it
        series_instance_uid (str):
        sop_class_uid (str):
        sop_instance_uid (str):
    """

    kind: StoredObjectKind
    retrieve_url: None | str
    series_instance_uid: str
    sop_class_uid: str
    sop_instance_uid: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        retrieve_url: None | str
        retrieve_url = self.retrieve_url

        series_instance_uid = self.series_instance_uid

        sop_class_uid = self.sop_class_uid

        sop_instance_uid = self.sop_instance_uid

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "retrieve_url": retrieve_url,
                "series_instance_uid": series_instance_uid,
                "sop_class_uid": sop_class_uid,
                "sop_instance_uid": sop_instance_uid,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = StoredObjectKind(d.pop("kind"))

        def _parse_retrieve_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        retrieve_url = _parse_retrieve_url(d.pop("retrieve_url"))

        series_instance_uid = d.pop("series_instance_uid")

        sop_class_uid = d.pop("sop_class_uid")

        sop_instance_uid = d.pop("sop_instance_uid")

        stored_object = cls(
            kind=kind,
            retrieve_url=retrieve_url,
            series_instance_uid=series_instance_uid,
            sop_class_uid=sop_class_uid,
            sop_instance_uid=sop_instance_uid,
        )

        stored_object.additional_properties = d
        return stored_object

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
