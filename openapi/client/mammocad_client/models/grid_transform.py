from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.axis_map import AxisMap


T = TypeVar("T", bound="GridTransform")


@_attrs_define
class GridTransform:
    """Maps points and boxes between the original grid and the model grid.

    Attributes:
        source_shape: (rows, columns) of the original image.
        target_shape: (rows, columns) of the model grid.
        x, y: the per-axis affine maps from original to model coordinates.

        Attributes:
            source_shape (list[int]): (rows, columns) of the original image
            target_shape (list[int]): (rows, columns) of the model grid
            x (AxisMap): ``model = scale * original + offset`` along one axis; a negative scale is a flip.
            y (AxisMap): ``model = scale * original + offset`` along one axis; a negative scale is a flip.
    """

    source_shape: list[int]
    target_shape: list[int]
    x: AxisMap
    y: AxisMap
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        source_shape = []
        for source_shape_item_data in self.source_shape:
            source_shape_item: int
            source_shape_item = source_shape_item_data
            source_shape.append(source_shape_item)

        target_shape = []
        for target_shape_item_data in self.target_shape:
            target_shape_item: int
            target_shape_item = target_shape_item_data
            target_shape.append(target_shape_item)

        x = self.x.to_dict()

        y = self.y.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "source_shape": source_shape,
                "target_shape": target_shape,
                "x": x,
                "y": y,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.axis_map import AxisMap  # noqa: PLC0415

        d = dict(src_dict)
        source_shape = []
        _source_shape = d.pop("source_shape")
        for source_shape_item_data in _source_shape:

            def _parse_source_shape_item(data: object) -> int:
                return cast(int, data)

            source_shape_item = _parse_source_shape_item(source_shape_item_data)

            source_shape.append(source_shape_item)

        target_shape = []
        _target_shape = d.pop("target_shape")
        for target_shape_item_data in _target_shape:

            def _parse_target_shape_item(data: object) -> int:
                return cast(int, data)

            target_shape_item = _parse_target_shape_item(target_shape_item_data)

            target_shape.append(target_shape_item)

        x = AxisMap.from_dict(d.pop("x"))

        y = AxisMap.from_dict(d.pop("y"))

        grid_transform = cls(
            source_shape=source_shape,
            target_shape=target_shape,
            x=x,
            y=y,
        )

        grid_transform.additional_properties = d
        return grid_transform

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
