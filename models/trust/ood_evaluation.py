"""``mammocad ood-eval``: how well a version's OOD detectors flag what it must not trust.

In distribution: a held-out labelled data set like the training one (``--data``). Against it:

- far OOD: pydicom's own CT / MR / NM test images (in its wheel), greyscale photographs
  (matplotlib's sample data), the MG test pattern ``MG_Explicit_Little.dcm`` (with
  ../shared/datasets), blank and noise images made here;
- near OOD: synthetic mammograms of every vendor profile the model was not trained on, real
  mini-MIAS films for a synthetic-trained model (synthetic mammograms for a real-trained one),
  and the DDSM JPEG 2000 sample.

Per set: AUROC and FPR at 95 % TPR (the share of shifted images a threshold passing 95 % of the
in-distribution images lets through) of four scores: the candidate feature detectors of
:mod:`models.trust.ood` (Mahalanobis and kNN distances of the penultimate features, Mahalanobis
distance of the stride-8 channel statistics; all fitted here on the version's own training
images, so they compare on equal terms) and the energy score of the dense output logits
(classifier: its abnormal-evidence map, detector: its heat map; ``-logsumexp``, Liu et al.
2020); and the share the served assessment flags (the version's own feature detector at its
threshold, or the header gate). For labelled mammogram sets it also reports the model's
accuracy, so the accuracy drop under domain shift and whether the detector flags the shifted set
read side by side.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

import matplotlib
import numpy as np
import pydicom
import torch
from PIL import Image
from sklearn.metrics import roc_auc_score

from mammocad.datasets.records import DataSet
from mammocad.datasets.spec import load_dataset
from mammocad.errors import NotFoundError
from mammocad.ingest.errors import IngestError
from mammocad.ingest.pipeline import IngestedImage, ingest_bytes
from mammocad.schemas.artifact import OOD_RECORD_FILE, WEIGHTS_FILE
from mammocad.schemas.trust import OodDetectorRecord, OodEvaluation, ShiftSetResult
from models.evaluation.detection import froc
from models.evaluation.evaluate import detector_scores, evaluate_classifier
from models.inference.loaded import LoadedModel
from models.nets.classifier import ClassifierNetwork
from models.nets.detector import MassDetector
from models.training.data import prepare_images
from models.trust.ood import PASS_RATE, candidate_name, fit_candidates, ood_features
from models.trust.shift_sets import non_mammograms, training_vendors

__all__ = ["evaluate_ood"]

SYNTHETIC_VENDORS = ("reference", "vendor_a", "vendor_b", "vendor_c", "vendor_d")
_PYDICOM_FILES = ("CT_small.dcm", "MR_small.dcm", "JPEG2000.dcm", "liver_1frame.dcm")
_PHOTOS = ("grace_hopper.jpg", "Minduka_Present_Blue_Pack.png")


@dataclass(frozen=True)
class _Scored:
    scores: dict[str, np.ndarray]
    served: np.ndarray  # the version's own detector's scores
    by_features: np.ndarray  # its scores above the version's threshold
    flagged: np.ndarray  # by the features or the header gate


def evaluate_ood(
    loaded: LoadedModel,
    in_data: DataSet,
    shared: Path | None,
    *,
    cache: Path | None = None,
    near_patients: int = 8,
) -> OodEvaluation:
    """Score the in-distribution set and every shifted set (see the module docstring).

    Args:
        shared: ../shared/datasets (the MG test pattern, mini-MIAS and J2K sets), or None.
        cache: where synthetic sets are generated (default the state folder's cache).
        near_patients: synthetic patients (4 images each) per unseen vendor profile.
    """
    ingest = loaded.metadata.ingest
    training = _training_set(loaded, cache)
    train_inputs = [i.model_input() for i in prepare_images(training, ingest)]
    features = ood_features(loaded.network, train_inputs, loaded.device)
    detectors = {candidate_name(c): c for c in fit_candidates(features)}
    record = _served_record(loaded)
    served_detector = loaded.ood
    assert served_detector is not None  # _served_record checked it

    def score(images: Sequence[IngestedImage]) -> _Scored:
        inputs = [image.model_input() for image in images]
        found = ood_features(loaded.network, inputs, loaded.device)
        scores = {name: d.score(found) for name, d in detectors.items()}
        scores["energy"] = _energy(loaded, inputs)
        served = served_detector.score(found)
        by_features = served > record.threshold
        header = np.array([bool(_header_reasons(loaded, image)) for image in images])
        return _Scored(scores, served, by_features, by_features | header)

    in_images = _ingested(loaded, [r.path.read_bytes() for r in in_data])
    reference = score(in_images)
    accuracy_metric = "auc_abnormal" if loaded.metadata.task == "classify" else "sens_at_1fpi"
    sets = []
    for name, distance, images, labelled in _shift_sets(loaded, shared, cache, near_patients):
        accepted = _ingested(loaded, images)
        scored = score(accepted)
        sets.append(
            ShiftSetResult(
                name=name,
                distance=distance,
                n=len(accepted),
                refused_by_ingest=len(images) - len(accepted),
                auroc={k: _auroc(reference.scores[k], v) for k, v in scored.scores.items()},
                fpr_at_95_tpr={k: _fpr(reference.scores[k], v) for k, v in scored.scores.items()},
                served_auroc=_auroc(reference.served, scored.served),
                flagged=float(scored.flagged.mean()),
                flagged_by_features=float(scored.by_features.mean()),
                accuracy=_accuracy(loaded, labelled) if labelled is not None else None,
            )
        )
    return OodEvaluation(
        model=str(loaded.folder),
        task=loaded.metadata.task,
        weights_sha256=_sha256(loaded.folder / WEIGHTS_FILE),
        detector_parameters_sha256=record.parameters_sha256,
        served_detector=candidate_name(served_detector)
        + (" + header gate" if loaded.metadata.acquisition else ""),
        in_distribution=in_data.name,
        n_in_distribution=len(in_images),
        in_distribution_flagged=float(reference.flagged.mean()),
        in_distribution_flagged_by_features=float(reference.by_features.mean()),
        in_distribution_accuracy=_accuracy(loaded, in_data),
        accuracy_metric=accuracy_metric,
        sets=sets,
    )


def _training_set(loaded: LoadedModel, cache: Path | None) -> DataSet:
    """The version's own training images (its data set, its training patients)."""
    data = loaded.metadata.data
    full = load_dataset(data.name, cache_root=cache)
    train = set(data.train_patients)
    return full.subset(
        [r.image_id for r in full if r.patient_id in train], name=f"{data.name} (training)"
    )


def _served_record(loaded: LoadedModel) -> OodDetectorRecord:
    path = loaded.folder / OOD_RECORD_FILE
    if loaded.ood is None or not path.is_file():
        raise NotFoundError(f"{loaded.folder} has no fitted OOD detector ({OOD_RECORD_FILE})")
    return OodDetectorRecord.model_validate_json(path.read_text("utf-8"))


def _sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def _ingested(loaded: LoadedModel, images: Sequence[bytes]) -> list[IngestedImage]:
    """The images ingest accepts (the others are refused before any model sees them)."""
    accepted = []
    for data in images:
        try:
            accepted.append(ingest_bytes(data, loaded.metadata.ingest))
        except IngestError:
            continue
    return accepted


def _header_reasons(loaded: LoadedModel, image: IngestedImage) -> list[str]:
    profile = loaded.metadata.acquisition
    return profile.reasons(image.metadata) if profile is not None else []


@torch.no_grad()
def _energy(loaded: LoadedModel, inputs: Sequence[np.ndarray]) -> np.ndarray:
    """``-logsumexp`` of the dense logits the image-level answer is read from."""
    loaded.network.eval()
    energies = []
    for start in range(0, len(inputs), 8):
        batch = torch.stack([torch.from_numpy(x) for x in inputs[start : start + 8]])
        output = loaded.network(batch.to(loaded.device))
        dense = output.evidence[:, 0] if hasattr(output, "evidence") else output.heat[:, 0]
        energies.append(-torch.logsumexp(dense.flatten(1), dim=1).cpu().numpy())
    return np.concatenate(energies)


def _auroc(in_scores: np.ndarray, shifted: np.ndarray) -> float:
    truth = np.r_[np.zeros(len(in_scores)), np.ones(len(shifted))]
    return float(roc_auc_score(truth, np.r_[in_scores, shifted]))


def _fpr(in_scores: np.ndarray, shifted: np.ndarray) -> float:
    """Share of shifted images at or below the score that passes 95 % of the in-distribution."""
    return float((shifted <= np.quantile(in_scores, PASS_RATE)).mean())


def _accuracy(loaded: LoadedModel, labelled: DataSet) -> float | None:
    images = prepare_images(labelled, loaded.metadata.ingest)
    if loaded.metadata.task == "classify":
        threshold = loaded.metadata.operating_point.abnormal_threshold
        network = cast(ClassifierNetwork, loaded.network)  # built for metadata.task
        report, _ = evaluate_classifier(
            network, loaded.device, images, threshold=threshold, n_boot=200
        )
        return report.auc_abnormal.auc
    detector = cast(MassDetector, loaded.network)  # built for metadata.task (detect)
    scores = detector_scores(detector, loaded.device, images)
    if not any(len(truth) for _, _, truth in scores):
        return None
    return froc(scores).sensitivity_at["1"]


def _png(grey: Image.Image) -> bytes:
    buffer = io.BytesIO()
    grey.save(buffer, "PNG")
    return buffer.getvalue()


def _photographs() -> list[bytes]:
    """Greyscale photographs from matplotlib's sample data, whole and as four crops each."""
    folder = Path(matplotlib.get_data_path()) / "sample_data"
    found = []
    for name in _PHOTOS:
        photo = Image.open(folder / name).convert("L")
        width, height = photo.size
        found.append(_png(photo))
        for left, top in ((0, 0), (width // 2, 0), (0, height // 2), (width // 2, height // 2)):
            found.append(_png(photo.crop((left, top, left + width // 2, top + height // 2))))
    return found


def _pydicom_images() -> list[bytes]:
    folder = Path(pydicom.__file__).parent / "data" / "test_files"
    return [(folder / name).read_bytes() for name in _PYDICOM_FILES if (folder / name).is_file()]


ShiftSet = tuple[str, Literal["far", "near"], list[bytes], DataSet | None]


def _shift_sets(
    loaded: LoadedModel, shared: Path | None, cache: Path | None, near_patients: int
) -> list[ShiftSet]:
    """Every shifted set this version can be measured on (see the module docstring)."""
    data = loaded.metadata.data
    sets: list[ShiftSet] = [
        ("pydicom CT / MR / NM test images", "far", _pydicom_images(), None),
        ("photographs (greyscale)", "far", _photographs(), None),
        (
            "blank, noise, gradients, patterns",
            "far",
            [d for _, d in non_mammograms(4, seed=11)],
            None,
        ),
    ]
    pattern = shared / "dicom-samples" / "MG_Explicit_Little.dcm" if shared else None
    if pattern is not None and pattern.is_file():
        sets.append(("MG test pattern", "far", [pattern.read_bytes()], None))

    def labelled(name: str, spec: str) -> ShiftSet:
        found = load_dataset(spec, cache_root=cache)
        return (name, "near", [r.path.read_bytes() for r in found], found)

    if data.synthetic:
        trained_vendors = training_vendors(data.name)
        for vendor in SYNTHETIC_VENDORS:
            if vendor not in trained_vendors:
                sets.append(
                    labelled(
                        f"synthetic vendor {vendor}",
                        f"synthetic:{near_patients},seed=77,vendor={vendor}",
                    )
                )
        films = shared / "mini-mias-dev" if shared else None
        if films is not None and films.is_dir():
            sets.append(labelled("real mini-MIAS films", f"minimias:{films}"))
    else:
        sets.append(labelled("synthetic mammograms", f"synthetic:{near_patients},seed=77"))
    j2k = shared / "dicom-samples" / "MG1_J2KI.dcm" if shared else None
    if j2k is not None and j2k.is_file():
        sets.append(("DDSM JPEG 2000 sample", "near", [j2k.read_bytes()], None))
    return sets
