"""The committed OpenAPI spec is exactly what the gateway serves (clients are generated from it)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def test_committed_spec_matches_the_app() -> None:
    committed = json.loads(SPEC.read_text(encoding="utf-8"))
    assert committed == create_app().openapi(), "run `make openapi` and commit the result"


def test_upload_forms_and_problem_responses_are_documented() -> None:
    operation = create_app().openapi()["paths"]["/v1/inspect"]["post"]
    content = operation["requestBody"]["content"]
    assert {"multipart/form-data", "application/dicom", "image/png"} <= set(content)
    for status in ("400", "413", "415", "422"):
        assert "application/problem+json" in operation["responses"][status]["content"]


def test_every_405_names_exactly_the_methods_the_spec_gives_its_path(client: TestClient) -> None:
    """RFC 9110: a 405 carries Allow with every method of the resource (GET and PATCH of a
    card are two routes; both must be named)."""
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    for template, operations in spec["paths"].items():
        path = re.sub(r"\{[^}]+\}", "x1", template)  # x1: fits every path parameter's pattern
        declared = {method.upper() for method in operations}
        response = client.request("TRACE", path)
        assert response.status_code == 405, template
        assert response.headers["content-type"] == "application/problem+json"
        assert set(response.headers["allow"].split(", ")) == declared, template
