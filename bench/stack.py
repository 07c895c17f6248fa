"""Starting the real stack for a benchmark: both BentoML task services and the gateway on free
loopback ports, exactly as ``mammocad serve`` starts them, on the state folder's registry."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mammocad.home import state_home
from mammocad.schemas.artifact import Task
from serving.processes import SERVICES, ServiceProcess, free_port, start_gateway, start_service

__all__ = ["TASKS", "RunningStack", "benchmark_home", "running_stack"]

TASKS: tuple[Task, ...] = ("classify", "detect")


def benchmark_home() -> Path:
    """``$MAMMOCAD_HOME`` (default ./var), exported with its BentoML store for the services."""
    home = state_home().resolve()
    os.environ["MAMMOCAD_HOME"] = str(home)
    os.environ.setdefault("BENTOML_HOME", str(home / "bentoml"))
    return home


@dataclass(frozen=True)
class RunningStack:
    """The gateway's URL, and its process and each task service's (to measure them)."""

    url: str
    gateway: ServiceProcess
    services: dict[str, ServiceProcess]


@contextmanager
def running_stack() -> Iterator[RunningStack]:
    """Both services and the gateway, running; all stopped afterwards."""
    env = {key: os.environ[key] for key in ("MAMMOCAD_HOME", "BENTOML_HOME")}
    ports = {task: free_port() for task in TASKS}
    services = {
        f"{task} service": start_service(SERVICES[task], port, env=env)
        for task, port in ports.items()
    }
    urls = {f"MAMMOCAD_{task.upper()}_URL": f"http://127.0.0.1:{p}" for task, p in ports.items()}
    # The benchmark's own loopback gateway: open on loopback (no key lookup in the timings) and
    # unlimited (a throughput measurement is many requests from one caller).
    bench_access = {"MAMMOCAD_AUTH": "open-loopback", "MAMMOCAD_RATE_LIMIT": ""}
    gateway = start_gateway(free_port(), env=env | urls | bench_access)
    try:
        yield RunningStack(gateway.url, gateway, services)
    finally:
        gateway.stop()
        for service in services.values():
            service.stop()
