"""Request ids: every answer and every log line of a request carries the same id."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

__all__ = ["REQUEST_ID_HEADER", "install_request_ids"]

REQUEST_ID_HEADER = "X-Request-ID"
_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def install_request_ids(app: FastAPI) -> None:
    """Reuse a well-formed caller id (so a viewer can trace its own calls) or mint one."""

    @app.middleware("http")
    async def request_id(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request.state.request_id = offered if _ACCEPTABLE_ID.match(offered) else uuid.uuid4().hex
        response = await call_next(request)
        response.headers[REQUEST_ID_HEADER] = request.state.request_id
        return response
