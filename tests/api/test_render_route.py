"""/v1/render: the display pixels the viewer windows, in process (fast)."""

from __future__ import annotations

import base64
import io

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image

from tests.mammocad.ingest.conftest import dicom_bytes, phantom


def _pixels(body: dict[str, object]) -> np.ndarray:
    raw = base64.b64decode(str(body["pixels_base64"]))
    return np.frombuffer(raw, dtype="<u2").reshape(int(str(body["height"])), -1)


def test_a_16_bit_png_comes_back_with_its_own_contrast_steps(client: TestClient) -> None:
    ramp = np.tile(np.arange(0, 65536, 256, dtype=np.uint16), (64, 1))  # 64 x 256, 256 levels
    buffer = io.BytesIO()
    Image.fromarray(ramp).save(buffer, format="PNG")
    response = client.post("/v1/render", files={"file": ("ramp.png", buffer.getvalue())})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["width"], body["height"], body["scale_x"], body["scale_y"]) == (256, 64, 1, 1)
    values = _pixels(body)
    assert len(np.unique(values)) == 256  # more than an 8-bit picture could carry
    assert values[0, 0] < values[0, -1] and np.all(np.diff(values[0].astype(int)) > 0)


def test_monochrome1_is_inverted_and_large_images_are_downscaled(client: TestClient) -> None:
    image = (phantom() * 4095).astype(np.uint16)  # 400 x 300, bright breast on dark
    dark = dicom_bytes(
        4095 - image, BitsStored=12, HighBit=11, PhotometricInterpretation="MONOCHROME1"
    )
    response = client.post("/v1/render", params={"max_side": 100}, files={"file": ("x.dcm", dark)})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["height"], body["width"]) == (100, 75)
    assert body["scale_x"] == 4 and body["scale_y"] == 4
    assert body["image"]["rows"] == 400 and body["image"]["columns"] == 300
    values = _pixels(body).astype(float) / 65535
    reference = np.asarray(
        Image.fromarray(phantom().astype(np.float32), mode="F").resize(
            (75, 100), Image.Resampling.BOX
        )
    )
    assert np.abs(values - reference).max() < 0.01  # MONOCHROME2 sense: the breast is bright
    assert "DOE" not in response.text and "SECRET" not in response.text


def test_not_an_image_is_refused_as_a_problem(client: TestClient) -> None:
    response = client.post("/v1/render", files={"file": ("x.txt", b"hello, not an image")})
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"
