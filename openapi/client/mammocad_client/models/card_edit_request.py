from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

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

    def to_dict(self) -> dict[str, Any]:
        changes = self.changes.to_dict()

        reason = self.reason

        field_dict: dict[str, Any] = {}

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

        return card_edit_request
