"""Who may change the registry: bearer tokens with scopes.

Reads are open; writes need ``Authorization: Bearer <token>`` whose scopes include the one the
route names. A token is either the bootstrap admin token (``MAMMOCAD_ADMIN_TOKEN``, every scope)
or an API key of the registry (stored hashed, see :mod:`registry.keys`). No credential or a bad
one is 401, a good one without the scope 403, both as problem+json.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import RegistryDep, SettingsDep
from mammocad.errors import ForbiddenError, UnauthorizedError
from registry import SCOPES, Principal, Scope

__all__ = ["ADMIN_ACTOR", "authenticated", "require_scope"]

ADMIN_ACTOR = "admin-token"
_bearer = HTTPBearer(auto_error=False, description="an API key or the admin token")


def authenticated(
    settings: SettingsDep,
    registry: RegistryDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller behind the bearer token. Raises UnauthorizedError."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise UnauthorizedError("this operation needs an 'Authorization: Bearer <token>' header")
    token = credentials.credentials
    admin = settings.admin_token
    if admin is not None and admin.get_secret_value() and _same(token, admin.get_secret_value()):
        return Principal(actor=ADMIN_ACTOR, scopes=frozenset(SCOPES))
    return registry.authenticate(token)


def _same(offered: str, expected: str) -> bool:
    # Compare digests so the comparison takes the same time whatever the lengths.
    return hmac.compare_digest(
        hashlib.sha256(offered.encode()).digest(), hashlib.sha256(expected.encode()).digest()
    )


def require_scope(scope: Scope) -> Callable[[Principal], Principal]:
    """A dependency: the authenticated caller, refused with 403 without ``scope``."""

    def dependency(principal: Annotated[Principal, Depends(authenticated)]) -> Principal:
        if scope not in principal.scopes:
            raise ForbiddenError(f"{principal.actor} lacks the {scope!r} scope this needs")
        return principal

    return dependency
