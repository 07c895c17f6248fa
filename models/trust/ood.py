"""Out-of-distribution detection on a model's features: Mahalanobis or kNN distance.

A model answers whatever it is given; this says when the input is unlike its training images,
so the answer should not be trusted. Detectors read one of two feature views of the training
images that both networks expose:

- ``penultimate``: the pooled stride-32 vector (``features``, 320-d), what the heads read;
- ``stride8_statistics``: each channel's mean and standard deviation over the trunk's stride-8
  map (``statistics``, 80-d; Lee et al., 2018 read early layers, and feature statistics are the
  "style" that another scanner's grey curve and noise change). Augmentation teaches the
  penultimate features to ignore contrast and noise, so they barely see another vendor; the
  early statistics do.

Three candidates are fitted:

- Mahalanobis on either view: distance from the training mean under the covariance, shrunk with
  Ledoit-Wolf because there are fewer images (tens to hundreds) than dimensions;
- kNN on the penultimate view (Sun et al., 2022): distance of the L2-normalised features to
  their k-th nearest training neighbour, which assumes no Gaussian shape.

The one that separates the near-shift set (the subtle case) best is kept and written, and the
record keeps every candidate's AUROC. (The energy score, which reads logits instead of
features, is compared in ``mammocad ood-eval``.) The threshold lets 95 % of the held-out images
(in distribution, never trained on: the validation split and any calibration set) pass. How
well it separates shifted inputs is measured when it is fitted, on sets the model has not seen:
non-mammograms made here (noise, gradients, blank and patterned images) and mammograms of another
synthetic vendor, or real films for a model trained on synthetic ones and vice versa.

The fitted parameters go beside the weights as ``ood.npz`` (so the registry's sha256 covers
them) and the registry's :class:`~mammocad.schemas.trust.OodDetectorRecord` as ``ood.json``.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import torch
from sklearn.covariance import LedoitWolf
from sklearn.metrics import roc_auc_score

from mammocad.schemas.artifact import OOD_PARAMETERS_FILE, OOD_RECORD_FILE
from mammocad.schemas.trust import DataRef, OodDetectorRecord, ShiftEvaluation

__all__ = [
    "FEATURE_DESCRIPTIONS",
    "PENULTIMATE",
    "STATISTICS",
    "FeatureDetector",
    "FoldFeatures",
    "KnnDetector",
    "MahalanobisDetector",
    "OodFeatures",
    "candidate_name",
    "concatenated",
    "fit_candidates",
    "fit_ood_detector",
    "load_ood_detector",
    "ood_features",
    "ood_features_of",
]

PASS_RATE = 0.95
PENULTIMATE = "penultimate"
STATISTICS = "stride8_statistics"
FEATURE_DESCRIPTIONS = {
    PENULTIMATE: "penultimate features (320-d)",
    STATISTICS: "stride-8 channel statistics (80-d)",
}
"""What a record's ``feature`` says of each view (the module docstring says what they are)."""

OodFeatures = dict[str, np.ndarray]
"""Feature view name (:data:`PENULTIMATE`, :data:`STATISTICS`) -> ``(N, D)`` array."""


class NetworkOutput(Protocol):
    """What both networks' outputs carry for OOD detection."""

    features: torch.Tensor
    statistics: torch.Tensor


def ood_features_of(output: NetworkOutput) -> OodFeatures:
    """The feature views of one batch's network output (either network's)."""
    return {
        PENULTIMATE: output.features.detach().cpu().numpy().astype(np.float64),
        STATISTICS: output.statistics.detach().cpu().numpy().astype(np.float64),
    }


def concatenated(batches: Sequence[OodFeatures]) -> OodFeatures:
    """The views of several batches, one array per view (empty arrays for no batch)."""
    return {
        view: np.concatenate([b[view] for b in batches]) if batches else np.zeros((0, 0))
        for view in (PENULTIMATE, STATISTICS)
    }


@torch.no_grad()
def ood_features(
    model: torch.nn.Module, inputs: Sequence[np.ndarray], device: torch.device, batch: int = 8
) -> OodFeatures:
    """Both feature views of ``(channels, H, W)`` model inputs."""
    model.eval()
    return concatenated(
        [
            ood_features_of(
                model(torch.stack([torch.from_numpy(x) for x in inputs[i : i + batch]]).to(device))
            )
            for i in range(0, len(inputs), batch)
        ]
    )


@dataclass(frozen=True)
class MahalanobisDetector:
    """Distance from the training features' mean under their shrunk covariance."""

    mean: np.ndarray
    precision: np.ndarray
    feature: str = PENULTIMATE
    kind: str = "mahalanobis"

    def score(self, features: Mapping[str, np.ndarray]) -> np.ndarray:
        """``(N,)`` Mahalanobis distances of this detector's view (higher: less like the
        training images)."""
        centred = np.atleast_2d(features[self.feature]) - self.mean
        return np.sqrt(np.einsum("nd,de,ne->n", centred, self.precision, centred).clip(min=0))

    def to_bytes(self) -> bytes:
        """The parameters as an ``.npz`` file's bytes."""
        buffer = io.BytesIO()
        np.savez(
            buffer, kind=self.kind, feature=self.feature, mean=self.mean, precision=self.precision
        )
        return buffer.getvalue()

    @classmethod
    def fit(
        cls, train: Mapping[str, np.ndarray], feature: str = PENULTIMATE
    ) -> MahalanobisDetector:
        """Mean and Ledoit-Wolf shrunk precision of the training images' ``feature`` view."""
        estimate = LedoitWolf().fit(train[feature])
        return cls(mean=estimate.location_, precision=estimate.precision_, feature=feature)


@dataclass(frozen=True)
class KnnDetector:
    """Distance of the normalised features to their k-th nearest normalised training feature."""

    reference: np.ndarray  # (N, D) L2-normalised training features
    k: int
    feature: str = PENULTIMATE
    kind: str = "knn"

    def score(self, features: Mapping[str, np.ndarray]) -> np.ndarray:
        """``(N,)`` k-th neighbour distances of this detector's view (higher: less like the
        training images)."""
        query = _normalised(np.atleast_2d(features[self.feature]))
        distances = np.sqrt(
            np.clip(2.0 - 2.0 * query @ self.reference.T, 0, None)
        )  # unit vectors: |a - b|^2 = 2 - 2 a.b
        k = min(self.k, self.reference.shape[0])
        return np.sort(distances, axis=1)[:, k - 1]

    def to_bytes(self) -> bytes:
        """The parameters as an ``.npz`` file's bytes."""
        buffer = io.BytesIO()
        np.savez(buffer, kind=self.kind, feature=self.feature, reference=self.reference, k=self.k)
        return buffer.getvalue()

    @classmethod
    def fit(
        cls, train: Mapping[str, np.ndarray], feature: str = PENULTIMATE, k: int = 5
    ) -> KnnDetector:
        """The normalised training features (k = 5: the training sets have tens of images)."""
        return cls(reference=_normalised(train[feature]), k=k, feature=feature)


FeatureDetector = MahalanobisDetector | KnnDetector


@dataclass(frozen=True)
class FoldFeatures:
    """The feature views one cross-validation fold model gave its training and unseen films."""

    train: Mapping[str, np.ndarray]
    test: Mapping[str, np.ndarray]


def candidate_name(detector: FeatureDetector) -> str:
    """``kind`` for the penultimate view (the original detectors), ``kind on view`` else."""
    if detector.feature == PENULTIMATE:
        return detector.kind
    return f"{detector.kind} on {detector.feature}"


def load_ood_detector(path: Path) -> FeatureDetector:
    """Read a detector written by ``to_bytes`` (files without a kind are Mahalanobis ones,
    without a feature view read the penultimate features: written before either existed)."""
    with np.load(path) as stored:
        kind = str(stored["kind"]) if "kind" in stored else "mahalanobis"
        feature = str(stored["feature"]) if "feature" in stored else PENULTIMATE
        if feature not in FEATURE_DESCRIPTIONS:
            raise ValueError(f"{path}: unknown feature view {feature!r}")
        if kind == "knn":
            return KnnDetector(reference=stored["reference"], k=int(stored["k"]), feature=feature)
        return MahalanobisDetector(
            mean=stored["mean"], precision=stored["precision"], feature=feature
        )


def _normalised(features: np.ndarray) -> np.ndarray:
    return features / np.maximum(np.linalg.norm(features, axis=1, keepdims=True), 1e-12)


def fit_candidates(train_features: Mapping[str, np.ndarray]) -> list[FeatureDetector]:
    """Every candidate detector, fitted on the training images' feature views."""
    return [
        MahalanobisDetector.fit(train_features, PENULTIMATE),
        KnnDetector.fit(train_features, PENULTIMATE),
        MahalanobisDetector.fit(train_features, STATISTICS),
    ]


def fit_ood_detector(
    train_features: Mapping[str, np.ndarray],
    validation_features: Mapping[str, np.ndarray] | None,
    shifted_features: Mapping[str, Mapping[str, np.ndarray]],
    reference: DataRef,
    folder: Path,
    *,
    cross_fit: Sequence[FoldFeatures] = (),
) -> OodDetectorRecord:
    """Fit every candidate on the training features, set the threshold, measure AUROC on every
    shifted set, keep the best on the near shift, write ``ood.npz`` + ``ood.json`` into
    ``folder``, return the record.

    The threshold lets :data:`PASS_RATE` of ``validation_features`` (held-out in-distribution
    images) pass. Without held-out images (``None``: a model trained on every image, as a
    release trains it), it is cross-fitted: the kept candidate is fitted again on each
    cross-validation fold model's training films (``cross_fit``), and the ratio of its
    :data:`PASS_RATE` quantile on the fold's unseen films to that on its own training films
    (how much farther new patients lie) scales the quantile on the final training films.

    Raises:
        ValueError: no shifted set to measure against (the record requires one), or neither
            held-out images nor folds to cross-fit the threshold.
    """
    if not shifted_features:
        raise ValueError("an OOD detector needs at least one shifted set to be measured on")
    if validation_features is None and not cross_fit:
        raise ValueError("the threshold needs held-out images or cross-validation folds")
    in_distribution = train_features if validation_features is None else validation_features
    candidates = fit_candidates(train_features)
    measured = {
        candidate_name(c): _shift_evaluations(c, in_distribution, shifted_features)
        for c in candidates
    }
    # Keep the detector that separates the near shift (the subtle one) best; ties: the earlier.
    _, detector = max(
        enumerate(candidates),
        key=lambda pair: (_near_auroc(measured[candidate_name(pair[1])]), -pair[0]),
    )
    evaluations = measured[candidate_name(detector)]
    in_scores = detector.score(in_distribution)
    threshold = float(np.quantile(in_scores, PASS_RATE))
    if validation_features is None:
        ratio = _held_out_ratio(candidate_name(detector), cross_fit)
        threshold *= ratio
        rule = (
            f"{PASS_RATE:.0%} of unseen in-distribution films pass, cross-fitted: the "
            f"{PASS_RATE:.0%} quantile on the training films times {ratio:.3f}, the mean ratio "
            f"of that quantile on unseen to training films over {len(cross_fit)} "
            "cross-validation fold models"
        )
    else:
        rule = f"{PASS_RATE:.0%} of the held-out images (in distribution) pass"
    payload = detector.to_bytes()
    (folder / OOD_PARAMETERS_FILE).write_bytes(payload)
    record = OodDetectorRecord(
        kind=detector.kind,
        feature=FEATURE_DESCRIPTIONS[detector.feature],
        parameters_ref=f"artifact:{OOD_PARAMETERS_FILE}",
        parameters_sha256="sha256:" + hashlib.sha256(payload).hexdigest(),
        reference=reference,
        reference_stats={
            "n_train": float(len(train_features[PENULTIMATE])),
            "n_validation": float(len(in_scores)),
            "validation_score_median": float(np.median(in_scores)),
            **{
                f"near_auroc_{kind}": _near_auroc(evaluations_of)
                for kind, evaluations_of in measured.items()
            },
        },
        threshold=threshold,
        threshold_rule=f"{rule}; {candidate_name(detector)} kept over "
        + ", ".join(name for name in measured if name != candidate_name(detector))
        + " for its AUROC on the near shift set",
        shift_evaluations=evaluations,
    )
    (folder / OOD_RECORD_FILE).write_text(record.model_dump_json(indent=2) + "\n", "utf-8")
    return record


def _held_out_ratio(name: str, folds: Sequence[FoldFeatures]) -> float:
    """Mean over folds of (quantile on unseen films) / (quantile on training films) of the
    candidate ``name`` fitted on each fold's training films (at least 1)."""
    ratios = []
    for fold in folds:
        [fitted] = [c for c in fit_candidates(fold.train) if candidate_name(c) == name]
        seen = float(np.quantile(fitted.score(fold.train), PASS_RATE))
        unseen = float(np.quantile(fitted.score(fold.test), PASS_RATE))
        ratios.append(unseen / max(seen, 1e-12))
    return max(1.0, float(np.mean(ratios)))


def _shift_evaluations(
    detector: FeatureDetector,
    validation_features: Mapping[str, np.ndarray],
    shifted_features: Mapping[str, Mapping[str, np.ndarray]],
) -> list[ShiftEvaluation]:
    in_scores = detector.score(validation_features)
    evaluations = []
    for name, features in shifted_features.items():
        shifted = detector.score(features)
        truth = np.r_[np.zeros(len(in_scores)), np.ones(len(shifted))]
        evaluations.append(
            ShiftEvaluation(
                shift_set=name,
                auroc=float(roc_auc_score(truth, np.r_[in_scores, shifted])),
                n_in_distribution=len(in_scores),
                n_shifted=len(shifted),
            )
        )
    return evaluations


def _near_auroc(evaluations: Sequence[ShiftEvaluation]) -> float:
    """Mean AUROC on the near shift sets (named ``near: ...``), else on all of them."""
    near = [e.auroc for e in evaluations if e.shift_set.startswith("near")] or [
        e.auroc for e in evaluations
    ]
    return float(np.mean(near))
