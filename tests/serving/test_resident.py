"""The resident-model cache: loads through the registry, keeps the most recently used versions,
loads a version once however many requests ask for it at the same time, answers a resident one
without ever loading, refuses the other task."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from mammocad.errors import InvalidInputError, NotFoundError
from mammocad.schemas.inference_contract import ModelRef
from models.inference.loaded import LoadedModel
from registry import Registry
from serving.resident import ResidentModels
from tests.serving.conftest import CLASSIFIER, DETECTOR, SPARE, ServingWorld


@pytest.fixture(scope="module")
def registry(serving_world: ServingWorld) -> Iterator[Registry]:
    """The serving registry."""
    with serving_world.registry() as opened:
        yield opened


def test_loads_through_the_registry_and_keeps_the_model(registry: Registry) -> None:
    resident = ResidentModels(registry, "classify", capacity=3, device="cpu")
    model = resident.get(CLASSIFIER)
    assert model.metadata.task == "classify"
    assert model.folder == registry.open_artifact(CLASSIFIER.name, CLASSIFIER.version)
    assert resident.get(CLASSIFIER) is model
    assert resident.refs == [CLASSIFIER]


def test_loaded_answers_only_resident_versions_and_counts_a_use(registry: Registry) -> None:
    resident = ResidentModels(registry, "classify", capacity=2, device="cpu")
    assert resident.loaded(CLASSIFIER) is None  # never loads
    assert resident.refs == []
    model = resident.get(CLASSIFIER)
    resident.get(SPARE)
    assert resident.loaded(CLASSIFIER) is model
    assert resident.refs == [SPARE, CLASSIFIER]  # the look-up made CLASSIFIER the most recent


def test_least_recently_used_version_leaves_first(registry: Registry) -> None:
    resident = ResidentModels(registry, "classify", capacity=2, device="cpu")
    resident.get(CLASSIFIER)
    resident.get(SPARE)
    resident.get(CLASSIFIER)  # now SPARE is the least recently used
    assert resident.refs == [SPARE, CLASSIFIER]
    one = ResidentModels(registry, "classify", capacity=1, device="cpu")
    one.get(CLASSIFIER)
    one.get(SPARE)
    assert one.refs == [SPARE]


def test_concurrent_requests_for_one_version_load_it_once(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident = ResidentModels(registry, "classify", capacity=3, device="cpu")
    loads = 0
    counted = threading.Lock()
    load = resident._load

    def counting_load(ref: ModelRef) -> LoadedModel:
        nonlocal loads
        with counted:
            loads += 1
        return load(ref)

    monkeypatch.setattr(resident, "_load", counting_load)
    with ThreadPoolExecutor(4) as pool:
        models = list(pool.map(lambda _: resident.get(CLASSIFIER), range(4)))
    assert loads == 1
    assert all(model is models[0] for model in models)


def test_refuses_a_model_of_the_other_task(registry: Registry) -> None:
    resident = ResidentModels(registry, "classify", capacity=3, device="cpu")
    with pytest.raises(InvalidInputError, match="detect model") as refused:
        resident.get(DETECTOR)
    assert refused.value.code == "wrong-task"
    assert resident.refs == []


@pytest.mark.parametrize(
    ("ref", "code"),
    [
        (ModelRef(name="classifier", version=99), "version-not-found"),
        (ModelRef(name="no-such-model", version=1), "model-not-found"),
    ],
)
def test_unknown_versions_are_not_found(registry: Registry, ref: ModelRef, code: str) -> None:
    resident = ResidentModels(registry, "classify", capacity=3, device="cpu")
    with pytest.raises(NotFoundError) as missing:
        resident.get(ref)
    assert missing.value.code == code
    # a failed load leaves nothing behind: the next request tries again
    with pytest.raises(NotFoundError):
        resident.get(ref)
