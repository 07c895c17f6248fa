"""Liveness and readiness of the gateway."""

from __future__ import annotations

from fastapi import APIRouter

import mammocad
from api.deps import RegistryDep, SettingsDep, TaskServicesDep
from api.problems import problem_responses
from api.readiness import Readiness, check_ready
from api.schemas import Liveness

__all__ = ["router"]

router = APIRouter(prefix="/v1/health", tags=["health"])


@router.get("/live", response_model=Liveness, summary="Is the gateway process up?")
def live() -> Liveness:
    """Answers as long as the process serves HTTP; says nothing about models."""
    return Liveness(version=mammocad.__version__)


@router.get(
    "/ready",
    response_model=Readiness,
    summary="Can the gateway answer model requests?",
    responses=problem_responses(
        {503: "A task has no production model or its service is not ready; missing says which"}
    ),
)
async def ready(
    registry: RegistryDep, settings: SettingsDep, services: TaskServicesDep
) -> Readiness:
    """Ready when, for every task, the registry has a production version of the configured
    model and at least one replica of the task's service answers its own readiness probe."""
    return await check_ready(registry, settings, services)
