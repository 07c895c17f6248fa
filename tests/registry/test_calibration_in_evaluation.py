"""Held-out calibration in an evaluation report becomes registry metrics (and so the model card's
quantitative analyses): ECE after and before the version's calibration, with the ECE that
perfectly calibrated probabilities would show on as many cases.

The calibration entry is made by the evaluation code's own function, so a format change there
breaks these tests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from models.trust.calibration import calibration_figures
from models.trust.reliability import two_class
from registry.evaluation import evaluation_from_report
from tests.registry.builders import write_report


def _calibration_entry(with_abnormal: bool) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    calibrated = rng.dirichlet([2, 2, 2], size=60)
    truth = np.array([rng.choice(3, p=row) for row in calibrated])
    overconfident = calibrated**3 / (calibrated**3).sum(axis=1, keepdims=True)
    entry = {"target": "top label", "method": "platt", "parameters": {}}
    entry |= calibration_figures(overconfident, calibrated, truth)
    if with_abnormal:
        p = 1 - calibrated[:, 0]
        entry["abnormal_vs_normal"] = calibration_figures(
            two_class(p**0.3), two_class(p), (truth != 0).astype(int)
        )
    return entry


@pytest.mark.parametrize("with_abnormal", [False, True])
def test_held_out_calibration_becomes_metrics(tmp_path: Path, with_abnormal: bool) -> None:
    report = json.loads(write_report(tmp_path / "r.json", 0.8).read_text())
    entry = _calibration_entry(with_abnormal)
    record = evaluation_from_report(report | {"calibration": entry})
    metrics = {m.name: m for m in record.metrics}
    expected = {"ece_held_out", "ece_held_out_uncalibrated"}
    if with_abnormal:
        expected |= {"ece_abnormal_held_out", "ece_abnormal_held_out_uncalibrated"}
    assert expected <= metrics.keys()
    assert not {"ece_abnormal_held_out"} & metrics.keys() - expected
    after = metrics["ece_held_out"]
    assert after.value == entry["calibrated"]["ece"]
    assert metrics["ece_held_out_uncalibrated"].value == entry["uncalibrated"]["ece"] > after.value
    assert after.support.startswith("60 cases, after platt scaling; perfectly calibrated")
    assert f"{entry['ece_if_calibrated']:.3f}" in after.support


def test_reports_without_calibration_add_no_calibration_metrics(tmp_path: Path) -> None:
    report = json.loads(write_report(tmp_path / "r.json", 0.8).read_text())
    record = evaluation_from_report(report)
    assert not [m for m in record.metrics if m.name.startswith("ece")]
