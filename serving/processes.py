"""Task services as real processes: started with ``bentoml serve`` on a loopback port, waited on
until ``/readyz`` answers, stopped with their whole process group.

``mammocad serve``, the tests and the benchmark all start services through here, so they run
exactly what a deployment runs. ``bentoml serve`` starts worker processes of its own; each
service gets its own process group (session), so stopping it never leaves a worker holding the
port.

Example:
    >>> with running_service(SERVICES["classify"], free_port()) as service:  # doctest: +SKIP
    ...     httpx.post(f"{service.url}/classify", json={"items": [...]})
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
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
    ) -> None:
        self.target = target
        self.url = url
        self.log_path = log_path
        self.ready_path = ready_path
        self._process = process
        self._owns_log = owns_log

    @property
    def pid(self) -> int:
        """The ``bentoml serve`` process id (also its process group id)."""
        return self._process.pid

    def alive(self) -> bool:
        """Whether the ``bentoml serve`` process is still running."""
        return self._process.poll() is None

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        """The last ``lines`` lines of its output (empty once a temporary log is removed)."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout_s: float = 15.0) -> None:
        """SIGTERM to the whole process group (BentoML then shuts its workers down), SIGKILL to
        whatever is left after ``timeout_s``. Safe to call more than once."""
        deadline = time.monotonic() + timeout_s
        _signal_group(self.pid, signal.SIGTERM)
        try:
            self._process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(self.pid, signal.SIGKILL)
            self._process.wait()
        while _group_alive(self.pid) and time.monotonic() < deadline:  # workers still exiting
            time.sleep(0.05)
        _signal_group(self.pid, signal.SIGKILL)
        if self._owns_log:
            self.log_path.unlink(missing_ok=True)


def start_service(
    target: str,
    port: int,
    *,
    host: str = "127.0.0.1",
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,
    ready_timeout_s: float = 180.0,
) -> ServiceProcess:
    """Start ``bentoml serve target`` on ``host:port`` and return once ``/readyz`` says 200.

    Args:
        target: ``module:Class``, e.g. ``SERVICES["classify"]``.
        env: variables added to this process's environment for the service (registry URL,
            ``MAMMOCAD_HOME``, ``BENTOML_HOME``...); BentoML usage tracking is always off.
        log_path: where the service's output goes; default a temporary file removed on stop.
        ready_timeout_s: how long to wait for readiness (a cold start imports torch).

    Raises:
        ServiceStartError: the port is taken, the process exited, or it was not ready in time
            (the message carries the end of its log; a process still running is stopped).
    """
    command = [sys.executable, "-m", "bentoml", "serve", target, "--host", host, "--port"]
    return _start(
        target, [*command, str(port)], host, port, "/readyz", env, log_path, ready_timeout_s
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
) -> ServiceProcess:
    url = f"http://{host}:{port}"
    if not _port_is_free(host, port):
        raise ServiceStartError(f"cannot start {target}: {host}:{port} is already in use")
    owns_log = log_path is None
    if log_path is None:
        handle, name = tempfile.mkstemp(prefix="mammocad-service-", suffix=".log")
        os.close(handle)
        log_path = Path(name)
    environment = {**os.environ, **(env or {}), "BENTOML_DO_NOT_TRACK": "True"}
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
        target, url, process, log_path, owns_log=owns_log, ready_path=ready_path
    )
    try:
        _wait_until_ready(service, ready_timeout_s)  # its errors carry the end of the log
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


def _wait_until_ready(service: ServiceProcess, timeout_s: float) -> None:
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
            time.sleep(_POLL_S)


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


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
