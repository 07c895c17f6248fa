"""``mammocad data``: look at a data set and its patient-level splits before training on them.

Only the light data set layer is imported (no torch), so these commands answer in well under a
second on a laptop without a GPU.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mammocad.datasets.fingerprint import fingerprint
from mammocad.datasets.records import DataSet
from mammocad.datasets.spec import load_dataset, spec_help
from mammocad.datasets.splits import patient_kfold
from mammocad.errors import InvalidInputError, MammocadError
from mammocad.vocabulary import Label

__all__ = ["app"]

app = typer.Typer(
    help=(
        "Inspect labelled data sets and their patient-level splits.\n\n"
        "A data set is named by a SPEC, SCHEME:ARGUMENT, with SCHEME one of:\n\n"
        + "\n\n".join(f"• {line}" for line in spec_help().splitlines())
        + "\n\nExamples: minimias:../shared/datasets/mini-mias-dev, manifest:site/labels.csv, "
        "synthetic:50,seed=3,size=512x384,format=png. Synthetic sets are cached under "
        "$MAMMOCAD_HOME/cache/synthetic (default ./var)."
    ),
    no_args_is_help=True,
)

SpecArgument = Annotated[
    str, typer.Argument(metavar="SPEC", help="data set, e.g. minimias:DIR (mammocad data --help)")
]


@app.command()
def show(
    spec: SpecArgument,
    with_fingerprint: Annotated[
        bool, typer.Option("--fingerprint", help="also hash every image: the content fingerprint")
    ] = False,
) -> None:
    """Summarise a data set: images, patients, labels, lesions, boxes, views."""
    dataset = _load(spec)
    lesions = [lesion for record in dataset for lesion in record.lesions]
    located = sum(lesion.box is not None for lesion in lesions)
    table = Table(title=dataset.name, show_header=False)
    table.add_column("property", style="bold")
    table.add_column("value")
    table.add_row("images", str(len(dataset)))
    table.add_row("patients", str(len(dataset.patients)))
    table.add_row("labels", ", ".join(f"{k.value} {n}" for k, n in dataset.label_counts().items()))
    table.add_row("lesion kinds", _tally(lesion.kind.value for lesion in lesions))
    table.add_row("boxes", f"{located} located, {len(lesions) - located} without location")
    table.add_row("views", _tally(record.view.value for record in dataset))
    table.add_row("laterality", _tally(record.laterality.value for record in dataset))
    table.add_row("density", _tally(r.density for r in dataset if r.density is not None))
    console = Console()
    console.print(table)
    if with_fingerprint:
        # outside the table and never wrapped, so that it can be copied whole
        console.print(f"fingerprint: {fingerprint(dataset)}", soft_wrap=True, highlight=False)


@app.command()
def split(
    spec: SpecArgument,
    k: Annotated[int, typer.Option("--k", "-k", help="number of folds")] = 5,
    seed: Annotated[int, typer.Option(help="seed of the patient order")] = 0,
) -> None:
    """Show the patient-level, label-stratified k-fold split: per-fold counts."""
    dataset = _load(spec)
    try:
        folds = patient_kfold(dataset, k=k, seed=seed)
    except InvalidInputError as exc:
        raise typer.BadParameter(exc.detail, param_hint="'--k'") from exc
    table = Table(
        title=f"{dataset.name}: {k} folds by patient, seed {seed}",
        caption="val N/B/M: " + "/".join(label.value for label in Label) + " validation images",
    )
    for column in ("fold", "train images", "train patients", "val images", "val patients"):
        table.add_column(column, justify="right")
    table.add_column("val N/B/M", justify="right")
    for number, (train, val) in enumerate(folds, start=1):
        table.add_row(
            str(number),
            str(len(train)),
            str(len(train.patients)),
            str(len(val)),
            str(len(val.patients)),
            "/".join(str(n) for n in val.label_counts().values()),
        )
    Console().print(table)


def _load(spec: str) -> DataSet:
    """Open the SPEC, turning a domain error into a usage error that names the argument."""
    try:
        return load_dataset(spec)
    except MammocadError as exc:
        raise typer.BadParameter(exc.detail, param_hint="'SPEC'") from exc


def _tally(values: Iterable[str]) -> str:
    """``a 3, b 1`` in name order, so that the output of two runs can be diffed."""
    return ", ".join(f"{name} {n}" for name, n in sorted(Counter(values).items())) or "none"
