"""API key tokens: minted with high entropy, stored only as a sha256, compared in constant time.

A token reads ``mcad_<key id>_<secret>``. The key id (public) finds the stored row; the sha256 of
the whole token is compared with :func:`hmac.compare_digest`. A plain sha256 (no slow KDF) is
enough because the secret is 256 random bits, not a password someone chose.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

__all__ = ["MintedToken", "matches", "mint_token", "parse_key_id", "token_sha256"]

_PREFIX = "mcad"


@dataclass(frozen=True)
class MintedToken:
    """A new token (shown once, never stored) and what is stored of it."""

    key_id: str
    token: str
    sha256: str


def token_sha256(token: str) -> str:
    """Hex sha256 of a token: what the registry stores."""
    return hashlib.sha256(token.encode()).hexdigest()


def mint_token() -> MintedToken:
    """A fresh token with a 64-bit public key id and a 256-bit secret."""
    key_id = secrets.token_hex(8)
    token = f"{_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    return MintedToken(key_id=key_id, token=token, sha256=token_sha256(token))


def parse_key_id(token: str) -> str | None:
    """The key id of a well-formed token, else None."""
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != _PREFIX or len(key_id) != 16 or not secret:
        return None
    return key_id


def matches(token: str, stored_sha256: str) -> bool:
    """Whether ``token`` hashes to ``stored_sha256`` (constant-time comparison)."""
    return hmac.compare_digest(token_sha256(token), stored_sha256)
