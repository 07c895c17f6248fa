from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AliasMovePublic")


@_attrs_define
class AliasMovePublic:
    """What an alias move did.

    Attributes:
        after (int):
        alias (str):
        before (int | None):
        changed (bool):
        model_name (str):
        overridden_gates (list[str]): gates a forced promotion overrode
    """

    after: int
    alias: str
    before: int | None
    changed: bool
    model_name: str
    overridden_gates: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        after = self.after

        alias = self.alias

        before: int | None
        before = self.before

        changed = self.changed

        model_name = self.model_name

        overridden_gates = self.overridden_gates

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "after": after,
                "alias": alias,
                "before": before,
                "changed": changed,
                "model_name": model_name,
                "overridden_gates": overridden_gates,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        after = d.pop("after")

        alias = d.pop("alias")

        def _parse_before(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        before = _parse_before(d.pop("before"))

        changed = d.pop("changed")

        model_name = d.pop("model_name")

        overridden_gates = cast(list[str], d.pop("overridden_gates"))

        alias_move_public = cls(
            after=after,
            alias=alias,
            before=before,
            changed=changed,
            model_name=model_name,
            overridden_gates=overridden_gates,
        )

        alias_move_public.additional_properties = d
        return alias_move_public

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
