"""Access control on every endpoint: 401 without a key, 403 without the route's scope, the read
scopes open only on loopback when configured so, and tokens never in the logs."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.main import create_app
from api.settings import GatewaySettings
from registry import Registry, Scope
from tests.api.conftest import TEST_ADMIN_TOKEN, gateway

PUBLIC = {"/v1/health/live", "/v1/health/ready", "/metrics", "/openapi.json", "/docs", "/redoc"}
SCOPE_OF = {
    "/v1/classify": "inference",
    "/v1/detect": "inference",
    "/v1/explain": "inference",
    "/v1/inspect": "inference",
    "/v1/render": "inference",
    "/v1/studies/{study_instance_uid}/analyse": "inference",
    "/v1/studies/{study_instance_uid}/instances/{sop_instance_uid}/render": "inference",
    "/v1/models": "models:read",
    "/v1/models/{name}": "models:read",
    "/v1/models/{name}/versions/{version}": "models:read",
    "/v1/models/{name}/versions/{version}/card": "models:read",
    "/v1/models/{name}/audit": "audit:read",
}


def _protected_routes() -> list[tuple[str, str]]:
    """Every (method, path template) of the app's API, as its OpenAPI spec lists them, but the
    public ones (FastAPI 0.165 nests included routers, so the spec is the one flat list)."""
    paths = create_app().openapi()["paths"]
    return [
        (method.upper(), path)
        for path, operations in sorted(paths.items())
        if path not in PUBLIC
        for method in sorted(operations)
    ]


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: "1.2.3" if "uid" in m.group(0) else "classifier", path)


def test_every_endpoint_but_health_metrics_and_spec_is_protected() -> None:
    routes = _protected_routes()
    assert len(routes) >= 14, routes  # inference, the study, the registry's reads and writes
    assert {path for _, path in routes} >= set(SCOPE_OF)


@pytest.mark.parametrize("method, path", _protected_routes())
def test_no_key_is_a_401_problem(full_registry: Registry, method: str, path: str) -> None:
    with gateway(full_registry, as_admin=False) as client:
        response = client.request(method, _concrete(path))
    assert response.status_code == 401, (method, path, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("path, needed", sorted(SCOPE_OF.items()))
def test_a_key_without_the_routes_scope_is_a_403_problem(
    full_registry: Registry, path: str, needed: Scope
) -> None:
    other: Scope = "audit:read" if needed != "audit:read" else "models:read"
    _, token = full_registry.create_key("viewer", [other], actor="test")
    reads = path.startswith("/v1/models") or path.endswith("}/render")
    method = "GET" if reads else "POST"
    with gateway(full_registry, as_admin=False) as client:
        response = client.request(
            method, _concrete(path), headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 403, (path, response.text)
    assert needed in response.json()["detail"]


def test_a_key_with_the_scope_gets_through(full_registry: Registry) -> None:
    _, token = full_registry.create_key("viewer", ["models:read"], actor="test")
    with gateway(full_registry, as_admin=False) as client:
        response = client.get("/v1/models", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text


def test_a_revoked_key_stops_at_once(full_registry: Registry) -> None:
    key, token = full_registry.create_key("viewer", ["models:read"], actor="test")
    full_registry.revoke_key(key.key_id, actor="test", reason="left the project")
    with gateway(full_registry, as_admin=False) as client:
        response = client.get("/v1/models", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_open_mode_is_refused_off_loopback() -> None:
    with pytest.raises(ValidationError, match="loopback"):
        GatewaySettings(auth="open-loopback", host="0.0.0.0")


def test_open_mode_still_checks_where_each_request_comes_from(full_registry: Registry) -> None:
    """The settings say loopback, but uvicorn may be bound elsewhere: a request that does not
    come from loopback (the test client's peer is 'testclient') still needs a key."""
    with gateway(full_registry, as_admin=False, auth="open-loopback") as client:
        assert client.get("/v1/models").status_code == 401


def test_open_mode_never_opens_writes(full_registry: Registry) -> None:
    with gateway(full_registry, as_admin=False, auth="open-loopback") as client:
        response = client.put("/v1/models/classifier/aliases/staging", json={"version": 1})
    assert response.status_code == 401


def test_tokens_never_reach_the_logs(
    full_registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    _, token = full_registry.create_key("viewer", ["models:read"], actor="test")
    caplog.set_level(logging.DEBUG)
    with gateway(full_registry, as_admin=False) as client:
        client.get("/v1/models", headers={"Authorization": f"Bearer {token}"})
        client.get("/v1/models", headers={"Authorization": f"Bearer {token}x"})
        client.get("/v1/models", headers={"Authorization": f"Bearer {TEST_ADMIN_TOKEN}"})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert token not in logged and TEST_ADMIN_TOKEN not in logged
    _ = TestClient  # the clients above are TestClients of the gateway app


def test_a_caller_over_its_rate_gets_a_429_with_retry_after(full_registry: Registry) -> None:
    _, busy = full_registry.create_key("busy", ["models:read"], actor="test")
    _, calm = full_registry.create_key("calm", ["models:read"], actor="test")
    with gateway(full_registry, as_admin=False, rate_limit="3/minute") as client:
        answers = [
            client.get("/v1/models", headers={"Authorization": f"Bearer {busy}"}) for _ in range(4)
        ]
        other = client.get("/v1/models", headers={"Authorization": f"Bearer {calm}"})
        health = client.get("/v1/health/live")
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    limited = answers[-1]
    assert limited.headers["content-type"] == "application/problem+json"
    assert limited.json()["type"] == "urn:mammocad:problem:rate-limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert other.status_code == 200  # per key: the other caller is not slowed down
    assert health.status_code == 200  # health is never limited
