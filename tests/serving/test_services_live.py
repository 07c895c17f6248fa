"""The task services as real ``bentoml serve`` processes, over real HTTP on loopback.

The classification service runs in the default suite (started once per session); the detection
service and the stop check, which start processes of their own, are marked slow.
"""

from __future__ import annotations

import json
import os
import socket
import struct
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pytest

from mammocad.datasets.records import DataSet
from mammocad.schemas.inference_contract import (
    ClassifyItem,
    ClassifyOutcome,
    DetectItem,
    DetectOutcome,
    ModelRef,
    ServiceProblem,
)
from mammocad.schemas.tensor_frame import MEDIA_TYPE, TensorPayload, pack
from models.inference.loaded import LoadedModel
from serving.processes import (
    SERVICES,
    ServiceProcess,
    ServiceStartError,
    free_port,
    running_service,
    start_service,
)
from tests.serving.conftest import (
    CLASSIFIER,
    DETECTOR,
    ClassifierCase,
    ServingWorld,
    frame,
    ingested,
    reference_detections,
)

pytestmark = pytest.mark.integration


def _send(service: ServiceProcess, route: str, body: bytes) -> httpx.Response:
    """POST a request body to ``/tensors/<route>``, as the gateway does."""
    return httpx.post(
        f"{service.url}/tensors/{route}",
        content=body,
        headers={"content-type": MEDIA_TYPE},
        timeout=120,
    )


def _classify(service: ServiceProcess, *inputs: tuple[ModelRef, np.ndarray]) -> httpx.Response:
    return _send(service, "classify", frame(ClassifyItem, inputs))


def _detect(service: ServiceProcess, *inputs: tuple[ModelRef, np.ndarray]) -> httpx.Response:
    return _send(service, "detect", frame(DetectItem, inputs))


def _problem(response: httpx.Response, status: int) -> ServiceProblem:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return ServiceProblem.model_validate_json(response.content)


def test_wire_format_is_a_tensor_frame_in_and_a_list_out(
    classify_service: ServiceProcess, classifier_cases: list[ClassifierCase]
) -> None:
    """The exact bytes the gateway sends, written out by hand, and the JSON it reads."""
    array = classifier_cases[0].input
    header = (
        b'{"items": [{"model": {"name": "classifier", "version": 1}, "input": '
        b'{"dtype": "float32", "shape": [2, 128, 96], "offset": 0}}]}'
    )
    body = b"MCT1" + struct.pack("<I", len(header)) + header + array.astype("<f4").tobytes()
    response = _send(classify_service, "classify", body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    answer = response.json()
    assert isinstance(answer, list) and len(answer) == 1
    assert set(answer[0]) == {"probabilities", "logits", "ood_score"}
    assert answer[0]["ood_score"] > 0  # the version's Mahalanobis detector, fitted in training
    assert set(answer[0]["probabilities"]) == {"normal", "benign", "malignant"}
    assert set(answer[0]["logits"]) == {"abnormal", "malignant"}
    assert answer[0]["probabilities"] == pytest.approx(classifier_cases[0].expected, abs=1e-5)


def test_the_old_json_routes_are_gone(classify_service: ServiceProcess) -> None:
    """Model inputs never travel as base64 JSON any more: ``POST /classify`` is no route."""
    response = httpx.post(f"{classify_service.url}/classify", json={"items": []}, timeout=30)
    assert response.status_code in (404, 405), response.text


def test_answers_equal_in_process_inference(
    classify_service: ServiceProcess, classifier_cases: list[ClassifierCase]
) -> None:
    cases = classifier_cases[:3]
    response = _classify(classify_service, *[(CLASSIFIER, case.input) for case in cases])
    assert response.status_code == 200, response.text
    outcomes = [ClassifyOutcome.model_validate(o) for o in response.json()]
    assert len(outcomes) == len(cases)
    for case, outcome in zip(cases, outcomes, strict=True):
        assert outcome.probabilities == pytest.approx(case.expected, abs=1e-5)
        p_abnormal = 1 / (1 + np.exp(-outcome.logits["abnormal"]))
        assert p_abnormal == pytest.approx(1 - case.expected["normal"], abs=1e-5)


def test_concurrent_requests_each_get_their_own_answer(
    classify_service: ServiceProcess, classifier_cases: list[ClassifierCase]
) -> None:
    def ask(index: int) -> dict[str, float]:
        response = _classify(classify_service, (CLASSIFIER, classifier_cases[index].input))
        assert response.status_code == 200, response.text
        return ClassifyOutcome.model_validate(response.json()[0]).probabilities

    order = [i % len(classifier_cases) for i in range(7, 7 + 24)]  # 8 at a time
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, order))
    for index, answer in zip(order, answers, strict=True):
        assert answer == pytest.approx(classifier_cases[index].expected, abs=1e-5)


def test_a_version_registered_after_start_is_served_without_restart(
    classify_service: ServiceProcess,
    serving_world: ServingWorld,
    classifier_cases: list[ClassifierCase],
) -> None:
    late = ModelRef(name="classifier-late", version=1)
    item = (late, classifier_cases[0].input)
    assert _problem(_classify(classify_service, item), 404).code == "model-not-found"
    with serving_world.registry() as registry:
        registry.register(serving_world.classifier_folder, late.name, actor="tests")
    response = _classify(classify_service, item)
    assert response.status_code == 200, response.text
    answer = ClassifyOutcome.model_validate(response.json()[0]).probabilities
    assert answer == pytest.approx(classifier_cases[0].expected, abs=1e-5)


@pytest.mark.parametrize(
    ("model", "shape", "status", "code"),
    [
        (ModelRef(name="classifier", version=9), (2, 128, 96), 404, "version-not-found"),
        (ModelRef(name="nobody", version=1), (2, 128, 96), 404, "model-not-found"),
        (CLASSIFIER, (1, 128, 96), 422, "input-shape-mismatch"),
        (CLASSIFIER, (2, 256, 192), 422, "input-shape-mismatch"),
        (DETECTOR, (1, 128, 96), 422, "wrong-task"),
    ],
)
def test_refusals_are_4xx_problems(
    classify_service: ServiceProcess,
    model: ModelRef,
    shape: tuple[int, ...],
    status: int,
    code: str,
) -> None:
    array = np.zeros(shape, dtype=np.float32)
    problem = _problem(_classify(classify_service, (model, array)), status)
    assert problem.code == code and problem.status == status
    assert problem.type == f"urn:mammocad:problem:{code}"
    assert model.name in problem.detail


@pytest.mark.parametrize("route", ["classify", "explain"])
def test_a_body_outside_the_contract_is_400(classify_service: ServiceProcess, route: str) -> None:
    tensors = TensorPayload()
    tensors.add(np.zeros((2, 128, 96), dtype=np.float32))
    good = frame(ClassifyItem, [(CLASSIFIER, np.zeros((2, 128, 96), dtype=np.float32))])
    length = int.from_bytes(good[4:8], "little")
    bodies = {
        "other schema": pack({"images": []}, tensors),
        "no magic": good[8:],
        "header beyond the body": good[: 8 + length - 1],
        "base64 JSON": json.dumps({"items": []}).encode(),
    }
    for name, body in bodies.items():
        response = _send(classify_service, route, body)
        assert response.status_code == 400, (name, response.text)
        assert response.headers["content-type"] == "application/json", name
        error = response.json()
        assert set(error) == {"error"}, (name, error)  # not a problem: the gateway's own bug
        assert "not a request of the inference contract" in error["error"], name
    other = _send(classify_service, route, bodies["other schema"]).json()["error"]
    assert ("items" if route == "classify" else "item") in other  # says what is missing


def test_a_tampered_artifact_is_a_500_that_says_so(
    classify_service: ServiceProcess, serving_world: ServingWorld
) -> None:
    ref = ModelRef(name="classifier-tampered", version=1)
    with serving_world.registry() as registry:
        registry.register(serving_world.classifier_folder, ref.name, actor="tests")
        stored = registry.open_artifact(ref.name, ref.version)
    with (stored / "model.pt").open("ab") as weights:
        weights.write(b"\0")
    array = np.zeros((2, 128, 96), dtype=np.float32)
    problem = _problem(_classify(classify_service, (ref, array)), 500)
    assert problem.code == "tampered-artifact"
    assert "model.pt changed" in problem.detail
    assert httpx.get(f"{classify_service.url}/readyz").status_code == 200


def test_readiness_and_liveness(classify_service: ServiceProcess) -> None:
    assert httpx.get(f"{classify_service.url}/readyz").status_code == 200
    assert httpx.get(f"{classify_service.url}/livez").status_code == 200


def test_a_taken_port_is_refused_before_starting(classify_service: ServiceProcess) -> None:
    port = int(classify_service.url.rsplit(":", 1)[1])
    with pytest.raises(ServiceStartError, match="already in use"):
        start_service(SERVICES["classify"], port)


@pytest.mark.slow
def test_detection_service_answers_like_in_process_detection(
    detect_service: ServiceProcess, loaded_detector: LoadedModel, tiny_set: DataSet
) -> None:
    images = ingested(loaded_detector, tiny_set[:4])
    response = _detect(detect_service, *[(DETECTOR, image.model_input()) for image in images])
    assert response.status_code == 200, response.text
    outcomes = [DetectOutcome.model_validate(o) for o in response.json()]
    for image, outcome in zip(images, outcomes, strict=True):
        expected = reference_detections(loaded_detector, image)
        assert len(outcome.detections) == len(expected)
        if expected:
            grid = np.array([d.box for d in outcome.detections])
            original = image.transform.to_original_boxes(grid)
            np.testing.assert_allclose(original, [e.box for e in expected], atol=1e-3)
            scores = [d.score for d in outcome.detections]
            np.testing.assert_allclose(scores, [e.score for e in expected], atol=1e-5)
    refused = _detect(detect_service, (CLASSIFIER, images[0].model_input()))
    assert _problem(refused, 422).code == "wrong-task"


@pytest.mark.slow
def test_stopping_a_service_frees_its_port(serving_world: ServingWorld) -> None:
    port = free_port()
    with running_service(SERVICES["detect"], port, env=serving_world.env) as service:
        assert service.alive()
        pid = service.pid
    assert not service.alive()
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)  # no worker of its process group is left
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    with socket.socket() as server:  # what the next service on this port does
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))


def test_a_service_that_cannot_start_says_why() -> None:
    with pytest.raises(ServiceStartError, match="exited before it was ready") as failed:
        start_service("serving.no_such_module:Nothing", free_port(), ready_timeout_s=120)
    assert "no_such_module" in str(failed.value)
