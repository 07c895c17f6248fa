"""Image-level classification metrics: AUC with a bootstrap CI, operating points, confusion.

Every number a report shows comes with its uncertainty, because the public mammography sets are
small (mini-MIAS has about a hundred abnormal images) and a point estimate alone overstates what
we know. Inputs are plain numpy arrays or sequences of labels; outputs are frozen pydantic models
so that they serialise to JSON unchanged.

Binary conventions throughout: ``y_true`` holds 1 for the positive class and 0 otherwise, higher
scores mean "more likely positive", and a case is called positive when ``score >= threshold``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import norm, rankdata
from sklearn.metrics import confusion_matrix, roc_auc_score

from mammocad.schemas.evaluation import (
    AucEstimate,
    ClassificationReport,
    ConfusionMatrix,
    OperatingPoint,
    Proportion,
)
from mammocad.vocabulary import Label

__all__ = [
    "at_threshold",
    "auc_with_ci",
    "classification_report",
    "confusion",
    "operating_point",
    "wilson_interval",
]

_CLASS_ORDER = tuple(Label)


def _binary_inputs(y_true: ArrayLike, scores: ArrayLike) -> tuple[NDArray[np.bool_], NDArray]:
    """Validate a binary problem and return (y as bool (N,), scores as float (N,))."""
    y = np.asarray(y_true)
    s = np.asarray(scores, dtype=float)
    if y.ndim != 1 or s.ndim != 1 or len(y) != len(s):
        raise ValueError(f"y_true {y.shape} and scores {s.shape} must be 1-D of equal length")
    if not np.isin(y, (0, 1)).all():
        raise ValueError("y_true must hold only 0/1 (or False/True)")
    if not np.isfinite(s).all():
        raise ValueError("scores must be finite")
    y = y.astype(bool)
    n_pos = int(y.sum())
    if n_pos == 0 or n_pos == len(y):
        raise ValueError(f"need both classes, got {n_pos} positives and {len(y) - n_pos} negatives")
    return y, s


def auc_with_ci(
    y_true: ArrayLike,
    scores: ArrayLike,
    *,
    n_boot: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> AucEstimate:
    """ROC AUC with a stratified percentile-bootstrap confidence interval.

    Positives and negatives are resampled separately, keeping their counts, so that every
    replicate has both classes (an unstratified bootstrap of a small set sometimes draws one class
    only, where the AUC is undefined). The replicates use the Mann-Whitney form of the AUC (mid-
    ranks for ties), which equals ``roc_auc_score`` and is computed for all replicates at once.

    Args:
        y_true: (N,) 1 for positive, 0 for negative.
        scores: (N,) higher means more likely positive.
        n_boot: number of bootstrap replicates.
        seed: seed of the numpy Generator, so that a report is reproducible.
        level: coverage of the interval, e.g. 0.95.

    Returns:
        The AUC of the data, the interval and the class counts.

    Raises:
        ValueError: only one class present, or malformed inputs.
    """
    if n_boot < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    y, s = _binary_inputs(y_true, scores)
    pos, neg = s[y], s[~y]
    n_pos, n_neg = len(pos), len(neg)

    rng = np.random.default_rng(seed)
    boot = np.concatenate(
        [
            pos[rng.integers(0, n_pos, size=(n_boot, n_pos))],
            neg[rng.integers(0, n_neg, size=(n_boot, n_neg))],
        ],
        axis=1,
    )
    rank_sum_pos = rankdata(boot, axis=1)[:, :n_pos].sum(axis=1)
    boot_auc = (rank_sum_pos - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
    alpha = 1 - level
    ci_low, ci_high = np.quantile(boot_auc, [alpha / 2, 1 - alpha / 2])
    return AucEstimate(
        auc=float(roc_auc_score(y, s)),
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        level=level,
        n_positive=n_pos,
        n_negative=n_neg,
        n_boot=n_boot,
    )


def wilson_interval(successes: int, n: int, *, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion.

    Chosen over the normal (Wald) interval because sensitivities near 1 on a few dozen cases are
    the norm here, where Wald collapses to zero width or leaves [0, 1].

    Args:
        successes: number of successes, 0 <= successes <= n.
        n: number of trials, > 0.
        level: coverage, e.g. 0.95.

    Returns:
        (low, high), both within [0, 1].
    """
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n and n > 0, got {successes}/{n}")
    z = float(norm.ppf(1 - (1 - level) / 2))
    p = successes / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return max(0.0, float(centre - half)), min(1.0, float(centre + half))


def _point(rule: str, threshold: float, y: NDArray[np.bool_], s: NDArray) -> OperatingPoint:
    """Count the outcomes of calling ``s >= threshold`` positive, with Wilson CIs."""
    called = s >= threshold
    tp = int((called & y).sum())
    fp = int((called & ~y).sum())
    fn = int((~called & y).sum())
    tn = int((~called & ~y).sum())
    return OperatingPoint(
        rule=rule,
        threshold=float(threshold),
        sensitivity=Proportion(value=tp / (tp + fn), **_ci(tp, tp + fn)),
        specificity=Proportion(value=tn / (tn + fp), **_ci(tn, tn + fp)),
        tp=tp,
        fp=fp,
        tn=tn,
        fn=fn,
    )


def _ci(successes: int, n: int) -> dict[str, float]:
    low, high = wilson_interval(successes, n)
    return {"ci_low": low, "ci_high": high}


def at_threshold(y_true: ArrayLike, scores: ArrayLike, threshold: float) -> OperatingPoint:
    """Evaluate a threshold fixed beforehand (e.g. on validation) on these data.

    This is the honest way to report sensitivity/specificity on a test split: a threshold tuned on
    the test data itself flatters the model.

    Args:
        y_true: (N,) 1 for positive, 0 for negative; both classes must be present.
        scores: (N,) higher means more likely positive.
        threshold: a case is positive when ``score >= threshold``.

    Returns:
        The operating point, with ``rule="given"``.
    """
    y, s = _binary_inputs(y_true, scores)
    return _point("given", threshold, y, s)


def operating_point(
    y_true: ArrayLike, scores: ArrayLike, *, rule: str = "youden"
) -> OperatingPoint:
    """Choose a threshold on these data by a rule, and evaluate it.

    Candidate thresholds are the distinct scores (a case is positive when ``score >= threshold``)
    plus one just above the highest score (everything negative).

    Args:
        y_true: (N,) 1 for positive, 0 for negative; both classes must be present.
        scores: (N,) higher means more likely positive.
        rule: ``"youden"`` maximises sensitivity + specificity - 1 (ties: the lowest threshold,
            i.e. the most sensitive, since a missed cancer costs more than a recall);
            ``"sensitivity:X"`` takes the highest threshold whose sensitivity is >= X (the best
            specificity under that constraint); ``"specificity:X"`` the lowest threshold whose
            specificity is >= X.

    Returns:
        The chosen operating point, with ``rule`` as given.
    """
    y, s = _binary_inputs(y_true, scores)
    distinct = np.unique(s)  # ascending
    candidates = np.append(distinct, np.nextafter(distinct[-1], np.inf))
    pos_sorted, neg_sorted = np.sort(s[y]), np.sort(s[~y])
    # Number of positives/negatives with score >= candidate, for every candidate at once.
    tp = len(pos_sorted) - np.searchsorted(pos_sorted, candidates, side="left")
    fp = len(neg_sorted) - np.searchsorted(neg_sorted, candidates, side="left")
    sensitivity = tp / len(pos_sorted)
    specificity = 1 - fp / len(neg_sorted)

    name, _, value = rule.partition(":")
    if name == "youden" and not value:
        index = int(np.argmax(sensitivity + specificity))  # first maximum = lowest threshold
    elif name in ("sensitivity", "specificity") and value:
        target = float(value)
        if not 0 < target <= 1:
            raise ValueError(f"rule {rule!r}: the target must lie in (0, 1]")
        if name == "sensitivity":
            index = int(np.flatnonzero(sensitivity >= target)[-1])
        else:
            index = int(np.flatnonzero(specificity >= target)[0])
    else:
        raise ValueError(f"unknown rule {rule!r}: use 'youden', 'sensitivity:X' or 'specificity:X'")
    return _point(rule, float(candidates[index]), y, s)


def confusion(
    y_true: Sequence[str | Label],
    y_pred: Sequence[str | Label],
    labels: Sequence[str | Label] = _CLASS_ORDER,
) -> ConfusionMatrix:
    """Confusion matrix, rows = truth, columns = prediction, in the order of ``labels``.

    Unlike sklearn, a value outside ``labels`` is an error rather than silently dropped, so a
    misspelt label cannot make a matrix look better than it is.

    Args:
        y_true: (N,) true labels.
        y_pred: (N,) predicted labels.
        labels: the classes, in row/column order.

    Returns:
        The matrix as nested lists of ints, with the label names.
    """
    names = [str(label) for label in labels]
    truth = [str(label) for label in y_true]
    predicted = [str(label) for label in y_pred]
    if len(truth) != len(predicted):
        raise ValueError(f"y_true has {len(truth)} labels, y_pred {len(predicted)}")
    unknown = (set(truth) | set(predicted)) - set(names)
    if unknown:
        raise ValueError(f"labels {sorted(unknown)} are not among {names}")
    matrix = confusion_matrix(truth, predicted, labels=names)
    return ConfusionMatrix(labels=names, matrix=matrix.tolist())


def classification_report(
    y_true_labels: Sequence[str | Label],
    probabilities: ArrayLike,
    *,
    threshold_abnormal: float | None = None,
    n_boot: int = 2000,
    seed: int = 0,
) -> ClassificationReport:
    """Bundle the metrics of the normal/benign/malignant classifier on one split.

    The screening question (abnormal vs normal) is scored with ``1 - p_normal``; the diagnostic one
    (malignant vs rest) with ``p_malignant``.

    Args:
        y_true_labels: (N,) true labels (``Label`` or its string values).
        probabilities: (N, 3) class probabilities, columns ordered normal, benign, malignant.
        threshold_abnormal: threshold on ``1 - p_normal`` chosen elsewhere (validation). None picks
            it by Youden on these data, which is optimistic; ``threshold_source`` records which.
        n_boot: bootstrap replicates of each AUC interval.
        seed: bootstrap seed.

    Returns:
        The report.
    """
    probs = np.asarray(probabilities, dtype=float)
    truth = [Label(label) for label in y_true_labels]
    if probs.shape != (len(truth), len(_CLASS_ORDER)):
        raise ValueError(f"probabilities {probs.shape} must be ({len(truth)}, {len(_CLASS_ORDER)})")
    if not np.allclose(probs.sum(axis=1), 1, atol=1e-3) or (probs < 0).any():
        raise ValueError("each row of probabilities must be a distribution (logits passed?)")

    abnormal = np.array([label is not Label.NORMAL for label in truth])
    malignant = np.array([label is Label.MALIGNANT for label in truth])
    abnormal_score = 1 - probs[:, 0]
    malignant_score = probs[:, 2]

    if threshold_abnormal is None:
        point = operating_point(abnormal, abnormal_score, rule="youden")
        source: Literal["youden on these data", "given"] = "youden on these data"
    else:
        point = at_threshold(abnormal, abnormal_score, threshold_abnormal)
        source = "given"
    auc_malignant = (
        auc_with_ci(malignant, malignant_score, n_boot=n_boot, seed=seed)
        if 0 < malignant.sum() < len(truth)
        else None
    )
    predicted = [_CLASS_ORDER[i] for i in probs.argmax(axis=1)]
    return ClassificationReport(
        n_images=len(truth),
        counts={str(label): truth.count(label) for label in _CLASS_ORDER},
        auc_abnormal=auc_with_ci(abnormal, abnormal_score, n_boot=n_boot, seed=seed),
        auc_malignant=auc_malignant,
        operating_point=point,
        threshold_source=source,
        confusion=confusion(truth, predicted),
    )
