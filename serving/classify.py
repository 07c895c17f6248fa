"""The classification service: normal / benign / malignant, with the image logits A and M.

The logits travel with the probabilities because calibration (temperature scaling) is applied
to them by the gateway, from the version's calibration record. Run it with
``bentoml serve serving.classify:ClassifyService`` (or :mod:`serving.processes`).
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
    ClassifyOutcome,
    ClassifyRequest,
    ExplainItem,
    ExplainOutcome,
)
from models.inference.loaded import LoadedModel
from models.inference.predict import (
    ClassifierPredictions,
    classifier_predictions,
    predict_classifier,
)
from models.nets.classifier import CLASSES, ClassifierNetwork, ClassifierOutput
from serving.engine import TaskEngine, ood_scores
from serving.explaining import explain_with, explanation_outcome
from serving.settings import get_settings

__all__ = ["ClassifyOutcomes", "ClassifyService", "classify_batch", "explain_classification"]

ClassifyOutcomes = RootModel[list[ClassifyOutcome]]


def classify_batch(model: LoadedModel, inputs: list[np.ndarray]) -> list[ClassifyOutcome]:
    """One forward pass of a classifier over ``(2, rows, columns)`` inputs."""
    network = cast(ClassifierNetwork, model.network)  # the resident cache checked the task
    found = predict_classifier(network, inputs, model.device, batch_size=len(inputs))
    return _outcomes(model, found)


def explain_classification(
    model: LoadedModel, model_input: np.ndarray, item: ExplainItem
) -> ExplainOutcome:
    """Explain one class score of one image, with the classification it explains."""
    started = time.perf_counter()
    explanation = explain_with(model, model_input, item)
    output = cast(ClassifierOutput, explanation.output)  # a classifier's explainer
    [outcome] = _outcomes(model, classifier_predictions([output]))
    return explanation_outcome(explanation, started, classification=outcome)


def _outcomes(model: LoadedModel, found: ClassifierPredictions) -> list[ClassifyOutcome]:
    return [
        ClassifyOutcome(
            probabilities={name: float(p) for name, p in zip(CLASSES, row, strict=True)},
            logits={"abnormal": float(a), "malignant": float(m)},
            ood_score=score,
        )
        for row, a, m, score in zip(
            found.probabilities,
            found.abnormal_logit,
            found.malignant_logit,
            ood_scores(model, found.ood_features),
            strict=True,
        )
    ]


TENSOR_ROUTES = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
"""The service's inference routes, mounted at ``/tensors``: their bodies are tensor frames
(:mod:`mammocad.schemas.tensor_frame`), which BentoML's own API layer would parse as JSON."""


@bentoml.service(name="mammocad-classify", workers=1, traffic={"timeout": 120})
@bentoml.asgi_app(TENSOR_ROUTES, path="/tensors")
class ClassifyService:
    """Classifies ingested images with the exact registered versions the requests name."""

    def __init__(self) -> None:
        self.engine = TaskEngine(
            "classify",
            ClassifyRequest,
            classify_batch,
            explain_classification,
            ClassifyOutcomes,
            get_settings(),
        )

    @TENSOR_ROUTES.post("/classify")
    async def classify(self, request: Request) -> Response:
        """One outcome per item of the frame, in order; requests are batched with each other."""
        return await self.engine.answer(await request.body())

    @TENSOR_ROUTES.post("/explain")
    async def explain(self, request: Request) -> Response:
        """Grad-CAM or SHAP of one image's class score (see ``models.explain.targets``)."""
        return await self.engine.explain(await request.body())

    @bentoml.on_shutdown
    def close(self) -> None:
        """Refuse what is still queued and close the registry's connections."""
        self.engine.close()
