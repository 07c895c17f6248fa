"""The running gateway conforms to the committed OpenAPI spec (schemathesis 4, every phase).

Clinical IT integrates from ``openapi/openapi.json`` and the client generated from it, so every
answer must be one the spec announces: its status, content type, headers and schema, with 401
and 403 exactly where access control says, an ``Allow`` header on every 405, and no 5xx for any
request, schema-valid or not. schemathesis runs its examples, coverage, fuzzing and stateful
phases, bounded in examples and time, against a real gateway (keys on, as deployed) in front of
the real task services, with an API key holding every scope so that writes are exercised too.
The gateway gets its own copy of the registry, so that what the fuzzer writes (cards, aliases,
keys) stays out of the other tests; both tasks have a production version (a ready deployment)
and the study endpoint has a PACS (Orthanc), as deployed: an unconfigured feature's 501 or a
not-ready 503 would be a true 5xx, not a conformance result. ``schemathesis.toml`` beside this
file says which documented refusals of uploads count as answers to schema-valid bytes.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry import SCOPES, Registry
from serving.processes import ServiceProcess, free_port, start_gateway
from tests.api.conftest import promote
from tests.orthanc import running_orthanc
from tests.serving.conftest import CLASSIFIER, DETECTOR, ServingWorld

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC = REPO_ROOT / "openapi" / "openapi.json"
CONFIG = Path(__file__).with_name("schemathesis.toml")
MAX_EXAMPLES = 12
MAX_TIME_S = 150


@pytest.fixture
def conformance_gateway(
    serving_world: ServingWorld,
    classify_service: ServiceProcess,
    detect_service: ServiceProcess,
    tmp_path: Path,
) -> Iterator[tuple[str, str]]:
    """A gateway (keys on) on a copy of the serving registry, and a token with every scope."""
    source = serving_world.registry_url.removeprefix("sqlite:///")
    copy = tmp_path / "registry.db"
    with sqlite3.connect(source) as original, sqlite3.connect(copy) as target:
        original.backup(target)
    url = f"sqlite:///{copy}"
    with Registry(url) as registry:
        _, token = registry.create_key("conformance", list(SCOPES), actor="tests")
        for model in (CLASSIFIER, DETECTOR):  # with the records the production gates ask for
            promote(registry, tmp_path, model.name, model.version)
    (tmp_path / "orthanc").mkdir()
    with running_orthanc(tmp_path / "orthanc") as orthanc:
        env = serving_world.env | {
            "MAMMOCAD_REGISTRY_URL": url,
            "MAMMOCAD_AUTH": "keys",
            "MAMMOCAD_RATE_LIMIT": "",  # the fuzzer's pace is not what this test is about
            "MAMMOCAD_CLASSIFY_URL": classify_service.url,
            "MAMMOCAD_DETECT_URL": detect_service.url,
            "MAMMOCAD_DICOMWEB_URL": orthanc.dicomweb,
        }
        gateway = start_gateway(free_port(), env=env, log_path=tmp_path / "gateway.log")
        try:
            yield gateway.url, token
        finally:
            gateway.stop()


def test_every_answer_conforms_to_the_committed_spec(
    conformance_gateway: tuple[str, str], tmp_path: Path
) -> None:
    url, token = conformance_gateway
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(CONFIG),
        "run",
        str(SPEC),
        "--url",
        url,
        "--header",
        f"Authorization: Bearer {token}",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--max-time",
        str(MAX_TIME_S),
        "--seed",
        "20261203",
        # One worker: hypothesis's lambda descriptions call ast.parse, which CPython 3.11 does
        # not make safe from two threads (seen: "AST constructor recursion depth mismatch").
        "--workers",
        "1",
        "--request-timeout",
        "60",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path / "report"),
    ]
    run = subprocess.run(
        command,
        cwd=tmp_path,
        env=os.environ | {"SCHEMATHESIS_TELEMETRY": "false", "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=MAX_TIME_S + 240,
        check=False,
    )
    (tmp_path / "schemathesis.txt").write_text(run.stdout, encoding="utf-8")
    assert run.returncode == 0, f"schemathesis found failures:\n{run.stdout[-20000:]}"


def _covered(path: str, method: str, entry: dict[str, str]) -> bool:
    """Whether one ``[[operations]]`` entry of ``schemathesis.toml`` selects this operation."""
    if "include-path-regex" in entry:
        return re.search(entry["include-path-regex"], path) is not None
    return entry.get("include-path") == path and entry.get("include-method", method) == method


def test_every_upload_operation_has_its_documented_refusals_configured() -> None:
    """A new upload route left out of ``schemathesis.toml`` fails here, not after 150 s of fuzzing.

    Bytes a schema accepts may still be a file the gateway must refuse with a documented 4xx, so
    every operation with a raw-bytes body needs its entry (``/v1/render`` once lacked one, and
    the fuzzer's GIF, schema-valid and rightly a 415, failed CI).
    """
    entries = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["operations"]
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    uploads = [
        (path, method.upper())
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if "application/octet-stream" in operation.get("requestBody", {}).get("content", {})
    ]
    assert len(uploads) >= 6, uploads  # the five image routes and the export-archive upload
    missing = [
        (path, method)
        for path, method in uploads
        if not any(_covered(path, method, entry) for entry in entries)
    ]
    assert not missing, f"upload operations without an entry in {CONFIG.name}: {missing}"
