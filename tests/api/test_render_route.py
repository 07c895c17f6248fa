"""/v1/render: the display pixels the viewer windows, in process (fast)."""

from __future__ import annotations

import base64
import io

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pytest_httpx import HTTPXMock

from mammocad.schemas.inference_contract import ClassifyOutcome, EncodedArray, ExplainOutcome
from tests.api.conftest import CLASSIFY_URL
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


@pytest.mark.parametrize("max_side", ["0", "63", "8193", "abc", str(10**12), "1.5"])
def test_a_bad_max_side_is_refused_as_a_problem(client: TestClient, max_side: str) -> None:
    image = dicom_bytes((phantom() * 4095).astype(np.uint16), BitsStored=12, HighBit=11)
    response = client.post(
        "/v1/render", params={"max_side": max_side}, files={"file": ("x.dcm", image)}
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "max_side" in response.text


def _explanation(request: httpx.Request) -> httpx.Response:
    """A classify service's explanation: evidence everywhere on the (128, 96) grid, stride 8."""
    outcome = ExplainOutcome(
        classification=ClassifyOutcome(
            probabilities={"normal": 0.2, "benign": 0.3, "malignant": 0.5},
            logits={"abnormal": 1.0, "malignant": 0.2},
        ),
        cell_map=EncodedArray.encode(np.ones((16, 12), dtype=np.float32)),
        stride=8,
        method="gradcam",
        explained="p(malignant)",
        class_name="malignant",
        value=0.5,
        details={"library": "stand-in"},
        compute_ms=1.0,
    )
    return httpx.Response(200, content=outcome.model_dump_json())


@pytest.mark.parametrize(
    "shape, max_side", [((400, 300), 100), ((400, 300), 2048), ((333, 197), 64), ((300, 400), 257)]
)
def test_render_and_explain_have_the_same_geometry_at_the_same_max_side(
    inference_client: TestClient,
    httpx_mock: HTTPXMock,
    shape: tuple[int, int],
    max_side: int,
) -> None:
    """The viewer lays the heatmap on the rendered pixels: same size, same scales."""
    httpx_mock.add_callback(_explanation, url=f"{CLASSIFY_URL}/tensors/explain")
    pixels = (phantom(*shape) * 4095).astype(np.uint16)
    image = dicom_bytes(pixels, BitsStored=12, HighBit=11, ImageLaterality="L")
    files = {"file": ("x.dcm", image)}
    params = {"max_side": str(max_side)}
    rendered = inference_client.post("/v1/render", params=params, files=files)
    explained = inference_client.post(
        "/v1/explain", params=params | {"task": "classify", "target": "malignant"}, files=files
    )
    assert rendered.status_code == 200, rendered.text
    assert explained.status_code == 200, explained.text
    render, heatmap = rendered.json(), explained.json()["heatmap"]
    geometry = ("width", "height", "scale_x", "scale_y")
    assert [render[k] for k in geometry] == [heatmap[k] for k in geometry]
    assert max(render["width"], render["height"]) == min(max_side, max(shape))
    # explanations name their version like every answer, synthetic training included
    assert explained.json()["model"]["synthetic_training"] is True
