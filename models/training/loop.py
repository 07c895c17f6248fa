"""The shared training loop: seeded, augmented, class-balanced, early-stopped, with a progress bar.

It trains whichever :class:`~models.training.tasks.TaskSpec` it is given and returns the best
weights (by the task's validation metric), so both models get the same, tested loop.
"""

from __future__ import annotations

import contextlib
import copy
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import torch
from pydantic import BaseModel, ConfigDict, Field
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader

from models.training.augment import mammogram_augmentation
from models.training.data import Example, ExampleDataset, PreparedImage, collate
from models.training.distributed import current_ranks, device_for, from_main, mean_across, wrap
from models.training.sampling import EpochBatches
from models.training.tasks import TaskSpec, Validation

__all__ = [
    "FitResult",
    "TrainingOptions",
    "fit",
    "replaces_best",
    "seed_everything",
]


class TrainingOptions(BaseModel):
    """Hyper-parameters of one training run (all recorded in the model's metadata)."""

    model_config = ConfigDict(frozen=True)

    epochs: int = Field(default=14, ge=1)
    batch_size: int = Field(
        default=4, ge=1, description="images per optimiser step, over all processes together"
    )
    learning_rate: float = Field(default=1e-3, gt=0, description="heads and pyramid")
    trunk_learning_rate: float = Field(default=2e-4, gt=0, description="pretrained trunk")
    weight_decay: float = Field(default=1e-4, ge=0)
    patience: int = Field(default=5, ge=1, description="epochs without improvement before stop")
    selection: Literal["best", "last"] = Field(
        default="best",
        description="best: keep the epoch with the best validation metric and stop early; "
        "last: train every epoch of the schedule and keep the final weights (the validation "
        "split then only sets the operating point; steadier when it has a few dozen images)",
    )
    seed: int = 0
    device: str = Field(default="auto", description="auto, cpu, cuda or cuda:N")
    accumulation: int = Field(
        default=1,
        ge=1,
        description="micro-batches per optimiser step on each process (a large batch in "
        "little GPU memory)",
    )
    workers: int = Field(
        default=0, ge=0, description="DataLoader processes that load and augment examples"
    )
    mixed_precision: bool = Field(
        default=True, description="bfloat16 autocast when training on a GPU (no effect on CPUs)"
    )


Resample = Callable[[int, torch.nn.Module], Sequence[PreparedImage]]
"""One epoch's training images, given the epoch (from 1) and the network as it is."""


@dataclass
class FitResult:
    """The best model (loaded), when it was reached and how training went."""

    model: torch.nn.Module
    best_epoch: int
    epochs_run: int
    best: Validation | None  # None: trained without a validation split
    history: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and torch (new layers' initial weights, dropout); an epoch's draw of
    images is seeded on its own (:mod:`models.training.sampling`)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def fit(
    task: TaskSpec,
    model: torch.nn.Module,
    train: Sequence[PreparedImage],
    validation: Sequence[PreparedImage] | None,
    options: TrainingOptions,
    console: Console | None = None,
    resample: Resample | None = None,
) -> FitResult:
    """Train ``model`` on ``train``; keep the weights with the best validation metric.

    With ``resample``, each epoch trains on ``resample(epoch, model)`` instead of ``train``
    (a patch model's crops, drawn anew with the current weights: :mod:`models.training.crops`).
    Without ``validation`` (None: a recipe validated by cross-validation, whose schedule is
    fixed) every epoch runs and the final weights are kept, whatever ``options.selection`` says.

    Early stopping (``selection="best"``): training ends after ``options.patience`` epochs
    without a better or equal metric (:func:`replaces_best`). With ``selection="last"`` every
    epoch runs and the final weights are kept.
    A metric that cannot be computed (NaN: e.g. a validation split without a positive) never
    counts as better, so the first epoch's weights are kept rather than an arbitrary one.

    Under torchrun (:mod:`models.training.distributed`) every rank calls this with the same
    arguments: each trains on its share of every global batch of ``options.batch_size``
    (:mod:`models.training.sampling`) through DistributedDataParallel, the epoch's loss is
    averaged over the ranks, rank 0 validates and every rank takes its decisions, and only rank
    0 shows progress. The returned model is the same on every rank.
    """
    started = time.perf_counter()
    ranks = current_ranks()
    console = (console or Console()) if ranks.is_main else Console(quiet=True)
    device = device_for(options.device, ranks)
    seed_everything(options.seed)
    model.to(device)
    trained = wrap(model, ranks, device)
    first = train if resample is None else resample(1, model)
    augment = mammogram_augmentation(first[0].pixels.shape, options.seed)

    def loader_of(images: Sequence[PreparedImage], epoch: int) -> DataLoader[Example]:
        batches = EpochBatches(
            task.sample_weights(images),
            batch_size=options.batch_size,
            seed=options.seed,
            epoch=epoch,
            ranks=ranks,
            accumulation=options.accumulation,
        )
        return DataLoader(
            ExampleDataset(images, keep=task.keep, augment=augment),
            batch_sampler=batches,
            collate_fn=collate,
            num_workers=options.workers,
            pin_memory=device.type == "cuda",
        )

    loader = loader_of(first, 1)
    plan = _batches(loader)
    optimizer = torch.optim.AdamW(
        _parameter_groups(model, options), weight_decay=options.weight_decay
    )
    steps = options.epochs * plan.steps  # the first epoch's length: resampled epochs vary
    progress_done = [0.0]  # share of the schedule done: the cosine follows it, not step counts
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda _: 0.5 * (1 + math.cos(math.pi * min(progress_done[0], 1.0)))
    )
    best_metric, best_epoch, best_state = -math.inf, 0, None
    best: Validation | None = None
    history: list[dict[str, float]] = []
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[status]}"),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        bar = progress.add_task(f"train {task.name}", total=steps, status="")
        done_steps = 0
        for epoch in range(1, options.epochs + 1):
            if epoch > 1:
                loader = loader_of(train if resample is None else resample(epoch, model), epoch)
                plan = _batches(loader)
            if resample is not None and epoch > 1:
                remaining = (options.epochs - epoch + 1) * plan.steps  # epochs differ in size
                progress.update(bar, total=done_steps + remaining)
            trained.train()
            epoch_started = time.perf_counter()
            losses = []
            for index, (images, examples) in enumerate(loader):
                step, micro = divmod(index, plan.accumulation)
                last_micro = micro == plan.accumulation - 1
                torch.manual_seed(plan.forward_seed(step, micro))
                with _gradient_sync(trained, last_micro):
                    with _mixed_precision(device, options):
                        loss = task.loss(trained, images.to(device), examples)
                    (loss * plan.loss_scale(step, micro)).backward()
                losses.append(float(loss.detach()))
                if not last_micro:
                    continue
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                progress_done[0] = (epoch - 1 + (step + 1) / plan.steps) / options.epochs
                scheduler.step()
                done_steps += 1
                progress.update(bar, advance=1, status=f"epoch {epoch} loss {np.mean(losses):.3f}")
            epoch_loss = mean_across(float(np.mean(losses)), len(losses), ranks, device)
            validated = None
            if validation is not None:
                mine = task.validate(model, validation, device) if ranks.is_main else None
                validated = from_main(mine, ranks)
            metric = float("nan") if validated is None else validated.metrics[task.metric_name]
            history.append(
                {
                    "epoch": epoch,
                    "loss": epoch_loss,
                    "train_seconds": round(time.perf_counter() - epoch_started, 2),
                    **({} if validated is None else validated.metrics),
                }
            )
            last = options.selection == "last" or validated is None
            keep = last or replaces_best(metric, best_metric)
            if keep or best_state is None:
                best_metric = metric if not math.isnan(metric) else best_metric
                best_epoch, best = epoch, validated
                best_state = copy.deepcopy(model.state_dict())
            status = f"epoch {epoch} loss {epoch_loss:.3f}" + (
                ""
                if validated is None
                else f" val {task.metric_name} {metric:.3f} (best {best_metric:.3f} @ {best_epoch})"
            )
            progress.update(bar, status=status)
            if not console.is_terminal:  # logs and CI get one line per epoch
                console.print(f"train {task.name}: {status}")
            if not last and epoch - best_epoch >= options.patience:
                progress.update(bar, total=done_steps)
                break
    assert best_state is not None  # the first epoch always keeps its weights
    model.load_state_dict(best_state)
    model.eval()
    return FitResult(
        model=model,
        best_epoch=best_epoch,
        epochs_run=len(history),
        best=best,
        history=history,
        seconds=time.perf_counter() - started,
    )


def _batches(loader: DataLoader[Example]) -> EpochBatches:
    """The epoch plan of a loader made by :func:`fit`."""
    plan = loader.batch_sampler
    if not isinstance(plan, EpochBatches):
        raise TypeError(f"fit's loaders batch with EpochBatches, got {type(plan)}")
    return plan


def _gradient_sync(model: torch.nn.Module, sync: bool) -> contextlib.AbstractContextManager[object]:
    """DDP's all-reduce only on a step's last micro-batch (before it, gradients accumulate)."""
    if sync or not isinstance(model, DistributedDataParallel):
        return contextlib.nullcontext()
    return model.no_sync()


def _mixed_precision(
    device: torch.device, options: TrainingOptions
) -> contextlib.AbstractContextManager[object]:
    """bfloat16 autocast on a GPU (no loss scaling needed, unlike float16); nothing on the CPU,
    where it would change the results and not the speed of these convolutions."""
    if device.type == "cuda" and options.mixed_precision:
        return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def replaces_best(metric: float, best_metric: float) -> bool:
    """Whether this epoch's weights become the kept ones.

    A tie counts: on a small validation split the metric saturates early (every synthetic mass
    found after one epoch), and the later weights have trained longer on the same evidence.
    Keeping the first of a run of ties stopped the synthetic detector at its first epoch. NaN
    (metric undefined on this split) never replaces anything.
    """
    return not math.isnan(metric) and metric >= best_metric


def _parameter_groups(model: torch.nn.Module, options: TrainingOptions) -> list[dict[str, Any]]:
    """A lower learning rate for the pretrained trunk than for the new layers."""
    trunk: list[torch.nn.Parameter] = []
    rest: list[torch.nn.Parameter] = []
    for name, parameter in model.named_parameters():
        if parameter.requires_grad:
            (trunk if ".trunk." in f".{name}" else rest).append(parameter)
    return [
        {"params": trunk, "lr": options.trunk_learning_rate},
        {"params": rest, "lr": options.learning_rate},
    ]
