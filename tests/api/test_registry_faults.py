"""The gateway while its registry database is locked, gone for a while, or names a tampered
artifact: typed problem+json answers (503 with Retry-After for what a retry can fix), never a
500 of a driver error and never a hang; and 200 again once the database is back, without
restarting the gateway."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from pytest_httpx import HTTPXMock

from registry import Registry
from tests.api.conftest import CLASSIFY_URL, gateway, promote, register_version
from tests.mammocad.ingest.conftest import dicom_bytes, phantom
from tests.registry.builders import make_promotable
from tests.registry.faults import write_lock_held
from tests.registry.postgres_server import PostgresServer, find_bindir, throwaway_server

pytestmark = pytest.mark.integration  # a real PostgreSQL server stopped and started, real locks
OPERATING_POINT: dict[str, object] = {"abnormal_threshold": 0.5}
READS = ("/v1/models", "/v1/models/classifier", "/v1/models/classifier/versions/production")


@pytest.fixture
def own_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test's own, to stop and start (the session's is shared)."""
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries absent (apt-get install postgresql)")
    with throwaway_server(bindir) as server:
        yield server


def _with_production_classifier(registry: Registry, tmp_path: Path) -> Registry:
    register_version(registry, tmp_path / "c1", "classifier", "classify", OPERATING_POINT)
    promote(registry, tmp_path, "classifier", 1)
    return registry


def _mammogram() -> dict[str, tuple[str, bytes, str]]:
    image = (phantom(chest_wall="right") * 4095).astype(np.uint16)
    data = dicom_bytes(image, BitsStored=12, HighBit=11, ImageLaterality="R", ViewPosition="MLO")
    return {"file": ("image.dcm", data, "application/dicom")}


def _assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body["type"] == f"urn:mammocad:problem:{code}"
    return body


def _assert_retry_later(response: httpx.Response, code: str) -> None:
    _assert_problem(response, 503, code)
    assert int(response.headers["retry-after"]) > 0


def test_a_postgresql_outage_is_503_then_200_again_without_a_restart(
    own_server: PostgresServer, tmp_path: Path
) -> None:
    with Registry(f"{own_server.url}/postgres") as registry:
        _with_production_classifier(registry, tmp_path)
        _, token = registry.create_key("viewer", ["models:read"], actor="ci")
        as_viewer = {"Authorization": f"Bearer {token}"}
        with gateway(registry) as client:
            assert all(client.get(path).status_code == 200 for path in READS)
            own_server.stop()

            started = time.monotonic()
            for path in READS:
                _assert_retry_later(client.get(path), "registry-unavailable")
            classify = client.post("/v1/classify", files=_mammogram())
            _assert_retry_later(classify, "registry-unavailable")
            promotion = client.put("/v1/models/classifier/aliases/staging", json={"version": 1})
            _assert_retry_later(promotion, "registry-unavailable")
            # A key cannot be checked either: that is "retry later", never "your key is bad".
            _assert_retry_later(client.get("/v1/models", headers=as_viewer), "registry-unavailable")
            assert time.monotonic() - started < 10  # refused at once, not after a hang

            own_server.start()
            assert all(client.get(path).status_code == 200 for path in READS)
            assert client.get("/v1/models", headers=as_viewer).status_code == 200
            assert registry.get_model("classifier").aliases == {"production": 1}


def test_an_sqlite_folder_gone_for_a_while_is_503_then_200(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    with Registry(f"sqlite:///{folder / 'registry.db'}") as registry:
        _with_production_classifier(registry, tmp_path)
        with gateway(registry) as client:
            away = folder.rename(tmp_path / "unmounted")
            for path in READS:
                _assert_retry_later(client.get(path), "registry-unavailable")
            away.rename(folder)
            assert all(client.get(path).status_code == 200 for path in READS)


def test_a_write_lock_held_too_long_is_503_busy_while_reads_answer(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    with Registry(url, busy_timeout_s=0.5) as registry:
        _with_production_classifier(registry, tmp_path)
        with gateway(registry) as client:
            with write_lock_held(url):
                assert all(client.get(path).status_code == 200 for path in READS)
                promotion = client.put("/v1/models/classifier/aliases/staging", json={"version": 1})
                _assert_retry_later(promotion, "registry-busy")
            again = client.put("/v1/models/classifier/aliases/staging", json={"version": 1})
            assert again.status_code == 200, again.text
        staging = [e for e in registry.audit("classifier") if e.alias == "staging"]
        assert len(staging) == 1  # the refused attempt left nothing behind


def test_promotion_and_rollback_to_a_tampered_artifact_are_refused(tmp_path: Path) -> None:
    with Registry(f"sqlite:///{tmp_path / 'registry.db'}") as registry:
        _with_production_classifier(registry, tmp_path)
        for version in (2, 3):
            folder = tmp_path / f"c{version}"
            register_version(registry, folder, "classifier", "classify", OPERATING_POINT)
            make_promotable(registry, tmp_path, "classifier", version, 0.8)
        _tamper(registry, 2)
        with gateway(registry) as client:
            url = "/v1/models/classifier/aliases/production"
            refused = _assert_problem(
                client.put(url, json={"version": 2}), 409, "promotion-refused"
            )
            gates = refused["unmet_gates"]
            assert isinstance(gates, list)
            assert [(gate["gate"], gate["overridable"]) for gate in gates] == [("artifact", False)]
            assert "model.pt changed" in gates[0]["reason"]

            assert client.put(url, json={"version": 3}).status_code == 200
            _tamper(registry, 1)
            back = client.post(f"{url}/rollback", json={"reason": "v3 misbehaves"})
            _assert_problem(back, 409, "promotion-refused")
        assert registry.get_version("classifier", "production").version == 3


def _tamper(registry: Registry, version: int) -> None:
    weights = registry.open_artifact("classifier", version) / "model.pt"
    weights.write_bytes(weights.read_bytes() + b"swapped")


def test_a_served_version_whose_artifact_changed_is_a_500_that_says_so(
    tmp_path: Path, httpx_mock: HTTPXMock
) -> None:
    with Registry(f"sqlite:///{tmp_path / 'registry.db'}") as registry:
        _with_production_classifier(registry, tmp_path)
        refusal = {
            "type": "urn:mammocad:problem:tampered-artifact",
            "title": "Tampered model artifact",
            "status": 500,
            "detail": "artifact classifier:v1 does not match its registered sha256: model.pt "
            "changed",
            "code": "tampered-artifact",
        }
        httpx_mock.add_response(
            url=f"{CLASSIFY_URL}/tensors/classify", status_code=500, json=refusal
        )
        with gateway(registry) as client:
            answer = client.post("/v1/classify", files=_mammogram())
        body = _assert_problem(answer, 500, "tampered-artifact")
        assert "model.pt changed" in str(body["detail"])
        assert len(httpx_mock.get_requests()) == 1  # not retried: a retry cannot fix it
