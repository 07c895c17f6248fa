from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.image_metadata_source_format import ImageMetadataSourceFormat
from ..models.laterality import Laterality
from ..models.view import View
from ..types import UNSET, Unset

T = TypeVar("T", bound="ImageMetadata")


@_attrs_define
class ImageMetadata:
    """Technical description of an ingested image as it was received.

    Attributes:
        bits_stored (int):
        columns (int): columns of the original pixel grid
        photometric_interpretation (str): as received; pixels are always delivered MONOCHROME2 (bright = dense)
        rows (int): rows of the original pixel grid
        source_format (ImageMetadataSourceFormat):
        laterality (Laterality | Unset): Which breast: DICOM ImageLaterality codes.
        laterality_source (None | str | Unset): header attribute the laterality was read from
        manufacturer (None | str | Unset):
        modality (None | str | Unset):
        pixel_spacing_mm (list[float] | None | Unset): (row, column) spacing in mm
        presentation_intent (None | str | Unset):
        sop_class_uid (None | str | Unset):
        sop_instance_uid (None | str | Unset):
        transfer_syntax_uid (None | str | Unset):
        view (View | Unset): Mammographic projection (DICOM ViewPosition codes).
    """

    bits_stored: int
    columns: int
    photometric_interpretation: str
    rows: int
    source_format: ImageMetadataSourceFormat
    laterality: Laterality | Unset = UNSET
    laterality_source: None | str | Unset = UNSET
    manufacturer: None | str | Unset = UNSET
    modality: None | str | Unset = UNSET
    pixel_spacing_mm: list[float] | None | Unset = UNSET
    presentation_intent: None | str | Unset = UNSET
    sop_class_uid: None | str | Unset = UNSET
    sop_instance_uid: None | str | Unset = UNSET
    transfer_syntax_uid: None | str | Unset = UNSET
    view: View | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bits_stored = self.bits_stored

        columns = self.columns

        photometric_interpretation = self.photometric_interpretation

        rows = self.rows

        source_format = self.source_format.value

        laterality: str | Unset = UNSET
        if not isinstance(self.laterality, Unset):
            laterality = self.laterality.value

        laterality_source: None | str | Unset
        if isinstance(self.laterality_source, Unset):
            laterality_source = UNSET
        else:
            laterality_source = self.laterality_source

        manufacturer: None | str | Unset
        if isinstance(self.manufacturer, Unset):
            manufacturer = UNSET
        else:
            manufacturer = self.manufacturer

        modality: None | str | Unset
        if isinstance(self.modality, Unset):
            modality = UNSET
        else:
            modality = self.modality

        pixel_spacing_mm: list[float] | None | Unset
        if isinstance(self.pixel_spacing_mm, Unset):
            pixel_spacing_mm = UNSET
        elif isinstance(self.pixel_spacing_mm, list):
            pixel_spacing_mm = []
            for pixel_spacing_mm_type_0_item_data in self.pixel_spacing_mm:
                pixel_spacing_mm_type_0_item: float
                pixel_spacing_mm_type_0_item = pixel_spacing_mm_type_0_item_data
                pixel_spacing_mm.append(pixel_spacing_mm_type_0_item)

        else:
            pixel_spacing_mm = self.pixel_spacing_mm

        presentation_intent: None | str | Unset
        if isinstance(self.presentation_intent, Unset):
            presentation_intent = UNSET
        else:
            presentation_intent = self.presentation_intent

        sop_class_uid: None | str | Unset
        if isinstance(self.sop_class_uid, Unset):
            sop_class_uid = UNSET
        else:
            sop_class_uid = self.sop_class_uid

        sop_instance_uid: None | str | Unset
        if isinstance(self.sop_instance_uid, Unset):
            sop_instance_uid = UNSET
        else:
            sop_instance_uid = self.sop_instance_uid

        transfer_syntax_uid: None | str | Unset
        if isinstance(self.transfer_syntax_uid, Unset):
            transfer_syntax_uid = UNSET
        else:
            transfer_syntax_uid = self.transfer_syntax_uid

        view: str | Unset = UNSET
        if not isinstance(self.view, Unset):
            view = self.view.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bits_stored": bits_stored,
                "columns": columns,
                "photometric_interpretation": photometric_interpretation,
                "rows": rows,
                "source_format": source_format,
            }
        )
        if laterality is not UNSET:
            field_dict["laterality"] = laterality
        if laterality_source is not UNSET:
            field_dict["laterality_source"] = laterality_source
        if manufacturer is not UNSET:
            field_dict["manufacturer"] = manufacturer
        if modality is not UNSET:
            field_dict["modality"] = modality
        if pixel_spacing_mm is not UNSET:
            field_dict["pixel_spacing_mm"] = pixel_spacing_mm
        if presentation_intent is not UNSET:
            field_dict["presentation_intent"] = presentation_intent
        if sop_class_uid is not UNSET:
            field_dict["sop_class_uid"] = sop_class_uid
        if sop_instance_uid is not UNSET:
            field_dict["sop_instance_uid"] = sop_instance_uid
        if transfer_syntax_uid is not UNSET:
            field_dict["transfer_syntax_uid"] = transfer_syntax_uid
        if view is not UNSET:
            field_dict["view"] = view

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        bits_stored = d.pop("bits_stored")

        columns = d.pop("columns")

        photometric_interpretation = d.pop("photometric_interpretation")

        rows = d.pop("rows")

        source_format = ImageMetadataSourceFormat(d.pop("source_format"))

        _laterality = d.pop("laterality", UNSET)
        laterality: Laterality | Unset
        if isinstance(_laterality, Unset):
            laterality = UNSET
        else:
            laterality = Laterality(_laterality)

        def _parse_laterality_source(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        laterality_source = _parse_laterality_source(d.pop("laterality_source", UNSET))

        def _parse_manufacturer(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        manufacturer = _parse_manufacturer(d.pop("manufacturer", UNSET))

        def _parse_modality(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        modality = _parse_modality(d.pop("modality", UNSET))

        def _parse_pixel_spacing_mm(data: object) -> list[float] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                pixel_spacing_mm_type_0 = []
                _pixel_spacing_mm_type_0 = data
                for pixel_spacing_mm_type_0_item_data in _pixel_spacing_mm_type_0:

                    def _parse_pixel_spacing_mm_type_0_item(data: object) -> float:
                        return cast(float, data)

                    pixel_spacing_mm_type_0_item = _parse_pixel_spacing_mm_type_0_item(
                        pixel_spacing_mm_type_0_item_data
                    )

                    pixel_spacing_mm_type_0.append(pixel_spacing_mm_type_0_item)

                return pixel_spacing_mm_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[float] | None | Unset, data)

        pixel_spacing_mm = _parse_pixel_spacing_mm(d.pop("pixel_spacing_mm", UNSET))

        def _parse_presentation_intent(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        presentation_intent = _parse_presentation_intent(d.pop("presentation_intent", UNSET))

        def _parse_sop_class_uid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sop_class_uid = _parse_sop_class_uid(d.pop("sop_class_uid", UNSET))

        def _parse_sop_instance_uid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sop_instance_uid = _parse_sop_instance_uid(d.pop("sop_instance_uid", UNSET))

        def _parse_transfer_syntax_uid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        transfer_syntax_uid = _parse_transfer_syntax_uid(d.pop("transfer_syntax_uid", UNSET))

        _view = d.pop("view", UNSET)
        view: View | Unset
        if isinstance(_view, Unset):
            view = UNSET
        else:
            view = View(_view)

        image_metadata = cls(
            bits_stored=bits_stored,
            columns=columns,
            photometric_interpretation=photometric_interpretation,
            rows=rows,
            source_format=source_format,
            laterality=laterality,
            laterality_source=laterality_source,
            manufacturer=manufacturer,
            modality=modality,
            pixel_spacing_mm=pixel_spacing_mm,
            presentation_intent=presentation_intent,
            sop_class_uid=sop_class_uid,
            sop_instance_uid=sop_instance_uid,
            transfer_syntax_uid=transfer_syntax_uid,
            view=view,
        )

        image_metadata.additional_properties = d
        return image_metadata

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
