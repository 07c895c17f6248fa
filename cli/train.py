"""``mammocad train classifier|detector``: train a model on a data set spec."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cli.ingest import parse_shape
from mammocad.datasets.spec import load_dataset
from mammocad.errors import MammocadError
from mammocad.home import state_home

__all__ = ["TaskName", "train"]


class Selection(StrEnum):
    """Which epoch's weights a training run keeps (see ``TrainingOptions.selection``)."""

    BEST = "best"
    LAST = "last"


class TaskName(StrEnum):
    """Which model to train."""

    CLASSIFIER = "classifier"
    DETECTOR = "detector"


def default_model_dir(task: TaskName) -> Path:
    """``$MAMMOCAD_HOME/models/<task>/<UTC timestamp>``: never overwrites an earlier model."""
    return state_home() / "models" / task.value / datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def train(
    task: Annotated[TaskName, typer.Argument(help="classifier or detector")],
    data: Annotated[
        str, typer.Option(help="data set spec, e.g. minimias:DIR, synthetic:24, manifest:FILE.csv")
    ],
    out: Annotated[
        Path | None, typer.Option(help="model folder (default under $MAMMOCAD_HOME/models)")
    ] = None,
    size: Annotated[
        str, typer.Option(help="model grid ROWSxCOLUMNS (multiples of 32)")
    ] = "448x320",
    epochs: Annotated[int, typer.Option(min=1)] = 14,
    batch_size: Annotated[
        int, typer.Option(min=1, help="images per step, over all processes together")
    ] = 4,
    patience: Annotated[int, typer.Option(min=1, help="early-stopping patience (epochs)")] = 5,
    val_fraction: Annotated[float, typer.Option(min=0.05, max=0.5)] = 0.2,
    calibration_data: Annotated[
        str | None,
        typer.Option(
            help="data set spec of other patients added to the validation split to fit the "
            "calibration and the OOD threshold, e.g. synthetic:48,seed=2"
        ),
    ] = None,
    selection: Annotated[
        Selection,
        typer.Option(help="best: early stopping on the validation metric; last: full schedule"),
    ] = Selection.BEST,
    seed: Annotated[int, typer.Option()] = 0,
    device: Annotated[str, typer.Option(help="auto (GPU if present), cpu, cuda")] = "auto",
    accumulation: Annotated[
        int, typer.Option(min=1, help="micro-batches per step on each process")
    ] = 1,
    workers: Annotated[
        int, typer.Option(min=0, help="DataLoader processes that load and augment examples")
    ] = 0,
    stream: Annotated[
        bool,
        typer.Option(
            help="keep the model-grid images in an on-disk cache read on demand, not in memory "
            "(large data sets; ingested by the --workers processes)"
        ),
    ] = False,
) -> None:
    """Train a model with transfer learning and augmentation; save weights + metadata.

    Alone, or on several processes under torchrun (one per GPU, or CPU processes), e.g.
    ``torchrun --standalone --nproc-per-node 2 --no-python mammocad train classifier ...``:
    ``--batch-size`` is then the batch of all processes together, and rank 0 writes the folder.
    """
    from models.training.distributed import process_group
    from models.training.loop import TrainingOptions
    from models.training.run import train_and_save
    from models.training.tasks import CLASSIFY, DETECT

    console = Console()
    shape = parse_shape(size)
    if shape[0] % 32 or shape[1] % 32:
        raise typer.BadParameter(f"{size}: rows and columns must be multiples of 32")
    try:
        dataset = load_dataset(data)
        with process_group(device):
            train_and_save(
                CLASSIFY if task is TaskName.CLASSIFIER else DETECT,
                dataset,
                out or default_model_dir(task),
                target_shape=shape,
                options=TrainingOptions(
                    epochs=epochs,
                    batch_size=batch_size,
                    patience=patience,
                    selection=selection.value,
                    seed=seed,
                    device=device,
                    accumulation=accumulation,
                    workers=workers,
                ),
                val_fraction=val_fraction,
                calibration_set=None
                if calibration_data is None
                else load_dataset(calibration_data),
                stream=stream,
                console=console,
            )
    except MammocadError as error:
        console.print(f"[red]cannot train[/red] ({error.code}): {error.detail}")
        raise typer.Exit(code=2) from error
    except ValueError as error:
        console.print(f"[red]cannot train[/red]: {error}")
        raise typer.Exit(code=2) from error
