"""The detection service: every decoded mass box on the model grid, best first.

The gateway maps the boxes back to original pixels (it holds the ingest transform) and applies
the version's operating threshold, so the service answers without either. Run it with
``bentoml serve serving.detect:DetectService`` (or :mod:`serving.processes`).
"""

from __future__ import annotations

import time
from typing import cast

import bentoml
import numpy as np
from fastapi import FastAPI, Request
from pydantic import RootModel
from starlette.responses import Response

from mammocad.schemas.inference_contract import (
    DetectOutcome,
    DetectRequest,
    ExplainItem,
    ExplainOutcome,
    GridBox,
)
from models.inference.decode import GridDetections, decode_detections
from models.inference.loaded import LoadedModel
from models.inference.predict import predict_detector
from models.nets.detector import DetectorOutput, MassDetector
from models.trust.ood import ood_features_of
from serving.engine import TaskEngine, ood_scores
from serving.explaining import explain_with, explanation_outcome
from serving.settings import get_settings

__all__ = ["DetectOutcomes", "DetectService", "detect_batch", "explain_detection"]

DetectOutcomes = RootModel[list[DetectOutcome]]


def detect_batch(model: LoadedModel, inputs: list[np.ndarray]) -> list[DetectOutcome]:
    """One forward pass of a detector over ``(1, rows, columns)`` inputs."""
    network = cast(MassDetector, model.network)  # the resident cache checked the task
    found, features = predict_detector(network, inputs, model.device, batch_size=len(inputs))
    return [
        DetectOutcome(detections=_best_first(image), ood_score=score)
        for image, score in zip(found, ood_scores(model, features), strict=True)
    ]


def explain_detection(
    model: LoadedModel, model_input: np.ndarray, item: ExplainItem
) -> ExplainOutcome:
    """Explain one detection's score in one image, with every detection of the image."""
    started = time.perf_counter()
    explanation = explain_with(model, model_input, item)
    output = cast(DetectorOutput, explanation.output)  # a detector's explainer
    [found] = decode_detections(output, stride=explanation.stride)
    [score] = ood_scores(model, ood_features_of(output))
    outcome = DetectOutcome(detections=_best_first(found), ood_score=score)
    return explanation_outcome(explanation, started, detection=outcome)


def _best_first(found: GridDetections) -> list[GridBox]:
    boxes = []
    for i in np.argsort(-found.scores, kind="stable"):
        x0, y0, x1, y1 = (float(v) for v in found.boxes[i])
        boxes.append(
            GridBox(
                box=(x0, y0, x1, y1),
                score=float(found.scores[i]),
                malignancy=float(found.malignancy[i]),
            )
        )
    return boxes


TENSOR_ROUTES = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
"""The service's inference routes, mounted at ``/tensors``: their bodies are tensor frames
(:mod:`mammocad.schemas.tensor_frame`), which BentoML's own API layer would parse as JSON."""


@bentoml.service(name="mammocad-detect", workers=1, traffic={"timeout": 120})
@bentoml.asgi_app(TENSOR_ROUTES, path="/tensors")
class DetectService:
    """Finds masses in ingested images with the exact registered versions the requests name."""

    def __init__(self) -> None:
        self.engine = TaskEngine(
            "detect",
            DetectRequest,
            detect_batch,
            explain_detection,
            DetectOutcomes,
            get_settings(),
        )

    @TENSOR_ROUTES.post("/detect")
    async def detect(self, request: Request) -> Response:
        """One outcome per item of the frame, in order; requests are batched with each other."""
        return await self.engine.answer(await request.body())

    @TENSOR_ROUTES.post("/explain")
    async def explain(self, request: Request) -> Response:
        """Grad-CAM or SHAP of one detection's score (default the best detection)."""
        return await self.engine.explain(await request.body())

    @bentoml.on_shutdown
    def close(self) -> None:
        """Refuse what is still queued and close the registry's connections."""
        self.engine.close()
