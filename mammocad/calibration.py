"""Temperature scaling, applied: how calibrated probabilities are made from a model's logits.

Fitting happens once per model version, on its validation split (``models.trust.calibration``);
applying happens on every answer, in the torch-free gateway. Both use these functions, so the
probabilities an answer reports are computed exactly as they were when the calibration was
measured.

The classifier's probabilities are hierarchical (``p(abnormal) = sigmoid(A)``,
``p(malignant | abnormal) = sigmoid(M)``), so it gets one temperature per logit; a detector's box
score ``s = sigmoid(z)`` gets one temperature on ``z``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["classifier_probabilities", "scaled_scores", "sigmoid"]

_EPS = 1e-7


def sigmoid(x: ArrayLike) -> NDArray[np.float64]:
    """The logistic function, without overflow warnings for large logits."""
    values = np.asarray(x, dtype=np.float64)
    return np.exp(-np.logaddexp(0.0, -values))


def classifier_probabilities(
    abnormal_logit: ArrayLike,
    malignant_logit: ArrayLike,
    abnormal_temperature: float = 1.0,
    malignant_temperature: float = 1.0,
) -> NDArray[np.float64]:
    """``(N, 3)`` normal, benign, malignant from the image logits A and M, each divided by its
    temperature (1.0 reproduces the network's own probabilities)."""
    p_abnormal = sigmoid(np.asarray(abnormal_logit, dtype=np.float64) / abnormal_temperature)
    p_malignant = sigmoid(np.asarray(malignant_logit, dtype=np.float64) / malignant_temperature)
    return np.stack(
        [1 - p_abnormal, p_abnormal * (1 - p_malignant), p_abnormal * p_malignant], axis=-1
    )


def scaled_scores(scores: ArrayLike, temperature: float) -> NDArray[np.float64]:
    """Box scores ``sigmoid(logit(s) / T)``: the same ranking, calibrated confidences."""
    s = np.clip(np.asarray(scores, dtype=np.float64), _EPS, 1 - _EPS)
    return sigmoid(np.log(s / (1 - s)) / temperature)
