"""The generated Python client (``openapi/client``, ``make client``) against the running stack:
its typed answers are the gateway's JSON, parsed. Each call is made twice, once with the client
and once with plain httpx, and the two answers must agree (apart from the request id and the
timings, which differ per request).
"""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from mammocad_client import AuthenticatedClient
from mammocad_client.api.models import (
    get_version_v1_models_name_versions_version_get as get_version,
)
from mammocad_client.api.models import list_models_v1_models_get as list_models
from mammocad_client.api.models_in_use import classify_v1_classify_post as classify
from mammocad_client.api.models_in_use import detect_v1_detect_post as detect
from mammocad_client.api.models_in_use import explain_v1_explain_post as explain
from mammocad_client.models import (
    ClassifyResponse,
    ClassifyV1ClassifyPostFilesBody,
    DetectResponse,
    ExplainResponse,
    ExplainResponseTask,
    ExplainV1ExplainPostFilesBody,
    ExplainV1ExplainPostMethod,
    ExplainV1ExplainPostTask,
    RegisteredModel,
    VersionPublic,
)
from mammocad_client.types import File

from mammocad.datasets.records import DataSet
from tests.serving.conftest import Stack, post_image

pytestmark = pytest.mark.integration

README = Path(__file__).resolve().parents[2] / "README.md"
PER_REQUEST = ("request_id", "timing_ms")


@pytest.fixture
def client(stack: Stack, api_token: str) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=stack.gateway,
        token=api_token,
        timeout=httpx.Timeout(120),
        raise_on_unexpected_status=True,
    )


def without_per_request(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key not in PER_REQUEST}


def multipart(data: bytes) -> File:
    return File(payload=io.BytesIO(data), file_name="image")


def test_classify(stack: Stack, client: AuthenticatedClient, tiny_set: DataSet) -> None:
    data = tiny_set[0].path.read_bytes()
    answer = classify.sync(
        client=client, body=ClassifyV1ClassifyPostFilesBody(file=multipart(data)), model="1"
    )
    assert isinstance(answer, ClassifyResponse)
    assert (answer.model.name, answer.model.version, answer.model.alias) == ("classifier", 1, None)
    p = answer.probabilities
    assert p.normal + p.benign + p.malignant == pytest.approx(1.0, abs=1e-6)
    plain = post_image(stack.gateway, "classify", data)
    assert plain.status_code == 200, plain.text
    assert without_per_request(answer.to_dict()) == without_per_request(plain.json())
    assert answer.request_id and answer.request_id != plain.json()["request_id"]


def test_detect_with_a_raw_body(
    stack: Stack, client: AuthenticatedClient, tiny_set: DataSet
) -> None:
    """The client's raw body is application/octet-stream; the gateway sniffs the DICOM."""
    data = tiny_set[1].path.read_bytes()
    answer = detect.sync(client=client, body=File(payload=io.BytesIO(data)), model="1")
    assert isinstance(answer, DetectResponse)
    assert (answer.model.name, answer.model.version) == ("detector", 1)
    for found in answer.detections:
        x0, y0, x1, y1 = found.box
        assert 0 <= x0 < x1 <= answer.image.columns and 0 <= y0 < y1 <= answer.image.rows
        assert 0 <= found.score <= 1 and 0 <= found.malignancy <= 1
    plain = post_image(stack.gateway, "detect", data)
    assert plain.status_code == 200, plain.text
    assert without_per_request(answer.to_dict()) == without_per_request(plain.json())


def test_explain_a_classification_with_gradcam(
    stack: Stack, client: AuthenticatedClient, tiny_set: DataSet
) -> None:
    data = tiny_set[0].path.read_bytes()
    answer = explain.sync(
        client=client,
        body=ExplainV1ExplainPostFilesBody(file=multipart(data)),
        task=ExplainV1ExplainPostTask.CLASSIFY,
        method=ExplainV1ExplainPostMethod.GRADCAM,
        model="1",
        max_side=256,
    )
    assert isinstance(answer, ExplainResponse)
    assert answer.task is ExplainResponseTask.CLASSIFY and answer.model.name == "classifier"
    assert answer.method.name.value == "gradcam" and answer.heatmap.png_base64
    assert answer.probabilities is not None and answer.detection is None
    assert max(answer.heatmap.width, answer.heatmap.height) <= 256
    if answer.heatmap.peak is not None:
        x, y = answer.heatmap.peak
        assert 0 <= x <= answer.image.columns and 0 <= y <= answer.image.rows
    plain = post_image(
        stack.gateway, "explain", data, task="classify", method="gradcam", max_side="256"
    )
    assert plain.status_code == 200, plain.text
    assert without_per_request(answer.to_dict()) == without_per_request(plain.json())


def test_registry_reads(stack: Stack, client: AuthenticatedClient) -> None:
    models = list_models.sync(client=client)
    plain_models = httpx.get(f"{stack.gateway}/v1/models", timeout=30).json()
    assert isinstance(models, list) and all(isinstance(m, RegisteredModel) for m in models)
    assert {"classifier", "detector"} <= {m.name for m in models}
    assert [parsed_times(m.to_dict()) for m in models] == [parsed_times(m) for m in plain_models]

    version = get_version.sync("detector", "1", client=client)
    plain_version = httpx.get(f"{stack.gateway}/v1/models/detector/versions/1", timeout=30).json()
    assert isinstance(version, VersionPublic)
    assert (version.model_name, version.version, version.task.value) == ("detector", 1, "detect")
    assert parsed_times(version.to_dict()) == parsed_times(plain_version)


def parsed_times(body: Any) -> Any:
    """``body`` with every ISO 8601 timestamp parsed: the client writes ``+00:00`` where the
    gateway wrote ``Z``, the same instant."""
    if isinstance(body, dict):
        return {key: parsed_times(value) for key, value in body.items()}
    if isinstance(body, list):
        return [parsed_times(value) for value in body]
    if isinstance(body, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)?", body):
        return datetime.datetime.fromisoformat(body)
    return body


def test_the_readme_example(
    stack: Stack,
    tiny_set: DataSet,
    api_token: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The README's usage example, run as written against the stack's gateway and a tiny-set
    image (its only edits: the address, the file, the key file, version 1 for ``production``)."""
    key_file = tmp_path / "api-key"
    key_file.write_text(api_token + "\n", encoding="utf-8")
    text = README.read_text(encoding="utf-8")
    [example] = re.findall(r"```python\n(from mammocad_client .*?)```", text, flags=re.DOTALL)
    assert len(example.splitlines()) <= 10, example
    code = (
        example.replace("http://127.0.0.1:8000", stack.gateway)
        .replace('"image.dcm"', repr(str(tiny_set[0].path)))
        .replace('"var/api-key"', repr(str(key_file)))
        .replace('model="production"', 'model="1"')
    )
    assert code != example
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert re.search(r"benign|malignant|normal", printed), printed
