"""``mammocad release classifier|detector --data SPEC``: the validated recipe, end to end.

Cross-validates the recipe (repeated, patient-level), trains the final model on every film,
fits calibration, operating threshold and OOD detector on the out-of-fold predictions
(:mod:`models.release`), then registers the folder, attaches the cross-validated evaluation,
writes the model card's authored sections and submits the version for promotion to
``production`` through the registry's ordinary gates (a refusal is printed with every unmet
gate; the version stays registered). Everything is audited under ``--actor``.
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from cli.train import TaskName
from mammocad.datasets.spec import load_dataset
from mammocad.errors import MammocadError
from mammocad.home import state_home

if TYPE_CHECKING:
    from mammocad.schemas.evaluation import CrossValidationSummary
    from models.training.recipe import Recipe
    from registry.card.schema import CardEdit

__all__ = ["release", "summary_table", "validated_recipe"]


def release(
    task: Annotated[TaskName, typer.Argument(help="classifier or detector")],
    data: Annotated[str, typer.Option(help="data set spec, e.g. minimias:DIR")],
    name: Annotated[
        str | None, typer.Option(help="registered model name (default: classifier / detector)")
    ] = None,
    k: Annotated[int, typer.Option(min=2, help="folds per repeat")] = 5,
    repeats: Annotated[int, typer.Option(min=1, help="repeats of the k-fold split")] = 1,
    seed: Annotated[int, typer.Option(help="seed of the first repeat's split and of training")] = 0,
    epochs: Annotated[
        int | None, typer.Option(min=1, help="override the recipe's epochs (tests, demos)")
    ] = None,
    size: Annotated[
        str | None, typer.Option(help="override the recipe's model grid ROWSxCOLUMNS")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="model folder (default under models/)")] = None,
    promote: Annotated[bool, typer.Option(help="submit the version for production")] = True,
    explanations: Annotated[
        bool, typer.Option(help="measure explanation quality in every fold (slower)")
    ] = True,
    device: Annotated[str, typer.Option(help="auto (GPU if present), cpu, cuda")] = "auto",
    actor: Annotated[str, typer.Option(help="who releases (audit log)")] = "",
    reason: Annotated[str, typer.Option(help="why (audit log)")] = "",
) -> None:
    """Cross-validate, train, calibrate, register and promote a model with its validated
    recipe (see docs/results.md for what the recipe is and how well it does)."""
    from models.evaluation.crossval import CvPlan
    from models.release import build_release
    from models.training.distributed import process_group
    from registry import PRODUCTION, PromotionRefusedError, Registry

    console = Console()
    actor = actor or getpass.getuser()
    model_name = name or task.value
    try:
        dataset = load_dataset(data)
        recipe = validated_recipe(task, epochs, size)
        folder = out or state_home() / "models" / task.value / datetime.now(UTC).strftime(
            "release-%Y%m%d-%H%M%S"
        )
        with process_group(device) as ranks:
            made = build_release(
                recipe,
                dataset,
                folder,
                CvPlan(k=k, repeats=repeats, seed=seed, explanations=explanations),
                device=device,
                console=console,
            )
        if not ranks.is_main:  # under torchrun: rank 0 wrote the folder and registers it
            return
        console.print(summary_table(made.summary, recipe.name))
        with Registry() as registry:
            why = reason or f"release of recipe {recipe.name} on {dataset.name}"
            version = registry.register(folder, model_name, actor=actor, reason=why)
            registry.attach_evaluation(model_name, version.version, made.report, actor=actor)
            registry.edit_card(
                model_name, version.version, _card(dataset.name, made.summary), actor=actor
            )
            console.print(
                f"registered {model_name} version {version.version} ({made.seconds:.0f} s); "
                f"calibration: {made.cross_fitted.calibration.method}"
            )
            if promote:
                try:
                    registry.set_alias(
                        model_name, PRODUCTION, version.version, actor=actor, reason=why
                    )
                    console.print(f"{model_name} version {version.version} is {PRODUCTION}")
                except PromotionRefusedError as refused:
                    console.print(f"[yellow]not promoted[/yellow]: {refused.detail}")
                    raise typer.Exit(code=3) from refused
    except MammocadError as error:
        console.print(f"[red]cannot release[/red] ({error.code}): {error.detail}")
        raise typer.Exit(code=2) from error


def validated_recipe(task: TaskName, epochs: int | None, size: str | None) -> Recipe:
    """The validated recipe of ``task`` (docs/results.md), optionally shortened."""
    from cli.ingest import parse_shape
    from models.training.recipe import DETECTOR_RECIPE, PatchRecipe

    recipe: Recipe = PatchRecipe() if task is TaskName.CLASSIFIER else DETECTOR_RECIPE
    shape = None
    if size is not None:
        shape = parse_shape(size)
        if shape[0] % 32 or shape[1] % 32:
            raise typer.BadParameter(f"{size}: rows and columns must be multiples of 32")
    return recipe.adjusted(target_shape=shape, epochs=epochs)


def summary_table(summary: CrossValidationSummary, recipe: str) -> Table:
    table = Table(
        title=f"{recipe}: {summary.repeats} x {summary.k}-fold patient-level cross-validation "
        f"({summary.n_images} films, {summary.n_patients} patients)"
    )
    for column in ("figure", "value", "95% CI (patients)", "per repeat"):
        table.add_column(column)
    for metric in summary.metrics:
        interval = "" if metric.ci_low is None else f"[{metric.ci_low:.3f}, {metric.ci_high:.3f}]"
        table.add_row(
            metric.name,
            f"{metric.value:.3f}",
            interval,
            ", ".join(f"{v:.3f}" for v in metric.per_repeat),
        )
    return table


def _card(data: str, summary: CrossValidationSummary) -> CardEdit:
    """The authored sections of a released model's card."""
    from registry.card.schema import CardEdit

    synthetic = data.startswith("synthetic:")
    return CardEdit(
        owners=["mammocad maintainers"],
        license="Apache-2.0",
        primary_users=["researchers and integrators evaluating computer-aided mammography"],
        out_of_scope_uses=[
            "any clinical use: screening, diagnosis, triage or second reading of real patients",
            "films or systems unlike the training data (flagged out of distribution)",
        ],
        relevant_factors=[
            "breast density (fatty, glandular, dense), lesion kind and size, laterality",
            "acquisition: digitised film versus digital systems, vendor, processing",
        ],
        ethical_considerations=[
            "Research data only (mini-MIAS licence: research use, no commercial use)"
            if not synthetic
            else "Trained on synthetic images only; no patient data was used.",
        ],
        caveats_and_recommendations=[
            f"Figures are {summary.repeats} x {summary.k}-fold patient-level cross-validation "
            f"on {summary.n_images} films of {summary.n_patients} patients: every film was "
            "judged by a model that never saw its patient; the intervals resample patients. "
            "They do not replace an external test on other patients and systems.",
            "Probabilities are calibrated only when the cross-fitted calibration improved "
            "them (the answer says calibrated: true or false).",
            "Answers flagged out of distribution must not be trusted.",
        ],
    )
