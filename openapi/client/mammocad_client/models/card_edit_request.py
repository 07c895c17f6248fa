from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.card_edit import CardEdit


T = TypeVar("T", bound="CardEditRequest")


@_attrs_define
class CardEditRequest:
    """Replace some authored sections of a version's model card.

    Attributes:
        changes (CardEdit): A partial edit of the authored sections: only the fields given are replaced.
        reason (str | Unset): why (audited) Default: ''.
    """

    changes: CardEdit
    reason: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        changes = self.changes.to_dict()

        reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "changes": changes,
            }
        )
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.card_edit import CardEdit  # noqa: PLC0415

        d = dict(src_dict)
        changes = CardEdit.from_dict(d.pop("changes"))

        reason = d.pop("reason", UNSET)

        card_edit_request = cls(
            changes=changes,
            reason=reason,
        )

        card_edit_request.additional_properties = d
        return card_edit_request

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
