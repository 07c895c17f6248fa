"""Train one model on a data set: split by patient, ingest, fit, save weights with metadata."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from pathlib import Path

from rich.console import Console

import mammocad
from mammocad.acquisition import AcquisitionProfile
from mammocad.datasets.fingerprint import fingerprint
from mammocad.datasets.records import DataSet
from mammocad.datasets.splits import patient_split
from mammocad.ingest.pipeline import IngestOptions
from mammocad.schemas.artifact import DataProvenance, TrainingMetadata
from models.device import resolve_device
from models.explain.background import choose_background, save_background
from models.training.artifacts import code_version, now_utc, save_artifact
from models.training.data import PreparedImage, prepare_images
from models.training.distributed import current_ranks
from models.training.loop import FitResult, TrainingOptions, fit, seed_everything
from models.training.streaming import stream_prepared_images
from models.training.tasks import TaskSpec
from models.trust.fit import fit_trust

__all__ = ["prepare_with_progress", "train_and_save", "train_on_split"]


def prepare_with_progress(
    dataset: DataSet, options: IngestOptions, console: Console
) -> list[PreparedImage]:
    """Ingest a data set at the model grid, with a status line (mini-MIAS takes a few seconds)."""
    with console.status(f"ingesting {len(dataset)} images at {options.target_shape} ...") as status:
        return prepare_images(
            dataset,
            options,
            on_progress=lambda done: status.update(f"ingesting {done}/{len(dataset)} images"),
        )


def prepare_for_training(
    dataset: DataSet, options: IngestOptions, console: Console, *, stream: bool, workers: int
) -> Sequence[PreparedImage]:
    """In memory (:func:`prepare_with_progress`), or, with ``stream``, on disk through
    :mod:`models.training.streaming` (ingested by ``workers`` processes, read on demand)."""
    if not stream:
        return prepare_with_progress(dataset, options, console)
    with console.status(f"caching {len(dataset)} images at {options.target_shape} ...") as status:
        return stream_prepared_images(
            dataset,
            options,
            workers=workers,
            on_progress=lambda done: status.update(f"caching {done}/{len(dataset)} images"),
        )


def train_on_split(
    task: TaskSpec,
    train: Sequence[PreparedImage],
    validation: Sequence[PreparedImage],
    options: TrainingOptions,
    console: Console,
) -> FitResult:
    """Build the pretrained network and fit it (cross-validation calls this per fold).

    Seeded before building, so the new layers' initial weights are reproducible too."""
    seed_everything(options.seed)
    model = task.build(pretrained=True)
    return fit(task, model, train, validation, options, console)


def train_and_save(
    task: TaskSpec,
    dataset: DataSet,
    out_dir: Path,
    *,
    target_shape: tuple[int, int],
    options: TrainingOptions,
    val_fraction: float = 0.2,
    calibration_set: DataSet | None = None,
    stream: bool = False,
    console: Console | None = None,
) -> Path:
    """The whole ``mammocad train`` job; returns the folder holding ``model.pt`` + metadata.

    The task decides how images are ingested at ``target_shape`` (the options are recorded in
    the metadata, and inference re-uses them). ``calibration_set`` (patients the training data
    does not hold) joins the validation split for fitting the calibration and the OOD threshold.
    ``stream`` keeps the images on disk (:func:`prepare_for_training`).

    Under torchrun every rank makes the same seeded patient split and trains its share
    (:func:`models.training.loop.fit`); only rank 0 fits the calibration and the OOD detector
    and writes ``out_dir``, the other ranks return once training is done.

    Raises:
        ValueError: ``calibration_set`` shares patients with ``dataset``.
    """
    ranks = current_ranks()
    console = (console or Console()) if ranks.is_main else Console(quiet=True)
    ingest = task.ingest_options(target_shape)
    if calibration_set is not None:
        shared = set(calibration_set.patients) & set(dataset.patients)
        if shared:
            raise ValueError(
                f"the calibration set {calibration_set.name!r} shares {len(shared)} patients "
                f"with the training data {dataset.name!r} (e.g. {sorted(shared)[0]})"
            )
    train_set, val_set = patient_split(dataset, val_fraction=val_fraction, seed=options.seed)
    console.print(
        f"{dataset.name}: {len(train_set)} training images "
        f"({len(train_set.patients)} patients), {len(val_set)} validation images "
        f"({len(val_set.patients)} patients)"
    )
    train_images = prepare_for_training(
        train_set, ingest, console, stream=stream, workers=options.workers
    )
    val_images = prepare_for_training(
        val_set, ingest, console, stream=stream, workers=options.workers
    )
    # Prepared by every rank, before training: streamed ingest shares the work between the
    # ranks and waits for all of them, so rank 0 cannot do it alone once the others are gone.
    calibration_images = (
        []
        if calibration_set is None
        else prepare_for_training(
            calibration_set, ingest, console, stream=stream, workers=options.workers
        )
    )
    result = train_on_split(task, train_images, val_images, options, console)
    if result.best is None:  # fit() validates every epoch when it is given a split
        raise RuntimeError("training with a validation split returned no validation")
    if not ranks.is_main:
        return out_dir
    best = result.best
    metadata = TrainingMetadata(
        task=task.name,  # "classify" or "detect": pydantic checks it is a Task
        architecture=task.architecture,
        created_at=now_utc(),
        mammocad_version=mammocad.__version__,
        code_version=code_version(),
        ingest=ingest,
        data=DataProvenance(
            name=dataset.name,
            fingerprint=fingerprint(dataset),
            synthetic=dataset.name.startswith("synthetic:"),
            n_images=len(dataset),
            n_patients=len(dataset.patients),
            label_counts={label.value: n for label, n in dataset.label_counts().items()},
            train_patients=train_set.patients,
            validation_patients=val_set.patients,
            calibration_data=None if calibration_set is None else calibration_set.name,
            calibration_patients=[] if calibration_set is None else calibration_set.patients,
        ),
        acquisition=AcquisitionProfile.of(
            image.metadata for image in chain(train_images, val_images) if image.metadata
        ),
        hyperparameters=options.model_dump(mode="json")
        | {"val_fraction": val_fraction, "processes": ranks.world_size, "streamed": stream},
        seed=options.seed,
        device=str(resolve_device(options.device)),
        epochs_run=result.epochs_run,
        best_epoch=result.best_epoch,
        training_seconds=round(result.seconds, 1),
        validation_metrics={k: float(v) for k, v in best.metrics.items()},
        operating_point=best.operating_point,
        history=result.history,
    )
    save_artifact(out_dir, result.model, metadata)
    held_out_set, held_out_images = val_set, val_images
    if calibration_set is not None:
        held_out_set = DataSet(
            f"{val_set.name} + {calibration_set.name}", [*val_set, *calibration_set]
        )
        held_out_images = [*val_images, *calibration_images]
    with console.status(f"fitting calibration and the OOD detector on {held_out_set.name} ..."):
        calibration, ood = fit_trust(
            result.model,
            train_images,
            held_out_images,
            held_out_set,
            dataset.name,
            ingest,
            out_dir,
            resolve_device(options.device),
        )
    console.print(
        f"calibration ({calibration.method}, {calibration.parameters}): ECE "
        f"{calibration.before.ece:.3f} -> {calibration.after.ece:.3f}, Brier "
        f"{calibration.before.brier:.3f} -> {calibration.after.brier:.3f} on "
        f"{len(held_out_images)} held-out images"
    )
    console.print(
        f"OOD detector ({ood.kind} on {ood.feature}): threshold {ood.threshold:.2f}; AUROC "
        + "; ".join(f"{e.shift_set} {e.auroc:.3f}" for e in ood.shift_evaluations)
    )
    background = save_background(out_dir, choose_background(val_images))
    console.print(f"SHAP background: {background.name} ({min(len(val_images), 8)} images)")
    console.print(
        f"saved {task.name} model to {out_dir} (best epoch {result.best_epoch}, "
        f"{task.metric_name} {best.metrics.get(task.metric_name, float('nan')):.3f},"
        f" {result.seconds:.0f} s)"
    )
    return out_dir
