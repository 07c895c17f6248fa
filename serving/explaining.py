"""What both services do to explain an image: run the version's explainer, answer the contract.

An explanation is one image's forward and backward passes (SHAP: many small ones), so it is not
batched with other requests; explanations run one at a time per service, in a worker thread, so
the event loop keeps batching classify/detect requests meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from mammocad.schemas.inference_contract import (
    ClassifyOutcome,
    DetectOutcome,
    EncodedArray,
    ExplainItem,
    ExplainOutcome,
)
from models.explain import Explanation, ShapSettings
from models.inference.loaded import LoadedModel

__all__ = ["Explain", "explain_with", "explanation_outcome"]

# One explanation of one checked input of one loaded version.
Explain = Callable[[LoadedModel, np.ndarray, ExplainItem], ExplainOutcome]


def explain_with(model: LoadedModel, model_input: np.ndarray, item: ExplainItem) -> Explanation:
    """The version's explanation of ``item`` for its checked ``model_input``."""
    settings = ShapSettings(nsamples=item.shap.nsamples, seed=item.shap.seed)
    return model.explainer.explain(model_input, item.method, item.target, settings)


def explanation_outcome(
    explanation: Explanation,
    started: float,
    *,
    classification: ClassifyOutcome | None = None,
    detection: DetectOutcome | None = None,
) -> ExplainOutcome:
    """The contract's answer for an explanation that began at ``started`` (perf counter)."""
    return ExplainOutcome(
        classification=classification,
        detection=detection,
        cell_map=EncodedArray.encode(explanation.cell_map),
        stride=explanation.stride,
        method=explanation.method,
        explained=explanation.explained.description,
        class_name=explanation.explained.class_name,
        detection_index=explanation.explained.detection_index,
        value=explanation.value,
        details=explanation.details,
        compute_ms=round((time.perf_counter() - started) * 1000, 1),
    )
