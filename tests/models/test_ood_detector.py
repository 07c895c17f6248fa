"""The feature OOD detectors: far inputs score high, the threshold passes 95 % of validation, and
the candidate (detector and feature view) that separates the near shift best is the one kept."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from mammocad.schemas.artifact import OOD_PARAMETERS_FILE, OOD_RECORD_FILE
from mammocad.schemas.trust import DataRef
from models.trust.ood import (
    PENULTIMATE,
    STATISTICS,
    KnnDetector,
    MahalanobisDetector,
    OodFeatures,
    fit_ood_detector,
    load_ood_detector,
)
from registry.artifacts import hash_folder
from registry.bundled import bundled_records

REFERENCE = DataRef(name="validation", fingerprint="sha256:" + "0" * 64)


def _views(penultimate: np.ndarray, statistics: np.ndarray | None = None) -> OodFeatures:
    """Both feature views; statistics that are the same noise for every set unless given."""
    if statistics is None:
        statistics = np.random.default_rng(len(penultimate)).normal(size=(len(penultimate), 6))
    return {PENULTIMATE: penultimate, STATISTICS: statistics}


def test_fit_threshold_auroc_and_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    train, validation = _views(rng.normal(size=(200, 16))), _views(rng.normal(size=(100, 16)))
    shifted = _views(rng.normal(3.0, 1.0, size=(20, 16)))
    record = fit_ood_detector(train, validation, {"shifted": shifted}, REFERENCE, tmp_path)

    detector = load_ood_detector(tmp_path / OOD_PARAMETERS_FILE)
    assert record.kind == detector.kind == "mahalanobis"  # a tie keeps the first candidate
    assert detector.feature == PENULTIMATE and record.feature.startswith("penultimate")
    passed = (detector.score(validation) <= record.threshold).mean()
    assert passed == 0.95
    assert record.shift_evaluations[0].auroc > 0.99
    assert (detector.score(shifted) > record.threshold).all()

    calibration, ood = bundled_records(tmp_path, hash_folder(tmp_path))
    assert calibration is None and ood == record


def test_registry_refuses_a_record_whose_parameters_changed(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    features = _views(rng.normal(size=(50, 4)))
    shifted = {view: values + 5 for view, values in features.items()}
    fit_ood_detector(features, features, {"x": shifted}, REFERENCE, tmp_path)
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

    between = _views(rng.normal(0, 0.5, size=(30, 8)) + 10 * np.eye(8)[1])
    record = fit_ood_detector(
        _views(clusters(200)),
        _views(clusters(100)),
        {"near: between the clusters": between},
        REFERENCE,
        tmp_path,
    )
    detector = load_ood_detector(tmp_path / OOD_PARAMETERS_FILE)
    assert record.kind == "knn" and isinstance(detector, KnnDetector)
    assert (
        record.reference_stats["near_auroc_knn"] > record.reference_stats["near_auroc_mahalanobis"]
    )
    assert (detector.score(between) > record.threshold).mean() > 0.9


def test_the_stride8_statistics_are_kept_when_only_they_see_the_near_shift(
    tmp_path: Path,
) -> None:
    """Another vendor: the penultimate features (trained to ignore contrast) look the same, the
    early channel statistics move."""
    rng = np.random.default_rng(4)

    def images(n: int, statistics_shift: float = 0.0) -> OodFeatures:
        return {
            PENULTIMATE: rng.normal(size=(n, 12)),
            STATISTICS: rng.normal(statistics_shift, 1.0, size=(n, 6)),
        }

    record = fit_ood_detector(
        images(200), images(100), {"near: vendor": images(40, 2.5)}, REFERENCE, tmp_path
    )
    detector = load_ood_detector(tmp_path / OOD_PARAMETERS_FILE)
    assert isinstance(detector, MahalanobisDetector) and detector.feature == STATISTICS
    assert record.kind == "mahalanobis" and record.feature.startswith("stride-8 channel statistics")
    near = record.reference_stats
    assert near["near_auroc_mahalanobis on stride8_statistics"] > 0.95
    assert near["near_auroc_mahalanobis"] < 0.7 and near["near_auroc_knn"] < 0.7
    assert "mahalanobis on stride8_statistics kept over mahalanobis, knn" in record.threshold_rule


def test_a_detector_written_before_feature_views_reads_the_penultimate_features(
    tmp_path: Path,
) -> None:
    mean, precision = np.zeros(3), np.eye(3)
    buffer = io.BytesIO()
    np.savez(buffer, kind="mahalanobis", mean=mean, precision=precision)
    (tmp_path / OOD_PARAMETERS_FILE).write_bytes(buffer.getvalue())
    detector = load_ood_detector(tmp_path / OOD_PARAMETERS_FILE)
    assert detector.feature == PENULTIMATE
    scores = detector.score(
        {PENULTIMATE: np.array([[3.0, 4.0, 0.0]]), STATISTICS: np.zeros((1, 2))}
    )
    assert scores == pytest.approx([5.0])


def test_an_unknown_feature_view_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, kind="mahalanobis", feature="logits", mean=np.zeros(2), precision=np.eye(2))
    (tmp_path / OOD_PARAMETERS_FILE).write_bytes(buffer.getvalue())
    with pytest.raises(ValueError, match="unknown feature view 'logits'"):
        load_ood_detector(tmp_path / OOD_PARAMETERS_FILE)
