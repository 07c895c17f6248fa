"""Two classification replicas behind one gateway, as real processes on a PostgreSQL registry:
a version promoted while they run is served by both without a restart, and a replica killed
under sequential and concurrent load costs no request.

As on separate machines, every process has a BentoML store of its own, empty when it starts:
this test process registers into a shared model store (a ``file://`` folder,
``MAMMOCAD_MODEL_STORE_URL``), and each replica serves a version after fetching it from there
and checking every file's sha256 (registry/remote.py).

Slow: it starts three ``bentoml serve`` processes, a gateway and a PostgreSQL server of its own.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest

from mammocad.datasets.records import DataSet
from mammocad.schemas.artifact import Task
from mammocad.schemas.inference_contract import ClassifyItem, ModelRef
from mammocad.schemas.tensor_frame import MEDIA_TYPE
from registry import PRODUCTION, Registry
from serving.processes import SERVICES, ServiceProcess, free_port, start_gateway, start_service
from tests.registry.builders import COMPLETE_CARD, write_report
from tests.registry.postgres_server import find_bindir, throwaway_server
from tests.registry.stores import stored_tags
from tests.serving.conftest import ClassifierCase, ServingWorld, frame, post_image

pytestmark = pytest.mark.integration

CLIENTS = 4


@pytest.fixture(scope="module")
def postgres_registry() -> Iterator[str]:
    """The URL of an empty registry database on a PostgreSQL server of this module's own."""
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries absent (apt-get install postgresql)")
    with throwaway_server(bindir) as server:
        name = f"replicas_{uuid.uuid4().hex[:12]}"
        admin = server.url.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        yield f"{server.url}/{name}"


def _make_production(
    registry: Registry, folder: Path, name: str, task: Task, reports: Path, primary: float
) -> int:
    """Register ``folder`` as a new version of ``name``, pass the gates and promote it."""
    version = registry.register(folder, name, actor="tests").version
    registry.edit_card(name, version, COMPLETE_CARD, actor="tests")
    report = write_report(reports / f"{name}-{version}.json", primary, task=task)
    registry.attach_evaluation(name, version, report, actor="tests")
    registry.set_alias(name, PRODUCTION, version, actor="tests")
    return version


@dataclass
class Topology:
    """The running processes: classify replicas ``a`` and ``b``, ``detect``, the gateway; the
    shared model store they fetch versions from, and each service's own local store."""

    a: ServiceProcess
    b: ServiceProcess
    detect: ServiceProcess
    gateway: ServiceProcess
    model_store_url: str
    local_stores: dict[str, Path]  # "a", "b", "detect": that service's $BENTOML_HOME/models


def _own_home(root: Path, name: str) -> dict[str, str]:
    """The environment that gives one process a BentoML home (and so a model store) of its own,
    as a machine of its own would have."""
    return {"BENTOML_HOME": str(root / name)}


@pytest.fixture(scope="module")
def topology(
    serving_world: ServingWorld, postgres_registry: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Topology]:
    reports = tmp_path_factory.mktemp("replica-reports")
    model_store_url = tmp_path_factory.mktemp("shared-model-store").as_uri()
    with Registry(postgres_registry, model_store_url=model_store_url) as registry:
        models: list[tuple[Path, str, Task]] = [
            (serving_world.classifier_folder, "classifier", "classify"),
            (serving_world.detector_folder, "detector", "detect"),
        ]
        for folder, name, task in models:
            _make_production(registry, folder, name, task, reports, 0.8)
    env = serving_world.env | {
        "MAMMOCAD_REGISTRY_URL": postgres_registry,
        "MAMMOCAD_MODEL_STORE_URL": model_store_url,
    }
    homes = tmp_path_factory.mktemp("replica-homes")
    names = ["a", "b", "detect"]
    local_stores = {name: homes / name / "models" for name in names}
    targets = [SERVICES["classify"], SERVICES["classify"], SERVICES["detect"]]
    with ThreadPoolExecutor(len(targets)) as pool:  # cold starts overlap
        started = [
            pool.submit(start_service, target, free_port(), env=env | _own_home(homes, name))
            for target, name in zip(targets, names, strict=True)
        ]
    services = [future.result() for future in started]
    a, b, detect = services
    gateway_env = (
        env
        | _own_home(homes, "gateway")
        | {
            "MAMMOCAD_CLASSIFY_URL": f"{a.url},{b.url}",
            "MAMMOCAD_DETECT_URL": detect.url,
            "MAMMOCAD_SERVICE_PROBE_INTERVAL_S": "0.2",
            "MAMMOCAD_RATE_LIMIT": "",  # the clients below ask as fast as they are answered
        }
    )
    gateway = start_gateway(free_port(), env=gateway_env)
    try:
        yield Topology(a, b, detect, gateway, model_store_url, local_stores)
    finally:
        gateway.stop()
        for service in services:
            service.stop()


def _classified_version(base: str, data: bytes) -> int:
    """The production classifier version that answered ``data`` (any other answer fails)."""
    response = post_image(base, "classify", data, model=PRODUCTION)
    assert response.status_code == 200, response.text
    version: int = response.json()["model"]["version"]
    return version


def _answers_directly(replica: ServiceProcess, version: int, case: ClassifierCase) -> bool:
    """Whether ``replica`` itself answers a request for classifier ``version``."""
    body = frame(ClassifyItem, [(ModelRef(name="classifier", version=version), case.input)])
    response = httpx.post(
        f"{replica.url}/tensors/classify",
        content=body,
        headers={"content-type": MEDIA_TYPE},
        timeout=120,
    )
    return response.status_code == 200


def _kill(replica: ServiceProcess) -> None:
    """SIGKILL every process of ``replica`` (its server and its workers), as a crash would."""
    os.killpg(replica.pid, signal.SIGKILL)
    for pid in replica.processes():
        os.kill(pid, signal.SIGKILL)


def _wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {timeout_s:.0f} s")
        time.sleep(0.1)


def _in_rotation(base: str) -> float:
    """``mammocad_task_replicas_in_rotation{task="classify"}`` of the gateway now."""
    for line in httpx.get(f"{base}/metrics", timeout=5).text.splitlines():
        if line.startswith('mammocad_task_replicas_in_rotation{task="classify"}'):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError("no replicas-in-rotation metric")


def test_replicas_serve_a_new_version_and_survive_one_killed_under_load(
    topology: Topology,
    serving_world: ServingWorld,
    postgres_registry: str,
    classifier_cases: list[ClassifierCase],
    tiny_set: DataSet,
    tmp_path: Path,
) -> None:
    base = topology.gateway.url
    data = tiny_set[0].path.read_bytes()
    # Running, and nothing in their stores: whatever they serve below, they fetched.
    assert all(stored_tags(store) == [] for store in topology.local_stores.values())
    ready = httpx.get(f"{base}/v1/health/ready", timeout=10)
    assert ready.status_code == 200, ready.text
    assert ready.json()["tasks"]["classify"]["service"] == f"{topology.a.url},{topology.b.url}"
    assert post_image(base, "detect", data, model=PRODUCTION).status_code == 200
    assert [_classified_version(base, data) for _ in range(4)] == [1] * 4

    with Registry(postgres_registry, model_store_url=topology.model_store_url) as registry:
        promoted = _make_production(
            registry, serving_world.classifier_folder, "classifier", "classify", tmp_path, 0.85
        )
        classifier_tags = [registry.get_version("classifier", v).artifact_tag for v in (1, 2)]
        detector_tag = registry.get_version("detector", 1).artifact_tag
    assert promoted == 2
    # Taken in turn, four sequential requests reach each replica twice: no restart needed.
    assert [_classified_version(base, data) for _ in range(4)] == [promoted] * 4
    case = classifier_cases[0]
    assert _answers_directly(topology.a, promoted, case)
    assert _answers_directly(topology.b, promoted, case)
    # Each served both versions from its own store, empty at its start: fetched, not shared.
    stores = topology.local_stores
    assert stored_tags(stores["a"]) == stored_tags(stores["b"]) == sorted(classifier_tags)
    assert stored_tags(stores["detect"]) == [detector_tag]

    statuses: list[int] = []
    done = threading.Event()

    def keep_classifying() -> None:
        while not done.is_set():
            response = post_image(base, "classify", data, model=PRODUCTION)
            statuses.append(response.status_code)

    clients = [threading.Thread(target=keep_classifying) for _ in range(CLIENTS)]
    for client in clients:
        client.start()
    try:
        _wait_for(lambda: len(statuses) >= 2 * CLIENTS, 60, "answers under load")
        before_kill = len(statuses)
        _kill(topology.a)
        sequential = [_classified_version(base, data) for _ in range(4)]
        _wait_for(lambda: len(statuses) >= before_kill + 4 * CLIENTS, 60, "answers after")
    finally:
        done.set()
        for client in clients:
            client.join()
    assert set(statuses) == {200}, statuses  # not one request failed, in flight ones included
    assert sequential == [promoted] * 4
    assert [_classified_version(base, data) for _ in range(4)] == [promoted] * 4
    assert _in_rotation(base) == 1.0  # a is out, probed in the background
    after = httpx.get(f"{base}/v1/health/ready", timeout=10)
    assert after.status_code == 200, after.text
    assert after.json()["tasks"]["classify"]["service"] == topology.b.url
