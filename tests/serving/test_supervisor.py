"""The supervisor that ``mammocad serve`` runs its task services under, on real processes.

The quick tests supervise ``python -m http.server`` (a real server process in its own process
group, started in a fraction of a second) and really kill, block or freeze it; the integration
test kills a real detection service under load behind a real gateway and waits for the stack to
be ready again on its own.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from mammocad.datasets.records import DataSet
from mammocad.schemas.artifact import Task
from registry import PRODUCTION
from serving.processes import (
    SERVICES,
    ServiceProcess,
    ServiceStartError,
    free_port,
    start_gateway,
    start_service,
)
from serving.supervisor import RestartPolicy, ServiceSupervisor
from tests.registry.builders import COMPLETE_CARD, write_report
from tests.serving.conftest import ServingWorld, post_image

QUICK = RestartPolicy(
    first_delay_s=0.3, max_delay_s=1.2, check_interval_s=0.05, probe_interval_s=0.1
)


@dataclass
class FileServers:
    """Starts ``python -m http.server`` on one port, serving a folder that holds a ``livez``
    file (so ``/livez`` answers 200, as BentoML's does), and records every start."""

    port: int
    folder: Path
    starts: list[tuple[float, float, bool]] = field(default_factory=list)
    """When each start began and ended, and whether it succeeded."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __call__(self, cancel: threading.Event) -> ServiceProcess:
        begun = time.monotonic()
        log = self.folder.parent / f"server-{len(self.starts)}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1"],
                cwd=self.folder,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = ServiceProcess(
            "http.server", self.url, process, log, owns_log=False, ready_path="/livez"
        )
        try:
            while not answers(self.url):
                if not server.alive():
                    raise ServiceStartError(f"http.server exited: {server.log_tail(3)}")
                if cancel.wait(0.05):
                    raise ServiceStartError("start cancelled")
        except BaseException:
            server.stop()
            self.starts.append((begun, time.monotonic(), False))
            raise
        self.starts.append((begun, time.monotonic(), True))
        return server


def answers(url: str) -> bool:
    """Whether ``url`` answers ``/livez`` with 200 right now."""
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(f"{url}/livez", timeout=1.0).status_code == 200
    return False


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> float:
    """Poll ``condition`` until true; when it became true (monotonic)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout_s} s"
        time.sleep(0.05)
    return time.monotonic()


@pytest.fixture
def servers(tmp_path: Path) -> FileServers:
    folder = tmp_path / "www"
    folder.mkdir()
    (folder / "livez").write_text("ok", encoding="utf-8")
    return FileServers(free_port(), folder)


def test_a_killed_server_is_restarted_with_growing_backoff_while_starts_fail(
    servers: FileServers,
) -> None:
    output = io.StringIO()
    with ServiceSupervisor(QUICK, Console(file=output, width=300)) as supervisor:
        first = supervisor.supervise("files", servers)
        os.killpg(first.pid, signal.SIGKILL)
        with socket.socket() as blocker:  # the port taken: every restart fails for a while
            wait_for(lambda: _bound(blocker, servers.port), 5, "the killed server freed the port")
            blocker.listen()
            wait_for(lambda: len(servers.starts) >= 4, 15, "three failed restarts")
        # A start recorded as succeeded: its server answered /livez (its record comes after).
        wait_for(lambda: servers.starts[-1][2], 15, "a restart succeeded")
    outcomes = [ok for *_, ok in servers.starts]
    # The first start, the failed restarts while the port was taken (three, or one more if a
    # loaded machine let an attempt begin before the port was freed), then one that succeeded.
    assert outcomes[0] and outcomes[-1] and not any(outcomes[1:-1]), outcomes
    assert len(outcomes) - 2 >= 3, outcomes
    waits = [
        later[0] - earlier[1] for earlier, later in itertools.pairwise(servers.starts[1:5])
    ]  # between the end of a failed attempt and the start of the next
    expected = [0.6, 1.2, 1.2]  # doubled from 0.3 s, capped at max_delay_s
    # At least the backoff; the upper bound only catches a backoff that kept growing (a loaded
    # CI machine adds scheduling delay, never removes any).
    assert all(e <= w < e + 1.0 for w, e in zip(waits, expected, strict=True)), waits
    report = output.getvalue()
    assert "the files service died" in report and "killed by SIGKILL" in report, report
    failures = len(outcomes) - 2
    assert report.count("failed") == failures and "restarted the files service" in report, report
    assert not answers(servers.url)  # stop() stopped the restarted server too


def test_stop_during_a_backoff_returns_at_once(servers: FileServers) -> None:
    output = io.StringIO()
    slow = RestartPolicy(first_delay_s=60, max_delay_s=60, check_interval_s=0.05)
    supervisor = ServiceSupervisor(slow, Console(file=output, width=300))
    try:
        os.killpg(supervisor.supervise("files", servers).pid, signal.SIGKILL)
        wait_for(lambda: "restarting the files service in 60 s" in output.getvalue(), 5, "death")
    finally:
        begun = time.monotonic()
        supervisor.stop()
    assert time.monotonic() - begun < 1.0
    assert len(servers.starts) == 1 and not answers(servers.url)


def test_a_hung_server_is_killed_and_restarted(servers: FileServers) -> None:
    output = io.StringIO()
    policy = RestartPolicy(
        first_delay_s=0.1, check_interval_s=0.05, probe_interval_s=0.1, unresponsive_after_s=1.0
    )
    with ServiceSupervisor(policy, Console(file=output, width=300)) as supervisor:
        hung = supervisor.supervise("files", servers)
        os.killpg(hung.pid, signal.SIGSTOP)  # alive, answering nothing
        wait_for(lambda: len(servers.starts) == 2 and answers(servers.url), 15, "a new server")
        assert "alive but no answer on /livez" in output.getvalue(), output.getvalue()
        assert not hung.alive()
        with pytest.raises(ProcessLookupError):
            os.killpg(hung.pid, 0)  # its whole process group is gone


def test_a_first_start_that_fails_is_the_callers_error(servers: FileServers) -> None:
    with socket.socket() as blocker, ServiceSupervisor(QUICK) as supervisor:
        blocker.bind(("127.0.0.1", servers.port))
        blocker.listen()
        with pytest.raises(ServiceStartError, match=r"http\.server exited"):
            supervisor.supervise("files", servers)
    assert len(servers.starts) == 1  # nothing retried it


def _bound(probe: socket.socket, port: int) -> bool:
    # SO_REUSEADDR: the probes' connections to the killed server linger in TIME_WAIT.
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        probe.bind(("127.0.0.1", port))
    except OSError:
        return False
    return True


def _children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii")
    return [int(child) for child in children.split()]


def _running(pid: int) -> bool:
    """Whether ``pid`` is a process that has not exited (a zombie has)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


@dataclass(frozen=True)
class Answer:
    at: float
    status: int
    retry_after: str | None
    problem_type: str | None


@pytest.fixture(scope="module")
def production_env(
    serving_world: ServingWorld, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """The serving models registered again under names of their own and made production (the
    gateway is ready only with a production version per task), and the gateway settings that
    name them; the shared ``classifier`` and ``detector`` stay as the other tests expect."""
    reports = tmp_path_factory.mktemp("supervised-reports")
    names: dict[Task, str] = {"classify": "supervised-classifier", "detect": "supervised-detector"}
    folders = {"classify": serving_world.classifier_folder, "detect": serving_world.detector_folder}
    with serving_world.registry() as registry:
        for task, name in names.items():
            version = registry.register(folders[task], name, actor="tests").version
            registry.edit_card(name, version, COMPLETE_CARD, actor="tests")
            report = write_report(reports / f"{name}.json", 0.8, task=task)
            registry.attach_evaluation(name, version, report, actor="tests")
            registry.set_alias(name, PRODUCTION, version, actor="tests")
    return {"MAMMOCAD_CLASSIFY_MODEL": names["classify"], "MAMMOCAD_DETECT_MODEL": names["detect"]}


@pytest.mark.integration
def test_a_killed_service_under_load_comes_back_on_its_own(
    serving_world: ServingWorld,
    production_env: dict[str, str],
    classify_service: ServiceProcess,
    tiny_set: DataSet,
) -> None:
    """``kill -9 -<pgid>`` of the detection service while a client keeps asking for detections.
    That kills ``bentoml serve`` but not its worker (in a session of its own, it keeps the
    port): the supervisor must kill the orphan before it can restart the service. Meanwhile the
    gateway answers 503 with Retry-After (never a 500), and the default supervision of
    ``mammocad serve`` has the stack ready again within 30 s."""
    detect_port = free_port()
    output = io.StringIO()
    data = tiny_set[1].path.read_bytes()
    answers_seen: list[Answer] = []
    done = threading.Event()

    def start_detect(cancel: threading.Event) -> ServiceProcess:
        return start_service(SERVICES["detect"], detect_port, env=serving_world.env, cancel=cancel)

    def keep_posting(base: str) -> None:
        while not done.is_set():
            response = post_image(base, "detect", data)
            is_problem = response.headers.get("content-type", "").startswith(
                "application/problem+json"
            )
            problem = response.json().get("type") if is_problem else None
            answers_seen.append(
                Answer(
                    time.monotonic(),
                    response.status_code,
                    response.headers.get("retry-after"),
                    problem,
                )
            )
            time.sleep(0.05)

    with ServiceSupervisor(console=Console(file=output, width=300)) as supervisor:
        detect = supervisor.supervise("detect", start_detect)
        env = {
            **serving_world.env,
            **production_env,
            "MAMMOCAD_CLASSIFY_URL": classify_service.url,
            "MAMMOCAD_DETECT_URL": detect.url,
            "MAMMOCAD_SERVICE_RETRIES": "1",
            "MAMMOCAD_RATE_LIMIT": "",  # the client below asks as fast as it is answered
        }
        gateway = start_gateway(free_port(), env=env)
        client = threading.Thread(target=keep_posting, args=(gateway.url,))
        try:
            assert post_image(gateway.url, "detect", data).status_code == 200
            ready = gateway.url + "/v1/health/ready"
            assert httpx.get(ready, timeout=5).status_code == 200  # before the kill
            client.start()
            wait_for(lambda: len(answers_seen) >= 3, 30, "answers under load")
            workers = _children(detect.pid)
            assert workers, "bentoml serve runs its worker as a child process"
            killed = time.monotonic()
            os.killpg(detect.pid, signal.SIGKILL)
            wait_for(lambda: httpx.get(ready, timeout=5).status_code != 200, 5, "not ready")
            back = wait_for(lambda: httpx.get(ready, timeout=5).status_code == 200, 30, "ready")
            recovered_s = back - killed
            wait_for(
                lambda: answers_seen[-1].status == 200 and answers_seen[-1].at > back,
                30,
                "a detection",
            )
        finally:
            done.set()
            if client.is_alive():
                client.join()
            gateway.stop()
            print(output.getvalue())  # what the supervisor did, shown when the test fails
    print(f"readiness back {recovered_s:.1f} s after the kill")
    assert recovered_s < 30
    assert not any(_running(worker) for worker in workers), "the orphaned worker was killed"
    assert {answer.status for answer in answers_seen} <= {200, 503}, answers_seen
    down = [answer for answer in answers_seen if answer.status == 503]
    assert down and all(killed <= answer.at <= back + 5 for answer in down), (killed, down)
    for answer in down:
        assert answer.retry_after is not None and int(answer.retry_after) > 0
        assert answer.problem_type and answer.problem_type.startswith(
            "urn:mammocad:problem:task-service"
        )
    assert "killed by SIGKILL" in output.getvalue() and "restarted the detect service" in (
        output.getvalue()
    )
