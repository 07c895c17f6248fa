from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.registered_model_task import RegisteredModelTask

if TYPE_CHECKING:
    from ..models.registered_model_aliases import RegisteredModelAliases


T = TypeVar("T", bound="RegisteredModel")


@_attrs_define
class RegisteredModel:
    """A named model of one task, under which versions are registered.

    Attributes:
        aliases (RegisteredModelAliases):
        created_at (datetime.datetime):
        created_by (str):
        description (str):
        latest_version (int | None):
        name (str):
        task (RegisteredModelTask):
    """

    aliases: RegisteredModelAliases
    created_at: datetime.datetime
    created_by: str
    description: str
    latest_version: int | None
    name: str
    task: RegisteredModelTask
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        aliases = self.aliases.to_dict()

        created_at = self.created_at.isoformat()

        created_by = self.created_by

        description = self.description

        latest_version: int | None
        latest_version = self.latest_version

        name = self.name

        task = self.task.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "aliases": aliases,
                "created_at": created_at,
                "created_by": created_by,
                "description": description,
                "latest_version": latest_version,
                "name": name,
                "task": task,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.registered_model_aliases import RegisteredModelAliases  # noqa: PLC0415

        d = dict(src_dict)
        aliases = RegisteredModelAliases.from_dict(d.pop("aliases"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        created_by = d.pop("created_by")

        description = d.pop("description")

        def _parse_latest_version(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        latest_version = _parse_latest_version(d.pop("latest_version"))

        name = d.pop("name")

        task = RegisteredModelTask(d.pop("task"))

        registered_model = cls(
            aliases=aliases,
            created_at=created_at,
            created_by=created_by,
            description=description,
            latest_version=latest_version,
            name=name,
            task=task,
        )

        registered_model.additional_properties = d
        return registered_model

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
