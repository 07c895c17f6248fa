from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="AuthoredCard")


@_attrs_define
class AuthoredCard:
    """The sections people write; a card is complete when none of the required ones is empty.

    Attributes:
        caveats_and_recommendations (list[str] | Unset):
        ethical_considerations (list[str] | Unset):
        license_ (str | Unset):  Default: ''.
        out_of_scope_uses (list[str] | Unset): uses it must not be put to
        owners (list[str] | Unset): who is responsible for the model
        primary_users (list[str] | Unset): who should use it
        relevant_factors (list[str] | Unset): groups, instruments, environments that may change performance
    """

    caveats_and_recommendations: list[str] | Unset = UNSET
    ethical_considerations: list[str] | Unset = UNSET
    license_: str | Unset = ""
    out_of_scope_uses: list[str] | Unset = UNSET
    owners: list[str] | Unset = UNSET
    primary_users: list[str] | Unset = UNSET
    relevant_factors: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        caveats_and_recommendations: list[str] | Unset = UNSET
        if not isinstance(self.caveats_and_recommendations, Unset):
            caveats_and_recommendations = self.caveats_and_recommendations

        ethical_considerations: list[str] | Unset = UNSET
        if not isinstance(self.ethical_considerations, Unset):
            ethical_considerations = self.ethical_considerations

        license_ = self.license_

        out_of_scope_uses: list[str] | Unset = UNSET
        if not isinstance(self.out_of_scope_uses, Unset):
            out_of_scope_uses = self.out_of_scope_uses

        owners: list[str] | Unset = UNSET
        if not isinstance(self.owners, Unset):
            owners = self.owners

        primary_users: list[str] | Unset = UNSET
        if not isinstance(self.primary_users, Unset):
            primary_users = self.primary_users

        relevant_factors: list[str] | Unset = UNSET
        if not isinstance(self.relevant_factors, Unset):
            relevant_factors = self.relevant_factors

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if caveats_and_recommendations is not UNSET:
            field_dict["caveats_and_recommendations"] = caveats_and_recommendations
        if ethical_considerations is not UNSET:
            field_dict["ethical_considerations"] = ethical_considerations
        if license_ is not UNSET:
            field_dict["license"] = license_
        if out_of_scope_uses is not UNSET:
            field_dict["out_of_scope_uses"] = out_of_scope_uses
        if owners is not UNSET:
            field_dict["owners"] = owners
        if primary_users is not UNSET:
            field_dict["primary_users"] = primary_users
        if relevant_factors is not UNSET:
            field_dict["relevant_factors"] = relevant_factors

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        caveats_and_recommendations = cast(list[str], d.pop("caveats_and_recommendations", UNSET))

        ethical_considerations = cast(list[str], d.pop("ethical_considerations", UNSET))

        license_ = d.pop("license", UNSET)

        out_of_scope_uses = cast(list[str], d.pop("out_of_scope_uses", UNSET))

        owners = cast(list[str], d.pop("owners", UNSET))

        primary_users = cast(list[str], d.pop("primary_users", UNSET))

        relevant_factors = cast(list[str], d.pop("relevant_factors", UNSET))

        authored_card = cls(
            caveats_and_recommendations=caveats_and_recommendations,
            ethical_considerations=ethical_considerations,
            license_=license_,
            out_of_scope_uses=out_of_scope_uses,
            owners=owners,
            primary_users=primary_users,
            relevant_factors=relevant_factors,
        )

        return authored_card
