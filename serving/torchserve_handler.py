"""TorchServe handler of an exported mammocad version (``mammocad registry export-torchserve``).

TorchServe is the peer the product's design names, so a version can be served by it too, with
the same code path as the BentoML services: the upload is ingested with the version's own
ingest options (:func:`mammocad.ingest.pipeline.ingest_bytes`), the forward pass and the answer
are those of :func:`serving.classify.classify_batch` / :func:`serving.detect.detect_batch`, and
the answer has the same fields (:class:`~mammocad.schemas.inference_contract.ClassifyOutcome`,
:class:`~mammocad.schemas.inference_contract.DetectOutcome`; detections on the model grid). It
answers ``POST /predictions/<name>`` with the image bytes as the body. TorchServe imports this
file from the archive and needs mammocad installed in its Python (run it from this project's
environment). An upload that cannot be ingested is answered 4xx with mammocad's problem code, the
others of its batch are answered as usual.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mammocad.errors import MammocadError, status_of
from mammocad.ingest.pipeline import ingest_bytes
from models.inference.loaded import LoadedModel, load_model

__all__ = ["handle"]

logger = logging.getLogger(__name__)

_model: LoadedModel | None = None


def handle(data: list[dict[str, Any]] | None, context: Any) -> list[Any] | None:
    """TorchServe's entry point: called once with ``data=None`` to load the model, then with
    each batch of requests (a list of ``{"body": bytes}``), answering one item per request."""
    global _model
    if data is None:
        _model = load_model(Path(context.system_properties["model_dir"]), "cpu")
        logger.info("loaded %s", _model.folder)
        return None
    if _model is None:
        raise RuntimeError("the model was not loaded")
    return _answers(_model, data, context)


def _answers(model: LoadedModel, data: list[dict[str, Any]], context: Any) -> list[Any]:
    from serving.classify import classify_batch
    from serving.detect import detect_batch

    answers: list[Any] = [None] * len(data)
    inputs, positions = [], []
    for index, request in enumerate(data):
        body = request.get("data") or request.get("body") or b""
        try:
            image = ingest_bytes(bytes(body), model.metadata.ingest)
        except MammocadError as error:
            context.set_response_status(status_of(error), error.code, idx=index)
            answers[index] = {"type": error.code, "detail": error.detail}
            continue
        inputs.append(image.model_input())
        positions.append(index)
    if inputs:
        run = classify_batch if model.metadata.task == "classify" else detect_batch
        for index, outcome in zip(positions, run(model, inputs), strict=True):
            answers[index] = outcome.model_dump(mode="json")
    return answers
