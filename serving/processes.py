"""Task services as real processes: started with ``bentoml serve`` on a loopback port, waited on
until ``/readyz`` answers, stopped with every process they started.

``mammocad serve``, the tests and the benchmark all start services through here, so they run
exactly what a deployment runs. ``bentoml serve`` starts worker processes of its own, each in a
session of its own (circus calls ``setsid``), so neither the process group nor the parent links
reach them once ``bentoml serve`` itself was killed: an orphaned worker keeps the port. Every
process of a service therefore carries one mark in its environment (``MAMMOCAD_SERVICE_INSTANCE``,
inherited by the workers), and stopping a service finds and kills whatever carries its mark.

Example:
    >>> with running_service(SERVICES["classify"], free_port()) as service:  # doctest: +SKIP
    ...     httpx.post(f"{service.url}/tensors/classify", content=pack({"items": [...]}, tensors))
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx

from mammocad.errors import UnavailableError
from mammocad.schemas.artifact import Task

__all__ = [
    "GATEWAY_APP",
    "SERVICES",
    "ServiceProcess",
    "ServiceStartError",
    "free_port",
    "running_service",
    "start_gateway",
    "start_service",
]

GATEWAY_APP = "api.main:create_app"
"""The gateway's app factory, by name (serving never imports the gateway)."""

SERVICES: dict[Task, str] = {
    "classify": "serving.classify:ClassifyService",
    "detect": "serving.detect:DetectService",
}
_POLL_S = 0.25
_LOG_TAIL_LINES = 30
_INSTANCE_ENV = "MAMMOCAD_SERVICE_INSTANCE"
_PROC = Path("/proc")
_KILLED_WITHIN_S = 5.0  # SIGKILLed processes are gone at once, unless the kernel is stuck


class ServiceStartError(UnavailableError):
    """A task service did not become ready (it exited, or took too long)."""

    code = "service-start-failed"
    title = "Task service did not start"


class ServiceProcess:
    """A running ``bentoml serve`` process and where it answers.

    Args:
        target: ``module:Class`` of the service.
        url: ``http://host:port`` it serves on.
        process: the ``bentoml serve`` process, leader of its own process group.
        log_path: where its stdout and stderr go.
        owns_log: remove ``log_path`` when the service stops (a temporary log).
        ready_path: the route that answers 200 once it serves.
        instance: the ``MAMMOCAD_SERVICE_INSTANCE`` value in the environment of each of its
            processes (found through ``/proc``); None: only its process group is stopped.
    """

    def __init__(
        self,
        target: str,
        url: str,
        process: subprocess.Popen[bytes],
        log_path: Path,
        *,
        owns_log: bool,
        ready_path: str = "/readyz",
        instance: str | None = None,
    ) -> None:
        self.target = target
        self.url = url
        self.log_path = log_path
        self.ready_path = ready_path
        self._process = process
        self._owns_log = owns_log
        self._instance = instance

    @property
    def pid(self) -> int:
        """The ``bentoml serve`` process id (also its process group id)."""
        return self._process.pid

    def alive(self) -> bool:
        """Whether the ``bentoml serve`` process is still running."""
        return self._process.poll() is None

    @property
    def exit_code(self) -> int | None:
        """How the ``bentoml serve`` process ended (negative: killed by that signal, as
        :attr:`subprocess.Popen.returncode`); None while it runs."""
        return self._process.poll()

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        """The last ``lines`` lines of its output (empty once a temporary log is removed)."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout_s: float = 15.0) -> None:
        """SIGTERM to the process group (BentoML then shuts its workers down; workers orphaned
        by a killed ``bentoml serve`` get theirs directly), SIGKILL to whatever of the service
        is left after ``timeout_s``; returns once its processes are gone, so the port is free.
        Safe to call more than once."""
        deadline = time.monotonic() + timeout_s
        _signal_group(self.pid, signal.SIGTERM)
        if not self.alive():  # nobody left to shut the workers down
            _signal_all(self.processes(), signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=max(0.0, deadline - time.monotonic()))
        while (_group_alive(self.pid) or self.processes()) and time.monotonic() < deadline:
            time.sleep(0.05)  # workers still exiting
        _signal_group(self.pid, signal.SIGKILL)
        _signal_all(self.processes(), signal.SIGKILL)
        self._process.wait()
        killed_by = time.monotonic() + _KILLED_WITHIN_S
        while self.processes() and time.monotonic() < killed_by:
            time.sleep(0.01)
        if self._owns_log:
            self.log_path.unlink(missing_ok=True)

    def processes(self) -> list[int]:
        """The pid of every running process of this service (the server and its workers: all
        carry its mark; none without one), e.g. to measure their memory."""
        if self._instance is None:
            return []
        return _marked_processes(f"{_INSTANCE_ENV}={self._instance}".encode())


SERVICE_ALLOCATOR_ENV = {
    "MALLOC_MMAP_THRESHOLD_": str(4 * 1024**3),
    "MALLOC_TRIM_THRESHOLD_": str(4 * 1024**3),
}
"""glibc allocator settings of every task service: a batch's activation tensors (megabytes
each) come from the heap and stay there for the next batch, instead of glibc's default of
mapping each large block afresh and handing freed memory back at once, which costs page faults
on every forward pass (4 GiB: in effect, never map and never trim). ``bench/allocator_bench.py``
measured the demo classifier's per-image forward pass at batch 4 at 47.3 ms against 73.5 ms with
glibc's defaults (0.64; batch 1: 0.95, batch 2: 1.10, within the machine's noise). The price is
memory kept at its peak (a few batches' worth of activations). ``docker/service.Dockerfile`` sets
the same."""


def start_service(
    target: str,
    port: int,
    *,
    host: str = "127.0.0.1",
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,
    ready_timeout_s: float = 180.0,
    cancel: threading.Event | None = None,
) -> ServiceProcess:
    """Start ``bentoml serve target`` on ``host:port`` and return once ``/readyz`` says 200.

    Args:
        target: ``module:Class``, e.g. ``SERVICES["classify"]``.
        env: variables added to this process's environment for the service (registry URL,
            ``MAMMOCAD_HOME``, ``BENTOML_HOME``...), after :data:`SERVICE_ALLOCATOR_ENV`;
            BentoML usage tracking is always off.
        log_path: where the service's output goes; default a temporary file removed on stop.
        ready_timeout_s: how long to wait for readiness (a cold start imports torch).
        cancel: once set, stop waiting (a supervisor shutting down must not wait out a start).

    Raises:
        ServiceStartError: the port is taken, the process exited, it was not ready in time, or
            ``cancel`` was set (the message carries the end of its log; a process still
            running is stopped).
    """
    command = [sys.executable, "-m", "bentoml", "serve", target, "--host", host, "--port"]
    return _start(
        target,
        [*command, str(port)],
        host,
        port,
        "/readyz",
        SERVICE_ALLOCATOR_ENV | dict(env or {}),
        log_path,
        ready_timeout_s,
        cancel,
    )


def start_gateway(
    port: int,
    *,
    host: str = "127.0.0.1",
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,
    ready_timeout_s: float = 60.0,
) -> ServiceProcess:
    """Start the gateway (``uvicorn --factory api.main:create_app``) as its own process, the
    way the benchmark and the full-stack tests need it; arguments as :func:`start_service`,
    ready when ``/v1/health/live`` answers."""
    command = [sys.executable, "-m", "uvicorn", "--factory", GATEWAY_APP, "--host", host]
    return _start(
        GATEWAY_APP,
        [*command, "--port", str(port)],
        host,
        port,
        "/v1/health/live",
        env,
        log_path,
        ready_timeout_s,
        None,
    )


def _start(
    target: str,
    command: list[str],
    host: str,
    port: int,
    ready_path: str,
    env: Mapping[str, str] | None,
    log_path: Path | None,
    ready_timeout_s: float,
    cancel: threading.Event | None,
) -> ServiceProcess:
    url = f"http://{host}:{port}"
    if not _port_is_free(host, port):
        raise ServiceStartError(f"cannot start {target}: {host}:{port} is already in use")
    owns_log = log_path is None
    if log_path is None:
        handle, name = tempfile.mkstemp(prefix="mammocad-service-", suffix=".log")
        os.close(handle)
        log_path = Path(name)
    instance = uuid.uuid4().hex
    environment = {
        **os.environ,
        **(env or {}),
        "BENTOML_DO_NOT_TRACK": "True",
        _INSTANCE_ENV: instance,
    }
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() reaches every worker
        )
    service = ServiceProcess(
        target, url, process, log_path, owns_log=owns_log, ready_path=ready_path, instance=instance
    )
    try:
        _wait_until_ready(service, ready_timeout_s, cancel or threading.Event())
    except BaseException:
        service.stop()
        raise
    return service


@contextlib.contextmanager
def running_service(
    target: str,
    port: int,
    *,
    host: str = "127.0.0.1",
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,
    ready_timeout_s: float = 180.0,
) -> Iterator[ServiceProcess]:
    """:func:`start_service`, stopped when the block ends (also on error or Ctrl-C)."""
    service = start_service(
        target, port, host=host, env=env, log_path=log_path, ready_timeout_s=ready_timeout_s
    )
    try:
        yield service
    finally:
        service.stop()


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _wait_until_ready(service: ServiceProcess, timeout_s: float, cancel: threading.Event) -> None:
    """Return once ``service`` answers its ready path; its errors carry the end of the log."""
    deadline = time.monotonic() + timeout_s
    with httpx.Client(timeout=2.0) as client:
        while True:
            if not service.alive():
                raise ServiceStartError(
                    f"{service.target} exited before it was ready on {service.url}; its log "
                    f"ended:\n{service.log_tail()}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if client.get(f"{service.url}{service.ready_path}").status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise ServiceStartError(
                    f"{service.target} was not ready on {service.url} after {timeout_s:.0f} s; "
                    f"its log ended:\n{service.log_tail()}"
                )
            if cancel.wait(_POLL_S):
                raise ServiceStartError(
                    f"gave up starting {service.target} on {service.url}: start cancelled"
                )


def _port_is_free(host: str, port: int) -> bool:
    """Whether a server could bind ``host:port`` (with SO_REUSEADDR, as uvicorn does, so a
    port a stopped service left in TIME_WAIT counts as free)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def _signal_all(pids: list[int], signum: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


def _marked_processes(mark: bytes) -> list[int]:
    """The processes with ``mark`` (``NAME=value``) in their environment. A zombie's environment
    reads empty, so only processes still running count; without ``/proc`` (not Linux) none."""
    found = []
    with contextlib.suppress(FileNotFoundError):
        for entry in _PROC.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                environment = (entry / "environ").read_bytes()
            except OSError:  # gone meanwhile, or not ours to read
                continue
            if mark in environment.split(b"\0"):
                found.append(int(entry.name))
    return found


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
