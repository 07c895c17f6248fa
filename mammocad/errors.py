"""The one error hierarchy of mammocad, and its one mapping to HTTP status and problem type.

Everything below the HTTP layer raises these. Each error carries a stable ``code`` (the RFC 9457
problem ``type`` is ``urn:mammocad:problem:<code>``) so that clients can branch on it without
parsing prose, and a ``detail`` written for a human integrator. :func:`status_of` is the only
place a status is chosen: the gateway (:mod:`api.problems`) and the task services
(:mod:`serving.engine`) both answer with it, so an error has the same status whichever process
refuses the request.
"""

from __future__ import annotations

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "PROBLEM_TYPE_PREFIX",
    "STATUS_BY_CODE",
    "ConflictError",
    "ForbiddenError",
    "InvalidInputError",
    "MammocadError",
    "NotFoundError",
    "UnauthorizedError",
    "UnavailableError",
    "problem_type",
    "status_of",
]

PROBLEM_TYPE_PREFIX = "urn:mammocad:problem:"
PROBLEM_MEDIA_TYPE = "application/problem+json"


class MammocadError(Exception):
    """Base class: a domain failure with a stable machine-readable code."""

    code: str = "error"
    title: str = "Error"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code

    def problem_headers(self) -> dict[str, str]:
        """HTTP headers the problem answer needs (e.g. Retry-After); none by default."""
        return {}

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


STATUS_BY_CODE: dict[str, int] = {
    # Uploads the gateway cannot read (mammocad.ingest.errors, api.upload).
    "empty-image": 400,
    "payload-too-large": 413,
    "image-too-large": 413,
    "unsupported-format": 415,
    "undecodable-transfer-syntax": 415,
    "unsupported-media-type": 415,
    "corrupt-image": 422,
    "no-pixel-data": 422,
    "colour-image": 422,
    "unsupported-image": 422,
    "invalid-image": 422,
    # Credentials and the registry's refusals.
    "unauthorized": 401,
    "forbidden": 403,
    "promotion-refused": 409,
    "tampered-artifact": 500,
    # A task service's refusals of a model input (see mammocad.schemas.inference_contract).
    "undecodable-model-input": 422,
    "input-shape-mismatch": 422,
    "non-finite-input": 422,
    "wrong-task": 422,
    "unusable-model-input": 422,
    # Explanations that cannot be made as asked.
    "unknown-explanation-method": 422,
    "unknown-explanation-target": 422,
    "no-shap-background": 422,
    "dicom-source-required": 422,
    "dicom-header-unusable": 422,
    # A task service answered outside the inference contract.
    "bad-service-answer": 502,
    # The study endpoint's PACS: not configured, or it refused to store.
    "pacs-not-configured": 501,
    "pacs-store-failed": 502,
    # A caller over its rate limit (the gateway's per-key limiter).
    "rate-limited": 429,
}
"""Stable error code -> HTTP status; codes not listed fall back on their error class."""

_STATUS_BY_CLASS: tuple[tuple[type[MammocadError], int], ...] = (
    (NotFoundError, 404),
    (ConflictError, 409),
    (UnavailableError, 503),
    (InvalidInputError, 400),
    (UnauthorizedError, 401),
    (ForbiddenError, 403),
)


def status_of(error: MammocadError) -> int:
    """The HTTP status of a domain error: by its code, else by its class, else 500."""
    if error.code in STATUS_BY_CODE:
        return STATUS_BY_CODE[error.code]
    for cls, status in _STATUS_BY_CLASS:
        if isinstance(error, cls):
            return status
    return 500


def problem_type(code: str) -> str:
    """The problem ``type`` URI of a stable error code."""
    return f"{PROBLEM_TYPE_PREFIX}{code}"
