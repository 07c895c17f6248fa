from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.registered_model import RegisteredModel
    from ..models.version_public import VersionPublic


T = TypeVar("T", bound="ModelDetail")


@_attrs_define
class ModelDetail:
    """A registered model with its aliases and every version.

    Attributes:
        model (RegisteredModel): A named model of one task, under which versions are registered.
        versions (list[VersionPublic]):
    """

    model: RegisteredModel
    versions: list[VersionPublic]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        model = self.model.to_dict()

        versions = []
        for versions_item_data in self.versions:
            versions_item = versions_item_data.to_dict()
            versions.append(versions_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "model": model,
                "versions": versions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.registered_model import RegisteredModel  # noqa: PLC0415
        from ..models.version_public import VersionPublic  # noqa: PLC0415

        d = dict(src_dict)
        model = RegisteredModel.from_dict(d.pop("model"))

        versions = []
        _versions = d.pop("versions")
        for versions_item_data in _versions:
            versions_item = VersionPublic.from_dict(versions_item_data)

            versions.append(versions_item)

        model_detail = cls(
            model=model,
            versions=versions,
        )

        model_detail.additional_properties = d
        return model_detail

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
