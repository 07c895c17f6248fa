"""Gateway fixtures: an in-process client for unit tests, a real uvicorn process, and a registry
with registered versions for the model routes (whose task services tests stand in for)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import httpx
import pytest
from fastapi.testclient import TestClient

from api.deps import get_registry
from api.main import create_app
from api.settings import GatewaySettings, get_settings
from registry import PRODUCTION, Registry
from tests.registry.builders import (
    COMPLETE_CARD,
    calibration_record,
    make_model_folder,
    ood_record,
    write_report,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
LIVE_UPLOAD_LIMIT = 4_000_000
TEST_ADMIN_TOKEN = "test-admin-token"


@pytest.fixture
def client() -> Iterator[TestClient]:
    """A gateway on the default registry, calling as the admin (every scope)."""
    app = create_app()
    settings = GatewaySettings(max_upload_bytes=1_000_000, admin_token=TEST_ADMIN_TOKEN)
    app.dependency_overrides[get_settings] = lambda: settings
    headers = {"Authorization": f"Bearer {TEST_ADMIN_TOKEN}"}
    with TestClient(app, raise_server_exceptions=False, headers=headers) as test_client:
        yield test_client


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def live_gateway() -> Iterator[str]:
    """A real ``uvicorn --factory api.main:create_app`` on a free loopback port."""
    port = _free_port()
    env = os.environ | {
        "MAMMOCAD_MAX_UPLOAD_BYTES": str(LIVE_UPLOAD_LIMIT),
        "MAMMOCAD_AUTH": "open-loopback",  # a loopback test process, as a developer runs it
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "api.main:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"gateway exited early:\n{output}")
            try:
                if httpx.get(f"{base}/v1/health/live", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("gateway did not become live within 30 s")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


CLASSIFY_URL = "http://classify.test"
DETECT_URL = "http://detect.test"


def register_version(
    registry: Registry,
    folder: Path,
    name: str,
    task: Literal["classify", "detect"],
    operating_point: dict[str, object],
) -> int:
    """Register a test version (random weights, the grid of ``make_model_folder``) with the
    operating point given; returns its number."""
    make_model_folder(folder, task)
    metadata_file = folder / "metadata.json"
    metadata = json.loads(metadata_file.read_text(encoding="utf-8"))
    metadata["operating_point"] = operating_point
    metadata_file.write_text(json.dumps(metadata), encoding="utf-8")
    return registry.register(folder, name, actor="ci").version


def promote(registry: Registry, tmp: Path, name: str, version: int) -> None:
    """Give a version what the production gates ask for and make it production."""
    task = registry.get_version(name, version).task
    registry.edit_card(name, version, COMPLETE_CARD, actor="tester")
    registry.attach_record(name, version, calibration_record(), actor="tester")
    registry.attach_record(name, version, ood_record(), actor="tester")
    report = write_report(tmp / f"{name}-v{version}.json", 0.8, task=task)
    registry.attach_evaluation(name, version, report, actor="tester")
    registry.set_alias(name, PRODUCTION, version, actor="tester")


def add_detector(registry: Registry, tmp: Path) -> None:
    """``detector`` version 1 (score threshold 0.4), in production."""
    register_version(registry, tmp / "detector-1", "detector", "detect", {"score_threshold": 0.4})
    promote(registry, tmp, "detector", 1)


@pytest.fixture
def classifier_registry(tmp_path: Path) -> Iterator[Registry]:
    """``classifier`` 1 (abnormal threshold 0.5) in production and 2 (0.3) as staging."""
    with Registry(f"sqlite:///{tmp_path / 'registry.db'}") as registry:
        register_version(
            registry, tmp_path / "c1", "classifier", "classify", {"abnormal_threshold": 0.5}
        )
        register_version(
            registry, tmp_path / "c2", "classifier", "classify", {"abnormal_threshold": 0.3}
        )
        promote(registry, tmp_path, "classifier", 1)
        registry.set_alias("classifier", "staging", 2, actor="tester")
        yield registry


@pytest.fixture
def full_registry(classifier_registry: Registry, tmp_path: Path) -> Registry:
    """The classifier registry plus a production detector."""
    add_detector(classifier_registry, tmp_path)
    return classifier_registry


def gateway(registry: Registry, *, as_admin: bool = True, **settings: object) -> TestClient:
    """A gateway on ``registry`` whose task services are pytest-httpx stand-ins (no retry
    backoff, so failure tests stay fast); ``settings`` override these defaults. Access control
    is on, as deployed: the client sends the admin token (every scope) unless ``as_admin`` is
    false, for the tests of access control itself."""
    app = create_app()
    app.dependency_overrides[get_registry] = lambda: registry
    defaults: dict[str, object] = {
        "classify_url": CLASSIFY_URL,
        "detect_url": DETECT_URL,
        "service_retry_backoff_s": 0.0,
        "max_upload_bytes": 5_000_000,
        "admin_token": TEST_ADMIN_TOKEN,
    }
    configured = GatewaySettings.model_validate(defaults | settings)
    app.dependency_overrides[get_settings] = lambda: configured
    headers = {"Authorization": f"Bearer {TEST_ADMIN_TOKEN}"} if as_admin else {}
    return TestClient(app, raise_server_exceptions=False, headers=headers)


@pytest.fixture
def inference_client(full_registry: Registry) -> Iterator[TestClient]:
    with gateway(full_registry) as test_client:
        yield test_client
