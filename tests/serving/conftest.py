"""Serving fixtures: a registry holding really trained tiny models (trained once per session), and
the task services as real ``bentoml serve`` processes on free loopback ports.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pydicom
import pytest
from rich.console import Console

from mammocad.datasets.records import DataSet, Record
from mammocad.datasets.spec import load_dataset
from mammocad.ingest.pipeline import IngestedImage, ingest_bytes
from mammocad.schemas.inference_contract import ClassifyItem, DetectItem, ModelRef
from mammocad.schemas.tensor_frame import TensorPayload, pack
from models.inference.loaded import LoadedModel, load_model
from models.inference.predict import predict_detections, predict_probabilities
from models.nets.classifier import CLASSES, LesionEvidenceClassifier
from models.nets.detector import MassDetector
from models.training.loop import TrainingOptions
from models.training.run import train_and_save
from models.training.tasks import CLASSIFY, DETECT, TaskSpec
from registry import READ_SCOPES, Registry
from serving.processes import (
    SERVICES,
    ServiceProcess,
    free_port,
    running_service,
    start_gateway,
    start_service,
)
from tests.orthanc import Orthanc, running_orthanc

TINY = (128, 96)
CLASSIFIER = ModelRef(name="classifier", version=1)
DETECTOR = ModelRef(name="detector", version=1)
# The same classifier registered under a second name: a second resident version of the task.
SPARE = ModelRef(name="classifier-spare", version=1)
SERVED_DETECTOR = (
    r"(mahalanobis|knn) on (penultimate features \(320-d\)|stride-8 channel statistics \(80-d\))"
    r" \+ header gate"
)
"""The ``ood.detector`` of an answer: whichever candidate training kept, and the header gate."""


@dataclass(frozen=True)
class ServingWorld:
    """A registry with one classifier and one detector version, and the environment that
    points a service process at it."""

    registry_url: str
    env: dict[str, str]
    classifier_folder: Path
    detector_folder: Path

    def registry(self) -> Registry:
        """The registry (close it after use)."""
        return Registry(self.registry_url)


def _train(task: TaskSpec, data: DataSet, folder: Path) -> Path:
    return train_and_save(
        task,
        data,
        folder,
        target_shape=TINY,
        options=TrainingOptions(epochs=1, batch_size=2, seed=3, device="cpu"),
        val_fraction=0.25,
        console=Console(quiet=True),
    )


@pytest.fixture(scope="session")
def serving_world(
    tiny_set: DataSet, tmp_path_factory: pytest.TempPathFactory, bentoml_home: Path
) -> ServingWorld:
    """Tiny classifier and detector, trained once and registered as version 1 of
    ``classifier`` (and ``classifier-spare``) and ``detector``."""
    root = tmp_path_factory.mktemp("serving")
    url = f"sqlite:///{root / 'home' / 'registry.db'}"
    classifier = _train(CLASSIFY, tiny_set, root / "trained" / "classifier")
    detector = _train(DETECT, tiny_set, root / "trained" / "detector")
    with Registry(url) as registry:
        registry.register(classifier, CLASSIFIER.name, actor="tests")
        registry.register(classifier, SPARE.name, actor="tests")
        registry.register(detector, DETECTOR.name, actor="tests")
    env = {
        "MAMMOCAD_HOME": str(root / "home"),
        "MAMMOCAD_REGISTRY_URL": url,
        "BENTOML_HOME": str(bentoml_home),
        "MAMMOCAD_TORCH_THREADS": "1",
        # The gateways of these tests listen on loopback; access control has its own tests.
        "MAMMOCAD_AUTH": "open-loopback",
    }
    return ServingWorld(url, env, classifier, detector)


@pytest.fixture(scope="session")
def api_token(serving_world: ServingWorld) -> str:
    """An API key of the serving registry with the read scopes (inference, registry reads),
    as an integrator gets one from `mammocad registry keys create`."""
    with serving_world.registry() as registry:
        _, token = registry.create_key("integration-tests", list(READ_SCOPES), actor="tests")
    return token


@pytest.fixture(scope="session")
def classify_service(serving_world: ServingWorld) -> Iterator[ServiceProcess]:
    """The classification service, started once per session."""
    with running_service(SERVICES["classify"], free_port(), env=serving_world.env) as service:
        yield service


@pytest.fixture(scope="session")
def detect_service(serving_world: ServingWorld) -> Iterator[ServiceProcess]:
    """The detection service, started once per session."""
    with running_service(SERVICES["detect"], free_port(), env=serving_world.env) as service:
        yield service


@pytest.fixture(scope="session")
def loaded_classifier(serving_world: ServingWorld) -> LoadedModel:
    """The same classifier, loaded in this process (the reference answers)."""
    return load_model(serving_world.classifier_folder, "cpu")


@pytest.fixture(scope="session")
def loaded_detector(serving_world: ServingWorld) -> LoadedModel:
    """The same detector, loaded in this process (the reference answers)."""
    return load_model(serving_world.detector_folder, "cpu")


@dataclass(frozen=True)
class ClassifierCase:
    """One image as the gateway would send it, and the in-process classifier's answer."""

    image: IngestedImage
    input: np.ndarray  # the model input, as ingest produced it
    expected: dict[str, float]


@pytest.fixture(scope="session")
def classifier_cases(loaded_classifier: LoadedModel, tiny_set: DataSet) -> list[ClassifierCase]:
    """Every tiny-set image with its reference answer (computed once: a forward pass each)."""
    return [
        ClassifierCase(
            image, image.model_input(), reference_classification(loaded_classifier, image)
        )
        for image in ingested(loaded_classifier, tiny_set)
    ]


def ingested(model: LoadedModel, data: Iterable[Record]) -> list[IngestedImage]:
    """Every image of ``data``, ingested for ``model`` as the gateway does (with the version's
    own ingest options)."""
    return [ingest_bytes(record.path.read_bytes(), model.metadata.ingest) for record in data]


def reference_classification(model: LoadedModel, image: IngestedImage) -> dict[str, float]:
    """The classifier's probabilities for ``image`` alone, in this process (a batch of one)."""
    assert isinstance(model.network, LesionEvidenceClassifier), "a classifier version"
    [row] = predict_probabilities(model.network, [image.model_input()], model.device)
    return {name: float(p) for name, p in zip(CLASSES, row, strict=True)}


@dataclass(frozen=True)
class ReferenceDetection:
    """One detection in ORIGINAL pixels, computed in this process."""

    box: tuple[float, float, float, float]
    score: float
    malignancy: float


def reference_detections(model: LoadedModel, image: IngestedImage) -> list[ReferenceDetection]:
    """Every decoded detection of ``image`` alone (a batch of one), best first, boxes mapped to
    the original pixels as the gateway maps them."""
    assert isinstance(model.network, MassDetector), "a detector version"
    [found] = predict_detections(model.network, [image.model_input()], model.device)
    order = np.argsort(-found.scores, kind="stable")
    boxes: np.ndarray | list[np.ndarray] = (
        image.transform.to_original_boxes(found.boxes[order]) if len(order) else []
    )
    return [
        ReferenceDetection((float(x0), float(y0), float(x1), float(y1)), float(s), float(m))
        for (x0, y0, x1, y1), s, m in zip(
            boxes, found.scores[order], found.malignancy[order], strict=True
        )
    ]


def frame(
    item: type[ClassifyItem] | type[DetectItem], inputs: Sequence[tuple[ModelRef, np.ndarray]]
) -> bytes:
    """A request body as the gateway sends it (``api.task_client``): a tensor frame whose header
    is ``{"items": [...]}``, one ``item`` per (version, model input), inputs in order."""
    tensors = TensorPayload()
    items = [item(model=ref, input=tensors.add(array)) for ref, array in inputs]
    return pack({"items": items}, tensors)


@dataclass
class Stack:
    """A running gateway and its detect service (restartable on the same port)."""

    gateway: str
    detect_port: int
    detect: ServiceProcess
    env: dict[str, str]
    gateway_pid: int

    def restart_detect(self) -> None:
        self.detect = start_service(SERVICES["detect"], self.detect_port, env=self.env)


@pytest.fixture(scope="session")
def stack(serving_world: ServingWorld, classify_service: ServiceProcess) -> Iterator[Stack]:
    detect_port = free_port()
    detect = start_service(SERVICES["detect"], detect_port, env=serving_world.env)
    env = serving_world.env | {
        "MAMMOCAD_CLASSIFY_URL": classify_service.url,
        "MAMMOCAD_DETECT_URL": f"http://127.0.0.1:{detect_port}",
        "MAMMOCAD_SERVICE_RETRIES": "1",
    }
    gateway = start_gateway(free_port(), env=env)
    running = Stack(gateway.url, detect_port, detect, serving_world.env, gateway.pid)
    try:
        yield running
    finally:
        gateway.stop()
        running.detect.stop()


@contextmanager
def gateway_on(
    stack: Stack,
    world: ServingWorld,
    classify_service: ServiceProcess,
    *,
    keys: bool = False,
    **settings: str,
) -> Iterator[str]:
    """A gateway process of its own on the session's two task services: open on loopback like
    the others, or requiring keys (``keys``); ``settings`` adds MAMMOCAD_* variables."""
    env = {k: v for k, v in world.env.items() if not (keys and k == "MAMMOCAD_AUTH")}
    env |= {
        "MAMMOCAD_CLASSIFY_URL": classify_service.url,
        "MAMMOCAD_DETECT_URL": f"http://127.0.0.1:{stack.detect_port}",
    } | settings
    gateway = start_gateway(free_port(), env=env)
    try:
        yield gateway.url
    finally:
        gateway.stop()


def post_image(base: str, route: str, data: bytes, **params: str) -> httpx.Response:
    """POST ``data`` as a multipart upload to ``/v1/<route>``, version 1 unless ``model=``."""
    return httpx.post(
        f"{base}/v1/{route}",
        params={"model": "1"} | params,
        files={"file": ("image", data)},
        timeout=120,
    )


@dataclass(frozen=True)
class TrainedVersions:
    """Version numbers of a classifier and a detector trained long enough to find lesions."""

    classifier: int
    detector: int


@pytest.fixture(scope="session")
def trained_versions(
    serving_world: ServingWorld, tmp_path_factory: pytest.TempPathFactory
) -> TrainedVersions:
    """A classifier and a detector trained for minutes on synthetic data (slow tests only),
    registered as new versions of ``classifier`` and ``detector`` in the serving registry."""

    data = load_dataset("synthetic:32", cache_root=tmp_path_factory.mktemp("trained-cache"))
    root = tmp_path_factory.mktemp("trained")
    quiet = Console(quiet=True)
    # The demo classifier's grid: calcification specks need it (at 256 x 192 the classifier's
    # Grad-CAM peak fell in the lesion on only half of the single-lesion test images).
    classifier = train_and_save(
        CLASSIFY,
        data,
        root / "classifier",
        target_shape=(384, 288),
        options=TrainingOptions(epochs=8, seed=0, device="cpu", selection="last"),
        console=quiet,
    )
    detector = train_and_save(
        DETECT,
        data,
        root / "detector",
        target_shape=(256, 192),
        options=TrainingOptions(epochs=8, seed=0, device="cpu"),
        console=quiet,
    )
    with Registry(serving_world.registry_url) as registry:
        return TrainedVersions(
            classifier=registry.register(classifier, CLASSIFIER.name, actor="tests").version,
            detector=registry.register(detector, DETECTOR.name, actor="tests").version,
        )


@dataclass(frozen=True)
class Study:
    """A four-view study stored in the PACS, with the original files by SOP Instance UID."""

    uid: str
    files: dict[str, bytes]


@pytest.fixture(scope="module")
def orthanc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Orthanc]:
    with running_orthanc(tmp_path_factory.mktemp("orthanc")) as pacs:
        yield pacs


@pytest.fixture(scope="module")
def study(orthanc: Orthanc, tiny_set: DataSet) -> Study:
    first_patient = tiny_set[0].path.parent
    paths = sorted(record.path for record in tiny_set if record.path.parent == first_patient)
    assert len(paths) == 4, "the synthetic patient has four views"
    files = {}
    for path in paths:
        data = path.read_bytes()
        assert httpx.post(f"{orthanc.url}/instances", content=data).status_code == 200
        files[str(pydicom.dcmread(io.BytesIO(data)).SOPInstanceUID)] = data
    uid = str(pydicom.dcmread(paths[0], stop_before_pixels=True).StudyInstanceUID)
    return Study(uid, files)
