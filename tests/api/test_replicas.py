"""Replicas of a task service behind the gateway's client, against pytest-httpx stand-ins:
spreading, failover to the other replica, no resend of a replica's own answer, back in rotation
after a probe, every replica down, and the comma-separated setting."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from pydantic import ValidationError
from pytest_httpx import HTTPXMock

from api.settings import GatewaySettings
from api.task_client import TaskClient, TaskServices
from mammocad.errors import InvalidInputError, MammocadError, NotFoundError, UnavailableError
from mammocad.schemas.inference_contract import ClassifyItem, ClassifyOutcome
from tests.api.test_task_client import ITEM, OUTCOME, TENSORS

pytestmark = pytest.mark.anyio

A, B = "http://classify-a.test", "http://classify-b.test"
PROBLEM_422 = {
    "type": "urn:mammocad:problem:input-shape-mismatch",
    "title": "Refused",
    "status": 422,
    "detail": "(1, 64, 64) is not (1, 128, 96)",
    "code": "input-shape-mismatch",
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


BACKOFF_S = 5.0
"""Long enough that a test finishing within a second shows no backoff was waited."""


@pytest.fixture
async def client(httpx_mock: HTTPXMock) -> AsyncIterator[TaskClient[ClassifyItem, ClassifyOutcome]]:
    """Two classification replicas, A then B (closed before ``httpx_mock`` checks its
    requests, so no probe outlives the test)."""
    settings = GatewaySettings(
        classify_url=f"{A}, {B}",
        service_retry_backoff_s=BACKOFF_S,
        service_probe_interval_s=0.01,
    )
    async with TaskServices.from_settings(settings) as services:
        yield services.classify


def _answered_by(httpx_mock: HTTPXMock) -> list[str]:
    """The replica (A or B) of every inference request sent, in order."""
    return [
        "A" if str(sent.url).startswith(A) else "B"
        for sent in httpx_mock.get_requests()
        if sent.method == "POST"
    ]


def _probes_fail(httpx_mock: HTTPXMock, *urls: str) -> None:
    """Background probes of these replicas find them down, however often they ask."""
    for url in urls:
        httpx_mock.add_exception(
            httpx.ConnectError("connection refused"),
            url=f"{url}/readyz",
            is_optional=True,
            is_reusable=True,
        )


async def _until(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():
            await asyncio.sleep(0.01)


async def test_sequential_requests_take_the_replicas_in_turn(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    for url in (A, B):
        httpx_mock.add_response(url=f"{url}/tensors/classify", json=[OUTCOME], is_reusable=True)
    for _ in range(4):
        await client.infer([ITEM], TENSORS)
    assert _answered_by(httpx_mock) == ["A", "B", "A", "B"]


async def test_a_replica_busy_with_a_request_gets_no_next_one_while_another_idles(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    """Least in flight: a long request (a SHAP explanation, say) on A sends the next ones to B
    even when it would be A's turn."""
    release = asyncio.Event()

    async def held(request: httpx.Request) -> httpx.Response:
        await release.wait()
        return httpx.Response(200, json=[OUTCOME])

    httpx_mock.add_callback(held, url=f"{A}/tensors/classify")
    httpx_mock.add_response(url=f"{B}/tensors/classify", json=[OUTCOME], is_reusable=True)
    slow = asyncio.create_task(client.infer([ITEM], TENSORS))
    replica_a = client.replicas.replicas[0]
    await _until(lambda: replica_a.in_flight == 1)
    await client.infer([ITEM], TENSORS)
    await client.infer([ITEM], TENSORS)  # A's turn, but A is still busy
    release.set()
    await slow
    assert _answered_by(httpx_mock) == ["A", "B", "B"]
    assert replica_a.in_flight == 0


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("connection refused"),
        httpx.ReadError("connection reset by peer"),
        httpx.RemoteProtocolError("server disconnected without sending a response"),
        httpx.ConnectTimeout("timed out connecting"),
        httpx.Response(503, json={"error": "shutting down"}),
    ],
    ids=["connect-error", "reset", "dropped", "connect-timeout", "503"],
)
async def test_a_failed_replica_leaves_the_rotation_and_the_other_answers_at_once(
    client: TaskClient[ClassifyItem, ClassifyOutcome],
    httpx_mock: HTTPXMock,
    failure: Exception | httpx.Response,
) -> None:
    if isinstance(failure, httpx.Response):
        httpx_mock.add_response(url=f"{A}/tensors/classify", status_code=503, json=failure.json())
    else:
        httpx_mock.add_exception(failure, url=f"{A}/tensors/classify")
    httpx_mock.add_response(url=f"{B}/tensors/classify", json=[OUTCOME], is_reusable=True)
    _probes_fail(httpx_mock, A)
    async with asyncio.timeout(BACKOFF_S / 5):  # at once: no backoff before the failover
        [outcome] = await client.infer([ITEM], TENSORS)  # and no error for the caller
    assert outcome.probabilities["normal"] == 0.7
    replica_a, replica_b = client.replicas.replicas
    assert not replica_a.in_rotation and replica_b.in_rotation
    assert client.replicas.in_rotation() == 1
    await client.infer([ITEM], TENSORS)
    await client.infer([ITEM], TENSORS)
    assert _answered_by(httpx_mock) == ["A", "B", "B", "B"]  # A is out: not asked again


@pytest.mark.parametrize(
    "status, body, error",
    [
        (422, PROBLEM_422, InvalidInputError),
        (404, {"error": "no version 9"}, NotFoundError),
        (500, {"error": "Traceback: CUDA out of memory"}, UnavailableError),
    ],
)
async def test_a_replicas_own_answer_is_the_answer_and_never_sent_again(
    client: TaskClient[ClassifyItem, ClassifyOutcome],
    httpx_mock: HTTPXMock,
    status: int,
    body: dict[str, object],
    error: type[MammocadError],
) -> None:
    httpx_mock.add_response(url=f"{A}/tensors/classify", status_code=status, json=body)
    with pytest.raises(error):
        await client.infer([ITEM], TENSORS)
    assert _answered_by(httpx_mock) == ["A"]
    assert client.replicas.in_rotation() == 2  # it answered: it stays in rotation


async def test_a_replica_that_took_the_whole_timeout_leaves_the_rotation_without_a_resend(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    """Its work may still be running: resending it would double the load of a task that is
    only slow. The next requests go to the other replica."""
    httpx_mock.add_exception(httpx.ReadTimeout("read timed out"), url=f"{A}/tensors/classify")
    httpx_mock.add_response(url=f"{B}/tensors/classify", json=[OUTCOME])
    _probes_fail(httpx_mock, A)
    with pytest.raises(UnavailableError) as raised:
        await client.infer([ITEM], TENSORS)
    assert raised.value.code == "task-service-timeout"
    await client.infer([ITEM], TENSORS)
    assert _answered_by(httpx_mock) == ["A", "B"]


async def test_a_replica_taken_out_is_back_once_its_probe_answers(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_exception(httpx.ConnectError("connection refused"), url=f"{A}/tensors/classify")
    httpx_mock.add_response(url=f"{A}/tensors/classify", json=[OUTCOME])  # once it is back
    httpx_mock.add_response(url=f"{B}/tensors/classify", json=[OUTCOME], is_reusable=True)
    httpx_mock.add_response(url=f"{A}/readyz", status_code=503, json={"error": "loading"})
    httpx_mock.add_response(url=f"{A}/readyz", json={"status": "ready"})
    await client.infer([ITEM], TENSORS)
    replica_a = client.replicas.replicas[0]
    assert not replica_a.in_rotation
    await _until(lambda: replica_a.in_rotation)  # the second probe found it ready
    await client.infer([ITEM], TENSORS)
    await client.infer([ITEM], TENSORS)
    assert _answered_by(httpx_mock)[:2] == ["A", "B"]  # the failure and its failover
    assert sorted(_answered_by(httpx_mock)[2:]) == ["A", "B"]  # both in turn again
    probes = [sent for sent in httpx_mock.get_requests() if sent.url.path == "/readyz"]
    assert len(probes) == 2  # probing stopped once it was back


async def test_every_replica_down_is_the_usual_503_after_the_retries(
    httpx_mock: HTTPXMock,
) -> None:
    """With no replica in rotation, each round still asks all of them (longest out first),
    then backs off: as with one service, and never stuck with none to ask."""
    for url in (A, B):
        httpx_mock.add_exception(
            httpx.ConnectError("connection refused"),
            url=f"{url}/tensors/classify",
            is_reusable=True,
        )
    _probes_fail(httpx_mock, A, B)
    settings = GatewaySettings(
        classify_url=f"{A},{B}",
        service_retries=2,
        service_retry_backoff_s=0.0,
        service_probe_interval_s=0.01,
    )
    async with TaskServices.from_settings(settings) as services:
        with pytest.raises(UnavailableError) as raised:
            await services.classify.infer([ITEM], TENSORS)
        assert services.classify.replicas.in_rotation() == 0
    assert raised.value.code == "task-service-unavailable"
    assert "classify-a.test" not in raised.value.detail  # no internal address for the public
    assert _answered_by(httpx_mock) == ["A", "B"] * 3  # one round and two retries


async def test_a_single_replica_is_never_taken_out(httpx_mock: HTTPXMock) -> None:
    """There is nowhere else to send: no probes, and its next request goes to it as before."""
    settings = GatewaySettings(classify_url=A, service_retries=0, service_probe_interval_s=0.01)
    httpx_mock.add_exception(httpx.ConnectError("connection refused"), url=f"{A}/tensors/classify")
    httpx_mock.add_response(url=f"{A}/tensors/classify", json=[OUTCOME])
    async with TaskServices.from_settings(settings) as services:
        with pytest.raises(UnavailableError):
            await services.classify.infer([ITEM], TENSORS)
        assert services.classify.replicas.in_rotation() == 1
        await asyncio.sleep(0.05)  # a probe, if one ran, would be an unexpected request
        await services.classify.infer([ITEM], TENSORS)


def test_several_replica_urls_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAMMOCAD_CLASSIFY_URL", "http://10.0.0.1:3001, http://10.0.0.2:3001")
    monkeypatch.setenv("MAMMOCAD_DETECT_URL", "http://10.0.0.3:3002")
    settings = GatewaySettings()
    assert settings.classify_urls == ("http://10.0.0.1:3001", "http://10.0.0.2:3001")
    assert settings.detect_urls == ("http://10.0.0.3:3002",)  # one URL, as before
    assert GatewaySettings(classify_url="http://a:1,http://b:1").classify_urls == (
        "http://a:1",
        "http://b:1",
    )


@pytest.mark.parametrize("urls", ["", "http://a:1,", "http://a:1,,http://b:1"])
def test_an_empty_replica_url_is_refused(urls: str) -> None:
    with pytest.raises(ValidationError, match="empty replica URL"):
        GatewaySettings(classify_url=urls)
