"""The request deadline: every request is answered within ``MAMMOCAD_REQUEST_TIMEOUT_S``.

A pure ASGI middleware (not ``BaseHTTPMiddleware``, whose cancellation is unreliable) runs the
rest of the app under :func:`asyncio.timeout`. When the deadline passes before the answer has
started, the request's coroutine is cancelled and the caller gets 504 problem+json
(``request-timeout``) with ``Retry-After``: a stalled task service, a registry that hangs or a
pathological image can hold a caller for a bounded time only. The deadline covers the whole
request, the upload included. Work already handed to a thread (ingest, the registry) cannot be
interrupted: it finishes in the background and its result is dropped; the per-task admission
(:mod:`api.admission`) keeps such work bounded. An answer that has started is never cut: it is
already on its way.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import app_settings
from api.problems import problem_response, problem_responses

__all__ = ["DEADLINE_PROBLEMS", "RequestDeadline"]

logger = logging.getLogger(__name__)

TIMEOUT_CODE = "request-timeout"
_RETRY_AFTER_S = 5
DEADLINE_PROBLEMS = problem_responses(
    {504: "Not answered within the gateway's request timeout; retry after Retry-After seconds"}
)
"""Every route can answer this (the app documents it once for all)."""


class RequestDeadline:
    """ASGI middleware: 504 problem+json for a request not answered within the configured
    ``request_timeout_s`` (read per request, so a test's settings override applies)."""

    def __init__(self, app: ASGIApp, gateway: FastAPI) -> None:
        self._app = app
        self._gateway = gateway

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        timeout_s = app_settings(self._gateway).request_timeout_s
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        deadline = asyncio.timeout(timeout_s)
        try:
            async with deadline:
                await self._app(scope, receive, tracking_send)
        except TimeoutError:
            if not deadline.expired():
                raise  # a timeout of the app's own, not this deadline
            request = Request(scope)
            logger.warning(
                "%s %s not answered within %.1f s", request.method, request.url.path, timeout_s
            )
            if started:
                raise  # the status line is out: nothing else can be said
            response = problem_response(
                504,
                TIMEOUT_CODE,
                "Request timed out",
                f"the gateway could not answer within {timeout_s:g} s (MAMMOCAD_REQUEST_TIMEOUT_S)"
                "; the request was abandoned, retry later",
                request,
                headers={"Retry-After": str(_RETRY_AFTER_S)},
            )
            await response(scope, receive, send)
