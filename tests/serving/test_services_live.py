"""The task services as real ``bentoml serve`` processes, over real HTTP on loopback.

The classification service runs in the default suite (started once per session); the detection
service and the stop check, which start processes of their own, are marked slow.
"""

from __future__ import annotations

import os
import socket
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
    EncodedArray,
    ModelRef,
    ServiceProblem,
)
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
    encoded,
    ingested,
    reference_detections,
)

pytestmark = pytest.mark.integration


def _post(
    service: ServiceProcess, route: str, items: list[ClassifyItem] | list[DetectItem]
) -> httpx.Response:
    body = {"items": [item.model_dump(mode="json") for item in items]}
    return httpx.post(f"{service.url}{route}", json=body, timeout=120)


def _problem(response: httpx.Response, status: int) -> ServiceProblem:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return ServiceProblem.model_validate_json(response.content)


def test_wire_format_is_items_in_and_a_list_out(
    classify_service: ServiceProcess, classifier_cases: list[ClassifierCase]
) -> None:
    """The exact JSON the gateway sends and reads, written out by hand."""
    array = classifier_cases[0].input
    raw = (
        '{"items": [{"model": {"name": "classifier", "version": 1}, "input": '
        f'{{"dtype": "float32", "shape": [2, 128, 96], "data": "{array.data}"}}}}]}}'
    )
    response = httpx.post(
        f"{classify_service.url}/classify",
        content=raw,
        headers={"content-type": "application/json"},
        timeout=120,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, list) and len(body) == 1
    assert set(body[0]) == {"probabilities", "logits", "ood_score"}
    assert body[0]["ood_score"] > 0  # the version's Mahalanobis detector, fitted in training
    assert set(body[0]["probabilities"]) == {"normal", "benign", "malignant"}
    assert set(body[0]["logits"]) == {"abnormal", "malignant"}


def test_answers_equal_in_process_inference(
    classify_service: ServiceProcess, classifier_cases: list[ClassifierCase]
) -> None:
    cases = classifier_cases[:3]
    items = [ClassifyItem(model=CLASSIFIER, input=case.input) for case in cases]
    response = _post(classify_service, "/classify", items)
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
        item = ClassifyItem(model=CLASSIFIER, input=classifier_cases[index].input)
        response = _post(classify_service, "/classify", [item])
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
    item = ClassifyItem(model=late, input=classifier_cases[0].input)
    assert _problem(_post(classify_service, "/classify", [item]), 404).code == "model-not-found"
    with serving_world.registry() as registry:
        registry.register(serving_world.classifier_folder, late.name, actor="tests")
    response = _post(classify_service, "/classify", [item])
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
    array = EncodedArray.encode(np.zeros(shape, dtype=np.float32))
    problem = _problem(
        _post(classify_service, "/classify", [ClassifyItem(model=model, input=array)]), status
    )
    assert problem.code == code and problem.status == status
    assert problem.type == f"urn:mammocad:problem:{code}"
    assert model.name in problem.detail


def test_a_body_outside_the_contract_is_400(classify_service: ServiceProcess) -> None:
    response = httpx.post(f"{classify_service.url}/classify", json={"images": []}, timeout=30)
    assert response.status_code == 400
    assert "items" in response.text


def test_a_tampered_artifact_is_a_500_that_says_so(
    classify_service: ServiceProcess, serving_world: ServingWorld
) -> None:
    ref = ModelRef(name="classifier-tampered", version=1)
    with serving_world.registry() as registry:
        registry.register(serving_world.classifier_folder, ref.name, actor="tests")
        stored = registry.open_artifact(ref.name, ref.version)
    with (stored / "model.pt").open("ab") as weights:
        weights.write(b"\0")
    array = EncodedArray.encode(np.zeros((2, 128, 96), dtype=np.float32))
    problem = _problem(
        _post(classify_service, "/classify", [ClassifyItem(model=ref, input=array)]), 500
    )
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
    items = [DetectItem(model=DETECTOR, input=encoded(image)) for image in images]
    response = _post(detect_service, "/detect", items)
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
    refused = _post(
        detect_service, "/detect", [DetectItem(model=CLASSIFIER, input=encoded(images[0]))]
    )
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
