from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="IntendedUse")


@_attrs_define
class IntendedUse:
    """What the model is for, for whom, and what it must not be used for.

    Attributes:
        out_of_scope_uses (list[str]):
        primary_users (list[str]):
        primary_uses (list[str]):
    """

    out_of_scope_uses: list[str]
    primary_users: list[str]
    primary_uses: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out_of_scope_uses = self.out_of_scope_uses

        primary_users = self.primary_users

        primary_uses = self.primary_uses

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "out_of_scope_uses": out_of_scope_uses,
                "primary_users": primary_users,
                "primary_uses": primary_uses,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        out_of_scope_uses = cast(list[str], d.pop("out_of_scope_uses"))

        primary_users = cast(list[str], d.pop("primary_users"))

        primary_uses = cast(list[str], d.pop("primary_uses"))

        intended_use = cls(
            out_of_scope_uses=out_of_scope_uses,
            primary_users=primary_users,
            primary_uses=primary_uses,
        )

        intended_use.additional_properties = d
        return intended_use

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
