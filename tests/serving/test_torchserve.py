"""TorchServe 0.12 serves an exported version with the same answers as mammocad's own services.

``mammocad registry export-torchserve`` writes a ``.mar`` whose handler uses mammocad's ingest
and answer code; this test exports the session's tiny classifier and detector, starts a real
TorchServe on loopback (Java 17; no token auth, no snapshots), posts the tiny-set images as raw
bytes, and compares every answer with what the BentoML services compute for the same image
(:func:`serving.classify.classify_batch` / :func:`serving.detect.detect_batch` on the same
ingest, in this process; ``test_services_live`` holds the services to those functions).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from mammocad.datasets.records import DataSet
from models.inference.loaded import LoadedModel
from serving.classify import classify_batch
from serving.detect import detect_batch
from serving.torchserve_export import archive_name
from serving.torchserve_process import running_torchserve, torchserve_binary
from tests.serving.conftest import CLASSIFIER, DETECTOR, ServingWorld, ingested

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def torchserve(
    serving_world: ServingWorld, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A TorchServe on loopback serving both exported versions; its inference URL."""
    if torchserve_binary() is None:
        pytest.skip("TorchServe needs Java 17 (openjdk-17-jre-headless) and torchserve")
    store = tmp_path_factory.mktemp("torchserve") / "model-store"
    runner = CliRunner()
    for model in (CLASSIFIER, DETECTOR):
        exported = runner.invoke(
            app,
            ["registry", "export-torchserve", model.name, str(model.version), "--out", str(store)],
            env=serving_world.env,
        )
        assert exported.exit_code == 0, exported.output
    names = [archive_name(m.name, m.version) for m in (CLASSIFIER, DETECTOR)]
    with running_torchserve(store, names, env=serving_world.env) as served:
        yield served.url


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
