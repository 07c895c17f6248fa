"""No patient or site identity leaves an upload through a side channel: a DICOM full of
identifying attributes goes through every inference route (and a malformed copy through the
refusal path), and none of those values appears in any JSON answer, in the logs of the gateway
and both services, in the metrics, or in the audit log. (The DICOM reports carry the patient and
study on purpose; their own test checks that nothing else is copied.)"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pydicom
import pytest

from mammocad.datasets.records import DataSet
from serving.processes import ServiceProcess, free_port, start_gateway
from tests.serving.conftest import ServingWorld, Stack, post_image

pytestmark = pytest.mark.integration

IDENTIFYING = {
    "PatientName": "LEAKYNAME^JOANNA",
    "PatientID": "LEAKID90210",
    "PatientBirthDate": "19450817",
    "PatientAddress": "17 LEAKYLANE SPRINGFIELDX",
    "OtherPatientIDs": "OTHERLEAK4711",
    "PatientComments": "LEAKYCOMMENT",
    "InstitutionName": "LEAKYGENERAL HOSPITALX",
    "InstitutionAddress": "99 LEAKYROAD",
    "ReferringPhysicianName": "DRLEAKY^REFERRER",
    "OperatorsName": "LEAKYTECH^ALICE",
    "AccessionNumber": "ACCLEAK77",
    "StudyDescription": "LEAKYSTUDY OF LEAKYNAME",
    "ImageComments": "CALL LEAKYNAME ON 5550199",
}


def _identified(data: bytes, **extra: str) -> bytes:
    dataset = pydicom.dcmread(io.BytesIO(data))
    for keyword, value in (IDENTIFYING | extra).items():
        setattr(dataset, keyword, value)
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def logged_gateway(
    stack: Stack,
    serving_world: ServingWorld,
    classify_service: ServiceProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ServiceProcess]:
    """A gateway of the stack's services whose whole output (info level, access log) is kept."""
    env = serving_world.env | {
        "MAMMOCAD_CLASSIFY_URL": classify_service.url,
        "MAMMOCAD_DETECT_URL": f"http://127.0.0.1:{stack.detect_port}",
    }
    log = tmp_path_factory.mktemp("gateway-log") / "gateway.log"
    gateway = start_gateway(free_port(), env=env, log_path=log)
    try:
        yield gateway
    finally:
        gateway.stop()


def test_no_identifying_value_leaves_through_answers_logs_metrics_or_audit(
    logged_gateway: ServiceProcess,
    stack: Stack,
    classify_service: ServiceProcess,
    serving_world: ServingWorld,
    tiny_set: DataSet,
) -> None:
    base = logged_gateway.url
    data = _identified(tiny_set[0].path.read_bytes())
    broken = _identified(tiny_set[0].path.read_bytes(), WindowCenter="2048", WindowWidth="0")
    answers = [
        post_image(base, "classify", data),
        post_image(base, "detect", data),
        post_image(base, "explain", data, task="classify"),
        post_image(base, "explain", data, task="detect", method="shap", nsamples="8"),
        httpx.post(f"{base}/v1/inspect", files={"file": ("x.dcm", data)}, timeout=60),
        post_image(base, "classify", broken),
        post_image(base, "detect", data, format="dicom-sr"),
        post_image(base, "classify", data, model="999"),
    ]
    statuses = [answer.status_code for answer in answers]
    assert statuses[:5] == [200] * 5 and statuses[5] == 422 and statuses[6] == 200, statuses
    assert statuses[7] == 404, statuses

    json_texts = [a.text for a in answers if "json" in a.headers.get("content-type", "")]
    assert len(json_texts) == 7
    channels = {
        **{f"answer {i}": text for i, text in enumerate(json_texts)},
        "metrics": httpx.get(f"{base}/metrics", timeout=10).text,
        "gateway log": Path(logged_gateway.log_path).read_text(errors="replace"),
        "classify log": Path(classify_service.log_path).read_text(errors="replace"),
        "detect log": Path(stack.detect.log_path).read_text(errors="replace"),
    }
    with serving_world.registry() as registry:
        channels["audit"] = " ".join(
            entry.model_dump_json()
            for name in ("classifier", "detector")
            for entry in registry.audit(name, 1000)
        )
    # The channels are not empty: the logs saw these requests, the audit its registrations.
    assert "/v1/classify" in channels["gateway log"], channels["gateway log"][-2000:]
    # Each service's access log saw its tensor frames (classify, detect, and their explanations).
    for task in ("classify", "detect"):
        log = channels[f"{task} log"]
        for route in (f"/tensors/{task}", "/tensors/explain"):
            assert route in log, (route, log[-2000:])
    assert "model.create" in channels["audit"]
    for channel, text in channels.items():
        for keyword, value in IDENTIFYING.items():
            for part in value.replace("^", " ").split():
                if len(part) >= 6:  # each such token is made up for this test
                    assert part not in text, f"{keyword} ({part}) leaked into {channel}"
