"""``/v1/classify`` and ``/v1/detect`` on a real registry, with the task services stood in for by
pytest-httpx: what the service receives, how its answers become public answers, and every
failure as problem+json."""

from __future__ import annotations

from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pytest_httpx import HTTPXMock

from mammocad.calibration import LogitMap, MalignancyMap, classifier_probabilities, scaled_scores
from mammocad.ingest.pipeline import IngestOptions, ingest_bytes
from mammocad.schemas.inference_contract import ClassifyRequest, DetectRequest
from mammocad.schemas.tensor_frame import MEDIA_TYPE, unpack
from registry import Registry
from tests.api.conftest import CLASSIFY_URL, DETECT_URL, gateway
from tests.mammocad.ingest.conftest import dicom_bytes, phantom
from tests.registry.builders import calibration_record, make_model_folder, ood_record

# The phantom's square lesion: x 48-72 from the chest wall, y 188-212, on a 400 x 300 image; with
# the chest wall on the right it lies at x 228-252 of the original.
RIGHT_LESION = (228.0, 188.0, 252.0, 212.0)
GRID = IngestOptions(target_shape=(128, 96))  # what tests.registry.builders trains "with"
PROBABILITIES = {"normal": 0.6, "benign": 0.1, "malignant": 0.3}


def _right_breast_dicom() -> bytes:
    image = (phantom(chest_wall="right") * 4095).astype(np.uint16)
    return dicom_bytes(image, BitsStored=12, HighBit=11, ImageLaterality="R", ViewPosition="MLO")


def _post(client: TestClient, path: str, data: bytes, **params: str) -> httpx.Response:
    return client.post(
        path, files={"file": ("image.dcm", data, "application/dicom")}, params=params
    )


def _classify_answer(request: httpx.Request) -> httpx.Response:
    """A classification service: one fixed answer per item of the tensor frame it got."""
    assert request.headers["content-type"] == MEDIA_TYPE
    header, _ = unpack(request.content, ClassifyRequest)
    return httpx.Response(
        200,
        json=[{"probabilities": PROBABILITIES, "logits": {"abnormal": 0.4, "malignant": -0.8}}]
        * len(header.items),
    )


def _lesion_finder(request: httpx.Request) -> httpx.Response:
    """A detection service that finds the phantom's bright lesion in the model input it got, and
    answers its box on the model grid, with a few weaker boxes to be thresholded away."""
    assert request.headers["content-type"] == MEDIA_TYPE
    header, tensors = unpack(request.content, DetectRequest)
    [item] = header.items
    rows, columns = np.nonzero(item.input.read(tensors)[0] > 0.75)
    found = [
        float(columns.min()),
        float(rows.min()),
        float(columns.max() + 1),
        float(rows.max() + 1),
    ]
    detections = [
        {"box": found, "score": 0.9, "malignancy": 0.7},
        {"box": [40.0, 10.0, 50.0, 20.0], "score": 0.4, "malignancy": 0.2},  # == threshold: kept
        {"box": [40.0, 30.0, 50.0, 40.0], "score": 0.39, "malignancy": 0.9},
    ]
    return httpx.Response(200, json=[{"detections": detections}])


def _assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body["type"] == f"urn:mammocad:problem:{code}"
    return body


def test_classify_sends_exactly_the_ingested_input(
    inference_client: TestClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_callback(_classify_answer, url=f"{CLASSIFY_URL}/tensors/classify", method="POST")
    data = _right_breast_dicom()
    response = _post(inference_client, "/v1/classify", data)
    assert response.status_code == 200, response.text

    [sent] = httpx_mock.get_requests()
    assert sent.headers["content-type"] == MEDIA_TYPE
    header, tensors = unpack(sent.content, ClassifyRequest)
    [item] = header.items
    assert item.model.name == "classifier" and item.model.version == 1
    expected = ingest_bytes(data, GRID).model_input()
    assert item.input.dtype == "float32" and item.input.shape == expected.shape
    assert np.array_equal(item.input.read(tensors), expected)
    # The frame's tensor bytes are the ingested input's own float32 bytes, and nothing more.
    assert item.input.offset == 0 and bytes(tensors) == expected.astype("<f4").tobytes()

    body = response.json()
    assert body["request_id"] == response.headers["x-request-id"]
    assert body["model"] == {
        "name": "classifier",
        "version": 1,
        "alias": "production",
        "synthetic_training": True,
    }
    assert body["image"] == {
        "source_format": "dicom",
        "rows": 400,
        "columns": 300,
        "laterality": "R",
        "view": "MLO",
        "sop_instance_uid": body["image"]["sop_instance_uid"],
    }
    assert body["image"]["sop_instance_uid"].startswith("1.2.")
    assert body["probabilities"] == PROBABILITIES
    assert body["prediction"] == {
        "label": "normal",
        "abnormal_score": pytest.approx(0.4),
        "abnormal_threshold": 0.5,
        "abnormal": False,
    }
    assert body["calibrated"] is False and body["calibration"] is None and body["ood"] is None
    timing = body["timing_ms"]
    assert 0 <= timing["ingest"] <= timing["total"] and 0 <= timing["inference"] <= timing["total"]


@pytest.mark.parametrize(
    "model, version, alias, abnormal",
    [("2", 2, None, True), ("staging", 2, "staging", True), ("production", 1, "production", False)],
)
def test_model_by_alias_or_number_with_its_own_operating_point(
    inference_client: TestClient,
    httpx_mock: HTTPXMock,
    model: str,
    version: int,
    alias: str | None,
    abnormal: bool,
) -> None:
    httpx_mock.add_callback(_classify_answer, url=f"{CLASSIFY_URL}/tensors/classify")
    body = _post(inference_client, "/v1/classify", _right_breast_dicom(), model=model).json()
    assert body["model"] == {
        "name": "classifier",
        "version": version,
        "alias": alias,
        "synthetic_training": True,
    }
    assert body["prediction"]["abnormal"] is abnormal
    [sent] = httpx_mock.get_requests()
    assert unpack(sent.content, ClassifyRequest)[0].items[0].model.version == version


def test_every_answer_says_whether_its_version_learned_from_synthetic_images_only(
    full_registry: Registry,
    inference_client: TestClient,
    httpx_mock: HTTPXMock,
    tmp_path: Path,
) -> None:
    """A client with an inference-only key (no models:read) still learns it from the answer."""
    real = make_model_folder(tmp_path / "real-data", "classify", synthetic=False)
    version = full_registry.register(real, "classifier", actor="tester").version
    classify = f"{CLASSIFY_URL}/tensors/classify"
    httpx_mock.add_callback(_classify_answer, url=classify, is_reusable=True)
    httpx_mock.add_callback(_lesion_finder, url=f"{DETECT_URL}/tensors/detect")
    data = _right_breast_dicom()
    synthetic = _post(inference_client, "/v1/classify", data).json()["model"]
    assert synthetic["version"] == 1 and synthetic["synthetic_training"] is True
    detected = _post(inference_client, "/v1/detect", data)
    assert detected.status_code == 200, detected.text
    assert detected.json()["model"]["synthetic_training"] is True
    other = _post(inference_client, "/v1/classify", data, model=str(version)).json()["model"]
    assert other == {
        "name": "classifier",
        "version": version,
        "alias": None,
        "synthetic_training": False,
    }


def test_classifier_answers_are_calibrated_with_the_versions_temperatures(
    full_registry: Registry, inference_client: TestClient, httpx_mock: HTTPXMock
) -> None:
    temperatures = {"abnormal_temperature": 2.0, "malignant_temperature": 0.5}
    record = calibration_record().model_copy(update={"parameters": temperatures})
    full_registry.attach_record("classifier", 2, record, actor="tester")
    httpx_mock.add_callback(_classify_answer, url=f"{CLASSIFY_URL}/tensors/classify")
    body = _post(inference_client, "/v1/classify", _right_breast_dicom(), model="2").json()
    assert body["calibrated"] and body["calibration"]["parameters"] == temperatures
    expected = classifier_probabilities(
        0.4, -0.8, LogitMap.temperature(2.0), MalignancyMap.on_malignant_logit(LogitMap(2.0))
    )
    assert list(body["probabilities"].values()) == pytest.approx(list(expected))
    # Same decision as the raw model at its validated threshold (0.3), on the calibrated scale.
    assert body["prediction"]["abnormal_threshold"] == pytest.approx(
        float(scaled_scores(0.3, LogitMap.temperature(2)))
    )
    assert body["prediction"]["abnormal"] is True


def test_classifier_answers_apply_the_versions_platt_scaling(
    full_registry: Registry, inference_client: TestClient, httpx_mock: HTTPXMock
) -> None:
    parameters = {
        "abnormal_scale": 0.5,
        "abnormal_bias": -0.6,
        "malignant_scale": 1.5,
        "malignant_bias": 0.3,
    }
    record = calibration_record().model_copy(update={"method": "platt", "parameters": parameters})
    full_registry.attach_record("classifier", 2, record, actor="tester")
    httpx_mock.add_callback(_classify_answer, url=f"{CLASSIFY_URL}/tensors/classify")
    body = _post(inference_client, "/v1/classify", _right_breast_dicom(), model="2").json()
    assert body["calibrated"] and body["calibration"]["method"] == "platt"
    abnormal, malignant = LogitMap(0.5, -0.6), MalignancyMap(from_m=1.5, bias=0.3)
    expected = classifier_probabilities(0.4, -0.8, abnormal, malignant)
    assert list(body["probabilities"].values()) == pytest.approx(list(expected))
    # p(abnormal) = sigmoid(0.5 * 0.4 - 0.6) < 0.5, yet the decision is the raw model's at its
    # validated threshold (0.3), carried through the same map.
    threshold = float(scaled_scores(0.3, abnormal))
    assert body["prediction"]["abnormal_threshold"] == pytest.approx(threshold)
    assert body["prediction"]["abnormal"] is True


def test_classifier_answers_apply_the_versions_joint_scaling(
    full_registry: Registry, inference_client: TestClient, httpx_mock: HTTPXMock
) -> None:
    parameters = {
        "abnormal_scale": 1.2,
        "abnormal_bias": 0.1,
        "malignant_from_m": 0.2,
        "malignant_from_a": 1.5,
        "malignant_from_am": -0.3,
        "malignant_bias": -0.5,
    }
    record = calibration_record().model_copy(update={"method": "joint", "parameters": parameters})
    full_registry.attach_record("classifier", 2, record, actor="tester")
    httpx_mock.add_callback(_classify_answer, url=f"{CLASSIFY_URL}/tensors/classify")
    body = _post(inference_client, "/v1/classify", _right_breast_dicom(), model="2").json()
    assert body["calibrated"] and body["calibration"]["method"] == "joint"
    # p(malignant | abnormal) = sigmoid(0.2 * -0.8 + 1.5 * 0.4 - 0.3 * 0.4 * -0.8 - 0.5)
    p_abnormal = 1 / (1 + np.exp(-(1.2 * 0.4 + 0.1)))
    p_malignant = 1 / (1 + np.exp(-(0.2 * -0.8 + 1.5 * 0.4 + 0.3 * 0.4 * 0.8 - 0.5)))
    assert body["probabilities"]["normal"] == pytest.approx(1 - p_abnormal)
    assert body["probabilities"]["malignant"] == pytest.approx(p_abnormal * p_malignant)
    assert body["prediction"]["abnormal_threshold"] == pytest.approx(
        float(scaled_scores(0.3, LogitMap(1.2, 0.1)))
    )


def test_a_calibration_the_gateway_cannot_apply_is_reported_as_none(
    full_registry: Registry, inference_client: TestClient, httpx_mock: HTTPXMock
) -> None:
    record = calibration_record().model_copy(update={"method": "platt"})  # no scale/bias
    full_registry.attach_record("classifier", 2, record, actor="tester")
    httpx_mock.add_callback(_classify_answer, url=f"{CLASSIFY_URL}/tensors/classify")
    body = _post(inference_client, "/v1/classify", _right_breast_dicom(), model="2").json()
    assert body["calibrated"] is False and body["calibration"] is None
    assert body["probabilities"]["normal"] == pytest.approx(PROBABILITIES["normal"])


@pytest.mark.parametrize("score, flagged", [(1.0, False), (1e6, True)])
def test_the_ood_score_is_judged_against_the_versions_threshold(
    inference_client: TestClient, httpx_mock: HTTPXMock, score: float, flagged: bool
) -> None:
    answer = {"probabilities": PROBABILITIES, "logits": {"abnormal": 0.4, "malignant": -0.8}}
    httpx_mock.add_response(
        url=f"{CLASSIFY_URL}/tensors/classify", json=[answer | {"ood_score": score}]
    )
    body = _post(inference_client, "/v1/classify", _right_breast_dicom()).json()
    threshold = ood_record().threshold
    assert body["ood"]["score"] == score and body["ood"]["threshold"] == threshold
    assert body["ood"]["flagged"] is flagged and bool(body["ood"]["reasons"]) is flagged
    assert body["probabilities"]  # flagged images are still answered


def test_detect_boxes_come_back_in_original_pixels(
    inference_client: TestClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_callback(_lesion_finder, url=f"{DETECT_URL}/tensors/detect", method="POST")
    data = _right_breast_dicom()
    assert ingest_bytes(data, GRID).orientation.flipped  # the map back must undo a mirror

    response = _post(inference_client, "/v1/detect", data)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"] == {
        "name": "detector",
        "version": 1,
        "alias": "production",
        "synthetic_training": True,
    }
    assert body["ood"] is None
    # The version's calibration (temperature 1.7) maps scores and threshold alike: the same
    # boxes pass, with calibrated scores.
    assert body["calibrated"] and body["calibration"]["parameters"] == {"temperature": 1.7}
    temperature = LogitMap.temperature(1.7)
    assert body["score_threshold"] == pytest.approx(float(scaled_scores(0.4, temperature)))
    assert [d["score"] for d in body["detections"]] == pytest.approx(
        list(scaled_scores([0.9, 0.4], temperature))
    )
    best = body["detections"][0]
    assert best["label"] == "mass" and best["malignancy"] == 0.7
    # One model-grid pixel is about 2.8 original pixels here.
    assert best["box"] == pytest.approx(RIGHT_LESION, abs=4.0)


@pytest.mark.parametrize(
    "params, code",
    [
        ({"model": "9"}, "version-not-found"),
        ({"model": "nosuch"}, "version-not-found"),
    ],
)
def test_unknown_versions_and_aliases_are_404(
    inference_client: TestClient, params: dict[str, str], code: str
) -> None:
    response = _post(inference_client, "/v1/classify", _right_breast_dicom(), **params)
    _assert_problem(response, 404, code)


def test_a_malformed_model_reference_is_refused(inference_client: TestClient) -> None:
    response = _post(inference_client, "/v1/detect", _right_breast_dicom(), model="Prod uction")
    _assert_problem(response, 422, "invalid-request")


@pytest.mark.parametrize("model_name", ["nosuch", "detector"])
def test_an_unknown_or_wrong_task_model_is_404(full_registry: Registry, model_name: str) -> None:
    with gateway(full_registry, classify_model=model_name) as client:
        response = _post(client, "/v1/classify", _right_breast_dicom())
    _assert_problem(response, 404, "model-not-found")


def test_bad_uploads_never_reach_the_service(inference_client: TestClient) -> None:
    response = inference_client.post(
        "/v1/detect", content=b"%PDF-1.7", headers={"content-type": "application/octet-stream"}
    )
    _assert_problem(response, 415, "unsupported-format")


def test_service_down_is_503_then_recovers(
    inference_client: TestClient, httpx_mock: HTTPXMock
) -> None:
    for _ in range(3):  # one try and two retries
        httpx_mock.add_exception(
            httpx.ConnectError("connection refused"), url=f"{DETECT_URL}/tensors/detect"
        )
    httpx_mock.add_callback(_lesion_finder, url=f"{DETECT_URL}/tensors/detect")

    down = _post(inference_client, "/v1/detect", _right_breast_dicom())
    body = _assert_problem(down, 503, "task-service-unavailable")
    assert down.headers["retry-after"] == "5" and "detect" in str(body["detail"])

    assert _post(inference_client, "/v1/detect", _right_breast_dicom()).status_code == 200


def test_service_refusals_and_bad_answers(
    inference_client: TestClient, httpx_mock: HTTPXMock
) -> None:
    url = f"{CLASSIFY_URL}/tensors/classify"
    httpx_mock.add_response(url=url, status_code=404, json={"error": "classifier:1 not loaded"})
    httpx_mock.add_response(url=url, json=[{"probabilities": {"normal": 1.0}, "logits": {}}])
    not_a_frame = {"error": "not a request of the inference contract: items: Field required"}
    httpx_mock.add_response(url=url, status_code=400, json=not_a_frame)

    missing = _post(inference_client, "/v1/classify", _right_breast_dicom())
    assert "classifier:1 not loaded" in str(_assert_problem(missing, 404, "version-not-found"))
    bad = _post(inference_client, "/v1/classify", _right_breast_dicom())
    _assert_problem(bad, 502, "bad-service-answer")
    # The service's 400 for a body that is not a frame of the contract is the gateway's own
    # fault between the two processes: a 502, never a 400 blaming the caller's upload.
    refused_frame = _post(inference_client, "/v1/classify", _right_breast_dicom())
    _assert_problem(refused_frame, 502, "bad-service-answer")


def test_clients_are_closed_with_the_app(full_registry: Registry) -> None:
    with gateway(full_registry) as client:
        assert isinstance(client.app, FastAPI)
        services = client.app.state.task_services
    replicas = [*services.classify.replicas.replicas, *services.detect.replicas.replicas]
    assert all(replica.http.is_closed for replica in replicas)


def test_a_measured_calibration_that_kept_none_answers_uncalibrated(
    full_registry: Registry, inference_client: TestClient, httpx_mock: HTTPXMock
) -> None:
    """A release whose cross-fitted calibration did not beat the model's own probabilities
    records method 'none': the answer carries the model's probabilities, calibrated false."""
    record = calibration_record().model_copy(update={"method": "none", "parameters": {}})
    full_registry.attach_record("classifier", 2, record, actor="tester")
    httpx_mock.add_callback(_classify_answer, url=f"{CLASSIFY_URL}/tensors/classify")
    body = _post(inference_client, "/v1/classify", _right_breast_dicom(), model="2").json()
    assert body["calibrated"] is False and body["calibration"] is None
    assert body["probabilities"]["normal"] == pytest.approx(PROBABILITIES["normal"])
    assert body["prediction"]["abnormal_threshold"] == pytest.approx(0.3)  # the model's own
