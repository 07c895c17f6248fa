"""The committed OpenAPI spec is exactly what the gateway serves (clients are generated from it)."""

from __future__ import annotations

import json
from pathlib import Path

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
