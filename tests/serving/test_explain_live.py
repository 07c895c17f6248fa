"""``POST /v1/explain`` over real HTTP: uvicorn gateway -> bentoml services -> captum / shap.

The tiny models of the serving fixtures were trained for one epoch: these tests check the
contract (geometry, PNGs, DICOM Secondary Capture, targets, refusals). Whether the heatmaps point
at lesions is checked with trained models in ``test_explanations_point_at_lesions`` (slow).
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
import pydicom
import pytest
from PIL import Image

from mammocad.datasets.records import DataSet
from mammocad.datasets.spec import load_dataset
from models.trust.shift_sets import non_mammograms
from tests.serving.conftest import SERVED_DETECTOR, Stack, TrainedVersions, post_image

pytestmark = pytest.mark.integration

SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"


def _png(data: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(data)))


@pytest.mark.parametrize("method", ["gradcam", "shap"])
def test_explain_a_classification_in_original_geometry(
    stack: Stack, tiny_set: DataSet, method: str
) -> None:
    record = tiny_set[0]
    response = post_image(
        stack.gateway, "explain", record.path.read_bytes(), task="classify", method=method
    )
    assert response.status_code == 200, response.text
    body = response.json()
    # the session's tiny models learned from synthetic images (tests.serving.conftest)
    assert body["model"] == {
        "name": "classifier",
        "version": 1,
        "alias": None,
        "synthetic_training": True,
    }
    # Default target: the class the answer itself finds most probable.
    assert body["explained"]["class_name"] == body["prediction"]["label"]
    assert body["method"]["name"] == method
    library = body["method"]["details"]["library"]
    assert library.startswith("captum" if method == "gradcam" else "shap")
    heatmap, image = body["heatmap"], body["image"]
    grey, overlay = _png(heatmap["png_base64"]), _png(heatmap["overlay_png_base64"])
    assert grey.mode == "L" and overlay.mode == "RGB"
    assert grey.size == overlay.size == (heatmap["width"], heatmap["height"])
    assert heatmap["width"] * heatmap["scale_x"] == pytest.approx(image["columns"])
    assert heatmap["height"] * heatmap["scale_y"] == pytest.approx(image["rows"])
    if heatmap["peak"] is not None:
        x, y = heatmap["peak"]
        assert 0 <= x <= image["columns"] and 0 <= y <= image["rows"]
        # The grey map is brightest around the peak (within two cells of the model grid).
        values = np.asarray(grey, dtype=float)
        column, row = int(x / heatmap["scale_x"]), int(y / heatmap["scale_y"])
        near = values[max(0, row - 16) : row + 17, max(0, column - 16) : column + 17]
        assert near.max() == values.max() > 200
    assert re.fullmatch(SERVED_DETECTOR, body["ood"]["detector"])
    assert body["timing_ms"]["explanation"] > 0


def test_shap_reports_how_it_was_computed(stack: Stack, tiny_set: DataSet) -> None:
    data = tiny_set[0].path.read_bytes()
    body = post_image(
        stack.gateway,
        "explain",
        data,
        task="classify",
        method="shap",
        target="malignant",
        nsamples="16",
    ).json()
    details = body["method"]["details"]
    assert body["explained"]["class_name"] == "malignant"
    assert details["nsamples"] == 16 and details["background_images"] >= 1
    assert details["completeness_gap"] >= 0 and "expected_value" in details


@pytest.mark.parametrize("method", ["gradcam", "shap"])
def test_explain_a_detection(stack: Stack, tiny_set: DataSet, method: str) -> None:
    record = tiny_set[1]
    response = post_image(
        stack.gateway, "explain", record.path.read_bytes(), task="detect", method=method
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"]["name"] == "detector" and body["explained"]["detection_index"] == 0
    x0, y0, x1, y1 = body["detection"]["detection"]["box"]
    assert 0 <= x0 < x1 <= body["image"]["columns"] and 0 <= y0 < y1 <= body["image"]["rows"]
    assert body["probabilities"] is None and body["prediction"] is None


def test_dicom_secondary_capture_references_the_source(stack: Stack, tiny_set: DataSet) -> None:
    data = tiny_set[0].path.read_bytes()
    source = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)
    response = post_image(stack.gateway, "explain", data, task="classify", format="dicom")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/dicom"
    capture = pydicom.dcmread(io.BytesIO(response.content))
    assert capture.SOPClassUID == SECONDARY_CAPTURE
    assert capture.StudyInstanceUID == source.StudyInstanceUID
    assert capture.SeriesInstanceUID != source.SeriesInstanceUID
    assert capture.SourceImageSequence[0].ReferencedSOPInstanceUID == source.SOPInstanceUID
    assert capture.pixel_array.shape == (source.Rows, source.Columns, 3)


def test_refusals_are_problems(stack: Stack, tiny_set: DataSet) -> None:
    dicom = tiny_set[0].path.read_bytes()
    [(_, png)] = non_mammograms(per_kind=1, seed=5)[:1]
    headless = pydicom.dcmread(io.BytesIO(dicom))
    del headless.StudyInstanceUID  # Type 1: a derived object cannot join a study it cannot name
    buffer = io.BytesIO()
    headless.save_as(buffer, enforce_file_format=True)
    cases = [
        (png, {"task": "classify", "format": "dicom"}, "dicom-source-required"),
        (png, {"task": "classify", "format": "dicom-pm"}, "dicom-source-required"),
        (buffer.getvalue(), {"task": "classify", "format": "dicom"}, "dicom-header-unusable"),
        (buffer.getvalue(), {"task": "classify", "format": "dicom-pm"}, "dicom-header-unusable"),
        (dicom, {"task": "detect", "target": "benign"}, "unknown-explanation-target"),
        (dicom, {"task": "classify", "target": "2"}, "unknown-explanation-target"),
        (dicom, {"task": "detect", "target": "999"}, "unknown-explanation-target"),
    ]
    for data, params, code in cases:
        response = post_image(stack.gateway, "explain", data, **params)
        assert response.status_code == 422, (params, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["type"] == f"urn:mammocad:problem:{code}", response.json()
    malformed = [
        {},  # no task
        {"task": "classify", "method": "lime"},
        {"task": "detect", "target": "9999"},
        {"task": "classify", "max_side": "10"},
        {"task": "classify", "method": "shap", "nsamples": "100000"},
    ]
    for params in malformed:
        response = post_image(stack.gateway, "explain", dicom, **params)
        assert response.status_code == 422, (params, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


def test_explain_the_real_films(stack: Stack, mini_mias_dir: Path, dicom_samples_dir: Path) -> None:
    for path in (mini_mias_dir / "mdb001.pgm", dicom_samples_dir / "MG1_J2KI.dcm"):
        response = post_image(
            stack.gateway, "explain", path.read_bytes(), task="classify", max_side="1024"
        )
        assert response.status_code == 200, (path.name, response.text)
        heatmap = response.json()["heatmap"]
        assert max(heatmap["width"], heatmap["height"]) <= 1024


@pytest.mark.slow
@pytest.mark.parametrize("task", ["classify", "detect"])
@pytest.mark.parametrize("method", ["gradcam", "shap"])
def test_explanations_point_at_lesions(
    tmp_path_factory: pytest.TempPathFactory,
    stack: Stack,
    trained_versions: TrainedVersions,
    task: str,
    method: str,
) -> None:
    """On synthetic images with one lesion (a mass for the detector), the heatmap's peak, in
    ORIGINAL pixels, falls inside the lesion's box on most of them (a blind map would hit it
    on a few per cent: the boxes cover 2-4 % of the breast)."""
    test = load_dataset("synthetic:12,seed=7", cache_root=tmp_path_factory.mktemp("point"))
    version = trained_versions.classifier if task == "classify" else trained_versions.detector
    hits = images = 0
    for record in test:
        lesions = [les for les in record.lesions if task == "classify" or les.kind.is_mass]
        if len(record.lesions) != 1 or len(lesions) != 1 or lesions[0].box is None:
            continue
        params = {"task": task, "method": method, "model": str(version)}
        if task == "classify":
            params["target"] = record.label.value  # explain the true class (pointing game)
        response = post_image(stack.gateway, "explain", record.path.read_bytes(), **params)
        assert response.status_code == 200, response.text
        peak = response.json()["heatmap"]["peak"]
        x0, y0, x1, y1 = lesions[0].box
        images += 1
        hits += peak is not None and x0 <= peak[0] <= x1 and y0 <= peak[1] <= y1
    assert images >= 6, f"only {images} single-lesion images"
    assert hits / images > 0.5, f"{task} {method}: peak in the lesion on {hits} of {images}"
