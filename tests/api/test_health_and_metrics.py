"""Readiness (production models in the registry AND ready task services) and Prometheus metrics."""

from __future__ import annotations

from pathlib import Path

import httpx
import numpy as np
from fastapi.testclient import TestClient
from pytest_httpx import HTTPXMock

from registry import Registry
from tests.api.conftest import CLASSIFY_URL, DETECT_URL, add_detector, gateway
from tests.mammocad.ingest.conftest import dicom_bytes, phantom


def test_ready_lists_what_is_missing_then_becomes_ready(
    classifier_registry: Registry, tmp_path: Path, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{CLASSIFY_URL}/readyz", json={"status": "ready"})
    httpx_mock.add_exception(httpx.ConnectError("connection refused"), url=f"{DETECT_URL}/readyz")
    with gateway(classifier_registry) as client:
        not_ready = client.get("/v1/health/ready")
        assert not_ready.status_code == 503
        assert not_ready.headers["content-type"] == "application/problem+json"
        assert not_ready.headers["retry-after"] == "5"
        body = not_ready.json()
        assert body["type"] == "urn:mammocad:problem:not-ready"
        assert list(body["missing"]) == ["detect"]  # the classifier is fine
        registry_reason, service_reason = body["missing"]["detect"]
        assert "no production detect model" in registry_reason and "detector" in registry_reason
        assert "unreachable" in service_reason and "detect.test" in service_reason

        add_detector(classifier_registry, tmp_path)
        httpx_mock.add_response(url=f"{CLASSIFY_URL}/readyz", json={"status": "ready"})
        httpx_mock.add_response(url=f"{DETECT_URL}/readyz", json={"status": "ready"})
        ready = client.get("/v1/health/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {
        "status": "ready",
        "tasks": {
            "classify": {"model": "classifier", "production_version": 1, "service": CLASSIFY_URL},
            "detect": {"model": "detector", "production_version": 1, "service": DETECT_URL},
        },
    }


def test_a_service_still_loading_is_not_ready(
    full_registry: Registry, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{CLASSIFY_URL}/readyz", status_code=503, text="loading")
    httpx_mock.add_response(url=f"{DETECT_URL}/readyz", json={"status": "ready"})
    with gateway(full_registry) as client:
        body = client.get("/v1/health/ready").json()
    assert body["missing"] == {
        "classify": [f"classify service at {CLASSIFY_URL} not ready (503): loading"]
    }


REPLICAS = ("http://classify-a.test", "http://classify-b.test")


def test_one_ready_replica_of_two_is_ready_and_named(
    full_registry: Registry, httpx_mock: HTTPXMock
) -> None:
    first, second = REPLICAS
    httpx_mock.add_exception(httpx.ConnectError("connection refused"), url=f"{first}/readyz")
    httpx_mock.add_response(url=f"{second}/readyz", json={"status": "ready"})
    httpx_mock.add_response(url=f"{DETECT_URL}/readyz", json={"status": "ready"})
    with gateway(full_registry, classify_url=",".join(REPLICAS)) as client:
        ready = client.get("/v1/health/ready")
        scraped = client.get("/metrics").text
    assert ready.status_code == 200, ready.text
    assert ready.json()["tasks"]["classify"]["service"] == second  # the ready one only
    # A readiness probe reports; only a failed request takes a replica out of rotation.
    assert _sample(scraped, "mammocad_task_replicas_in_rotation", task="classify") == 2.0
    assert _sample(scraped, "mammocad_task_replicas_in_rotation", task="detect") == 1.0


def test_no_ready_replica_is_not_ready_with_every_replicas_reason(
    full_registry: Registry, httpx_mock: HTTPXMock
) -> None:
    first, second = REPLICAS
    httpx_mock.add_exception(httpx.ConnectError("connection refused"), url=f"{first}/readyz")
    httpx_mock.add_response(url=f"{second}/readyz", status_code=503, text="loading")
    httpx_mock.add_response(url=f"{DETECT_URL}/readyz", json={"status": "ready"})
    with gateway(full_registry, classify_url=",".join(REPLICAS)) as client:
        not_ready = client.get("/v1/health/ready")
    assert not_ready.status_code == 503
    unreachable, loading = not_ready.json()["missing"]["classify"]
    assert "classify-a.test" in unreachable and "unreachable" in unreachable
    assert loading == f"classify service at {second} not ready (503): loading"


def _sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus text format, or None when it is absent."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith(f"{name}{{"):
            series, value = line.rsplit(" ", 1)
            found = ",".join(sorted(series[len(name) + 1 : -1].split(",")))
            if found == wanted:
                return float(value)
    return None


def test_metrics_count_requests_by_endpoint_status_and_model_version(
    inference_client: TestClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(
        url=f"{CLASSIFY_URL}/tensors/classify",
        json=[{"probabilities": {"normal": 1.0, "benign": 0.0, "malignant": 0.0}, "logits": {}}],
    )
    data = dicom_bytes((phantom() * 255).astype(np.uint8))
    assert inference_client.post("/v1/classify", content=data).status_code == 200
    assert inference_client.get("/v1/models/nosuch").status_code == 404

    scraped = inference_client.get("/metrics")
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    text = scraped.text
    requests = "mammocad_http_requests_total"
    assert _sample(text, requests, endpoint="/v1/classify", method="POST", status="200") == 1.0
    assert _sample(text, requests, endpoint="/v1/models/{name}", method="GET", status="404") == 1.0
    latency = "mammocad_http_request_duration_seconds_count"
    assert _sample(text, latency, endpoint="/v1/classify", model_version="classifier:1") == 1.0
    assert _sample(text, latency, endpoint="/v1/models/{name}", model_version="none") == 1.0
    assert _sample(text, "mammocad_http_requests_in_flight") is None  # unlabelled: no braces
    assert "mammocad_http_requests_in_flight 1.0" in text  # the scrape itself


def test_each_app_has_its_own_metrics(full_registry: Registry) -> None:
    with gateway(full_registry) as first, gateway(full_registry) as second:
        first.get("/v1/health/live")
        counted = _sample(
            second.get("/metrics").text,
            "mammocad_http_requests_total",
            endpoint="/v1/health/live",
            method="GET",
            status="200",
        )
    assert counted is None


def test_metrics_stay_out_of_the_api_contract(inference_client: TestClient) -> None:
    spec = inference_client.get("/openapi.json").json()
    assert "/metrics" not in spec["paths"]
    assert "/v1/classify" in spec["paths"] and "/v1/health/ready" in spec["paths"]
