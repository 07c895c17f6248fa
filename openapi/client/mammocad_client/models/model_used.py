from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ModelUsed")


@_attrs_define
class ModelUsed:
    """The registered model version that answered.

    Attributes:
        alias (None | str): the alias the request named (default production); null when it named a version number
        name (str):
        synthetic_training (bool): true when the version was trained on synthetic images only (its training record's
            data.synthetic): a demonstration, not for clinical use
        version (int):
    """

    alias: None | str
    name: str
    synthetic_training: bool
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        alias: None | str
        alias = self.alias

        name = self.name

        synthetic_training = self.synthetic_training

        version = self.version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "alias": alias,
                "name": name,
                "synthetic_training": synthetic_training,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_alias(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        alias = _parse_alias(d.pop("alias"))

        name = d.pop("name")

        synthetic_training = d.pop("synthetic_training")

        version = d.pop("version")

        model_used = cls(
            alias=alias,
            name=name,
            synthetic_training=synthetic_training,
            version=version,
        )

        model_used.additional_properties = d
        return model_used

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
