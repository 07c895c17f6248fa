"""Is the gateway ready to answer model requests? Only when, for every task, the registry names a
production version of the configured model AND at least one replica of that task's service says
it is ready (the gateway spreads requests over those that answer, :mod:`api.replicas`).

A load balancer sends traffic only to a ready gateway; the 503 lists what is missing per task,
each replica's reason included, so that an operator sees at once whether to promote a model or
start a service. A ready answer names the replicas that answered, so one that is down shows by
its absence without the whole gateway being reported unready.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.settings import GatewaySettings
from api.task_client import TaskClient, TaskServices
from mammocad.errors import MammocadError, UnavailableError
from mammocad.schemas.artifact import Task
from registry import PRODUCTION, Registry

__all__ = ["NotReadyError", "Readiness", "TaskReadiness", "check_ready"]


class TaskReadiness(BaseModel):
    """One task, ready."""

    model: str = Field(examples=["classifier"])
    production_version: int = Field(examples=[3])
    service: str = Field(
        description="base URLs of the task service's replicas that are ready, comma-separated"
    )


class Readiness(BaseModel):
    """Every task can answer."""

    status: str = "ready"
    tasks: dict[Task, TaskReadiness]


class NotReadyError(UnavailableError):
    """Some task cannot answer yet; ``missing`` says why, per task."""

    code = "not-ready"
    title = "Not ready"

    def __init__(self, missing: dict[Task, list[str]]) -> None:
        super().__init__(
            "; ".join(f"{task}: {', '.join(reasons)}" for task, reasons in missing.items())
        )
        self.missing = missing

    def problem_extensions(self) -> dict[str, object]:
        """``missing``: task -> reasons, for operators and dashboards."""
        return {"missing": self.missing}


async def check_ready(
    registry: Registry, settings: GatewaySettings, services: TaskServices
) -> Readiness:
    """Readiness of every task, checked concurrently.

    Raises:
        NotReadyError: a task has no production version or its service is not ready.
    """
    tasks: dict[Task, tuple[str, TaskClient[Any, Any]]] = {
        "classify": (settings.classify_model, services.classify),
        "detect": (settings.detect_model, services.detect),
    }
    results = await asyncio.gather(
        *(_check(registry, task, name, client) for task, (name, client) in tasks.items())
    )
    checked = dict(zip(tasks, results, strict=True))
    missing = {task: result for task, result in checked.items() if isinstance(result, list)}
    if missing:
        raise NotReadyError(missing)
    ready = {task: result for task, result in checked.items() if isinstance(result, TaskReadiness)}
    return Readiness(tasks=ready)


async def _check(
    registry: Registry, task: Task, name: str, client: TaskClient[Any, Any]
) -> TaskReadiness | list[str]:
    """The task's readiness, or every reason it is not ready."""
    production, replicas = await asyncio.gather(
        run_in_threadpool(_production, registry, task, name), client.probe()
    )
    ready = [url for url, problem in replicas.items() if problem is None]
    if isinstance(production, int) and ready:
        return TaskReadiness(model=name, production_version=production, service=",".join(ready))
    missing = [production] if isinstance(production, str) else []
    if not ready:
        missing += [problem for problem in replicas.values() if problem is not None]
    return missing


def _production(registry: Registry, task: Task, name: str) -> int | str:
    """The production version number of ``name``, or why there is none to use."""
    try:
        version = registry.get_version(name, PRODUCTION)
    except MammocadError as error:
        return f"no {PRODUCTION} {task} model: {error.detail}"
    if version.task != task:
        return f"model {name!r} is a {version.task} model, not a {task} model"
    return version.version
