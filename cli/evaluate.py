"""``mammocad evaluate`` and ``mammocad crossval``: how well the models do, measured."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cli.ingest import parse_shape
from cli.train import Selection, TaskName
from mammocad.datasets.spec import load_dataset
from mammocad.errors import MammocadError

__all__ = ["crossval", "evaluate", "ood_eval"]


def evaluate(
    model: Annotated[Path, typer.Argument(help="trained model folder (model.pt + metadata.json)")],
    data: Annotated[str, typer.Option(help="data set spec to evaluate on")],
    out: Annotated[
        Path | None, typer.Option(help="report folder (default MODEL/evaluation)")
    ] = None,
    device: Annotated[str, typer.Option()] = "auto",
    explanations: Annotated[
        bool,
        typer.Option(
            help="measure the explanations' quality too (Grad-CAM and SHAP: seconds per image)"
        ),
    ] = True,
) -> None:
    """Evaluate a model: JSON report, readable table, and ROC or FROC plot (PNG)."""
    from models.evaluation.evaluate import write_evaluation
    from models.inference.loaded import load_model

    console = Console()
    try:
        loaded = load_model(model, device)
        dataset = load_dataset(data)
    except MammocadError as error:
        console.print(f"[red]cannot evaluate[/red] ({error.code}): {error.detail}")
        raise typer.Exit(code=2) from error
    report = write_evaluation(
        loaded, dataset, out or model / "evaluation", console, explanations=explanations
    )
    console.print(f"report written to {report.parent}")


def crossval(
    task: Annotated[TaskName, typer.Argument(help="classifier or detector")],
    data: Annotated[str, typer.Option(help="data set spec")],
    k: Annotated[int, typer.Option(min=2, help="number of patient-level folds")] = 3,
    out: Annotated[Path, typer.Option(help="JSON report")] = Path("crossval.json"),
    size: Annotated[str, typer.Option(help="model grid ROWSxCOLUMNS")] = "448x320",
    epochs: Annotated[int, typer.Option(min=1)] = 14,
    selection: Annotated[
        Selection,
        typer.Option(help="best: early stopping on the validation metric; last: full schedule"),
    ] = Selection.BEST,
    seed: Annotated[int, typer.Option()] = 0,
    device: Annotated[str, typer.Option()] = "auto",
) -> None:
    """Patient-level k-fold cross-validation: per-fold and pooled out-of-fold metrics."""
    from models.evaluation.crossval import cross_validate
    from models.evaluation.report import (
        render_classification_table,
        render_detection_table,
        write_json,
    )
    from models.training.loop import TrainingOptions
    from models.training.tasks import CLASSIFY, DETECT

    console = Console()
    try:
        dataset = load_dataset(data)
    except MammocadError as error:
        console.print(f"[red]cannot cross-validate[/red] ({error.code}): {error.detail}")
        raise typer.Exit(code=2) from error
    result = cross_validate(
        CLASSIFY if task is TaskName.CLASSIFIER else DETECT,
        dataset,
        k=k,
        target_shape=parse_shape(size),
        options=TrainingOptions(epochs=epochs, selection=selection.value, seed=seed, device=device),
        console=console,
    )
    if result.pooled_classification is not None:
        console.print(render_classification_table(result.pooled_classification))
    if result.pooled_froc is not None:
        console.print(render_detection_table(result.pooled_froc))
    write_json(result, out)
    console.print(f"cross-validation report written to {out} ({result.seconds:.0f} s)")


def ood_eval(
    model: Annotated[Path, typer.Argument(help="trained model folder (model.pt + metadata.json)")],
    data: Annotated[
        str, typer.Option(help="held-out in-distribution data set spec (like the training data)")
    ],
    shared: Annotated[
        Path | None,
        typer.Option(help="../shared/datasets, for the MG test pattern, mini-MIAS and J2K sets"),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="JSON report (default MODEL/ood-eval.json)")
    ] = None,
    near_patients: Annotated[
        int, typer.Option(min=1, help="synthetic patients (4 images each) per unseen vendor")
    ] = 8,
    device: Annotated[str, typer.Option()] = "auto",
) -> None:
    """Measure the OOD detectors (AUROC, FPR at 95 % TPR) on far and near shifted sets."""
    from models.evaluation.report import render_ood_table, write_json
    from models.inference.loaded import load_model
    from models.trust.ood_evaluation import evaluate_ood

    console = Console()
    try:
        loaded = load_model(model, device)
        in_data = load_dataset(data)
        with console.status("scoring the in-distribution and shifted sets ..."):
            result = evaluate_ood(loaded, in_data, shared, near_patients=near_patients)
    except MammocadError as error:
        console.print(f"[red]cannot evaluate[/red] ({error.code}): {error.detail}")
        raise typer.Exit(code=2) from error
    console.print(render_ood_table(result))
    path = write_json(result, out or model / "ood-eval.json")
    console.print(f"report written to {path}")
