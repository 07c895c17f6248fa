"""The shared engine in this process (no service process): concurrent requests are batched
with the services' batcher, grouped by version, and each gets its own answers; a bad request is
refused alone; a body that is not a tensor frame of the contract is a plain 400, which the
gateway's client reads as its own fault (a 502)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import numpy as np
import pytest
import torch
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.task_client import BadServiceAnswerError, TaskClient
from mammocad.datasets.records import DataSet
from mammocad.errors import status_of
from mammocad.schemas.inference_contract import (
    ClassifyItem,
    ClassifyOutcome,
    ClassifyRequest,
    DetectItem,
    DetectOutcome,
    DetectRequest,
    ExplainItem,
    ExplainOutcome,
    ExplainRequest,
    ModelRef,
    TensorRef,
)
from mammocad.schemas.tensor_frame import TensorPayload, pack
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
    frame,
    ingested,
    reference_detections,
)

ClassifyEngine = TaskEngine[ClassifyRequest, ClassifyOutcome]
MALFORMED = "not a request of the inference contract"  # the engine's 400 message


@pytest.fixture
def forward_calls() -> list[tuple[str, int]]:
    """(model folder name, number of inputs) of every forward pass, in order."""
    return []


@pytest.fixture
def classify_engine(
    serving_world: ServingWorld, forward_calls: list[tuple[str, int]]
) -> Iterator[ClassifyEngine]:
    def recording(model: LoadedModel, inputs: list[np.ndarray]) -> list[ClassifyOutcome]:
        forward_calls.append((model.folder.name, len(inputs)))
        return classify_batch(model, inputs)

    settings = ServingSettings(registry_url=serving_world.registry_url, device="cpu")
    engine = TaskEngine(
        "classify", ClassifyRequest, recording, explain_classification, ClassifyOutcomes, settings
    )
    yield engine
    engine.close()


def _answers(engine: ClassifyEngine, bodies: list[bytes]) -> list[Response]:
    """Every request body sent at once, as concurrent HTTP requests would arrive."""

    async def everything() -> list[Response]:
        return await asyncio.gather(*(engine.answer(body) for body in bodies))

    return asyncio.run(everything())


def _outcomes(answer: Response) -> list[ClassifyOutcome]:
    """The outcomes of a 200 answer, read as the gateway reads them."""
    assert answer.status_code == 200, bytes(answer.body)
    assert answer.media_type == "application/json"
    return ClassifyOutcomes.model_validate_json(bytes(answer.body)).root


def _classify(*inputs: tuple[ModelRef, np.ndarray]) -> bytes:
    return frame(ClassifyItem, inputs)


def test_concurrent_requests_are_batched_by_version_and_keep_their_answers(
    classify_engine: ClassifyEngine,
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
        _classify(*[(ref, classifier_cases[i].input) for ref, i in request]) for request in plan
    ]
    answers = _answers(classify_engine, requests)
    for request, answer in zip(plan, answers, strict=True):
        outcomes = _outcomes(answer)
        assert len(outcomes) == len(request)
        for (_, index), outcome in zip(request, outcomes, strict=True):
            expected = classifier_cases[index].expected
            assert outcome.probabilities == pytest.approx(expected, abs=1e-5)
    assert max(n for _, n in forward_calls) > 1, "the batcher never batched"
    assert {folder for folder, _ in forward_calls} == {
        classify_engine.resident.get(ref).folder.name for ref in (CLASSIFIER, SPARE)
    }
    assert sum(n for _, n in forward_calls) == sum(len(r) for r in plan)


def _beyond_the_frame() -> bytes:
    """A valid header whose input needs more bytes (98304) than the frame has (3)."""
    item = ClassifyItem(model=CLASSIFIER, input=TensorRef(shape=(2, 128, 96), offset=0))
    return pack({"items": [item]}, TensorPayload()) + b"abc"


def _not_a_frame(good: bytes) -> list[bytes]:
    """Bodies that are not a classification frame of the contract, made from a good one."""
    length = int.from_bytes(good[4:8], "little")
    return [
        good[8:],  # no magic
        good[: 8 + length - 1],  # the header length beyond the body
        _beyond_the_frame(),  # an input the tensor bytes do not hold
        pack({"images": []}, TensorPayload()),  # a header of another schema
        json.dumps({"items": []}).encode(),  # the old JSON wire
    ]


def test_a_bad_request_is_refused_alone(
    classify_engine: ClassifyEngine,
    forward_calls: list[tuple[str, int]],
    classifier_cases: list[ClassifierCase],
) -> None:
    cases = classifier_cases[:4]
    good = [_classify((CLASSIFIER, case.input)) for case in cases]
    wrong_shape = np.zeros((1, 128, 96), dtype=np.float32)
    not_finite = cases[0].input.copy()
    not_finite[0, 0, 0] = np.nan
    bad = [
        _classify((CLASSIFIER, cases[0].input), (CLASSIFIER, wrong_shape)),
        _classify((CLASSIFIER, not_finite)),
        _classify((ModelRef(name="classifier", version=42), cases[0].input)),
        *_not_a_frame(good[0]),
    ]
    answers = _answers(classify_engine, good + bad)
    for case, answer in zip(cases, answers[: len(good)], strict=True):
        [outcome] = _outcomes(answer)
        assert outcome.probabilities == pytest.approx(case.expected, abs=1e-5)
    refusals = []
    for refused in answers[len(good) :]:
        body = json.loads(bytes(refused.body))
        if refused.status_code == 400:  # not a frame of the contract: a plain error
            assert set(body) == {"error"} and MALFORMED in body["error"], body
            assert refused.media_type == "application/json"
            refusals.append((400, "not-a-frame"))
        else:
            assert refused.media_type == "application/problem+json"
            refusals.append((refused.status_code, body["code"]))
    assert refusals == [
        (422, "input-shape-mismatch"),
        (422, "non-finite-input"),
        (404, "version-not-found"),
        *[(400, "not-a-frame")] * 5,
    ]
    assert sum(n for _, n in forward_calls) == len(good)  # no refused input reached a batch


def test_bodies_that_are_not_frames_are_a_plain_400_on_both_routes(
    classify_engine: ClassifyEngine,
    forward_calls: list[tuple[str, int]],
    classifier_cases: list[ClassifierCase],
) -> None:
    tensors = TensorPayload()
    item = ExplainItem(
        model=CLASSIFIER, input=tensors.add(classifier_cases[0].input), method="gradcam"
    )
    explain_body = pack(ExplainRequest(item=item), tensors)
    classify_body = _classify((CLASSIFIER, classifier_cases[0].input))
    # Written by hand, as a buggy gateway could: a method the contract does not have.
    unknown_method = pack({"item": item.model_dump(mode="json") | {"method": "lime"}}, tensors)

    async def everything() -> list[Response]:
        return [
            await classify_engine.answer(explain_body),  # an explanation's header
            await classify_engine.explain(classify_body),  # a classification's header
            *[await classify_engine.explain(body) for body in _not_a_frame(explain_body)],
            await classify_engine.explain(unknown_method),
        ]

    answers = asyncio.run(everything())
    for answer in answers:
        assert answer.status_code == 400, bytes(answer.body)
        body = json.loads(bytes(answer.body))
        assert set(body) == {"error"} and MALFORMED in body["error"], body
    assert "lime" in json.loads(bytes(answers[-1].body))["error"]  # says what was wrong
    assert forward_calls == []


def _service(engine: ClassifyEngine) -> TaskClient[ClassifyItem, ClassifyOutcome]:
    """The gateway's client of ``engine`` behind the classification service's routes (as
    ``serving.classify`` mounts them), over HTTP in this process."""

    async def classify(request: Request) -> Response:
        return await engine.answer(await request.body())

    async def explain(request: Request) -> Response:
        return await engine.explain(await request.body())

    app = Starlette(
        routes=[
            Route("/tensors/classify", classify, methods=["POST"]),
            Route("/tensors/explain", explain, methods=["POST"]),
        ]
    )
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://classify.test"
    )
    return TaskClient(
        "classify", [http], ClassifyOutcome, retries=0, backoff_s=0.0, probe_interval_s=1.0
    )


def test_the_gateways_client_and_the_engine_speak_the_same_frames(
    classify_engine: ClassifyEngine, classifier_cases: list[ClassifierCase]
) -> None:
    """What ``api.task_client`` sends is what the engine reads, both ways; a frame the engine
    cannot read (only a gateway bug sends one) is a 502 bad-service-answer at the gateway,
    never the caller's 4xx."""
    cases = classifier_cases[:2]

    async def scenario() -> None:
        client = _service(classify_engine)
        try:
            tensors = TensorPayload()
            items = [ClassifyItem(model=CLASSIFIER, input=tensors.add(c.input)) for c in cases]
            outcomes = await client.infer(items, tensors)
            for case, outcome in zip(cases, outcomes, strict=True):
                assert outcome.probabilities == pytest.approx(case.expected, abs=1e-5)

            explained = TensorPayload()
            item = ExplainItem(
                model=CLASSIFIER, input=explained.add(cases[0].input), method="gradcam"
            )
            explanation = await client.explain(item, explained)
            assert isinstance(explanation, ExplainOutcome) and explanation.method == "gradcam"
            assert explanation.classification is not None
            assert explanation.classification.probabilities == pytest.approx(
                cases[0].expected, abs=1e-5
            )

            # A header the service cannot validate: version 0 (the gateway never resolves one).
            # (model_copy does not validate: an item a buggy gateway could send.)
            version_0 = ModelRef.model_construct(name="classifier", version=0)
            broken = items[0].model_copy(update={"model": version_0})
            with pytest.raises(BadServiceAnswerError, match=MALFORMED) as raised:
                await client.infer([broken], tensors)
            assert raised.value.code == "bad-service-answer" and status_of(raised.value) == 502
            unknown = item.model_copy(update={"method": "lime"})  # no such method
            with pytest.raises(BadServiceAnswerError, match=MALFORMED) as raised:
                await client.explain(unknown, explained)
            assert status_of(raised.value) == 502

            # An input the frame does not hold: only a gateway bug sends it, so also a 502.
            with pytest.raises(BadServiceAnswerError, match=MALFORMED) as raised:
                await client.infer(items, TensorPayload())
            assert status_of(raised.value) == 502
        finally:
            await client.aclose()

    asyncio.run(scenario())


def test_detections_are_every_decoded_box_on_the_grid_best_first(
    serving_world: ServingWorld, loaded_detector: LoadedModel, tiny_set: DataSet
) -> None:
    settings = ServingSettings(registry_url=serving_world.registry_url, device="cpu")
    engine: TaskEngine[DetectRequest, DetectOutcome] = TaskEngine(
        "detect", DetectRequest, detect_batch, explain_detection, DetectOutcomes, settings
    )
    images = ingested(loaded_detector, tiny_set)[:6]
    requests = [frame(DetectItem, [(DETECTOR, image.model_input())]) for image in images]

    async def everything() -> list[Response]:
        return await asyncio.gather(*(engine.answer(body) for body in requests))

    try:
        answers = asyncio.run(everything())
    finally:
        engine.close()
    found_any = False
    for image, answer in zip(images, answers, strict=True):
        assert answer.status_code == 200, bytes(answer.body)
        boxes = DetectOutcomes.model_validate_json(bytes(answer.body)).root[0].detections
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
        model_input = classifier_cases[0].input.copy()
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
