"""The gateway as a real uvicorn process, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.api.conftest import LIVE_UPLOAD_LIMIT
from tests.mammocad.ingest.conftest import dicom_bytes, phantom

pytestmark = pytest.mark.integration


def test_liveness(live_gateway: str) -> None:
    response = httpx.get(f"{live_gateway}/v1/health/live")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_synthetic_dicom_over_http(live_gateway: str) -> None:
    data = dicom_bytes((phantom() * 255).astype(np.uint8), ImageLaterality="L")
    response = httpx.post(f"{live_gateway}/v1/inspect", files={"file": ("a.dcm", data)})
    assert response.status_code == 200
    assert response.json()["image"]["laterality"] == "L"


def test_jpeg2000_sample_over_http(live_gateway: str, dicom_samples_dir: Path) -> None:
    data = (dicom_samples_dir / "MG1_J2KI.dcm").read_bytes()
    response = httpx.post(
        f"{live_gateway}/v1/inspect",
        content=data,
        headers={"content-type": "application/dicom"},
        timeout=60,
    )
    assert response.status_code == 200
    assert response.json()["image"]["columns"] == 3064


def test_undecodable_sample_is_415_and_the_server_lives_on(
    live_gateway: str, dicom_samples_dir: Path
) -> None:
    data = (dicom_samples_dir / "MG1_JPLY.dcm").read_bytes()
    response = httpx.post(f"{live_gateway}/v1/inspect", files={"file": ("b.dcm", data)}, timeout=60)
    assert response.status_code == 415
    assert response.json()["type"] == "urn:mammocad:problem:undecodable-transfer-syntax"
    assert httpx.get(f"{live_gateway}/v1/health/live").status_code == 200


def test_oversized_streamed_upload_is_cut_off(live_gateway: str) -> None:
    """Chunked upload without Content-Length: the limit is enforced while streaming."""
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(LIVE_UPLOAD_LIMIT // 65536 * 4):
            sent += 65536
            yield b"\x00" * 65536

    try:
        response = httpx.post(
            f"{live_gateway}/v1/inspect",
            content=chunks(),
            headers={"content-type": "application/dicom"},
            timeout=30,
        )
        assert response.status_code == 413
        assert response.json()["type"] == "urn:mammocad:problem:payload-too-large"
    except httpx.WriteError:
        pass  # the server may answer and close before the client finished writing
    assert sent <= LIVE_UPLOAD_LIMIT * 4
    assert httpx.get(f"{live_gateway}/v1/health/live").status_code == 200
