"""The gateway application factory: builds the app and nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

import mammocad
from api.admission import TaskAdmission
from api.deadlines import DEADLINE_PROBLEMS, RequestDeadline
from api.deps import app_settings
from api.metrics import install_metrics
from api.middleware import install_request_ids
from api.problems import document_validation_problems, install_problem_handlers
from api.routes import (
    classify,
    detect,
    explain,
    health,
    inspect,
    metrics,
    model_changes,
    models,
    studies,
)
from api.task_client import TaskServices

__all__ = ["create_app"]

VIEWER_FOLDER = Path(__file__).parent / "viewer"

DESCRIPTION = """\
Explainable computer-aided diagnosis for mammograms.

Every error is an RFC 9457 `application/problem+json` document with a stable `type`
(`urn:mammocad:problem:<code>`). Coordinates are ORIGINAL pixel coordinates: x to the right,
y down, origin at the top-left corner.
"""


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = app_settings(app)
    app.state.admission = TaskAdmission(settings.task_concurrency, settings.task_queue)
    app.state.metrics.watch_admission(app.state.admission)
    async with TaskServices.from_settings(settings) as services:
        app.state.task_services = services
        app.state.metrics.watch_replicas(
            {"classify": services.classify.replicas, "detect": services.detect.replicas}
        )
        yield


def create_app() -> FastAPI:
    """A fresh gateway app (uvicorn runs it with ``--factory``; tests build their own)."""
    app = FastAPI(
        title="mammocad",
        version=mammocad.__version__,
        description=DESCRIPTION,
        docs_url="/docs",
        openapi_url="/openapi.json",
        lifespan=_lifespan,
        responses=DEADLINE_PROBLEMS,
    )
    install_problem_handlers(app)
    # Inside the request ids (a 504 carries its id) and the metrics (a 504 is counted).
    app.add_middleware(RequestDeadline, gateway=app)
    install_request_ids(app)
    install_metrics(app)
    app.include_router(health.router)
    app.include_router(inspect.router)
    app.include_router(classify.router)
    app.include_router(detect.router)
    app.include_router(explain.router)
    app.include_router(studies.router)
    app.include_router(models.router)
    app.include_router(model_changes.router)
    app.include_router(metrics.router)
    # The built-in viewer: static pages calling the API above with the user's key (no data in
    # them, so no key to fetch them); not part of the API, so not in the spec.
    app.mount("/viewer", StaticFiles(directory=VIEWER_FOLDER, html=True), name="viewer")
    document_validation_problems(app)
    return app
