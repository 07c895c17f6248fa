"""Who may call what: bearer tokens with scopes, on every endpoint but health, metrics and the spec.

Every route names the scope it needs (:func:`require_scope`): ``inference`` for classify,
detect, explain, inspect and the study analysis, ``models:read`` and ``audit:read`` for the
registry's reads, ``models:write`` and ``models:promote`` for its writes. A token is either the
bootstrap admin token (``MAMMOCAD_ADMIN_TOKEN``, every scope) or an API key of the registry
(stored hashed, see :mod:`registry.keys`). No credential or a bad one is 401 with
``WWW-Authenticate: Bearer``, a good one without the scope 403, both as problem+json. Tokens are
never logged: only the key's name and id reach the audit log.

``MAMMOCAD_AUTH=open-loopback`` lets the read scopes (:data:`registry.READ_SCOPES`) through
without a key, for a single-user machine: the settings refuse it unless the gateway is
configured on a loopback address, and each request is checked to come from loopback too (the
bind address given to uvicorn could differ from the settings). Writes always need a key.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import RegistryDep, SettingsDep
from api.problems import problem_responses
from api.rate_limits import CallerRateLimiter
from api.settings import LOOPBACK_HOSTS
from mammocad.errors import ForbiddenError, UnauthorizedError
from registry import READ_SCOPES, SCOPES, Principal, Scope

__all__ = ["ACCESS_PROBLEMS", "ADMIN_ACTOR", "OPEN_ACTOR", "authenticated", "require_scope"]

ADMIN_ACTOR = "admin-token"
OPEN_ACTOR = "open-loopback"
ACCESS_PROBLEMS = problem_responses(
    {
        401: "No API key, or an invalid, unknown or revoked one (WWW-Authenticate: Bearer)",
        403: "The API key lacks the scope this endpoint needs",
        429: "Over the caller's rate limit; retry after Retry-After seconds",
        503: "The registry database is busy or unreachable (registry-busy, "
        "registry-unavailable); retry after Retry-After seconds",
    }
)
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


def require_scope(scope: Scope) -> Callable[..., Principal]:
    """A dependency: the caller, refused with 401 without a valid token (unless the deployment
    is open on loopback and ``scope`` is a read scope) and 403 without ``scope``."""

    def dependency(
        request: Request,
        settings: SettingsDep,
        registry: RegistryDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        if credentials is None and _open_to(request, settings.auth, scope):
            principal = Principal(actor=OPEN_ACTOR, scopes=frozenset(READ_SCOPES))
        else:
            principal = authenticated(settings, registry, credentials)
        if scope not in principal.scopes:
            raise ForbiddenError(f"{principal.actor} lacks the {scope!r} scope this needs")
        _limiter(request, settings.rate_limit).check(principal.actor)
        return principal

    return dependency


def _limiter(request: Request, rate: str | None) -> CallerRateLimiter:
    """The app's limiter (one per gateway app, made on its first request)."""
    limiter: CallerRateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    if limiter is None:
        limiter = request.app.state.rate_limiter = CallerRateLimiter(rate)
    return limiter


def _open_to(request: Request, auth: str, scope: Scope) -> bool:
    client = request.client.host if request.client is not None else ""
    return auth == "open-loopback" and scope in READ_SCOPES and client in LOOPBACK_HOSTS
