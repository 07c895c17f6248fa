"""The one error hierarchy of mammocad.

Everything below the HTTP layer raises these; the gateway maps them to RFC 9457 problem+json in
one handler. Each error carries a stable ``code`` (used as the problem ``type`` suffix) so that
clients can branch on it without parsing prose, and a ``detail`` written for a human integrator.
"""

from __future__ import annotations

__all__ = [
    "ConflictError",
    "ForbiddenError",
    "InvalidInputError",
    "MammocadError",
    "NotFoundError",
    "UnauthorizedError",
    "UnavailableError",
]


class MammocadError(Exception):
    """Base class: a domain failure with a stable machine-readable code."""

    code: str = "error"
    title: str = "Error"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code

    def problem_extensions(self) -> dict[str, object]:
        """Extra, machine-readable members for the problem document (RFC 9457 extensions), e.g.
        the list of unmet promotion gates; none by default."""
        return {}


class InvalidInputError(MammocadError):
    """The caller sent something we cannot use (bad file, bad parameter)."""

    code = "invalid-input"
    title = "Invalid input"


class NotFoundError(MammocadError):
    """A named thing (model, version, data set) does not exist."""

    code = "not-found"
    title = "Not found"


class ConflictError(MammocadError):
    """The request contradicts the current state (e.g. a duplicate registration)."""

    code = "conflict"
    title = "Conflict"


class UnavailableError(MammocadError):
    """A dependency is temporarily unavailable; retrying later may succeed."""

    code = "unavailable"
    title = "Service unavailable"


class UnauthorizedError(MammocadError):
    """No credential, or one that is unknown, revoked or malformed."""

    code = "unauthorized"
    title = "Unauthorized"


class ForbiddenError(MammocadError):
    """A valid credential without the scope the operation needs."""

    code = "forbidden"
    title = "Forbidden"
