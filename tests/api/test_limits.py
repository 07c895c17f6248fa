"""The gateway's request deadline (504) and per-task admission (503 task-busy), on a real
registry with the task services stood in for by pytest-httpx callbacks that take their time."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from pytest_httpx import HTTPXMock

from api.admission import TaskAdmission, TaskBusyError
from mammocad.schemas.inference_contract import DetectRequest
from mammocad.schemas.tensor_frame import unpack
from registry import Registry
from tests.api.conftest import CLASSIFY_URL, DETECT_URL, gateway
from tests.api.test_inference_routes import _classify_answer, _post, _right_breast_dicom

UPLOAD = _right_breast_dicom()


def _detect_answer(request: httpx.Request) -> httpx.Response:
    header, _ = unpack(request.content, DetectRequest)
    return httpx.Response(200, json=[{"detections": []}] * len(header.items))


class _HeldService:
    """A classification service that answers only once released (the test decides when)."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self.entered = threading.Semaphore(0)

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.entered.release()
        while not self.released.is_set():
            await asyncio.sleep(0.01)
        return _classify_answer(request)


@pytest.fixture
def held() -> Iterator[_HeldService]:
    service = _HeldService()
    yield service
    service.released.set()


@pytest.mark.httpx_mock(can_send_already_matched_responses=True)
def test_a_request_past_the_deadline_is_a_504_problem(
    full_registry: Registry, httpx_mock: HTTPXMock, held: _HeldService
) -> None:
    httpx_mock.add_callback(held, url=f"{CLASSIFY_URL}/tensors/classify")
    with gateway(full_registry, request_timeout_s=0.5) as client:
        response = _post(client, "/v1/classify", UPLOAD)
        assert response.status_code == 504, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert int(response.headers["retry-after"]) > 0
        assert response.headers["x-request-id"]
        problem = response.json()
        assert problem["type"] == "urn:mammocad:problem:request-timeout"
        assert problem["instance"] == "/v1/classify"
        assert "0.5 s" in problem["detail"]
        # The gateway lives on: an answer within the deadline is a 200.
        held.released.set()
        assert _post(client, "/v1/classify", UPLOAD).status_code == 200


@pytest.mark.httpx_mock(can_send_already_matched_responses=True)
def test_a_full_task_refuses_at_once_and_the_other_task_is_not_blocked(
    full_registry: Registry, httpx_mock: HTTPXMock, held: _HeldService
) -> None:
    httpx_mock.add_callback(held, url=f"{CLASSIFY_URL}/tensors/classify")
    httpx_mock.add_callback(_detect_answer, url=f"{DETECT_URL}/tensors/detect")
    with (
        gateway(full_registry, task_concurrency=1, task_queue=1) as client,
        ThreadPoolExecutor(2) as pool,
    ):
        working = pool.submit(_post, client, "/v1/classify", UPLOAD)
        assert held.entered.acquire(timeout=30), "the first request reaches the service"
        waiting = pool.submit(_post, client, "/v1/classify", UPLOAD)
        admission: TaskAdmission = client.app.state.admission  # type: ignore[attr-defined]
        _wait_until(lambda: admission.in_flight("classify") == 2)
        scraped = client.get("/metrics").text
        assert 'mammocad_task_requests_in_flight{task="classify"} 2.0' in scraped
        busy = _post(client, "/v1/classify", UPLOAD)
        assert busy.status_code == 503, busy.text
        assert busy.headers["content-type"] == "application/problem+json"
        assert busy.json()["type"] == "urn:mammocad:problem:task-busy"
        assert busy.headers["retry-after"] == "1"
        assert _post(client, "/v1/detect", UPLOAD).status_code == 200  # another task's slots
        held.released.set()
        assert working.result(timeout=30).status_code == 200
        assert waiting.result(timeout=30).status_code == 200  # the queued one got its turn
        assert _post(client, "/v1/classify", UPLOAD).status_code == 200  # slots given back


def _wait_until(condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def test_admission_lets_concurrency_work_and_queue_wait() -> None:
    async def scenario() -> list[str]:
        admission = TaskAdmission(concurrency=2, queue=1)
        release = asyncio.Event()
        order: list[str] = []

        async def request(name: str) -> None:
            try:
                async with admission.slot("classify"):
                    order.append(f"{name} in")
                    await release.wait()
            except TaskBusyError:
                order.append(f"{name} refused")

        tasks = [asyncio.create_task(request(name)) for name in "abcd"]
        await asyncio.sleep(0.05)
        order.append("release")
        release.set()
        await asyncio.gather(*tasks)
        async with admission.slot("classify"):  # everything was given back
            order.append("after")
        return order

    assert asyncio.run(scenario()) == ["a in", "b in", "d refused", "release", "c in", "after"]
