"""PNG figures of the evaluation curves, for reports and model cards.

Figures are drawn on matplotlib's Agg canvas directly (no pyplot): nothing opens a window, no
global backend or figure state changes, so this is safe in training jobs, tests and servers.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, NullLocator
from numpy.typing import ArrayLike
from sklearn.metrics import roc_auc_score, roc_curve

from mammocad.schemas.evaluation import FrocResult

__all__ = ["plot_froc", "plot_roc"]

_FROC_X_RANGE = (1 / 8, 8)
_FROC_TICKS = (0.125, 0.25, 0.5, 1, 2, 4, 8)


def _new_figure() -> Figure:
    figure = Figure(figsize=(6, 5), dpi=120, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Figure, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    return path


def plot_roc(
    curves: Mapping[str, tuple[ArrayLike, ArrayLike]], path: str | Path, title: str
) -> Path:
    """Draw ROC curves, one per entry, with each AUC in the legend.

    Args:
        curves: name -> (y_true (N,) of 0/1, scores (N,)); e.g. ``{"abnormal vs normal": ...}``.
        path: PNG to write; parent folders are created.
        title: figure title.

    Returns:
        ``path``.
    """
    figure = _new_figure()
    axes = figure.add_subplot()
    for name, (y_true, scores) in curves.items():
        fpr, tpr, _ = roc_curve(y_true, scores)
        axes.plot(fpr, tpr, label=f"{name} (AUC {roc_auc_score(y_true, scores):.3f})")
    axes.plot([0, 1], [0, 1], linestyle=":", color="grey", label="chance")
    axes.set(
        xlabel="1 - specificity",
        ylabel="sensitivity",
        xlim=(0, 1),
        ylim=(0, 1.01),
        title=title,
        aspect="equal",
    )
    axes.legend(loc="lower right")
    return _save(figure, path)


def plot_froc(result: FrocResult | Mapping[str, FrocResult], path: str | Path, title: str) -> Path:
    """Draw FROC curves on a log FP-per-image axis from 1/8 to 8, marking the reported rates.

    The curve is extended flat to the right edge from the detector's largest FP rate, which is how
    the reported sensitivities treat rates it never reaches (see :func:`detection.froc`), and
    points below 1/8 FP per image are drawn on the left edge.

    Args:
        result: one FROC result, or name -> result to compare models.
        path: PNG to write; parent folders are created.
        title: figure title.

    Returns:
        ``path``.
    """
    results = {"": result} if isinstance(result, FrocResult) else dict(result)
    figure = _new_figure()
    axes = figure.add_subplot()
    for name, froc in results.items():
        # Points left of the axis (0 FP per image is -inf on a log axis) are drawn at its edge.
        fps = np.clip(np.append(froc.fps_per_image, np.inf), *_FROC_X_RANGE)
        sensitivity = np.append(froc.sensitivity, froc.sensitivity[-1])
        label = f"{name} (mean {froc.mean_sensitivity:.3f})".lstrip()
        (line,) = axes.plot(fps, sensitivity, label=label)
        rates = [float(rate) for rate in froc.sensitivity_at]
        axes.plot(rates, list(froc.sensitivity_at.values()), "o", color=line.get_color())
    axes.set_xscale("log")
    axes.xaxis.set_major_locator(FixedLocator(_FROC_TICKS))
    axes.xaxis.set_minor_locator(NullLocator())
    axes.set_xticklabels([f"{tick:g}" for tick in _FROC_TICKS])
    axes.set(
        xlabel="false positives per image",
        ylabel="sensitivity (lesions found)",
        xlim=_FROC_X_RANGE,
        ylim=(0, 1.01),
        title=title,
    )
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(loc="lower right")
    return _save(figure, path)
