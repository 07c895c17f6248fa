"""Out-of-distribution detection on a model's penultimate features: Mahalanobis distance.

A model answers whatever it is given; this says when the input is unlike its training images,
so the answer should not be trusted. Training-set features (the pooled stride-32 vector that both
networks expose as ``features``) give a mean and a covariance, shrunk with Ledoit-Wolf because
there are fewer images (tens to hundreds) than dimensions (320); an input's score is its
Mahalanobis distance from that mean. The threshold lets 95 % of the validation images (in
distribution, never trained on) pass. How well it separates shifted inputs is measured when it is
fitted, on sets the model has not seen: non-mammograms made here (noise, gradients, blank and
patterned images) and mammograms of another synthetic vendor, or real films for a model trained on
synthetic ones and vice versa.

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
    "MahalanobisDetector",
    "fit_ood_detector",
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

    def score(self, features: np.ndarray) -> np.ndarray:
        """``(N,)`` Mahalanobis distances (higher: less like the training images)."""
        centred = np.atleast_2d(features) - self.mean
        return np.sqrt(np.einsum("nd,de,ne->n", centred, self.precision, centred).clip(min=0))

    def to_bytes(self) -> bytes:
        """The parameters as an ``.npz`` file's bytes."""
        buffer = io.BytesIO()
        np.savez(buffer, mean=self.mean, precision=self.precision)
        return buffer.getvalue()

    @classmethod
    def load(cls, path: Path) -> MahalanobisDetector:
        """Read parameters written by :meth:`to_bytes`."""
        with np.load(path) as stored:
            return cls(mean=stored["mean"], precision=stored["precision"])


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
    estimate = LedoitWolf().fit(train_features)
    detector = MahalanobisDetector(mean=estimate.location_, precision=estimate.precision_)
    in_scores = detector.score(validation_features)
    threshold = float(np.quantile(in_scores, PASS_RATE))
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
    payload = detector.to_bytes()
    (folder / OOD_PARAMETERS_FILE).write_bytes(payload)
    record = OodDetectorRecord(
        kind="mahalanobis",
        feature="features (pooled stride-32 trunk output, 320-d)",
        parameters_ref=f"artifact:{OOD_PARAMETERS_FILE}",
        parameters_sha256="sha256:" + hashlib.sha256(payload).hexdigest(),
        reference=reference,
        reference_stats={
            "n_train": float(len(train_features)),
            "n_validation": float(len(in_scores)),
            "validation_score_median": float(np.median(in_scores)),
            "shrinkage": float(estimate.shrinkage_),
        },
        threshold=threshold,
        threshold_rule=f"{PASS_RATE:.0%} of the validation images (in distribution) pass",
        shift_evaluations=evaluations,
    )
    (folder / OOD_RECORD_FILE).write_text(record.model_dump_json(indent=2) + "\n", "utf-8")
    return record
