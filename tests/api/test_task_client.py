"""The gateway's client of the task services, against pytest-httpx stand-ins: retries, timeouts,
and how every kind of answer maps to a domain error."""

from __future__ import annotations

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
    ClassifyRequest,
    EncodedArray,
    ExplainItem,
    ExplainRequest,
    ModelRef,
)
from mammocad.schemas.tensor_frame import MEDIA_TYPE, TensorPayload, unpack
from registry.errors import TamperedArtifactError

pytestmark = pytest.mark.anyio

URL = "http://classify.test/tensors/classify"
EXPLAIN_URL = "http://classify.test/tensors/explain"
READY_URL = "http://classify.test/readyz"
OUTCOME = {
    "probabilities": {"normal": 0.7, "benign": 0.2, "malignant": 0.1},
    "logits": {"A": -1.0, "M": -0.5},
}
INPUT = np.arange(2 * 4 * 3, dtype=np.float32).reshape(2, 4, 3) / 7
TENSORS = TensorPayload()  # the frame's tensor bytes: INPUT, at offset 0
ITEM = ClassifyItem(model=ModelRef(name="classifier", version=3), input=TENSORS.add(INPUT))


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
    [outcome] = await client.infer([ITEM], TENSORS)
    assert outcome.probabilities["normal"] == 0.7
    [sent] = httpx_mock.get_requests()
    assert sent.headers["content-type"] == MEDIA_TYPE
    request, tensors = unpack(sent.content, ClassifyRequest)
    [item] = request.items
    assert item.model == ModelRef(name="classifier", version=3)
    decoded = item.input.read(tensors)
    assert decoded.dtype == np.float32 and np.array_equal(decoded, INPUT)
    assert bytes(tensors) == INPUT.astype("<f4").tobytes()  # raw bytes, nothing else


async def test_each_items_input_comes_out_of_the_frame_at_its_own_place(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=URL, method="POST", json=[OUTCOME, OUTCOME])
    tensors = TensorPayload()
    inputs = [INPUT, -INPUT[:, :2]]  # two shapes, one after the other
    items = [
        ClassifyItem(model=ModelRef(name="classifier", version=v), input=tensors.add(a))
        for v, a in zip((3, 4), inputs, strict=True)
    ]
    assert len(await client.infer(items, tensors)) == 2
    [sent] = httpx_mock.get_requests()
    request, sent_tensors = unpack(sent.content, ClassifyRequest)
    assert [item.model.version for item in request.items] == [3, 4]
    assert [item.input.offset for item in request.items] == [0, INPUT.nbytes]
    for item, expected in zip(request.items, inputs, strict=True):
        assert np.array_equal(item.input.read(sent_tensors), expected)
    assert len(sent_tensors) == sum(a.nbytes for a in inputs)


def _explanation() -> dict[str, object]:
    """An ExplainOutcome body, as the classification service answers ``/tensors/explain``."""
    cell_map = EncodedArray.encode(np.ones((2, 1), dtype=np.float32))
    return {
        "classification": OUTCOME,
        "cell_map": cell_map.model_dump(mode="json"),
        "stride": 2,
        "method": "shap",
        "explained": "p(malignant)",
        "class_name": "malignant",
        "value": 0.1,
        "details": {"library": "shap"},
        "compute_ms": 12.5,
    }


async def test_an_explanation_goes_out_as_one_frame_and_comes_back(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=EXPLAIN_URL, method="POST", json=_explanation())
    tensors = TensorPayload()
    item = ExplainItem(
        model=ModelRef(name="classifier", version=3),
        input=tensors.add(INPUT),
        method="shap",
        target="malignant",
    )
    outcome = await client.explain(item, tensors)
    assert outcome.class_name == "malignant" and outcome.stride == 2
    assert np.array_equal(outcome.cell_map.decode(), np.ones((2, 1), dtype=np.float32))
    [sent] = httpx_mock.get_requests()
    assert sent.headers["content-type"] == MEDIA_TYPE
    request, sent_tensors = unpack(sent.content, ExplainRequest)
    assert request.item == item  # method, target and SHAP options as sent
    assert np.array_equal(request.item.input.read(sent_tensors), INPUT)


async def test_an_explanation_outside_the_contract_is_a_bad_service_answer(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=EXPLAIN_URL, json=_explanation() | {"stride": 0})
    tensors = TensorPayload()
    item = ExplainItem(model=ITEM.model, input=tensors.add(INPUT), method="gradcam")
    with pytest.raises(BadServiceAnswerError, match="stride") as raised:
        await client.explain(item, tensors)
    assert raised.value.code == "bad-service-answer" and status_of(raised.value) == 502


async def test_connect_errors_and_503_are_retried_then_succeed(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_exception(httpx.ConnectError("connection refused"), url=URL)
    httpx_mock.add_response(url=URL, status_code=503, json={"error": "warming up"})
    httpx_mock.add_response(url=URL, json=[OUTCOME])
    assert len(await client.infer([ITEM], TENSORS)) == 1
    assert len(httpx_mock.get_requests()) == 3


async def test_a_connection_the_restarted_service_dropped_is_retried(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_exception(httpx.RemoteProtocolError("server disconnected"), url=URL)
    httpx_mock.add_response(url=URL, json=[OUTCOME])
    assert len(await client.infer([ITEM], TENSORS)) == 1


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
            await services.classify.infer([ITEM], TENSORS)
    assert waits == [0.25, 0.5, 1.0]


async def test_retries_exhausted_is_unavailable(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_exception(httpx.ConnectError("connection refused"), url=URL, is_reusable=True)
    with pytest.raises(UnavailableError) as raised:
        await client.infer([ITEM], TENSORS)
    assert raised.value.code == "task-service-unavailable"
    assert "ConnectError" in raised.value.detail
    assert "classify.test" not in raised.value.detail  # no internal address for the public
    assert len(httpx_mock.get_requests()) == 3  # one try and two retries


async def test_other_transport_failures_are_unavailable_without_retry(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_exception(httpx.UnsupportedProtocol("no 'ftp' transport"), url=URL)
    with pytest.raises(UnavailableError, match="UnsupportedProtocol"):
        await client.infer([ITEM], TENSORS)
    assert len(httpx_mock.get_requests()) == 1


async def test_a_read_timeout_is_unavailable_without_retry(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_exception(httpx.ReadTimeout("read timed out"), url=URL)
    with pytest.raises(UnavailableError) as raised:
        await client.infer([ITEM], TENSORS)
    assert raised.value.code == "task-service-timeout"
    assert len(httpx_mock.get_requests()) == 1


async def test_the_configured_timeouts_are_used(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=URL, json=[OUTCOME])
    await client.infer([ITEM], TENSORS)
    [sent] = httpx_mock.get_requests()
    assert sent.extensions["timeout"] == {"connect": 2.0, "read": 0.5, "write": 0.5, "pool": 0.5}


async def test_a_500_is_unavailable_without_retry_and_logged(
    client: TaskClient[ClassifyItem, ClassifyOutcome],
    httpx_mock: HTTPXMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    httpx_mock.add_response(url=URL, status_code=500, text="Traceback: CUDA out of memory")
    with pytest.raises(UnavailableError) as raised:
        await client.infer([ITEM], TENSORS)
    assert "500" in raised.value.detail and "Traceback" not in raised.value.detail
    assert "CUDA out of memory" in caplog.text
    assert len(httpx_mock.get_requests()) == 1


async def test_a_tampered_artifact_is_reported_as_such_not_as_retry_later(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    body = _problem(500, "tampered-artifact", "model.pt changed since registration")
    httpx_mock.add_response(url=URL, status_code=500, json=body)
    with pytest.raises(TamperedArtifactError, match=r"model\.pt changed"):
        await client.infer([ITEM], TENSORS)
    assert len(httpx_mock.get_requests()) == 1


_NOT_A_REQUEST = "not a request of the inference contract"  # the engine's 400 message


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
        await client.infer([ITEM], TENSORS)
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
        httpx.Response(400, json={"error": f"{_NOT_A_REQUEST}: not a {MEDIA_TYPE} body"}),
    ],
    ids=[
        "not-json",
        "not-a-list",
        "wrong-types",
        "wrong-count",
        "unexpected-4xx",
        "schema-400",
        "frame-400",
    ],
)
async def test_malformed_answers_are_bad_service_answers(
    client: TaskClient[ClassifyItem, ClassifyOutcome],
    httpx_mock: HTTPXMock,
    response: httpx.Response,
) -> None:
    httpx_mock.add_callback(lambda request: response, url=URL)
    with pytest.raises(BadServiceAnswerError) as raised:
        await client.infer([ITEM], TENSORS)
    assert raised.value.code == "bad-service-answer" and status_of(raised.value) == 502
    assert len(httpx_mock.get_requests()) == 1  # a fault between the processes: no retry


@pytest.mark.parametrize("route", ["infer", "explain"])
async def test_the_services_400_for_a_body_that_is_not_a_frame_is_a_502(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock, route: str
) -> None:
    """The task service answers a body that is not a tensor frame of the contract (only a
    gateway bug sends one) with a plain ``{"error": ...}`` 400 (``serving.engine``): the
    gateway's own fault, a 502, never the caller's 400, and its message kept."""
    error = f"{_NOT_A_REQUEST}: header of 4096 bytes in a body of 1033"
    url = URL if route == "infer" else EXPLAIN_URL
    httpx_mock.add_response(url=url, method="POST", status_code=400, json={"error": error})
    with pytest.raises(BadServiceAnswerError) as raised:
        if route == "infer":
            await client.infer([ITEM], TENSORS)
        else:
            await client.explain(
                ExplainItem(model=ITEM.model, input=ITEM.input, method="gradcam"), TENSORS
            )
    assert raised.value.code == "bad-service-answer" and status_of(raised.value) == 502
    assert "answered 400" in raised.value.detail and "header of 4096 bytes" in raised.value.detail
    assert len(httpx_mock.get_requests()) == 1


async def test_probe_says_what_is_wrong(
    client: TaskClient[ClassifyItem, ClassifyOutcome], httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=READY_URL, json={"status": "ready"})
    httpx_mock.add_response(url=READY_URL, status_code=503, json={"error": "loading classifier:3"})
    httpx_mock.add_exception(httpx.ConnectError("connection refused"), url=READY_URL)
    assert await client.probe() == {"http://classify.test": None}  # by replica
    assert "loading classifier:3" in ((await client.probe())["http://classify.test"] or "")
    assert "unreachable" in ((await client.probe())["http://classify.test"] or "")
    assert len(httpx_mock.get_requests()) == 3  # a probe never retries
