"""TorchServe 0.12 serves an exported version with the same answers as mammocad's own services.

``mammocad registry export-torchserve`` writes a ``.mar`` whose handler uses mammocad's ingest
and answer code; this test exports the session's tiny classifier and detector, starts a real
TorchServe on loopback (Java 17; no token auth, no snapshots), posts the tiny-set images as raw
bytes, and compares every answer with what the BentoML services compute for the same image
(:func:`serving.classify.classify_batch` / :func:`serving.detect.detect_batch` on the same
ingest, in this process; ``test_services_live`` holds the services to those functions).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from mammocad.datasets.records import DataSet
from models.inference.loaded import LoadedModel
from serving.classify import classify_batch
from serving.detect import detect_batch
from serving.processes import free_port
from serving.torchserve_export import archive_name
from tests.serving.conftest import CLASSIFIER, DETECTOR, ServingWorld, ingested

pytestmark = pytest.mark.integration

_BIN = Path(sys.executable).parent
_READY_TIMEOUT_S = 180


def _require_torchserve() -> str:
    if shutil.which("java") is None:
        pytest.skip("TorchServe needs Java 17 (`apt-get install openjdk-17-jre-headless`)")
    binary = shutil.which("torchserve", path=str(_BIN))
    if binary is None:
        pytest.skip("torchserve is not installed in this environment")
    return binary


@pytest.fixture(scope="module")
def torchserve(
    serving_world: ServingWorld, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A TorchServe on loopback serving both exported versions; its inference URL."""
    binary = _require_torchserve()
    root = tmp_path_factory.mktemp("torchserve")
    store = root / "model-store"
    runner = CliRunner()
    for model in (CLASSIFIER, DETECTOR):
        exported = runner.invoke(
            app,
            ["registry", "export-torchserve", model.name, str(model.version), "--out", str(store)],
            env=serving_world.env | {"MAMMOCAD_REGISTRY_URL": serving_world.registry_url},
        )
        assert exported.exit_code == 0, exported.output
    inference, management, metrics = free_port(), free_port(), free_port()
    config = root / "config.properties"
    config.write_text(
        f"inference_address=http://127.0.0.1:{inference}\n"
        f"management_address=http://127.0.0.1:{management}\n"
        f"metrics_address=http://127.0.0.1:{metrics}\n"
        "default_workers_per_model=1\n"
        "install_py_dep_per_model=false\n"
        "disable_token_authorization=true\n",
        encoding="utf-8",
    )
    archives = [f"{archive_name(m.name, m.version)}.mar" for m in (CLASSIFIER, DETECTOR)]
    log = (root / "torchserve.log").open("wb")
    process = subprocess.Popen(
        [
            *(binary, "--start", "--foreground", "--ncs", "--disable-token-auth"),
            *("--model-store", str(store), "--ts-config", str(config), "--models", *archives),
        ],
        cwd=root,
        env=os.environ | serving_world.env | {"PATH": f"{_BIN}:{os.environ['PATH']}"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{inference}"
    try:
        _wait_for_models(url, management, process, root)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _wait_for_models(
    url: str, management: int, process: subprocess.Popen[bytes], root: Path
) -> None:
    deadline = time.monotonic() + _READY_TIMEOUT_S
    names = [archive_name(m.name, m.version) for m in (CLASSIFIER, DETECTOR)]
    while True:
        if process.poll() is not None:
            pytest.fail(f"TorchServe exited: {(root / 'torchserve.log').read_text()[-3000:]}")
        try:
            ready = all(
                any(
                    worker["status"] == "READY"
                    for worker in httpx.get(
                        f"http://127.0.0.1:{management}/models/{name}", timeout=2
                    ).json()[0]["workers"]
                )
                for name in names
            )
            if ready and httpx.get(f"{url}/ping", timeout=2).status_code == 200:
                return
        except (httpx.HTTPError, KeyError, IndexError, ValueError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"TorchServe not ready: {(root / 'torchserve.log').read_text()[-3000:]}")
        time.sleep(0.5)


def test_classifier_answers_equal_ours(
    torchserve: str, loaded_classifier: LoadedModel, tiny_set: DataSet
) -> None:
    name = archive_name(CLASSIFIER.name, CLASSIFIER.version)
    images = ingested(loaded_classifier, tiny_set)
    ours = classify_batch(loaded_classifier, [image.model_input() for image in images])
    for record, expected in zip(tiny_set, ours, strict=True):
        response = httpx.post(
            f"{torchserve}/predictions/{name}", content=record.path.read_bytes(), timeout=60
        )
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer.keys() == expected.model_dump(mode="json").keys()
        for field in ("probabilities", "logits"):
            got, want = answer[field], getattr(expected, field)
            assert got.keys() == want.keys()
            assert np.allclose([got[k] for k in want], list(want.values()), atol=1e-5), field
        assert answer["ood_score"] == pytest.approx(expected.ood_score, rel=1e-4, abs=1e-5)


def test_detector_answers_equal_ours(
    torchserve: str, loaded_detector: LoadedModel, tiny_set: DataSet
) -> None:
    name = archive_name(DETECTOR.name, DETECTOR.version)
    images = ingested(loaded_detector, tiny_set)
    ours = detect_batch(loaded_detector, [image.model_input() for image in images])
    for record, expected in zip(tiny_set, ours, strict=True):
        response = httpx.post(
            f"{torchserve}/predictions/{name}", content=record.path.read_bytes(), timeout=60
        )
        assert response.status_code == 200, response.text
        answer, want = response.json(), expected.model_dump(mode="json")
        assert answer.keys() == want.keys()
        assert len(answer["detections"]) == len(want["detections"])
        for got, wanted in zip(answer["detections"], want["detections"], strict=True):
            assert got.keys() == wanted.keys()
            assert np.allclose(got["box"], wanted["box"], atol=1e-3)
            assert got["score"] == pytest.approx(wanted["score"], abs=1e-5)


def test_an_upload_it_cannot_read_is_a_4xx_with_our_code(torchserve: str) -> None:
    name = archive_name(CLASSIFIER.name, CLASSIFIER.version)
    response = httpx.post(f"{torchserve}/predictions/{name}", content=b"not an image", timeout=60)
    assert response.status_code == 415, response.text
