"""Shared FastAPI dependencies of the gateway, as ``Annotated`` aliases for route signatures."""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from api.settings import GatewaySettings, get_settings
from api.task_client import TaskServices
from registry import Registry
from registry.database import default_url

__all__ = [
    "RegistryDep",
    "SettingsDep",
    "TaskServicesDep",
    "app_settings",
    "get_registry",
    "get_task_services",
]

SettingsDep = Annotated[GatewaySettings, Depends(get_settings)]


def app_settings(app: FastAPI) -> GatewaySettings:
    """The settings ``app``'s routes see, for the code outside a route (lifespan, middleware),
    so that a test's override of :func:`get_settings` configures that code too."""
    return app.dependency_overrides.get(get_settings, get_settings)()  # type: ignore[no-any-return]


_OPENING = threading.Lock()


@lru_cache(maxsize=4)
def _cached_registry(url: str, busy_timeout_s: float, model_store_url: str | None) -> Registry:
    return Registry(url, model_store_url=model_store_url, busy_timeout_s=busy_timeout_s)


def _open_registry(url: str, busy_timeout_s: float, model_store_url: str | None) -> Registry:
    # One registry (engine, connection pool, migrated schema) per URL for the process lifetime;
    # the lock keeps the first requests arriving together from opening (and migrating) it twice.
    with _OPENING:
        return _cached_registry(url, busy_timeout_s, model_store_url)


def get_registry(settings: SettingsDep) -> Registry:
    """The process-wide registry of the configured database and model stores (opened, and
    migrated, once)."""
    return _open_registry(
        settings.registry_url or default_url(),
        settings.registry_busy_timeout_s,
        settings.model_store_url,
    )


RegistryDep = Annotated[Registry, Depends(get_registry)]


def get_task_services(request: Request) -> TaskServices:
    """The app's task-service clients (made by its lifespan, so they share connection pools)."""
    services: TaskServices = request.app.state.task_services
    return services


TaskServicesDep = Annotated[TaskServices, Depends(get_task_services)]
