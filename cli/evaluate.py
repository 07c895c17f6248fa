"""``mammocad evaluate`` and ``mammocad crossval``: how well the models do, measured."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cli.ingest import parse_shape
from cli.train import TaskName
from mammocad.datasets.fingerprint import fingerprint
from mammocad.datasets.spec import load_dataset
from mammocad.errors import MammocadError

__all__ = ["crossval", "evaluate"]


def evaluate(
    model: Annotated[Path, typer.Argument(help="trained model folder (model.pt + metadata.json)")],
    data: Annotated[str, typer.Option(help="data set spec to evaluate on")],
    out: Annotated[
        Path | None, typer.Option(help="report folder (default MODEL/evaluation)")
    ] = None,
    device: Annotated[str, typer.Option()] = "auto",
) -> None:
    """Evaluate a model: JSON report, readable table, and ROC or FROC plot (PNG)."""
    from models.evaluate import detector_scores, evaluate_classifier
    from models.evaluation.detection import froc
    from models.evaluation.plots import plot_froc, plot_roc
    from models.evaluation.report import (
        render_classification_table,
        render_detection_table,
        write_json,
    )
    from models.inference import load_model
    from models.train import prepare_with_progress

    console = Console()
    try:
        loaded = load_model(model, device)
        dataset = load_dataset(data)
    except MammocadError as error:
        console.print(f"[red]cannot evaluate[/red] ({error.code}): {error.detail}")
        raise typer.Exit(code=2) from error
    folder = out or model / "evaluation"
    images = prepare_with_progress(dataset, loaded.metadata.ingest, console)
    overlap = set(dataset.patients) & set(
        loaded.metadata.data.train_patients + loaded.metadata.data.validation_patients
    )
    if overlap and dataset.name == loaded.metadata.data.name:
        console.print(
            f"[yellow]warning[/yellow]: {len(overlap)} patients of this data set were "
            "used to train or validate the model: the figures are optimistic"
        )
    header = {
        "model": str(model),
        "task": loaded.metadata.task,
        "data": dataset.name,
        "data_fingerprint": fingerprint(dataset),  # the registry keys evaluations by content
        "patients_seen_in_training": len(overlap),
    }
    if loaded.metadata.task == "classify":
        threshold = loaded.metadata.operating_point.get("abnormal_threshold")
        report, probabilities = evaluate_classifier(
            loaded.network, loaded.device, images, threshold=threshold
        )
        console.print(render_classification_table(report))
        write_json(header | {"report": report.model_dump(mode="json")}, folder / "report.json")
        labels = [image.label.value for image in images]
        plot_roc(
            {
                "abnormal vs normal": (
                    [lab != "normal" for lab in labels],
                    1 - probabilities[:, 0],
                ),
                "malignant vs rest": ([lab == "malignant" for lab in labels], probabilities[:, 2]),
            },
            folder / "roc.png",
            f"ROC on {dataset.name}",
        )
    else:
        result = froc(detector_scores(loaded.network, loaded.device, images))
        console.print(render_detection_table(result))
        write_json(header | {"froc": result.model_dump(mode="json")}, folder / "report.json")
        plot_froc(result, folder / "froc.png", f"FROC on {dataset.name}")
    console.print(f"report written to {folder}")


def crossval(
    task: Annotated[TaskName, typer.Argument(help="classifier or detector")],
    data: Annotated[str, typer.Option(help="data set spec")],
    k: Annotated[int, typer.Option(min=2, help="number of patient-level folds")] = 3,
    out: Annotated[Path, typer.Option(help="JSON report")] = Path("crossval.json"),
    size: Annotated[str, typer.Option(help="model grid ROWSxCOLUMNS")] = "448x320",
    epochs: Annotated[int, typer.Option(min=1)] = 14,
    seed: Annotated[int, typer.Option()] = 0,
    device: Annotated[str, typer.Option()] = "auto",
) -> None:
    """Patient-level k-fold cross-validation: per-fold and pooled out-of-fold metrics."""
    from models.crossval import cross_validate
    from models.evaluation.report import (
        render_classification_table,
        render_detection_table,
        write_json,
    )
    from models.tasks import CLASSIFY, DETECT
    from models.training import TrainingOptions

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
        options=TrainingOptions(epochs=epochs, seed=seed, device=device),
        console=console,
    )
    if result.pooled_classification is not None:
        console.print(render_classification_table(result.pooled_classification))
    if result.pooled_froc is not None:
        console.print(render_detection_table(result.pooled_froc))
    write_json(result, out)
    console.print(f"cross-validation report written to {out} ({result.seconds:.0f} s)")
