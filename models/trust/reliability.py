"""How well probabilities mean what they say: ECE, Brier score, reliability-diagram bins.

Top-label conventions (Guo et al., 2017): each case contributes its highest predicted
probability (the confidence) and whether that class was right; ECE is the count-weighted mean
gap between confidence and accuracy over equal-width bins. For one binary probability (a box
score), the "classes" are positive and negative. The Brier score is the mean squared error of
the probability vector against the one-hot truth, halved so it lies in [0, 1] for any number of
classes.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict

__all__ = [
    "CalibrationSummary",
    "ReliabilityBin",
    "expected_ece_if_calibrated",
    "summarise_calibration",
    "two_class",
]

N_BINS = 15


class ReliabilityBin(BaseModel):
    """One bin: predicted confidence against observed accuracy."""

    model_config = ConfigDict(frozen=True)

    lower: float
    upper: float
    count: int
    mean_confidence: float
    observed_frequency: float


class CalibrationSummary(BaseModel):
    """ECE, Brier score and the non-empty reliability bins of one set of predictions."""

    model_config = ConfigDict(frozen=True)

    ece: float
    brier: float
    n: int
    bins: list[ReliabilityBin]


def two_class(positive_probability: ArrayLike) -> np.ndarray:
    """``(N, 2)`` [p(negative), p(positive)] from one binary probability per case."""
    p = np.asarray(positive_probability, dtype=np.float64)
    return np.stack([1 - p, p], axis=1)


def summarise_calibration(
    probabilities: ArrayLike, truth: ArrayLike, n_bins: int = N_BINS
) -> CalibrationSummary:
    """Calibration of ``probabilities`` ``(N, K)`` against class indices ``truth`` ``(N,)``.

    Raises:
        ValueError: no cases, or shapes that do not match.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    y = np.asarray(truth, dtype=np.int64)
    if p.ndim != 2 or len(p) == 0 or len(y) != len(p):
        raise ValueError(f"need (N, K) probabilities and N labels, got {p.shape} and {y.shape}")
    confidence = p.max(axis=1)
    correct = (p.argmax(axis=1) == y).astype(np.float64)
    onehot = np.eye(p.shape[1])[y]
    brier = float(((p - onehot) ** 2).sum(axis=1).mean() / 2)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    # Right-closed bins, the first also closed on the left: a confidence of exactly 1 counts.
    which = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, n_bins - 1)
    bins, ece = [], 0.0
    for index in range(n_bins):
        members = which == index
        if not members.any():
            continue
        mean_confidence = float(confidence[members].mean())
        accuracy = float(correct[members].mean())
        ece += members.sum() / len(p) * abs(mean_confidence - accuracy)
        bins.append(
            ReliabilityBin(
                lower=float(edges[index]),
                upper=float(edges[index + 1]),
                count=int(members.sum()),
                mean_confidence=mean_confidence,
                observed_frequency=accuracy,
            )
        )
    return CalibrationSummary(ece=float(ece), brier=brier, n=len(p), bins=bins)


def expected_ece_if_calibrated(
    probabilities: ArrayLike, n_bins: int = N_BINS, draws: int = 200, seed: int = 0
) -> float:
    """The mean ECE of ``probabilities`` against labels drawn from themselves: what perfectly
    calibrated probabilities with these confidences would show on this many cases.

    ECE is a biased estimate: on few cases the bins' sampling noise alone makes it positive
    (about 0.13 on 64 cases of a three-class model with 0.6-0.7 confidence), so a measured ECE
    means little without this floor beside it.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    rng = np.random.default_rng(seed)
    cumulative = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    eces = []
    for _ in range(draws):
        u = rng.random((len(p), 1))
        drawn = np.minimum((u > cumulative).sum(axis=1), p.shape[1] - 1)
        eces.append(summarise_calibration(p, drawn, n_bins).ece)
    return float(np.mean(eces))
