"""``/v1/models``: scoped reads and writes, and problem+json for 401, 403, 404 and 409."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.deps import get_registry
from api.main import create_app
from api.settings import GatewaySettings, get_settings
from registry import Registry, Scope
from tests.registry.builders import make_model_folder, make_promotable

ADMIN = {"Authorization": "Bearer root-secret"}
PROBLEM = "application/problem+json"


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    with Registry(f"sqlite:///{tmp_path / 'registry.db'}") as opened:
        for run in "ab":
            opened.register(make_model_folder(tmp_path / run), "classifier", actor="ci")
        yield opened


@pytest.fixture
def client(registry: Registry) -> Iterator[TestClient]:
    app = create_app()
    app.dependency_overrides[get_registry] = lambda: registry
    app.dependency_overrides[get_settings] = lambda: GatewaySettings(
        admin_token="root-secret",  # pydantic turns it into a secret
        max_upload_bytes=5_000_000,
    )
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _key(registry: Registry, *scopes: Scope) -> dict[str, str]:
    _, token = registry.create_key("robot", list(scopes), actor="admin")
    return {"Authorization": f"Bearer {token}"}


def test_reads_need_a_read_key_and_hide_patient_ids(client: TestClient, registry: Registry) -> None:
    assert client.get("/v1/models").status_code == 401
    reader = _key(registry, "models:read")
    client.headers.update(reader)
    models = client.get("/v1/models").json()
    assert [(m["name"], m["latest_version"]) for m in models] == [("classifier", 2)]

    detail = client.get("/v1/models/classifier")
    assert detail.status_code == 200
    assert [v["version"] for v in detail.json()["versions"]] == [1, 2]
    assert '"P1"' not in detail.text and '"train_patients"' not in detail.text
    assert detail.json()["versions"][0]["training"]["data"]["n_train_patients"] == 3

    version = client.get("/v1/models/classifier/versions/2").json()
    assert version["artifact_sha256"].startswith("sha256:") and not version["card_complete"]
    assert client.get("/v1/models/classifier/audit").status_code == 403  # audit:read
    auditor = _key(registry, "audit:read")
    audit = client.get("/v1/models/classifier/audit", headers=auditor).json()
    assert audit[0]["action"] == "model.create"


@pytest.mark.parametrize(
    "path",
    [
        "/v1/models/nosuch",
        "/v1/models/classifier/versions/9",
        "/v1/models/classifier/versions/production",
        "/v1/models/classifier/versions/9/card",
        "/v1/models/nosuch/audit",
    ],
)
def test_unknown_models_versions_and_aliases_are_404_problems(
    client: TestClient, path: str
) -> None:
    response = client.get(path, headers=ADMIN)
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].startswith("urn:mammocad:problem:")


def test_card_as_json_markdown_and_html(client: TestClient) -> None:
    base = "/v1/models/classifier/versions/1/card"
    client.headers.update(ADMIN)
    card = client.get(base).json()
    assert card["clinical_use_warning"].startswith("NOT FOR CLINICAL USE")
    assert card["missing"][0] == "owners"

    markdown = client.get(base, params={"format": "markdown"})
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text.startswith("# Model card: classifier version 1")

    page = client.get(base, headers={"Accept": "text/html,application/xhtml+xml", **ADMIN})
    assert page.headers["content-type"].startswith("text/html")
    assert "<h2>Model details</h2>" in page.text


def test_writes_need_a_valid_bearer_token(client: TestClient) -> None:
    body = {"version": 1}
    missing = client.put("/v1/models/classifier/aliases/staging", json=body)
    assert missing.status_code == 401 and missing.headers["content-type"] == PROBLEM
    assert missing.headers["www-authenticate"] == "Bearer"
    assert missing.json()["type"] == "urn:mammocad:problem:unauthorized"

    for header in ("Bearer wrong", "Bearer mcad_0123456789abcdef_nope", "Basic cm9vdDpzZWNyZXQ="):
        bad = client.put(
            "/v1/models/classifier/aliases/staging", json=body, headers={"Authorization": header}
        )
        assert bad.status_code == 401, header


def test_a_key_without_the_scope_is_forbidden(client: TestClient, registry: Registry) -> None:
    writer = _key(registry, "models:write")
    response = client.put(
        "/v1/models/classifier/aliases/staging", json={"version": 1}, headers=writer
    )
    assert response.status_code == 403 and response.headers["content-type"] == PROBLEM
    assert "models:promote" in response.json()["detail"]
    assert registry.get_model("classifier").aliases == {}


def test_promotion_refused_with_every_unmet_gate_then_allowed(
    client: TestClient, registry: Registry, tmp_path: Path
) -> None:
    url = "/v1/models/classifier/aliases/production"
    refused = client.put(url, json={"version": 1, "reason": "go"}, headers=ADMIN)
    assert refused.status_code == 409 and refused.headers["content-type"] == PROBLEM
    problem = refused.json()
    assert problem["type"] == "urn:mammocad:problem:promotion-refused"
    assert [g["gate"] for g in problem["unmet_gates"]] == [
        "model-card",
        "calibration",
        "ood-detector",
        "evaluation",
    ]

    make_promotable(registry, tmp_path, "classifier", 1, primary=0.8)
    promoter = _key(registry, "models:promote")
    moved = client.put(url, json={"version": 1, "reason": "release 1"}, headers=promoter)
    assert moved.status_code == 200
    assert moved.json() | {"overridden_gates": []} == {
        "model_name": "classifier",
        "alias": "production",
        "before": None,
        "after": 1,
        "changed": True,
        "overridden_gates": [],
    }
    entry = registry.audit("classifier")[-1]
    assert (entry.actor, entry.reason) == ("key:robot", "release 1")


def test_rollback_and_card_edit(client: TestClient, registry: Registry, tmp_path: Path) -> None:
    client.put("/v1/models/classifier/aliases/staging", json={"version": 1}, headers=ADMIN)
    client.put("/v1/models/classifier/aliases/staging", json={"version": 2}, headers=ADMIN)
    back = client.post(
        "/v1/models/classifier/aliases/staging/rollback", json={"reason": "bad"}, headers=ADMIN
    )
    assert back.status_code == 200 and (back.json()["before"], back.json()["after"]) == (2, 1)
    again = client.post("/v1/models/classifier/aliases/staging/rollback", json={}, headers=ADMIN)
    assert again.status_code == 409

    edited = client.patch(
        "/v1/models/classifier/versions/staging/card",
        json={"changes": {"owners": ["radiology AI team"]}, "reason": "ownership"},
        headers=_key(registry, "models:write"),
    )
    assert edited.status_code == 200 and edited.json()["card"]["owners"] == ["radiology AI team"]
    unknown_field = client.patch(
        "/v1/models/classifier/versions/1/card",
        json={"changes": {"owner": "typo"}},
        headers=ADMIN,
    )
    assert unknown_field.status_code == 422


def test_register_from_an_exported_archive(
    client: TestClient, registry: Registry, tmp_path: Path
) -> None:
    archive = registry.export_version("classifier", 1, tmp_path / "v1.tar.gz").read_bytes()
    url = "/v1/models/classifier-copy/versions"
    anonymous = client.post(url, content=archive, headers={"Content-Type": "application/gzip"})
    assert anonymous.status_code == 401

    created = client.post(
        url,
        files={"file": ("v1.tar.gz", archive, "application/gzip")},
        params={"reason": "site B"},
        headers=_key(registry, "models:write"),
    )
    assert created.status_code == 201, created.text
    assert created.json()["model_name"] == "classifier-copy" and created.json()["version"] == 1
    assert registry.open_artifact("classifier-copy", 1).is_dir()

    junk = client.post(
        url, content=b"junk", headers=ADMIN | {"Content-Type": "application/octet-stream"}
    )
    assert junk.status_code == 400 and junk.json()["type"] == "urn:mammocad:problem:invalid-archive"
