"""The gateway application factory: builds the app and nothing else."""

from __future__ import annotations

from fastapi import FastAPI

import mammocad
from api.middleware import install_request_ids
from api.problems import install_problem_handlers
from api.routes import health, inspect, model_changes, models

__all__ = ["create_app"]

DESCRIPTION = """\
Explainable computer-aided diagnosis for mammograms.

Every error is an RFC 9457 `application/problem+json` document with a stable `type`
(`urn:mammocad:problem:<code>`). Coordinates are ORIGINAL pixel coordinates: x to the right,
y down, origin at the top-left corner.
"""


def create_app() -> FastAPI:
    """A fresh gateway app (uvicorn runs it with ``--factory``; tests build their own)."""
    app = FastAPI(
        title="mammocad",
        version=mammocad.__version__,
        description=DESCRIPTION,
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    install_problem_handlers(app)
    install_request_ids(app)
    app.include_router(health.router)
    app.include_router(inspect.router)
    app.include_router(models.router)
    app.include_router(model_changes.router)
    return app
