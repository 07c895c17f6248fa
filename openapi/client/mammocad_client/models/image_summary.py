from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.image_summary_source_format import ImageSummarySourceFormat
from ..models.laterality import Laterality
from ..models.view import View

T = TypeVar("T", bound="ImageSummary")


@_attrs_define
class ImageSummary:
    """What the uploaded image was read as (the full reading is ``POST /v1/inspect``).

    Attributes:
        columns (int): columns of the ORIGINAL pixel grid
        laterality (Laterality): Which breast: DICOM ImageLaterality codes.
        rows (int): rows of the ORIGINAL pixel grid
        sop_instance_uid (None | str): SOP Instance UID of a DICOM upload, to match the answer to the image; null for
            other formats
        source_format (ImageSummarySourceFormat):
        view (View): Mammographic projection (DICOM ViewPosition codes).
    """

    columns: int
    laterality: Laterality
    rows: int
    sop_instance_uid: None | str
    source_format: ImageSummarySourceFormat
    view: View
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        columns = self.columns

        laterality = self.laterality.value

        rows = self.rows

        sop_instance_uid: None | str
        sop_instance_uid = self.sop_instance_uid

        source_format = self.source_format.value

        view = self.view.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "columns": columns,
                "laterality": laterality,
                "rows": rows,
                "sop_instance_uid": sop_instance_uid,
                "source_format": source_format,
                "view": view,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        columns = d.pop("columns")

        laterality = Laterality(d.pop("laterality"))

        rows = d.pop("rows")

        def _parse_sop_instance_uid(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sop_instance_uid = _parse_sop_instance_uid(d.pop("sop_instance_uid"))

        source_format = ImageSummarySourceFormat(d.pop("source_format"))

        view = View(d.pop("view"))

        image_summary = cls(
            columns=columns,
            laterality=laterality,
            rows=rows,
            sop_instance_uid=sop_instance_uid,
            source_format=source_format,
            view=view,
        )

        image_summary.additional_properties = d
        return image_summary

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
