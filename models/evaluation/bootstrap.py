"""Patient-level bootstrap intervals for figures of a repeated cross-validation.

Both films of a patient share anatomy, film and digitiser, so resampling images would treat two
correlated films as two independent cases and narrow the interval. Here patients are resampled
(each drawn patient brings all their images), and the figure is recomputed on the resample: for
a repeated cross-validation, the mean over the repeats of the per-repeat figure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.stats import rankdata

__all__ = ["Statistic", "fast_auc", "patient_bootstrap_interval"]

Statistic = Callable[[NDArray[np.int64]], float]
"""A figure of the images at these indices (repeats allowed); NaN when undefined there."""


def patient_bootstrap_interval(
    statistic: Statistic,
    patients: Sequence[str],
    *,
    n_boot: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float]:
    """The percentile interval of ``statistic`` over ``n_boot`` patient-level resamples.

    Args:
        statistic: the figure of a resample, given the image indices it holds.
        patients: ``(N,)`` the patient of each image.
        n_boot: resamples; those where the figure is undefined (NaN: e.g. no positive drawn)
            are left out.
        seed: seed of the numpy Generator, so that a report is reproducible.
        level: coverage, e.g. 0.95.

    Raises:
        ValueError: no resample gave a defined figure.
    """
    ids, inverse = np.unique(np.asarray(patients), return_inverse=True)
    members = [np.flatnonzero(inverse == p) for p in range(len(ids))]
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n_boot):
        drawn = rng.integers(0, len(ids), size=len(ids))
        value = statistic(np.concatenate([members[p] for p in drawn]))
        if np.isfinite(value):
            values.append(value)
    if not values:
        raise ValueError("the figure is undefined on every resample")
    alpha = 1 - level
    low, high = np.quantile(values, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def fast_auc(truth: NDArray[np.bool_], scores: NDArray[np.float64]) -> float:
    """ROC AUC by the Mann-Whitney statistic (mid-ranks for ties, as ``roc_auc_score``); NaN
    when one class is absent. Fast enough for thousands of bootstrap resamples."""
    n_pos = int(truth.sum())
    n_neg = len(truth) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(scores)
    return float((ranks[truth].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))
