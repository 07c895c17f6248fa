from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CardEdit")


@_attrs_define
class CardEdit:
    """A partial edit of the authored sections: only the fields given are replaced.

    Attributes:
        caveats_and_recommendations (list[str] | None | Unset):
        ethical_considerations (list[str] | None | Unset):
        license_ (None | str | Unset):
        out_of_scope_uses (list[str] | None | Unset):
        owners (list[str] | None | Unset):
        primary_users (list[str] | None | Unset):
        relevant_factors (list[str] | None | Unset):
    """

    caveats_and_recommendations: list[str] | None | Unset = UNSET
    ethical_considerations: list[str] | None | Unset = UNSET
    license_: None | str | Unset = UNSET
    out_of_scope_uses: list[str] | None | Unset = UNSET
    owners: list[str] | None | Unset = UNSET
    primary_users: list[str] | None | Unset = UNSET
    relevant_factors: list[str] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        caveats_and_recommendations: list[str] | None | Unset
        if isinstance(self.caveats_and_recommendations, Unset):
            caveats_and_recommendations = UNSET
        elif isinstance(self.caveats_and_recommendations, list):
            caveats_and_recommendations = self.caveats_and_recommendations

        else:
            caveats_and_recommendations = self.caveats_and_recommendations

        ethical_considerations: list[str] | None | Unset
        if isinstance(self.ethical_considerations, Unset):
            ethical_considerations = UNSET
        elif isinstance(self.ethical_considerations, list):
            ethical_considerations = self.ethical_considerations

        else:
            ethical_considerations = self.ethical_considerations

        license_: None | str | Unset
        if isinstance(self.license_, Unset):
            license_ = UNSET
        else:
            license_ = self.license_

        out_of_scope_uses: list[str] | None | Unset
        if isinstance(self.out_of_scope_uses, Unset):
            out_of_scope_uses = UNSET
        elif isinstance(self.out_of_scope_uses, list):
            out_of_scope_uses = self.out_of_scope_uses

        else:
            out_of_scope_uses = self.out_of_scope_uses

        owners: list[str] | None | Unset
        if isinstance(self.owners, Unset):
            owners = UNSET
        elif isinstance(self.owners, list):
            owners = self.owners

        else:
            owners = self.owners

        primary_users: list[str] | None | Unset
        if isinstance(self.primary_users, Unset):
            primary_users = UNSET
        elif isinstance(self.primary_users, list):
            primary_users = self.primary_users

        else:
            primary_users = self.primary_users

        relevant_factors: list[str] | None | Unset
        if isinstance(self.relevant_factors, Unset):
            relevant_factors = UNSET
        elif isinstance(self.relevant_factors, list):
            relevant_factors = self.relevant_factors

        else:
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

        def _parse_caveats_and_recommendations(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                caveats_and_recommendations_type_0 = cast(list[str], data)

                return caveats_and_recommendations_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        caveats_and_recommendations = _parse_caveats_and_recommendations(d.pop("caveats_and_recommendations", UNSET))

        def _parse_ethical_considerations(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                ethical_considerations_type_0 = cast(list[str], data)

                return ethical_considerations_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        ethical_considerations = _parse_ethical_considerations(d.pop("ethical_considerations", UNSET))

        def _parse_license_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        license_ = _parse_license_(d.pop("license", UNSET))

        def _parse_out_of_scope_uses(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                out_of_scope_uses_type_0 = cast(list[str], data)

                return out_of_scope_uses_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        out_of_scope_uses = _parse_out_of_scope_uses(d.pop("out_of_scope_uses", UNSET))

        def _parse_owners(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                owners_type_0 = cast(list[str], data)

                return owners_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        owners = _parse_owners(d.pop("owners", UNSET))

        def _parse_primary_users(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                primary_users_type_0 = cast(list[str], data)

                return primary_users_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        primary_users = _parse_primary_users(d.pop("primary_users", UNSET))

        def _parse_relevant_factors(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                relevant_factors_type_0 = cast(list[str], data)

                return relevant_factors_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        relevant_factors = _parse_relevant_factors(d.pop("relevant_factors", UNSET))

        card_edit = cls(
            caveats_and_recommendations=caveats_and_recommendations,
            ethical_considerations=ethical_considerations,
            license_=license_,
            out_of_scope_uses=out_of_scope_uses,
            owners=owners,
            primary_users=primary_users,
            relevant_factors=relevant_factors,
        )

        return card_edit
