"""The figures are written as real PNG files."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from mammocad.schemas.evaluation import FrocResult
from models.evaluation.plots import plot_froc, plot_roc

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _froc(sensitivity: list[float], fps: list[float]) -> FrocResult:
    return FrocResult(
        fps_per_image=fps,
        sensitivity=sensitivity,
        sensitivity_at={"0.25": 0.5, "0.5": 0.5, "1": 0.75, "2": 0.75, "4": 0.75},
        mean_sensitivity=0.65,
        n_lesions=4,
        n_images=4,
        hit_rule="centre",
        iou_threshold=0.3,
    )


def _assert_png(path: Path) -> None:
    assert path.read_bytes()[:8] == PNG_MAGIC
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        assert image.width > 100 and image.height > 100


def test_plot_roc(tmp_path: Path) -> None:
    curves = {
        "abnormal vs normal": ([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]),
        "malignant vs rest": ([0, 1, 0, 1], [0.2, 0.9, 0.3, 0.6]),
    }
    path = plot_roc(curves, tmp_path / "figures" / "roc.png", "ROC")
    assert path == tmp_path / "figures" / "roc.png"
    _assert_png(path)


@pytest.mark.parametrize("several", [False, True])
def test_plot_froc(tmp_path: Path, several: bool) -> None:
    result = _froc([0, 0.5, 0.5, 0.75], [0, 0, 0.5, 1.0])
    perfect = _froc([0, 1], [0, 0])
    path = tmp_path / "froc.png"
    plot_froc({"model": result, "perfect": perfect} if several else result, path, "FROC")
    _assert_png(path)
