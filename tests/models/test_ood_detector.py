"""The feature OOD detectors: far inputs score high, the threshold passes 95 % of validation, and
the detector that separates the near shift better is the one kept."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from models.ood import OOD_PARAMETERS_FILE, KnnDetector, fit_ood_detector, load_ood_detector
from registry.artifacts import hash_folder
from registry.bundled import OOD_RECORD_FILE, bundled_records
from registry.records import DataRef

REFERENCE = DataRef(name="validation", fingerprint="sha256:" + "0" * 64)


def test_fit_threshold_auroc_and_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    train, validation = rng.normal(size=(200, 16)), rng.normal(size=(100, 16))
    shifted = rng.normal(3.0, 1.0, size=(20, 16))
    record = fit_ood_detector(train, validation, {"shifted": shifted}, REFERENCE, tmp_path)

    detector = load_ood_detector(tmp_path / OOD_PARAMETERS_FILE)
    assert record.kind == detector.kind == "mahalanobis"  # a tie keeps Mahalanobis
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


def test_knn_is_kept_when_it_separates_the_near_shift_better(tmp_path: Path) -> None:
    """Two clusters of training images; the near shift sits between them, at their mean, where
    the Mahalanobis distance is small but no training image is close."""
    rng = np.random.default_rng(3)

    def clusters(n: int) -> np.ndarray:
        centres = np.where(rng.random(n) < 0.5, -4.0, 4.0)[:, None] * np.eye(8)[0]
        return centres + rng.normal(0, 0.5, size=(n, 8)) + 10 * np.eye(8)[1]

    between = rng.normal(0, 0.5, size=(30, 8)) + 10 * np.eye(8)[1]
    record = fit_ood_detector(
        clusters(200), clusters(100), {"near: between the clusters": between}, REFERENCE, tmp_path
    )
    detector = load_ood_detector(tmp_path / OOD_PARAMETERS_FILE)
    assert record.kind == "knn" and isinstance(detector, KnnDetector)
    assert (
        record.reference_stats["near_auroc_knn"] > record.reference_stats["near_auroc_mahalanobis"]
    )
    assert (detector.score(between) > record.threshold).mean() > 0.9
