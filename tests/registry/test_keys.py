"""API keys: stored only as hashes, scoped, revocable, expiring."""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from mammocad.errors import InvalidInputError, UnauthorizedError
from registry import Registry


def test_keys_are_stored_hashed_and_authenticate_with_their_scopes(registry: Registry) -> None:
    key, token = registry.create_key("ci-bot", ["models:write"], actor="admin")

    assert token.startswith(f"mcad_{key.key_id}_") and len(token) > 50
    engine = sa.create_engine(registry.url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(sa.text("SELECT * FROM api_keys")).mappings().one()
    finally:
        engine.dispose()
    assert token not in {str(value) for value in stored.values()}
    assert stored["token_sha256"] == hashlib.sha256(token.encode()).hexdigest()

    principal = registry.authenticate(token)
    assert principal.actor == "key:ci-bot" and principal.scopes == {"models:write"}
    assert [(k.key_id, k.scopes) for k in registry.list_keys()] == [(key.key_id, ["models:write"])]
    assert registry.audit()[-1].action == "key.create"
    assert token not in str(registry.audit()[-1].model_dump())


def test_wrong_malformed_and_revoked_tokens_are_refused(registry: Registry) -> None:
    key, token = registry.create_key("ops", ["models:promote"], actor="admin")
    for bad in ("", "Bearer x", "mcad_short_x", token[:-1] + ("A" if token[-1] != "A" else "B")):
        with pytest.raises(UnauthorizedError):
            registry.authenticate(bad)
    registry.revoke_key(key.key_id, actor="admin", reason="laptop lost")
    with pytest.raises(UnauthorizedError):
        registry.authenticate(token)
    assert registry.audit()[-1].reason == "laptop lost"


def test_unknown_or_empty_scopes_are_refused(registry: Registry) -> None:
    with pytest.raises(InvalidInputError, match="scopes"):
        registry.create_key("x", ["models:everything"], actor="admin")  # type: ignore[list-item]  # not a Scope, on purpose
    with pytest.raises(InvalidInputError, match="scopes"):
        registry.create_key("x", [], actor="admin")


def test_an_expired_key_stops_authenticating(registry: Registry) -> None:
    key, token = registry.create_key(
        "contractor", ["inference"], actor="admin", expires_in=timedelta(days=30)
    )
    assert key.expires_at is not None
    assert registry.authenticate(token).scopes == frozenset({"inference"})
    listed = next(k for k in registry.list_keys() if k.key_id == key.key_id)
    assert listed.expires_at == key.expires_at
    assert listed.usable_at(key.expires_at - timedelta(seconds=1))
    assert not listed.usable_at(key.expires_at)

    _, old_token = registry.create_key(
        "gone", ["inference"], actor="admin", expires_in=timedelta(microseconds=1)
    )
    time.sleep(0.01)
    with pytest.raises(UnauthorizedError, match="expired"):
        registry.authenticate(old_token)
    with pytest.raises(InvalidInputError):
        registry.create_key("never", ["inference"], actor="admin", expires_in=timedelta(0))
