"""RFC 9457 problem details: how the gateway renders every error.

Domain code below ``api/`` raises :class:`~mammocad.errors.MammocadError` subclasses with a stable
``code``; the status comes from the one table of :func:`mammocad.errors.status_of` (the task
services answer with the same), and this module renders ``application/problem+json``. Nothing
else in the gateway builds error responses.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from mammocad.errors import PROBLEM_MEDIA_TYPE, MammocadError, problem_type, status_of

__all__ = [
    "document_validation_problems",
    "install_problem_handlers",
    "problem_response",
    "problem_responses",
]

logger = logging.getLogger(__name__)


def problem_responses(descriptions: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the problems a route can answer, ``{status: when}``."""
    return {
        status: {"description": when, "content": {PROBLEM_MEDIA_TYPE: {}}}
        for status, when in descriptions.items()
    }


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str,
    request: Request,
    *,
    headers: dict[str, str] | None = None,
    **extra: object,
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
    defaults = {503: {"Retry-After": "5"}, 401: {"WWW-Authenticate": "Bearer"}}.get(status, {})
    return JSONResponse(
        body,
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=defaults | (headers or {}),
    )


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    error = cast(MammocadError, exc)  # registered for this class only
    status = status_of(error)
    logger.info("refused %s %s: %s (%s)", request.method, request.url.path, error.code, status)
    return problem_response(
        status,
        error.code,
        error.title,
        error.detail,
        request,
        headers=error.problem_headers(),
        **error.problem_extensions(),
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
    headers = dict(error.headers or {})
    if error.status_code == 405:
        # RFC 9110: Allow lists every method of the resource. Starlette names only those of the
        # first route whose path matched, and GET and PATCH of one path are two routes.
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return problem_response(
        error.status_code, code, phrase, str(error.detail), request, headers=headers
    )


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route takes at this path: each asked of the router as if the request
    had used it (routes can sit inside included routers, so they are not listed flat)."""
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem_response(
        500,
        "internal-error",
        "Internal server error",
        "an unexpected error occurred; it has been logged",
        request,
    )


class ValidationProblem(BaseModel):
    """The problem document of a request that does not match the schema (422)."""

    type: str = Field(examples=["urn:mammocad:problem:invalid-request"])
    title: str
    status: int
    detail: str
    instance: str
    request_id: str | None = None
    errors: list[dict[str, Any]] = Field(
        default_factory=list, description="one entry per mismatch: loc, msg, type"
    )


def document_validation_problems(app: FastAPI) -> None:
    """Say in the spec what a 422 really is: FastAPI documents its own ``HTTPValidationError``
    as ``application/json``, but :func:`_validation_error` answers problem+json."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        spec = generate()
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        if "HTTPValidationError" in schemas:
            for operation in (op for path in spec["paths"].values() for op in path.values()):
                answer = operation.get("responses", {}).get("422")
                if answer and "application/json" in answer.get("content", {}):
                    answer["content"] = {
                        PROBLEM_MEDIA_TYPE: {
                            "schema": {"$ref": "#/components/schemas/ValidationProblem"}
                        }
                    }
                    answer["description"] = "The request does not match the schema"
            del schemas["HTTPValidationError"], schemas["ValidationError"]
            schemas["ValidationProblem"] = ValidationProblem.model_json_schema()
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def install_problem_handlers(app: FastAPI) -> None:
    """Route every error raised while handling a request through problem+json."""
    app.add_exception_handler(MammocadError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
