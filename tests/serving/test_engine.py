"""The shared engine in this process (no HTTP): concurrent requests are batched with BentoML's
dispatcher, grouped by version, and each gets its own answers; a bad request is refused alone."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import numpy as np
import pytest
import torch
from starlette.responses import Response

from mammocad.datasets.records import DataSet
from mammocad.schemas.inference_contract import (
    ClassifyItem,
    ClassifyOutcome,
    DetectItem,
    DetectOutcome,
    EncodedArray,
    ModelRef,
)
from models.inference.loaded import LoadedModel
from serving.classify import ClassifyOutcomes, classify_batch, explain_classification
from serving.detect import DetectOutcomes, detect_batch, explain_detection
from serving.engine import TaskEngine
from serving.settings import ServingSettings
from tests.serving.conftest import (
    CLASSIFIER,
    DETECTOR,
    SPARE,
    ClassifierCase,
    ServingWorld,
    encoded,
    ingested,
    reference_detections,
)


@pytest.fixture
def forward_calls() -> list[tuple[str, int]]:
    """(model folder name, number of inputs) of every forward pass, in order."""
    return []


@pytest.fixture
def classify_engine(
    serving_world: ServingWorld, forward_calls: list[tuple[str, int]]
) -> Iterator[TaskEngine[ClassifyOutcome]]:
    def recording(model: LoadedModel, inputs: list[np.ndarray]) -> list[ClassifyOutcome]:
        forward_calls.append((model.folder.name, len(inputs)))
        return classify_batch(model, inputs)

    settings = ServingSettings(registry_url=serving_world.registry_url, device="cpu")
    engine = TaskEngine("classify", recording, explain_classification, ClassifyOutcomes, settings)
    yield engine
    engine.close()


def _answers(
    engine: TaskEngine[ClassifyOutcome], requests: list[list[ClassifyItem]]
) -> list[ClassifyOutcomes | Response]:
    """Every request sent at once, as concurrent HTTP requests would arrive."""

    async def everything() -> list[ClassifyOutcomes | Response]:
        return await asyncio.gather(*(engine.answer(items) for items in requests))

    return asyncio.run(everything())


def test_concurrent_requests_are_batched_by_version_and_keep_their_answers(
    classify_engine: TaskEngine[ClassifyOutcome],
    forward_calls: list[tuple[str, int]],
    classifier_cases: list[ClassifierCase],
) -> None:
    n = len(classifier_cases)
    # 32 requests of one or two images each, alternating between two versions, all at once.
    plan = [
        [
            ((CLASSIFIER, SPARE)[(r + k) % 2], i)
            for k, i in enumerate(sorted({r % n, (r * 5 + 3) % n}))
        ]
        for r in range(32)
    ]
    requests = [
        [ClassifyItem(model=ref, input=classifier_cases[i].input) for ref, i in request]
        for request in plan
    ]
    answers = _answers(classify_engine, requests)
    for request, answer in zip(plan, answers, strict=True):
        assert not isinstance(answer, Response), "an answer, not a refusal"
        assert len(answer.root) == len(request)
        for (_, index), outcome in zip(request, answer.root, strict=True):
            expected = classifier_cases[index].expected
            assert outcome.probabilities == pytest.approx(expected, abs=1e-5)
    assert max(n for _, n in forward_calls) > 1, "the dispatcher never batched"
    assert {folder for folder, _ in forward_calls} == {
        classify_engine.resident.get(ref).folder.name for ref in (CLASSIFIER, SPARE)
    }
    assert sum(n for _, n in forward_calls) == sum(len(r) for r in requests)


def test_a_bad_request_is_refused_alone(
    classify_engine: TaskEngine[ClassifyOutcome], classifier_cases: list[ClassifierCase]
) -> None:
    cases = classifier_cases[:4]
    good = [[ClassifyItem(model=CLASSIFIER, input=case.input)] for case in cases]
    wrong_shape = EncodedArray.encode(np.zeros((1, 128, 96), dtype=np.float32))
    not_finite = cases[0].image.model_input()
    not_finite[0, 0, 0] = np.nan
    bad = [
        [ClassifyItem(model=CLASSIFIER, input=cases[0].input), _item(wrong_shape)],
        [_item(EncodedArray.encode(not_finite))],
        [_item(EncodedArray(shape=(2, 128, 96), data="AAAA"))],
        [ClassifyItem(model=ModelRef(name="classifier", version=42), input=cases[0].input)],
    ]
    answers = _answers(classify_engine, good + bad)
    for case, answer in zip(cases, answers[: len(good)], strict=True):
        assert not isinstance(answer, Response), "an answer, not a refusal"
        assert answer.root[0].probabilities == pytest.approx(case.expected, abs=1e-5)
    refusals = []
    for refused in answers[len(good) :]:
        assert isinstance(refused, Response)
        refusals.append((refused.status_code, json.loads(bytes(refused.body))["code"]))
    assert refusals == [
        (422, "input-shape-mismatch"),
        (422, "non-finite-input"),
        (422, "undecodable-model-input"),
        (404, "version-not-found"),
    ]


def _item(array: EncodedArray) -> ClassifyItem:
    return ClassifyItem(model=CLASSIFIER, input=array)


def test_detections_are_every_decoded_box_on_the_grid_best_first(
    serving_world: ServingWorld, loaded_detector: LoadedModel, tiny_set: DataSet
) -> None:
    settings = ServingSettings(registry_url=serving_world.registry_url, device="cpu")
    engine: TaskEngine[DetectOutcome] = TaskEngine(
        "detect", detect_batch, explain_detection, DetectOutcomes, settings
    )
    images = ingested(loaded_detector, tiny_set)[:6]
    requests = [[DetectItem(model=DETECTOR, input=encoded(image))] for image in images]

    async def everything() -> list[DetectOutcomes | Response]:
        return await asyncio.gather(*(engine.answer(items) for items in requests))

    try:
        answers = asyncio.run(everything())
    finally:
        engine.close()
    found_any = False
    for image, answer in zip(images, answers, strict=True):
        assert not isinstance(answer, Response), "an answer, not a refusal"
        boxes = answer.root[0].detections
        expected = reference_detections(loaded_detector, image)  # original pixels
        assert len(boxes) == len(expected)
        scores = [box.score for box in boxes]
        assert scores == sorted(scores, reverse=True)
        if boxes:
            found_any = True
            original = image.transform.to_original_boxes(np.array([b.box for b in boxes]))
            np.testing.assert_allclose(original, [e.box for e in expected], atol=1e-3)
            np.testing.assert_allclose(scores, [e.score for e in expected], atol=1e-5)
            np.testing.assert_allclose(
                [b.malignancy for b in boxes], [e.malignancy for e in expected], atol=1e-5
            )
    assert found_any, "the tiny detector found nothing: the comparison proved nothing"


def test_explanations_never_run_through_the_served_network(
    loaded_classifier: LoadedModel, classifier_cases: list[ClassifierCase]
) -> None:
    """Grad-CAM and SHAP hook the layer they read; the service's concurrent forward passes use
    ``model.network``, so an explanation must run (and hook) a copy, never the served network."""
    explainer = loaded_classifier.explainer  # made first: a copy would take the hook along
    calls: list[str] = []
    handle = loaded_classifier.network.register_forward_hook(lambda *_: calls.append("forward"))
    try:
        model_input = classifier_cases[0].input.decode()
        for method in ("gradcam", "shap"):
            explanation = explainer.explain(model_input, method)
            assert np.isfinite(explanation.cell_map).all()
    finally:
        handle.remove()
    assert calls == [], "the explanation ran the served network"
    served, explaining = (
        network.state_dict() for network in (loaded_classifier.network, explainer.network)
    )
    assert served.keys() == explaining.keys()
    assert all(torch.equal(served[name], explaining[name]) for name in served)  # the same weights
