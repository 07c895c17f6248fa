from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="IngestOptions")


@_attrs_define
class IngestOptions:
    """How to prepare an image for a model; each model declares the options it was trained with.

    Attributes:
        crop_breast (bool | Unset): crop to the breast and blank the rest Default: True.
        detail_channel (bool | Unset): also compute the calcification (speck) map at the original resolution and carry
            it to the model grid (see mammocad.ingest.detail) Default: False.
        max_pixels (int | Unset): cap on decoded pixels Default: 40000000.
        orient (bool | Unset): mirror so the chest wall is on the left Default: True.
        target_shape (list[int] | None | Unset): (rows, columns) of the model grid; None keeps the crop size
    """

    crop_breast: bool | Unset = True
    detail_channel: bool | Unset = False
    max_pixels: int | Unset = 40000000
    orient: bool | Unset = True
    target_shape: list[int] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        crop_breast = self.crop_breast

        detail_channel = self.detail_channel

        max_pixels = self.max_pixels

        orient = self.orient

        target_shape: list[int] | None | Unset
        if isinstance(self.target_shape, Unset):
            target_shape = UNSET
        elif isinstance(self.target_shape, list):
            target_shape = []
            for target_shape_type_0_item_data in self.target_shape:
                target_shape_type_0_item: int
                target_shape_type_0_item = target_shape_type_0_item_data
                target_shape.append(target_shape_type_0_item)

        else:
            target_shape = self.target_shape

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if crop_breast is not UNSET:
            field_dict["crop_breast"] = crop_breast
        if detail_channel is not UNSET:
            field_dict["detail_channel"] = detail_channel
        if max_pixels is not UNSET:
            field_dict["max_pixels"] = max_pixels
        if orient is not UNSET:
            field_dict["orient"] = orient
        if target_shape is not UNSET:
            field_dict["target_shape"] = target_shape

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        crop_breast = d.pop("crop_breast", UNSET)

        detail_channel = d.pop("detail_channel", UNSET)

        max_pixels = d.pop("max_pixels", UNSET)

        orient = d.pop("orient", UNSET)

        def _parse_target_shape(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                target_shape_type_0 = []
                _target_shape_type_0 = data
                for target_shape_type_0_item_data in _target_shape_type_0:

                    def _parse_target_shape_type_0_item(data: object) -> int:
                        return cast(int, data)

                    target_shape_type_0_item = _parse_target_shape_type_0_item(target_shape_type_0_item_data)

                    target_shape_type_0.append(target_shape_type_0_item)

                return target_shape_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        target_shape = _parse_target_shape(d.pop("target_shape", UNSET))

        ingest_options = cls(
            crop_breast=crop_breast,
            detail_channel=detail_channel,
            max_pixels=max_pixels,
            orient=orient,
            target_shape=target_shape,
        )

        ingest_options.additional_properties = d
        return ingest_options

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
