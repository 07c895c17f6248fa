"""The model card's figures, drawn from the version's records (never stored separately).

The reliability diagram is drawn from the calibration record's bins each time the card is shown,
so it can never disagree with the numbers in the card's tables. matplotlib's Agg canvas only (no
pyplot, no display): the registry runs in the gateway process.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from mammocad.schemas.trust import CalibrationRecord

__all__ = ["reliability_diagram_png"]


def reliability_diagram_png(record: CalibrationRecord) -> bytes:
    """Observed frequency against mean confidence per bin after calibration (marker area by
    the bin's count), with the diagonal of perfect calibration."""
    figure = Figure(figsize=(4, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfect")
    filled = [b for b in record.reliability_bins if b.count > 0]
    axes.scatter(
        [b.mean_confidence for b in filled],
        [b.observed_frequency for b in filled],
        s=[20 + 8 * b.count for b in filled],
        alpha=0.7,
        label=f"after calibration (ECE {record.after.ece:.3f})",
    )
    axes.plot(
        [b.mean_confidence for b in filled], [b.observed_frequency for b in filled], linewidth=1
    )
    axes.set(
        xlim=(0, 1),
        ylim=(0, 1),
        xlabel="mean confidence",
        ylabel="observed frequency",
        title=f"Reliability: {record.target}"[:60],
    )
    axes.legend(loc="upper left", fontsize="small")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
