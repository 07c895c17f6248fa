"""The gateway's client of the task services, against pytest-httpx stand-ins: retries, timeouts,
and how every kind of answer maps to a domain error."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import numpy as np
import pytest
from pytest_httpx import HTTPXMock

from api.settings import GatewaySettings
from api.task_client import BadServiceAnswerError, TaskClient, TaskServices
from mammocad.errors import (
    InvalidInputError,
    MammocadError,
    NotFoundError,
    UnavailableError,
    status_of,
)
from mammocad.schemas.inference_contract import (
    ClassifyItem,
    ClassifyOutcome,
    EncodedArray,
    ModelRef,
)
from registry.errors import TamperedArtifactError

pytestmark = pytest.mark.anyio

URL = "http://classify.test/classify"
READY_URL = "http://classify.test/readyz"
OUTCOME = {
    "probabilities": {"normal": 0.7, "benign": 0.2, "malignant": 0.1},
    "logits": {"A": -1.0, "M": -0.5},
}
INPUT = np.arange(2 * 4 * 3, dtype=np.float32).reshape(2, 4, 3) / 7
ITEM = ClassifyItem(model=ModelRef(name="classifier", version=3), input=EncodedArray.encode(INPUT))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client() -> AsyncIterator[TaskClient[ClassifyItem, ClassifyOutcome]]:
    settings = GatewaySettings(
        classify_url="http://classify.test",
        service_retries=2,
        service_retry_backoff_s=0.0,
        service_timeout_s=0.5,
    )
    async with TaskServices.from_settings(settings) as services:
        yield services.classify


async def test_items_go_out_exactly_and_outcomes_come_back(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=URL, method="POST", json=[OUTCOME])
    [outcome] = await client.infer([ITEM])
    assert outcome.probabilities["normal"] == 0.7
    [sent] = httpx_mock.get_requests()
    body = json.loads(sent.content)
    assert body["items"][0]["model"] == {"name": "classifier", "version": 3}
    decoded = EncodedArray.model_validate(body["items"][0]["input"]).decode()
    assert decoded.dtype == np.float32 and np.array_equal(decoded, INPUT)
    assert sent.headers["content-type"] == "application/json"


async def test_connect_errors_and_503_are_retried_then_succeed(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_exception(httpx.ConnectError("connection refused"), url=URL)
    httpx_mock.add_response(url=URL, status_code=503, json={"error": "warming up"})
    httpx_mock.add_response(url=URL, json=[OUTCOME])
    assert len(await client.infer([ITEM])) == 1
    assert len(httpx_mock.get_requests()) == 3


async def test_a_connection_the_restarted_service_dropped_is_retried(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_exception(httpx.RemoteProtocolError("server disconnected"), url=URL)
    httpx_mock.add_response(url=URL, json=[OUTCOME])
    assert len(await client.infer([ITEM])) == 1


async def test_backoff_doubles_between_attempts(
    httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr("api.task_client.asyncio.sleep", record)
    for _ in range(4):
        httpx_mock.add_response(url=URL, status_code=504)
    settings = GatewaySettings(
        classify_url="http://classify.test", service_retries=3, service_retry_backoff_s=0.25
    )
    async with TaskServices.from_settings(settings) as services:
        with pytest.raises(UnavailableError):
            await services.classify.infer([ITEM])
    assert waits == [0.25, 0.5, 1.0]


async def test_retries_exhausted_is_unavailable(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_exception(httpx.ConnectError("connection refused"), url=URL, is_reusable=True)
    with pytest.raises(UnavailableError) as raised:
        await client.infer([ITEM])
    assert raised.value.code == "task-service-unavailable"
    assert "ConnectError" in raised.value.detail
    assert "classify.test" not in raised.value.detail  # no internal address for the public
    assert len(httpx_mock.get_requests()) == 3  # one try and two retries


async def test_other_transport_failures_are_unavailable_without_retry(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_exception(httpx.UnsupportedProtocol("no 'ftp' transport"), url=URL)
    with pytest.raises(UnavailableError, match="UnsupportedProtocol"):
        await client.infer([ITEM])
    assert len(httpx_mock.get_requests()) == 1


async def test_a_read_timeout_is_unavailable_without_retry(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_exception(httpx.ReadTimeout("read timed out"), url=URL)
    with pytest.raises(UnavailableError) as raised:
        await client.infer([ITEM])
    assert raised.value.code == "task-service-timeout"
    assert len(httpx_mock.get_requests()) == 1


async def test_the_configured_timeouts_are_used(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=URL, json=[OUTCOME])
    await client.infer([ITEM])
    [sent] = httpx_mock.get_requests()
    assert sent.extensions["timeout"] == {"connect": 2.0, "read": 0.5, "write": 0.5, "pool": 0.5}


async def test_a_500_is_unavailable_without_retry_and_logged(
    client: TaskClient[ClassifyItem, ClassifyOutcome],
    httpx_mock: HTTPXMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    httpx_mock.add_response(url=URL, status_code=500, text="Traceback: CUDA out of memory")
    with pytest.raises(UnavailableError) as raised:
        await client.infer([ITEM])
    assert "500" in raised.value.detail and "Traceback" not in raised.value.detail
    assert "CUDA out of memory" in caplog.text
    assert len(httpx_mock.get_requests()) == 1


async def test_a_tampered_artifact_is_reported_as_such_not_as_retry_later(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    body = _problem(500, "tampered-artifact", "model.pt changed since registration")
    httpx_mock.add_response(url=URL, status_code=500, json=body)
    with pytest.raises(TamperedArtifactError, match=r"model\.pt changed"):
        await client.infer([ITEM])
    assert len(httpx_mock.get_requests()) == 1


def _problem(status: int, code: str, detail: str) -> dict[str, object]:
    """A ServiceProblem body, as the task services answer a refusal."""
    return {
        "type": f"urn:mammocad:problem:{code}",
        "title": "Refused",
        "status": status,
        "detail": detail,
        "code": code,
    }


@pytest.mark.parametrize(
    "status, body, error, code",
    [
        (404, _problem(404, "model-not-found", "no model 'x'"), NotFoundError, "model-not-found"),
        (404, {"error": "not found"}, NotFoundError, "version-not-found"),
        (
            422,
            _problem(422, "input-shape-mismatch", "(1, 64, 64) is not (1, 128, 96)"),
            InvalidInputError,
            "input-shape-mismatch",
        ),
        (  # a code the gateway does not know would become a 400: the status wins
            422,
            _problem(422, "brand-new-refusal", "something new"),
            InvalidInputError,
            "unusable-model-input",
        ),
    ],
)
async def test_refusals_keep_their_status_code_and_message(
    client: TaskClient[ClassifyItem, ClassifyOutcome],
    httpx_mock: HTTPXMock,
    status: int,
    body: dict[str, str],
    error: type[MammocadError],
    code: str,
) -> None:
    httpx_mock.add_response(url=URL, status_code=status, json=body)
    with pytest.raises(error) as raised:
        await client.infer([ITEM])
    refusal = raised.value
    assert isinstance(refusal, MammocadError)
    assert refusal.code == code and status_of(refusal) == status
    assert str(body.get("detail") or body["error"]) in refusal.detail
    assert len(httpx_mock.get_requests()) == 1


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>proxy error page</html>"),
        httpx.Response(200, json={"probabilities": {}}),
        httpx.Response(200, json=[{"probabilities": {"normal": "high"}, "logits": {}}]),
        httpx.Response(200, json=[OUTCOME, OUTCOME]),
        httpx.Response(409, json={"error": "conflict"}),
        httpx.Response(400, json={"error": "items: field required"}),
    ],
    ids=["not-json", "not-a-list", "wrong-types", "wrong-count", "unexpected-4xx", "schema-400"],
)
async def test_malformed_answers_are_bad_service_answers(
    client: TaskClient[ClassifyItem, ClassifyOutcome],
    httpx_mock: HTTPXMock,
    response: httpx.Response,
) -> None:
    httpx_mock.add_callback(lambda request: response, url=URL)
    with pytest.raises(BadServiceAnswerError):
        await client.infer([ITEM])


async def test_probe_says_what_is_wrong(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=READY_URL, json={"status": "ready"})
    httpx_mock.add_response(url=READY_URL, status_code=503, json={"error": "loading classifier:3"})
    httpx_mock.add_exception(httpx.ConnectError("connection refused"), url=READY_URL)
    assert await client.probe() is None
    assert "loading classifier:3" in (await client.probe() or "")
    assert "unreachable" in (await client.probe() or "")
    assert len(httpx_mock.get_requests()) == 3  # a probe never retries
