from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.orientation_chest_wall_side import OrientationChestWallSide
from ..models.orientation_source import OrientationSource

T = TypeVar("T", bound="Orientation")


@_attrs_define
class Orientation:
    """How ingest oriented the image so that the chest wall is always on the left of the grid.

    Attributes:
        chest_wall_side (OrientationChestWallSide): side of the ORIGINAL image where the chest wall is
        flipped (bool): True if the model grid is mirrored left-right
        source (OrientationSource): what decided the chest-wall side
    """

    chest_wall_side: OrientationChestWallSide
    flipped: bool
    source: OrientationSource
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        chest_wall_side = self.chest_wall_side.value

        flipped = self.flipped

        source = self.source.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "chest_wall_side": chest_wall_side,
                "flipped": flipped,
                "source": source,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        chest_wall_side = OrientationChestWallSide(d.pop("chest_wall_side"))

        flipped = d.pop("flipped")

        source = OrientationSource(d.pop("source"))

        orientation = cls(
            chest_wall_side=chest_wall_side,
            flipped=flipped,
            source=source,
        )

        orientation.additional_properties = d
        return orientation

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
