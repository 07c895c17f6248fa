from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="AliasMoveRequest")


@_attrs_define
class AliasMoveRequest:
    """Point an alias at a version.

    Attributes:
        version (int):
        force (bool | Unset): production only: override the comparison with the current production version (never the
            card, calibration, OOD or evaluation gates) Default: False.
        reason (str | Unset): why (audited); required with force Default: ''.
    """

    version: int
    force: bool | Unset = False
    reason: str | Unset = ""

    def to_dict(self) -> dict[str, Any]:
        version = self.version

        force = self.force

        reason = self.reason

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "version": version,
            }
        )
        if force is not UNSET:
            field_dict["force"] = force
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        version = d.pop("version")

        force = d.pop("force", UNSET)

        reason = d.pop("reason", UNSET)

        alias_move_request = cls(
            version=version,
            force=force,
            reason=reason,
        )

        return alias_move_request
