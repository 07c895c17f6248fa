from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="DataRef")


@_attrs_define
class DataRef:
    """A data set by name and content fingerprint (``mammocad data show SPEC --fingerprint``).

    Attributes:
        fingerprint (str):
        name (str):
    """

    fingerprint: str
    name: str

    def to_dict(self) -> dict[str, Any]:
        fingerprint = self.fingerprint

        name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "fingerprint": fingerprint,
                "name": name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        fingerprint = d.pop("fingerprint")

        name = d.pop("name")

        data_ref = cls(
            fingerprint=fingerprint,
            name=name,
        )

        return data_ref
