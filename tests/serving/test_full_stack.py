"""The whole stack as real processes: uvicorn gateway -> bentoml task services -> registry.

The gateway and both services run as they do under ``mammocad serve``, on free loopback ports,
and are called over real HTTP with real image files: a synthetic DICOM, a mini-MIAS PGM and the
JPEG 2000 sample (the last two skip without ../shared/datasets).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pydicom
import pytest

from mammocad.datasets.records import DataSet
from mammocad.datasets.spec import load_dataset
from models.trust.shift_sets import non_mammograms
from tests.serving.conftest import SERVED_DETECTOR, Stack, TrainedVersions, post_image

pytestmark = pytest.mark.integration


def test_classify_a_synthetic_dicom(stack: Stack, tiny_set: DataSet) -> None:
    record = tiny_set[0]
    response = post_image(stack.gateway, "classify", record.path.read_bytes())
    assert response.status_code == 200, response.text
    body = response.json()
    # the session's tiny models learned from synthetic images (tests.serving.conftest)
    assert body["model"] == {
        "name": "classifier",
        "version": 1,
        "alias": None,
        "synthetic_training": True,
    }
    assert body["image"]["sop_instance_uid"] and body["image"]["laterality"] == "L"
    assert sum(body["probabilities"].values()) == pytest.approx(1.0, abs=1e-6)
    assert body["request_id"] == response.headers["x-request-id"]
    # Training fitted temperature scaling and an OOD detector; registration attached both.
    assert body["calibrated"] and body["calibration"]["method"] == "temperature"
    assert re.fullmatch(SERVED_DETECTOR, body["ood"]["detector"])


def test_a_non_mammogram_is_answered_but_flagged(stack: Stack) -> None:
    [(kind, data)] = non_mammograms(per_kind=1, seed=5)[:1]
    response = post_image(stack.gateway, "classify", data)
    assert response.status_code == 200, (kind, response.text)
    ood = response.json()["ood"]
    assert ood["flagged"] and ood["score"] > ood["threshold"] and ood["reasons"]


def test_detect_answers_in_original_pixels(stack: Stack, tiny_set: DataSet) -> None:
    record = tiny_set[1]
    response = post_image(stack.gateway, "detect", record.path.read_bytes())
    assert response.status_code == 200, response.text
    body = response.json()
    for found in body["detections"]:
        x0, y0, x1, y1 = found["box"]
        assert 0 <= x0 < x1 <= body["image"]["columns"] and 0 <= y0 < y1 <= body["image"]["rows"]


def test_real_films_pgm_and_jpeg2000(
    stack: Stack, mini_mias_dir: Path, dicom_samples_dir: Path
) -> None:
    for path in (mini_mias_dir / "mdb001.pgm", dicom_samples_dir / "MG1_J2KI.dcm"):
        for route in ("classify", "detect"):
            response = post_image(stack.gateway, route, path.read_bytes())
            assert response.status_code == 200, (path.name, route, response.text)


def test_unknown_version_is_a_problem_404(stack: Stack, tiny_set: DataSet) -> None:
    response = post_image(stack.gateway, "classify", tiny_set[0].path.read_bytes(), model="99")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_killed_service_is_a_503_then_the_gateway_recovers(
    stack: Stack, tiny_set: DataSet
) -> None:
    data = tiny_set[1].path.read_bytes()
    stack.detect.stop()
    down = post_image(stack.gateway, "detect", data)
    assert down.status_code == 503
    assert int(down.headers["retry-after"]) > 0
    assert down.json()["type"].startswith("urn:mammocad:problem:task-service")
    assert post_image(stack.gateway, "classify", data).status_code == 200  # the other task lives on
    stack.restart_detect()
    assert post_image(stack.gateway, "detect", data).status_code == 200


@pytest.mark.slow
def test_boxes_land_on_the_known_synthetic_mass(
    tmp_path_factory: pytest.TempPathFactory, stack: Stack, trained_versions: TrainedVersions
) -> None:
    """A detector trained enough to find masses (minutes); its boxes, answered through the
    gateway in ORIGINAL pixels, must cover the known lesion centres."""
    test = load_dataset("synthetic:4,seed=7", cache_root=tmp_path_factory.mktemp("t"))
    masses = hits = 0
    for record in test:
        boxes = [les.box for les in record.lesions if les.kind.is_mass and les.box is not None]
        if not boxes:
            continue
        body = post_image(
            stack.gateway, "detect", record.path.read_bytes(), model=str(trained_versions.detector)
        ).json()
        for x0, y0, x1, y1 in boxes:
            masses += 1
            hits += any(
                x0 <= (d["box"][0] + d["box"][2]) / 2 <= x1
                and y0 <= (d["box"][1] + d["box"][3]) / 2 <= y1
                for d in body["detections"]
            )
    assert masses and hits / masses >= 0.75, f"{hits} of {masses} masses found"


def test_a_ct_slice_is_flagged_with_its_reason(stack: Stack) -> None:
    ct = Path(pydicom.__file__).parent / "data" / "test_files" / "CT_small.dcm"
    response = post_image(stack.gateway, "classify", ct.read_bytes())
    assert response.status_code == 200, response.text
    ood = response.json()["ood"]
    assert ood["flagged"]
    assert any(
        "not a mammography modality" in reason and "'CT'" in reason for reason in ood["reasons"]
    )


def test_the_mg_test_pattern_is_flagged_with_its_reason(
    stack: Stack, dicom_samples_dir: Path
) -> None:
    pattern = (dicom_samples_dir / "MG_Explicit_Little.dcm").read_bytes()
    for route in ("classify", "detect"):
        ood = post_image(stack.gateway, route, pattern).json()["ood"]
        assert ood["flagged"], (route, ood)
        assert any("bits stored 8 not seen in training" in r for r in ood["reasons"]), ood


def _mapped_files(pid: int) -> set[str]:
    """The files a process has mapped into memory: every shared library it loaded."""
    lines = Path(f"/proc/{pid}/maps").read_text(encoding="utf-8").splitlines()
    return {line.split(maxsplit=5)[5] for line in lines if len(line.split(maxsplit=5)) == 6}


def _loads_torch(pid: int) -> bool:
    return any(f"{os.sep}torch{os.sep}" in path for path in _mapped_files(pid))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/<pid>/maps")
def test_the_gateway_process_never_loads_torch(stack: Stack, tiny_set: DataSet) -> None:
    data = tiny_set[0].path.read_bytes()
    for route, params in [
        ("classify", {}),
        ("detect", {}),
        ("explain", {"task": "classify", "method": "gradcam"}),
        ("inspect", {}),
    ]:
        response = post_image(stack.gateway, route, data, **params)
        assert response.status_code == 200, (route, response.text)
    assert _loads_torch(os.getpid())  # this test process did: the check can see it
    assert not _loads_torch(stack.gateway_pid)
