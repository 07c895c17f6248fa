"""/v1/inspect and the problem+json mapping, in process (fast)."""

from __future__ import annotations

import io
from typing import Any

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.mammocad.ingest.conftest import dicom_bytes, phantom


def _png(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def _assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == f"urn:mammocad:problem:{code}"
    assert body["status"] == status and body["title"] and body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    return body


def test_multipart_dicom_is_described(client: TestClient) -> None:
    image = (phantom(chest_wall="right") * 4095).astype(np.uint16)
    data = dicom_bytes(image, BitsStored=12, HighBit=11, ImageLaterality="R", ViewPosition="CC")
    response = client.post("/v1/inspect", files={"file": ("x.dcm", data, "application/dicom")})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["image"]["laterality"] == "R" and body["image"]["view"] == "CC"
    assert body["image"]["rows"] == 400 and body["image"]["columns"] == 300
    assert body["orientation"] == {"chest_wall_side": "right", "source": "image", "flipped": True}
    assert body["model_grid"] == {"rows": 1024, "columns": 768}
    assert body["transform"]["x"]["scale"] < 0
    assert "DOE" not in response.text and "SECRET" not in response.text


def test_raw_body_and_caller_request_id(client: TestClient) -> None:
    response = client.post(
        "/v1/inspect",
        content=_png((phantom() * 255).astype(np.uint8)),
        headers={"content-type": "image/png", "x-request-id": "viewer-42"},
    )
    assert response.status_code == 200
    assert response.json()["request_id"] == "viewer-42"
    assert response.headers["x-request-id"] == "viewer-42"


def test_malformed_request_id_is_replaced(client: TestClient) -> None:
    response = client.get("/v1/health/live", headers={"x-request-id": "bad id with spaces"})
    assert response.headers["x-request-id"] != "bad id with spaces"


@pytest.mark.parametrize(
    "body, content_type, status, code",
    [
        (b"", "application/dicom", 400, "empty-image"),
        (b"%PDF-1.7", "application/octet-stream", 415, "unsupported-format"),
        (b"x", "text/plain", 415, "unsupported-media-type"),
        (
            dicom_bytes(np.zeros((64, 64), np.uint16))[:-3000],
            "application/dicom",
            422,
            "corrupt-image",
        ),
        (dicom_bytes(None), "application/dicom", 422, "no-pixel-data"),
        (
            _png(
                np.dstack(
                    [
                        np.full((8, 8), 200, np.uint8),
                        np.zeros((8, 8), np.uint8),
                        np.zeros((8, 8), np.uint8),
                    ]
                )
            ),
            "image/png",
            422,
            "colour-image",
        ),
        (b"\x00" * 1_000_001, "application/dicom", 413, "payload-too-large"),
    ],
)
def test_bad_uploads_are_problems(
    client: TestClient, body: bytes, content_type: str, status: int, code: str
) -> None:
    response = client.post("/v1/inspect", content=body, headers={"content-type": content_type})
    _assert_problem(response, status, code)


def test_multipart_without_file_field(client: TestClient) -> None:
    response = client.post(
        "/v1/inspect", data={"note": "no file"}, files={"other": ("a.txt", b"abc", "text/plain")}
    )
    _assert_problem(response, 400, "invalid-input")


def test_unknown_route_and_method_are_problems(client: TestClient) -> None:
    _assert_problem(client.get("/v1/nothing-here"), 404, "not-found")
    _assert_problem(client.get("/v1/inspect"), 405, "method-not-allowed")
