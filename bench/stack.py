"""Starting the real stack for a benchmark: both BentoML task services and the gateway on free
loopback ports, exactly as ``mammocad serve`` starts them, on the state folder's registry."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mammocad.home import state_home
from mammocad.schemas.artifact import Task
from serving.processes import SERVICES, ServiceProcess, free_port, start_gateway, start_service

__all__ = ["TASKS", "RunningStack", "benchmark_home", "group_processes", "rss_kib", "running_stack"]

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
    with ThreadPoolExecutor(len(TASKS)) as pool:  # at once, as `mammocad serve` starts them
        starting = {
            f"{task} service": pool.submit(start_service, SERVICES[task], port, env=env)
            for task, port in ports.items()
        }
    services = {name: f.result() for name, f in starting.items() if f.exception() is None}
    if len(services) < len(starting):
        for service in services.values():
            service.stop()
        raise next(error for f in starting.values() if (error := f.exception()) is not None)
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


def rss_kib(pids: list[int]) -> int:
    """The resident memory of ``pids`` together (processes that ended count nothing)."""
    page_kib = os.sysconf("SC_PAGE_SIZE") // 1024
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/statm").read_text().split()
        except OSError:
            continue
        total += int(fields[1]) * page_kib
    return total


def group_processes(pgid: int) -> list[int]:
    """Every running process of process group ``pgid`` (e.g. TorchServe's Java frontend and
    its Python workers, which it starts in its group)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # after the command's closing parenthesis: state, ppid, pgrp, ...
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            found.append(int(stat.parent.name))
    return found
