"""``format=dicom-sr`` / ``dicom-mammo-cad-sr`` on the in-process gateway (the task services are
answered by pytest-httpx): the report says what the JSON says, and a header that cannot make a
report gets a 422 problem, never a 500."""

from __future__ import annotations

import io

import highdicom
import httpx
import numpy as np
import pydicom
import pytest
from fastapi.testclient import TestClient
from pytest_httpx import HTTPXMock

from tests.api.conftest import CLASSIFY_URL, DETECT_URL
from tests.api.test_inference_routes import (
    _assert_problem,
    _classify_answer,
    _lesion_finder,
    _post,
    _right_breast_dicom,
)
from tests.mammocad.ingest.conftest import dicom_bytes, phantom

STUDY_UID = "1.2.826.0.1.3680043.8.498.777"


def _with_study() -> bytes:
    image = (phantom(chest_wall="right") * 4095).astype(np.uint16)
    return dicom_bytes(
        image,
        BitsStored=12,
        HighBit=11,
        ImageLaterality="R",
        ViewPosition="MLO",
        StudyInstanceUID=STUDY_UID,
        SeriesInstanceUID=STUDY_UID + ".1",
        PatientOrientation=["P", "L"],
    )


def _sr(response: httpx.Response) -> highdicom.sr.MeasurementReport:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/dicom"
    document = pydicom.dcmread(io.BytesIO(response.content))
    assert document.StudyInstanceUID == STUDY_UID
    assert document.SOPInstanceUID == response.headers["x-mammocad-sop-instance-uid"]
    content = highdicom.sr.Comprehensive3DSR.from_dataset(document).content
    assert isinstance(content, highdicom.sr.MeasurementReport)
    return content


def test_classification_report_carries_the_json_probabilities(
    inference_client: TestClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_callback(
        _classify_answer, url=f"{CLASSIFY_URL}/tensors/classify", method="POST", is_reusable=True
    )
    data = _with_study()
    answer = _post(inference_client, "/v1/classify", data).json()
    report = _sr(_post(inference_client, "/v1/classify", data, format="dicom-sr"))
    [group] = report.get_image_measurement_groups()
    measured = {m.name.meaning: m.value for m in group.get_measurements()}
    assert measured["Probability of cancer"] == pytest.approx(answer["probabilities"]["malignant"])
    assert measured["CAD Operating Point"] == pytest.approx(
        answer["prediction"]["abnormal_threshold"]
    )


def test_detection_report_carries_the_json_boxes(
    inference_client: TestClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_callback(
        _lesion_finder, url=f"{DETECT_URL}/tensors/detect", method="POST", is_reusable=True
    )
    data = _with_study()
    answer = _post(inference_client, "/v1/detect", data).json()
    report = _sr(_post(inference_client, "/v1/detect", data, format="dicom-sr"))
    rois = report.get_planar_roi_measurement_groups()
    assert len(rois) == len(answer["detections"]) >= 1
    for group, found in zip(rois, answer["detections"], strict=True):
        assert group.roi is not None
        x0, y0, x1, y1 = found["box"]
        np.testing.assert_allclose(
            group.roi.value, [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
        )


def test_mammography_cad_report_is_its_sop_class(
    inference_client: TestClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_callback(_lesion_finder, url=f"{DETECT_URL}/tensors/detect", method="POST")
    response = _post(inference_client, "/v1/detect", _with_study(), format="dicom-mammo-cad-sr")
    assert response.status_code == 200, response.text
    document = pydicom.dcmread(io.BytesIO(response.content))
    assert document.SOPClassUID == "1.2.840.10008.5.1.4.1.1.88.50"
    assert document.VerificationFlag == "UNVERIFIED"


@pytest.mark.parametrize("output", ["dicom-sr", "dicom-mammo-cad-sr"])
def test_a_header_without_a_study_gets_a_422_problem(
    inference_client: TestClient, httpx_mock: HTTPXMock, output: str
) -> None:
    httpx_mock.add_callback(_classify_answer, url=f"{CLASSIFY_URL}/tensors/classify", method="POST")
    response = _post(inference_client, "/v1/classify", _right_breast_dicom(), format=output)
    body = _assert_problem(response, 422, "dicom-header-unusable")
    assert "InstanceUID" in str(body["detail"])  # the identifier it lacks is named
