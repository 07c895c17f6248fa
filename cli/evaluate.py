"""``mammocad evaluate`` and ``mammocad crossval``: how well the models do, measured."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cli.ingest import parse_shape
from cli.train import TaskName
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


class RecipeName(StrEnum):
    """Which recipe to cross-validate."""

    RELEASE = "release"  # the task's validated recipe (what mammocad release trains)
    DENSE = "dense"  # the whole-film network of the task, fixed schedule (the baseline)


def crossval(
    task: Annotated[TaskName, typer.Argument(help="classifier or detector")],
    data: Annotated[str, typer.Option(help="data set spec")],
    recipe: Annotated[
        RecipeName, typer.Option(help="release: the validated recipe; dense: whole-film baseline")
    ] = RecipeName.RELEASE,
    k: Annotated[int, typer.Option(min=2, help="patient-level folds per repeat")] = 5,
    repeats: Annotated[int, typer.Option(min=1, help="repeats of the fold split")] = 2,
    seed: Annotated[int, typer.Option(help="seed of the first repeat")] = 0,
    out: Annotated[Path, typer.Option(help="JSON summary")] = Path("crossval.json"),
    size: Annotated[str | None, typer.Option(help="override the grid ROWSxCOLUMNS")] = None,
    epochs: Annotated[int | None, typer.Option(min=1, help="override the epochs")] = None,
    explanations: Annotated[bool, typer.Option(help="measure explanation quality")] = True,
    device: Annotated[str, typer.Option()] = "auto",
) -> None:
    """Repeated patient-level cross-validation of a recipe: figures with patient-level CIs."""
    from cli.release import summary_table, validated_recipe
    from models.evaluation.crossval import CvPlan, cross_validate, summarise
    from models.evaluation.report import write_json
    from models.training.cache import cached_prepared_images
    from models.training.loop import TrainingOptions
    from models.training.recipe import DenseRecipe, Recipe
    from models.training.tasks import CLASSIFY, DETECT

    console = Console()
    try:
        dataset = load_dataset(data)
    except MammocadError as error:
        console.print(f"[red]cannot cross-validate[/red] ({error.code}): {error.detail}")
        raise typer.Exit(code=2) from error
    chosen: Recipe = validated_recipe(task, epochs, size)
    if recipe is RecipeName.DENSE:
        spec = CLASSIFY if task is TaskName.CLASSIFIER else DETECT
        shape = parse_shape(size) if size else (448, 320)
        chosen = DenseRecipe(spec, shape, TrainingOptions(epochs=epochs or 12, selection="last"))
    plan = CvPlan(k=k, repeats=repeats, seed=seed, explanations=explanations)
    images = cached_prepared_images(dataset, chosen.ingest)
    oof = cross_validate(chosen, dataset, images, plan, device=device, console=console)
    summary = summarise(oof, chosen, plan)
    console.print(summary_table(summary, chosen.name))
    write_json(
        {
            "data": dataset.name,
            "recipe": chosen.name,
            "hyperparameters": chosen.hyperparameters(),
            "summary": summary.model_dump(mode="json"),
            "folds": [f.model_dump() for f in oof.folds],
            "seconds": oof.seconds,
        },
        out,
    )
    console.print(f"cross-validation written to {out} ({oof.seconds:.0f} s)")


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
