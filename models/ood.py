"""Out-of-distribution detection on a model's penultimate features: Mahalanobis or kNN distance.

A model answers whatever it is given; this says when the input is unlike its training images,
so the answer should not be trusted. Two detectors read the training-set features (the pooled
stride-32 vector that both networks expose as ``features``):

- Mahalanobis: distance from their mean under their covariance, shrunk with Ledoit-Wolf because
  there are fewer images (tens to hundreds) than dimensions (320);
- kNN (Sun et al., 2022): distance of the L2-normalised features to their k-th nearest training
  neighbour, which assumes no Gaussian shape.

Both are fitted; the one that separates the near-shift set (the subtle case) better is kept and
written, and the record keeps both AUROCs. (The energy score, which reads logits instead of
features, is compared in ``mammocad ood-eval``.) The threshold lets 95 % of the validation
images (in distribution, never trained on) pass. How well it separates shifted inputs is measured
when it is fitted, on sets the model has not seen: non-mammograms made here (noise, gradients,
blank and patterned images) and mammograms of another synthetic vendor, or real films for a model
trained on synthetic ones and vice versa.

The fitted parameters go beside the weights as ``ood.npz`` (so the registry's sha256 covers
them) and the registry's :class:`~registry.records.OodDetectorRecord` as ``ood.json``.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from sklearn.covariance import LedoitWolf
from sklearn.metrics import roc_auc_score

from registry.bundled import OOD_RECORD_FILE
from registry.records import DataRef, OodDetectorRecord, ShiftEvaluation

__all__ = [
    "OOD_PARAMETERS_FILE",
    "FeatureDetector",
    "KnnDetector",
    "MahalanobisDetector",
    "fit_ood_detector",
    "load_ood_detector",
    "penultimate_features",
]

OOD_PARAMETERS_FILE = "ood.npz"
PASS_RATE = 0.95


@torch.no_grad()
def penultimate_features(
    model: torch.nn.Module, inputs: Sequence[np.ndarray], device: torch.device, batch: int = 8
) -> np.ndarray:
    """``(N, D)`` penultimate features of ``(channels, H, W)`` model inputs."""
    model.eval()
    out = [
        model(torch.stack([torch.from_numpy(x) for x in inputs[i : i + batch]]).to(device))
        .features.cpu()
        .numpy()
        for i in range(0, len(inputs), batch)
    ]
    return np.concatenate(out).astype(np.float64) if out else np.zeros((0, 0))


@dataclass(frozen=True)
class MahalanobisDetector:
    """Distance from the training features' mean under their shrunk covariance."""

    mean: np.ndarray
    precision: np.ndarray
    kind: str = "mahalanobis"

    def score(self, features: np.ndarray) -> np.ndarray:
        """``(N,)`` Mahalanobis distances (higher: less like the training images)."""
        centred = np.atleast_2d(features) - self.mean
        return np.sqrt(np.einsum("nd,de,ne->n", centred, self.precision, centred).clip(min=0))

    def to_bytes(self) -> bytes:
        """The parameters as an ``.npz`` file's bytes."""
        buffer = io.BytesIO()
        np.savez(buffer, kind=self.kind, mean=self.mean, precision=self.precision)
        return buffer.getvalue()

    @classmethod
    def fit(cls, train_features: np.ndarray) -> MahalanobisDetector:
        """Mean and Ledoit-Wolf shrunk precision of the training features."""
        estimate = LedoitWolf().fit(train_features)
        return cls(mean=estimate.location_, precision=estimate.precision_)


@dataclass(frozen=True)
class KnnDetector:
    """Distance of the normalised features to their k-th nearest normalised training feature."""

    reference: np.ndarray  # (N, D) L2-normalised training features
    k: int
    kind: str = "knn"

    def score(self, features: np.ndarray) -> np.ndarray:
        """``(N,)`` k-th neighbour distances (higher: less like the training images)."""
        query = _normalised(np.atleast_2d(features))
        distances = np.sqrt(
            np.clip(2.0 - 2.0 * query @ self.reference.T, 0, None)
        )  # unit vectors: |a - b|^2 = 2 - 2 a.b
        k = min(self.k, self.reference.shape[0])
        return np.sort(distances, axis=1)[:, k - 1]

    def to_bytes(self) -> bytes:
        """The parameters as an ``.npz`` file's bytes."""
        buffer = io.BytesIO()
        np.savez(buffer, kind=self.kind, reference=self.reference, k=self.k)
        return buffer.getvalue()

    @classmethod
    def fit(cls, train_features: np.ndarray, k: int = 5) -> KnnDetector:
        """The normalised training features (k = 5: the training sets have tens of images)."""
        return cls(reference=_normalised(train_features), k=k)


FeatureDetector = MahalanobisDetector | KnnDetector


def load_ood_detector(path: Path) -> FeatureDetector:
    """Read a detector written by ``to_bytes`` (files without a kind are Mahalanobis ones)."""
    with np.load(path) as stored:
        kind = str(stored["kind"]) if "kind" in stored else "mahalanobis"
        if kind == "knn":
            return KnnDetector(reference=stored["reference"], k=int(stored["k"]))
        return MahalanobisDetector(mean=stored["mean"], precision=stored["precision"])


def _normalised(features: np.ndarray) -> np.ndarray:
    return features / np.maximum(np.linalg.norm(features, axis=1, keepdims=True), 1e-12)


def fit_ood_detector(
    train_features: np.ndarray,
    validation_features: np.ndarray,
    shifted_features: Mapping[str, np.ndarray],
    reference: DataRef,
    folder: Path,
) -> OodDetectorRecord:
    """Fit on the training features, set the threshold on the validation ones, measure AUROC
    on every shifted set, write ``ood.npz`` + ``ood.json`` into ``folder``, return the record.

    Raises:
        ValueError: no shifted set to measure against (the record requires one).
    """
    if not shifted_features:
        raise ValueError("an OOD detector needs at least one shifted set to be measured on")
    candidates: list[FeatureDetector] = [
        MahalanobisDetector.fit(train_features),
        KnnDetector.fit(train_features),
    ]
    measured = {
        candidate.kind: _shift_evaluations(candidate, validation_features, shifted_features)
        for candidate in candidates
    }
    # Keep the detector that separates the near shift (the subtle one) best; ties: Mahalanobis.
    detector = max(candidates, key=lambda c: (_near_auroc(measured[c.kind]), -candidates.index(c)))
    evaluations = measured[detector.kind]
    in_scores = detector.score(validation_features)
    threshold = float(np.quantile(in_scores, PASS_RATE))
    payload = detector.to_bytes()
    (folder / OOD_PARAMETERS_FILE).write_bytes(payload)
    record = OodDetectorRecord(
        kind=detector.kind,
        feature="features (pooled stride-32 trunk output, 320-d)",
        parameters_ref=f"artifact:{OOD_PARAMETERS_FILE}",
        parameters_sha256="sha256:" + hashlib.sha256(payload).hexdigest(),
        reference=reference,
        reference_stats={
            "n_train": float(len(train_features)),
            "n_validation": float(len(in_scores)),
            "validation_score_median": float(np.median(in_scores)),
            **{
                f"near_auroc_{kind}": _near_auroc(evaluations_of)
                for kind, evaluations_of in measured.items()
            },
        },
        threshold=threshold,
        threshold_rule=f"{PASS_RATE:.0%} of the validation images (in distribution) pass; "
        f"{detector.kind} kept over "
        + ", ".join(kind for kind in measured if kind != detector.kind)
        + " for its AUROC on the near shift set",
        shift_evaluations=evaluations,
    )
    (folder / OOD_RECORD_FILE).write_text(record.model_dump_json(indent=2) + "\n", "utf-8")
    return record


def _shift_evaluations(
    detector: FeatureDetector,
    validation_features: np.ndarray,
    shifted_features: Mapping[str, np.ndarray],
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
