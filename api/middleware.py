"""Request ids: every answer and every log line of a request carries the same id.

A pure ASGI middleware rather than ``@app.middleware("http")``: Starlette's
``BaseHTTPMiddleware`` runs the app in a task of its own and pipes the answer through a memory
stream: a cost per request and per layer that the small inputs' latency pays in full.
"""

from __future__ import annotations

import re
import uuid

from fastapi import FastAPI, Request
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["REQUEST_ID_HEADER", "RequestIds", "install_request_ids"]

REQUEST_ID_HEADER = "X-Request-ID"
_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIds:
    """ASGI middleware: reuse a well-formed caller id (so a viewer can trace its own calls) or
    mint one; kept on ``request.state.request_id`` and sent back in ``X-Request-ID``."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        offered = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        request_id = offered if _ACCEPTABLE_ID.match(offered) else uuid.uuid4().hex
        Request(scope).state.request_id = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        await self._app(scope, receive, send_with_id)


def install_request_ids(app: FastAPI) -> None:
    """Give every request of ``app`` its id (see :class:`RequestIds`)."""
    app.add_middleware(RequestIds)
