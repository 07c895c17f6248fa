"""RFC 9457 problem details: the ONE place where errors become HTTP status codes.

Domain code below ``api/`` raises :class:`~mammocad.errors.MammocadError` subclasses with a stable
``code``; this module picks the status from that code and renders ``application/problem+json``.
Nothing else in the gateway builds error responses.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mammocad.errors import (
    ConflictError,
    InvalidInputError,
    MammocadError,
    NotFoundError,
    UnavailableError,
)

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "STATUS_BY_CODE",
    "install_problem_handlers",
    "problem_responses",
    "problem_type",
    "status_of",
]

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
_TYPE_PREFIX = "urn:mammocad:problem:"

# Stable error code -> HTTP status. Codes not listed fall back on their error class below.
STATUS_BY_CODE: dict[str, int] = {
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
    "unauthorized": 401,
    "forbidden": 403,
    "promotion-refused": 409,
    "tampered-artifact": 500,
    # A task service's refusals of a model input (see mammocad.inference_contract).
    "undecodable-model-input": 422,
    "input-shape-mismatch": 422,
    "non-finite-input": 422,
    "wrong-task": 422,
    "unusable-model-input": 422,
    # Explanations (POST /v1/explain) that cannot be made as asked.
    "unknown-explanation-target": 422,
    "no-shap-background": 422,
    "dicom-source-required": 422,
    "bad-service-answer": 502,
}
_STATUS_BY_CLASS: tuple[tuple[type[MammocadError], int], ...] = (
    (NotFoundError, 404),
    (ConflictError, 409),
    (UnavailableError, 503),
    (InvalidInputError, 400),
)


def problem_type(code: str) -> str:
    """The problem ``type`` URI of a stable error code."""
    return f"{_TYPE_PREFIX}{code}"


def problem_responses(descriptions: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the problems a route can answer, ``{status: when}``."""
    return {
        status: {"description": when, "content": {PROBLEM_MEDIA_TYPE: {}}}
        for status, when in descriptions.items()
    }


def problem_response(
    status: int, code: str, title: str, detail: str, request: Request, **extra: object
) -> JSONResponse:
    """A problem+json response; ``instance`` is the request path, plus the request id."""
    body = {
        "type": problem_type(code),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "request_id": getattr(request.state, "request_id", None),
        **extra,
    }
    headers = {503: {"Retry-After": "5"}, 401: {"WWW-Authenticate": "Bearer"}}.get(status)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def status_of(error: MammocadError) -> int:
    """The HTTP status of a domain error: by its code, else by its class, else 500."""
    if error.code in STATUS_BY_CODE:
        return STATUS_BY_CODE[error.code]
    for cls, status in _STATUS_BY_CLASS:
        if isinstance(error, cls):
            return status
    return 500


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    error = cast(MammocadError, exc)  # registered for this class only
    status = status_of(error)
    logger.info("refused %s %s: %s (%s)", request.method, request.url.path, error.code, status)
    return problem_response(
        status, error.code, error.title, error.detail, request, **error.problem_extensions()
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in cast(RequestValidationError, exc).errors()
    ]
    return problem_response(
        422,
        "invalid-request",
        "Invalid request",
        "the request does not match the API's schema",
        request,
        errors=errors,
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    error = cast(StarletteHTTPException, exc)
    phrase = HTTPStatus(error.status_code).phrase
    code = phrase.lower().replace(" ", "-")
    return problem_response(error.status_code, code, phrase, str(error.detail), request)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem_response(
        500,
        "internal-error",
        "Internal server error",
        "an unexpected error occurred; it has been logged",
        request,
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Route every error raised while handling a request through problem+json."""
    app.add_exception_handler(MammocadError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
