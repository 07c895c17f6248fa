"""Keep the task services running: one that dies, or stops answering, is started again.

``mammocad serve`` starts each task service once (a failure then is fatal: nothing has served
yet, so it is a setup problem) and hands it to a :class:`ServiceSupervisor`. While a service is
down the gateway answers its task with 503 and Retry-After; the supervisor brings it back, so
that readiness returns on its own instead of waiting for someone to restart the deployment.

One daemon thread per service checks every half second whether its ``bentoml serve`` process
is alive, and every few seconds whether it answers ``/livez`` (a process that is alive but hung
serves nobody). A dead or hung service has what is left of its process group killed (an orphaned
worker would hold the port) and is started again, with exponential backoff between attempts so
that a service that cannot start (a broken model store, a port taken) is not restarted in a hot
loop. A start that fails is reported and retried, never the end of supervision.

Example:
    >>> with ServiceSupervisor() as supervisor:  # doctest: +SKIP
    ...     supervisor.supervise("detect", lambda cancel: start_service(..., cancel=cancel))
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType

import httpx
from rich.console import Console
from rich.markup import escape

from serving.processes import ServiceProcess, ServiceStartError

__all__ = ["RestartPolicy", "ServiceSupervisor", "StartService"]

StartService = Callable[[threading.Event], ServiceProcess]
"""Starts a service and returns once it is ready; raises :class:`ServiceStartError` when it
cannot, and gives up as soon as the event is set (the supervisor is stopping)."""

_KILL_GRACE_S = 2.0
"""How long a dead or hung service's leftovers get to exit on SIGTERM before SIGKILL: they serve
nobody, and the port must be free again for the restart."""


@dataclass(frozen=True)
class RestartPolicy:
    """When a service counts as down, and how long to wait before each restart attempt.

    Args:
        first_delay_s: wait before the first attempt after a failure; doubled per attempt.
        max_delay_s: the longest wait between attempts.
        stable_after_s: a service up this long has recovered: its next failure starts the
            backoff again at ``first_delay_s`` (one that keeps dying soon after each start
            keeps backing off).
        check_interval_s: how often the process is checked for being alive.
        probe_interval_s: how often ``/livez`` is asked.
        unresponsive_after_s: a live process that has not answered ``/livez`` for this long is
            hung and is restarted; None to trust a live process.
    """

    first_delay_s: float = 1.0
    max_delay_s: float = 30.0
    stable_after_s: float = 60.0
    check_interval_s: float = 0.5
    probe_interval_s: float = 5.0
    unresponsive_after_s: float | None = 30.0

    def delay_s(self, attempt: int) -> float:
        """The wait before restart attempt ``attempt`` (1 for the first after a failure)."""
        return min(self.max_delay_s, self.first_delay_s * 2 ** (attempt - 1))


class ServiceSupervisor:
    """Restarts the services it supervises whenever they die or hang, until :meth:`stop`.

    Args:
        policy: backoff and health-check timing.
        console: where deaths, restart attempts and restarts are reported (thread-safe).
    """

    def __init__(self, policy: RestartPolicy | None = None, console: Console | None = None) -> None:
        self._policy = policy or RestartPolicy()
        self._console = console or Console(stderr=True)
        self._stopping = threading.Event()
        self._watchers: list[_Watcher] = []

    def supervise(self, name: str, start: StartService) -> ServiceProcess:
        """Start a service now and keep it running from then on.

        Raises:
            ServiceStartError: this first start failed; the service is not supervised (the
                caller decides whether the deployment can go on without it).
        """
        return self.supervise_all({name: start})[name]

    def supervise_all(self, starts: Mapping[str, StartService]) -> dict[str, ServiceProcess]:
        """Start several services at once and keep each running from then on. Their cold
        starts (mostly importing torch and BentoML, one core each) overlap, so the deployment
        is ready in about the time of the slowest instead of the sum.

        Raises:
            ServiceStartError: a first start failed (its message names the service); none is
                supervised and those that did start are stopped.
        """
        if self._stopping.is_set():
            raise RuntimeError("the supervisor is stopped")
        with ThreadPoolExecutor(max_workers=len(starts), thread_name_prefix="start") as pool:
            futures = {name: pool.submit(start, self._stopping) for name, start in starts.items()}
        started: dict[str, ServiceProcess] = {}
        failures: list[tuple[str, ServiceStartError]] = []
        for name, future in futures.items():
            try:
                started[name] = future.result()
            except ServiceStartError as error:
                failures.append((name, error))
        if failures:
            for service in started.values():
                service.stop()
            failed, failure = failures[0]
            raise ServiceStartError(f"the {failed} service: {failure.detail}") from failure
        for name, service in started.items():
            watcher = _Watcher(
                name, starts[name], service, self._policy, self._stopping, self._console
            )
            self._watchers.append(watcher)
            watcher.thread.start()
        return started

    def stop(self) -> None:
        """Stop supervising, then stop the services: the threads end first (a start in progress
        gives up), so no restart races with the shutdown. Safe to call more than once."""
        self._stopping.set()
        for watcher in self._watchers:
            watcher.thread.join()
        for watcher in self._watchers:
            if watcher.service is not None:
                watcher.service.stop()

    def __enter__(self) -> ServiceSupervisor:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class _Watcher:
    """One supervised service and the thread that restarts it. Only the thread changes
    ``service`` (None while the service is down); others read it once the thread has ended."""

    def __init__(
        self,
        name: str,
        start: StartService,
        service: ServiceProcess,
        policy: RestartPolicy,
        stopping: threading.Event,
        console: Console,
    ) -> None:
        self.name = name
        self.service: ServiceProcess | None = service
        self.thread = threading.Thread(target=self._run, name=f"supervise-{name}", daemon=True)
        self._start = start
        self._policy = policy
        self._stopping = stopping
        self._console = console
        self._attempt = 0  # restart attempts since the service last stayed up long enough

    def _run(self) -> None:
        with httpx.Client(timeout=2.0) as client:
            while (service := self.service) is not None:
                up_since = time.monotonic()
                failure = self._wait_for_failure(service, client)
                if failure is None:
                    return  # stopping: the supervisor stops the service
                if time.monotonic() - up_since >= self._policy.stable_after_s:
                    self._attempt = 0
                self._console.print(
                    f"[yellow]the {self.name} service died[/yellow] (pid {service.pid}, "
                    f"{failure}; its output: {escape(str(service.log_path))})"
                )
                self.service = None
                service.stop(timeout_s=_KILL_GRACE_S)
                self.service = self._restarted()

    def _wait_for_failure(self, service: ServiceProcess, client: httpx.Client) -> str | None:
        """What is wrong once ``service`` exited or hangs; None once the supervisor stops."""
        answered = next_probe = time.monotonic()
        while not self._stopping.wait(self._policy.check_interval_s):
            if not service.alive():
                return _describe_exit(service.exit_code)
            now = time.monotonic()
            if self._policy.unresponsive_after_s is None or now < next_probe:
                continue
            if _answers_livez(client, service):
                answered = now
            elif now - answered >= self._policy.unresponsive_after_s:
                return f"alive but no answer on /livez for {now - answered:.0f} s"
            next_probe = now + self._policy.probe_interval_s
        return None

    def _restarted(self) -> ServiceProcess | None:
        """The service started again, after a backoff before each attempt; None if the
        supervisor stopped first."""
        down_since = time.monotonic()
        while True:
            self._attempt += 1
            delay = self._policy.delay_s(self._attempt)
            self._console.print(
                f"restarting the {self.name} service in {delay:.0f} s (attempt {self._attempt})"
            )
            if self._stopping.wait(delay):
                return None
            try:
                service = self._start(self._stopping)
            except ServiceStartError as error:
                if self._stopping.is_set():
                    return None
                self._console.print(
                    f"[red]restart attempt {self._attempt} of the {self.name} service "
                    f"failed[/red]: {escape(error.detail)}"
                )
                continue
            self._console.print(
                f"[green]restarted the {self.name} service[/green] (pid {service.pid}, attempt "
                f"{self._attempt}, down {time.monotonic() - down_since:.1f} s)"
            )
            return service


def _answers_livez(client: httpx.Client, service: ServiceProcess) -> bool:
    try:
        return client.get(f"{service.url}/livez").status_code == 200
    except httpx.HTTPError:
        return False


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"
