"""The Mahalanobis OOD detector: far inputs score high, the threshold passes 95 % of validation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from models.ood import OOD_PARAMETERS_FILE, MahalanobisDetector, fit_ood_detector
from registry.artifacts import hash_folder
from registry.bundled import OOD_RECORD_FILE, bundled_records
from registry.records import DataRef

REFERENCE = DataRef(name="validation", fingerprint="sha256:" + "0" * 64)


def test_fit_threshold_auroc_and_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    train, validation = rng.normal(size=(200, 16)), rng.normal(size=(100, 16))
    shifted = rng.normal(3.0, 1.0, size=(20, 16))
    record = fit_ood_detector(train, validation, {"shifted": shifted}, REFERENCE, tmp_path)

    detector = MahalanobisDetector.load(tmp_path / OOD_PARAMETERS_FILE)
    passed = (detector.score(validation) <= record.threshold).mean()
    assert passed == 0.95
    assert record.shift_evaluations[0].auroc > 0.99
    assert (detector.score(shifted) > record.threshold).all()

    calibration, ood = bundled_records(tmp_path, hash_folder(tmp_path))
    assert calibration is None and ood == record


def test_registry_refuses_a_record_whose_parameters_changed(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    features = rng.normal(size=(50, 4))
    fit_ood_detector(features, features, {"x": features + 5}, REFERENCE, tmp_path)
    (tmp_path / OOD_PARAMETERS_FILE).write_bytes(b"not the fitted parameters")
    try:
        bundled_records(tmp_path, hash_folder(tmp_path))
    except Exception as error:
        assert type(error).__name__ == "InvalidInputError"
        assert OOD_PARAMETERS_FILE in str(error)
    else:
        raise AssertionError("a changed parameters file was accepted")
    assert json.loads((tmp_path / OOD_RECORD_FILE).read_text())["kind"] == "mahalanobis"
