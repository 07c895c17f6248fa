"""The reading-room round trip on real processes: Orthanc as the PACS, the gateway, both services.

A synthetic four-view study goes into Orthanc through its own REST API; the gateway's study
endpoint fetches it over DICOMweb, analyses it and stores an SR and a Parametric Map per image
back; the test finds them in Orthanc (again through Orthanc's own REST API, not the gateway's
DICOMweb client), parses them with highdicom, validates them with dicom3tools and DCMTK, and
checks that they say what ``/v1/classify`` and ``/v1/detect`` answer in JSON for the same image.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import highdicom
import httpx
import numpy as np
import pydicom
import pytest
from mammocad_client import AuthenticatedClient
from mammocad_client.api.studies import (
    analyse_v1_studies_study_instance_uid_analyse_post as analyse_study,
)
from mammocad_client.models import AnalyseV1StudiesStudyInstanceUidAnalysePostReport, StudyAnalysis

from mammocad.datasets.records import DataSet
from serving.processes import ServiceProcess
from tests.dicom_validators import dciodvfy_errors, dsrdump_problems, require_validators
from tests.orthanc import Orthanc
from tests.serving.conftest import ServingWorld, Stack, Study, gateway_on, post_image

pytestmark = pytest.mark.integration

COMPREHENSIVE_3D_SR = "1.2.840.10008.5.1.4.1.1.88.34"
MAMMOGRAPHY_CAD_SR = "1.2.840.10008.5.1.4.1.1.88.50"
PARAMETRIC_MAP = "1.2.840.10008.5.1.4.1.1.30"


@pytest.fixture(scope="module")
def pacs_gateway(
    stack: Stack,
    serving_world: ServingWorld,
    classify_service: ServiceProcess,
    orthanc: Orthanc,
) -> Iterator[str]:
    """A gateway configured with Orthanc as its PACS, on the stack's two services."""
    with gateway_on(
        stack, serving_world, classify_service, MAMMOCAD_DICOMWEB_URL=orthanc.dicomweb
    ) as url:
        yield url


def _analyse(gateway: str, study_uid: str, **params: str) -> httpx.Response:
    return httpx.post(
        f"{gateway}/v1/studies/{study_uid}/analyse",
        params={"classifier": "1", "detector": "1"} | params,
        timeout=300,
    )


def _from_orthanc(orthanc: Orthanc, sop_instance_uid: str) -> pydicom.Dataset:
    """An instance as Orthanc stored it, found and fetched with Orthanc's own REST API."""
    found = httpx.post(
        f"{orthanc.url}/tools/find",
        json={"Level": "Instance", "Query": {"SOPInstanceUID": sop_instance_uid}},
    ).json()
    assert len(found) == 1, f"{sop_instance_uid} is in Orthanc exactly once"
    data = httpx.get(f"{orthanc.url}/instances/{found[0]}/file").content
    return pydicom.dcmread(io.BytesIO(data))


def _sr_findings(document: pydicom.Dataset) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """The classifier's image-level numbers and every mass (outline, probabilities) of a TID
    1500 report, read by highdicom's parser."""
    report = highdicom.sr.Comprehensive3DSR.from_dataset(document)
    content = report.content
    assert isinstance(content, highdicom.sr.MeasurementReport)
    image_level: dict[str, float] = {}
    for image_group in content.get_image_measurement_groups():
        image_level |= {m.name.meaning: m.value for m in image_group.get_measurements()}
    masses = []
    for roi_group in content.get_planar_roi_measurement_groups():
        assert roi_group.roi is not None
        values = {m.name.meaning: m.value for m in roi_group.get_measurements()}
        masses.append({"outline": np.asarray(roi_group.roi.value), **values})
    return image_level, masses


def _outline(box: list[float]) -> np.ndarray:
    x0, y0, x1, y1 = box
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]])


def test_a_study_round_trip_through_orthanc(
    pacs_gateway: str, orthanc: Orthanc, study: Study, tmp_path: Path
) -> None:
    response = _analyse(pacs_gateway, study.uid)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["classifier"]["version"] == 1 and body["detector"]["version"] == 1
    assert body["skipped"] == []
    assert {image["sop_instance_uid"] for image in body["images"]} == set(study.files)
    assert sorted(b["laterality"] for b in body["breasts"]) == ["L", "R"]
    # The tiny detector finds masses on these images: the box comparison below is not vacuous.
    assert any(image["detection"]["detections"] for image in body["images"])

    for image in body["images"]:
        kinds = sorted(stored["kind"] for stored in image["stored"])
        assert kinds == ["parametric-map", "sr"]
        original = study.files[image["sop_instance_uid"]]
        classified = post_image(pacs_gateway, "classify", original).json()
        detected = post_image(pacs_gateway, "detect", original).json()
        # The study answer is the per-image endpoints' answer.
        assert image["classification"]["probabilities"] == classified["probabilities"]
        assert image["detection"]["detections"] == detected["detections"]

        for stored in image["stored"]:
            document = _from_orthanc(orthanc, stored["sop_instance_uid"])
            assert document.StudyInstanceUID == study.uid
            assert document.PatientID == pydicom.dcmread(io.BytesIO(original)).PatientID
            if stored["kind"] == "sr":
                assert document.SOPClassUID == COMPREHENSIVE_3D_SR
                _check_sr_equals_json(document, classified, detected)
            else:
                assert document.SOPClassUID == PARAMETRIC_MAP
                _check_parametric_map(document, image)
            require_validators()
            path = tmp_path / f"{stored['sop_instance_uid']}.dcm"
            document.save_as(path)
            assert dciodvfy_errors(path) == []
            if stored["kind"] == "sr":
                assert dsrdump_problems(path) == []


def _check_sr_equals_json(
    document: pydicom.Dataset, classified: dict[str, Any], detected: dict[str, Any]
) -> None:
    image_level, masses = _sr_findings(document)
    probabilities = classified["probabilities"]
    assert image_level["Probability of cancer"] == pytest.approx(probabilities["malignant"])
    assert image_level["Probability of benign finding"] == pytest.approx(probabilities["benign"])
    assert image_level["Probability of no finding"] == pytest.approx(probabilities["normal"])
    assert image_level["Masses at validated operating point"] == len(detected["detections"])
    assert len(masses) == len(detected["detections"])
    for mass, found in zip(masses, detected["detections"], strict=True):
        np.testing.assert_allclose(mass["outline"], _outline(found["box"]), rtol=1e-6)
        assert mass["Probability of cancer"] == pytest.approx(found["malignancy"])
        assert mass["Certainty of Finding"] == pytest.approx(100 * found["score"])
    verification = document.VerificationFlag
    assert verification == "UNVERIFIED"


def _check_parametric_map(document: pydicom.Dataset, image: dict[str, Any]) -> None:
    pm = highdicom.pm.ParametricMap.from_dataset(document)
    values = pm.pixel_array
    assert values.dtype == np.float32 and values.min() >= 0 and values.max() <= 1
    derivation = pm.PerFrameFunctionalGroupsSequence[0].DerivationImageSequence[0]
    reference = derivation.SourceImageSequence[0]
    assert reference.ReferencedSOPInstanceUID == image["sop_instance_uid"]
    summary = image["classification"]["image"]
    assert values.shape == (
        summary["rows"],
        summary["columns"],
    )  # the tiny images are under the map's size cap


def test_per_breast_and_exam_summaries_take_the_worst_view(pacs_gateway: str, study: Study) -> None:
    body = _analyse(pacs_gateway, study.uid, store="false", heatmaps="false").json()
    assert all(image["stored"] == [] for image in body["images"])
    for breast in body["breasts"]:
        views = [i for i in body["images"] if i["laterality"] == breast["laterality"]]
        assert len(views) == 2  # CC and MLO
        assert breast["malignant_probability"] == max(
            v["classification"]["probabilities"]["malignant"] for v in views
        )
        assert breast["masses"] == sum(len(v["detection"]["detections"]) for v in views)
    exam = body["exam"]
    assert exam["malignant_probability"] == max(b["malignant_probability"] for b in body["breasts"])


def test_store_false_stores_nothing(pacs_gateway: str, orthanc: Orthanc, study: Study) -> None:
    before = len(httpx.get(f"{orthanc.url}/instances").json())
    response = _analyse(pacs_gateway, study.uid, store="false", heatmaps="false")
    assert response.status_code == 200, response.text
    assert len(httpx.get(f"{orthanc.url}/instances").json()) == before


def test_an_unknown_study_is_a_404_problem(pacs_gateway: str) -> None:
    response = _analyse(pacs_gateway, "1.2.3.4.5.6.7.8.9")
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:mammocad:problem:study-not-found"


def test_without_a_pacs_the_study_endpoint_says_so(stack: Stack, study: Study) -> None:
    response = _analyse(stack.gateway, study.uid)
    assert response.status_code == 501, response.text
    assert response.json()["type"] == "urn:mammocad:problem:pacs-not-configured"
    rendered = httpx.get(_render_url(stack.gateway, study.uid, next(iter(study.files))))
    assert rendered.status_code == 501, rendered.text


def _render_url(gateway: str, study_uid: str, sop_instance_uid: str) -> str:
    return f"{gateway}/v1/studies/{study_uid}/instances/{sop_instance_uid}/render"


def test_a_study_instance_renders_as_its_upload_does(pacs_gateway: str, study: Study) -> None:
    """The viewer hangs a study's views from these pixels: the same answer as POST /v1/render
    of the same file, so the study answer's boxes land on them as on an upload."""
    volatile = ("request_id", "timing_ms")
    for sop_instance_uid, data in study.files.items():
        from_pacs = httpx.get(
            _render_url(pacs_gateway, study.uid, sop_instance_uid),
            params={"max_side": 128},
            timeout=60,
        )
        uploaded = httpx.post(
            f"{pacs_gateway}/v1/render",
            params={"max_side": 128},
            files={"file": ("image.dcm", data)},
            timeout=60,
        )
        assert from_pacs.status_code == 200, from_pacs.text
        assert uploaded.status_code == 200, uploaded.text
        read, sent = from_pacs.json(), uploaded.json()
        assert {k: v for k, v in read.items() if k not in volatile} == {
            k: v for k, v in sent.items() if k not in volatile
        }
        assert read["image"]["sop_instance_uid"] == sop_instance_uid


@pytest.mark.parametrize(
    "study_uid, sop_instance_uid, code",
    [("1.2.3.4.5.6.7.8.9", "1.2.3", "study-not-found"), (None, "1.2.3.4", "instance-not-found")],
)
def test_an_unknown_study_or_instance_renders_as_a_404_problem(
    pacs_gateway: str, study: Study, study_uid: str | None, sop_instance_uid: str, code: str
) -> None:
    response = httpx.get(_render_url(pacs_gateway, study_uid or study.uid, sop_instance_uid))
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"urn:mammocad:problem:{code}"


@pytest.mark.parametrize("output", ["dicom-sr", "dicom-mammo-cad-sr"])
def test_classify_and_detect_answer_as_structured_reports(
    stack: Stack, study: Study, tmp_path: Path, output: str
) -> None:
    original = next(iter(study.files.values()))
    classified = post_image(stack.gateway, "classify", original).json()
    detected = post_image(stack.gateway, "detect", original).json()
    for route, expected_model in (("classify", classified), ("detect", detected)):
        response = post_image(stack.gateway, route, original, format=output)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/dicom"
        assert response.headers["x-mammocad-model"] == (
            f"{expected_model['model']['name']}/{expected_model['model']['version']}"
        )
        document = pydicom.dcmread(io.BytesIO(response.content))
        assert document.SOPClassUID == (
            COMPREHENSIVE_3D_SR if output == "dicom-sr" else MAMMOGRAPHY_CAD_SR
        )
        assert document.SOPInstanceUID == response.headers["x-mammocad-sop-instance-uid"]
        if output == "dicom-sr" and route == "classify":
            image_level, _ = _sr_findings(document)
            assert image_level["Probability of cancer"] == pytest.approx(
                classified["probabilities"]["malignant"]
            )
        if output == "dicom-sr" and route == "detect":
            _, masses = _sr_findings(document)
            assert len(masses) == len(detected["detections"])
        require_validators()
        path = tmp_path / f"{route}.dcm"
        path.write_bytes(response.content)
        assert dciodvfy_errors(path) == []
        assert dsrdump_problems(path) == []


def test_explain_answers_a_parametric_map(stack: Stack, study: Study, tmp_path: Path) -> None:
    original = next(iter(study.files.values()))
    response = post_image(
        stack.gateway, "explain", original, task="classify", target="malignant", format="dicom-pm"
    )
    assert response.status_code == 200, response.text
    document = pydicom.dcmread(io.BytesIO(response.content))
    assert document.SOPClassUID == PARAMETRIC_MAP
    pm = highdicom.pm.ParametricMap.from_dataset(document)
    assert pm.pixel_array.max() <= 1.0
    require_validators()
    path = tmp_path / "pm.dcm"
    path.write_bytes(response.content)
    assert dciodvfy_errors(path) == []


def test_a_report_needs_a_dicom_upload(stack: Stack, tiny_set: DataSet) -> None:
    from PIL import Image

    pixels = pydicom.dcmread(tiny_set[0].path).pixel_array
    buffer = io.BytesIO()
    Image.fromarray((pixels >> 4).astype(np.uint8)).save(buffer, format="PNG")
    response = post_image(stack.gateway, "classify", buffer.getvalue(), format="dicom-sr")
    assert response.status_code == 422, response.text
    assert response.json()["type"] == "urn:mammocad:problem:dicom-source-required"


def test_the_generated_client_analyses_a_study_with_tid_4000_reports(
    pacs_gateway: str, orthanc: Orthanc, study: Study, tmp_path: Path, api_token: str
) -> None:
    """Clinical IT's way in: the client generated from the committed spec, here storing
    Mammography CAD SRs (TID 4000) instead of TID 1500 reports."""
    with AuthenticatedClient(
        base_url=pacs_gateway, token=api_token, timeout=httpx.Timeout(300)
    ) as client:
        answer = analyse_study.sync(
            study.uid,
            client=client,
            classifier="1",
            detector="1",
            report=AnalyseV1StudiesStudyInstanceUidAnalysePostReport.DICOM_MAMMO_CAD_SR,
            heatmaps=False,
        )
    assert isinstance(answer, StudyAnalysis)
    assert {image.sop_instance_uid for image in answer.images} == set(study.files)
    for image in answer.images:
        [stored] = image.stored
        assert stored.kind.value == "mammography-cad-sr"
        document = _from_orthanc(orthanc, stored.sop_instance_uid)
        assert document.SOPClassUID == MAMMOGRAPHY_CAD_SR
        outlines = [
            item.GraphicData
            for item in _walk(document)
            if item.get("ValueType") == "SCOORD" and item.GraphicType == "POLYLINE"
        ]
        boxes = [_outline(list(found.box)).ravel() for found in image.detection.detections]
        assert len(outlines) == len(boxes)
        for outline, box in zip(outlines, boxes, strict=True):
            np.testing.assert_allclose([float(v) for v in outline], box, rtol=1e-6)
        require_validators()
        path = tmp_path / f"{stored.sop_instance_uid}.dcm"
        document.save_as(path)
        assert dciodvfy_errors(path) == [] and dsrdump_problems(path) == []


def _walk(dataset: pydicom.Dataset) -> Iterator[pydicom.Dataset]:
    for item in dataset.get("ContentSequence", []):
        yield item
        yield from _walk(item)
