"""Rich tables show the numbers; JSON is pretty, sorted and strict."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from mammocad.schemas.evaluation import ClassificationReport, FrocResult
from models.evaluation.classification import classification_report
from models.evaluation.report import (
    render_classification_table,
    render_detection_table,
    write_json,
)

REPO_ROOT = Path(__file__).resolve().parents[3]


def _report() -> ClassificationReport:
    truth = ["normal", "normal", "benign", "malignant"]
    probs = [[0.9, 0.05, 0.05], [0.6, 0.3, 0.1], [0.65, 0.3, 0.05], [0.2, 0.2, 0.6]]
    return classification_report(truth, probs, n_boot=50)


def _froc() -> FrocResult:
    return FrocResult(
        fps_per_image=[0.0, 0.0, 1.5],
        sensitivity=[0.0, 0.625, 0.875],
        sensitivity_at={"0.25": 0.625, "4": 0.875},
        mean_sensitivity=0.75,
        n_lesions=8,
        n_images=4,
        hit_rule="iou",
        iou_threshold=0.3,
    )


def _text(table: object) -> str:
    console = Console(record=True, width=120)
    console.print(table)
    return console.export_text()


def test_classification_table_shows_the_metrics() -> None:
    report = _report()
    assert report.auc_abnormal.auc == pytest.approx(0.75)
    text = _text(render_classification_table(report))
    assert "0.750 [" in text
    assert "youden on these data" in text
    assert "sensitivity" in text and "(2/2)" in text
    assert "rows truth, columns prediction" in text and "malignant" in text


def test_detection_table_shows_rates_and_mean() -> None:
    text = _text(render_detection_table(_froc()))
    assert "0.625" in text and "0.875" in text
    assert "mean" in text and "0.750" in text
    assert "IoU >= 0.3" in text


def test_write_json_is_sorted_indented_and_round_trips(tmp_path: Path) -> None:
    report = _report()
    path = write_json(report, tmp_path / "deep" / "er" / "report.json")
    text = path.read_text(encoding="utf-8")
    assert text.startswith('{\n  "auc_abnormal": {')
    assert ClassificationReport.model_validate_json(text) == report


def test_write_json_accepts_mappings_and_refuses_nan(tmp_path: Path) -> None:
    path = write_json({"b": 1, "a": [1, 2]}, tmp_path / "x.json")
    assert json.loads(path.read_text(encoding="utf-8")) == {"a": [1, 2], "b": 1}
    with pytest.raises(ValueError):
        write_json({"auc": float("nan")}, tmp_path / "nan.json")


def test_importing_evaluation_does_not_load_torch() -> None:
    code = "import sys, models.evaluation, models.evaluation.plots; print('torch' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
