"""``mammocad ingest``: read one image exactly as the service would, and show what it saw."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from PIL import Image
from rich.console import Console
from rich.table import Table

from mammocad.errors import MammocadError
from mammocad.ingest.pipeline import IngestedImage, IngestOptions, ingest_file
from mammocad.vocabulary import Laterality

__all__ = ["ingest", "ingest_summary", "parse_shape"]


def parse_shape(text: str) -> tuple[int, int]:
    """``"1024x768"`` -> (1024, 768): rows x columns."""
    try:
        rows, columns = (int(part) for part in text.lower().split("x"))
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not ROWSxCOLUMNS, e.g. 1024x768") from exc
    if rows <= 0 or columns <= 0:
        raise typer.BadParameter(f"{text!r} must have positive rows and columns")
    return rows, columns


def ingest_summary(ingested: IngestedImage) -> dict[str, object]:
    """The JSON-able description of an ingest result (the same fields /v1/inspect returns)."""
    rows, columns = ingested.pixels.shape
    return {
        "image": ingested.metadata.model_dump(mode="json"),
        "orientation": ingested.orientation.model_dump(mode="json"),
        "breast_found": ingested.breast_found,
        "breast_box": list(ingested.breast_box),
        "model_grid": {"rows": rows, "columns": columns},
        "transform": ingested.transform.model_dump(mode="json"),
    }


def ingest(
    path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="DICOM, PNG, PGM or JPEG")
    ],
    size: Annotated[str, typer.Option(help="model grid as ROWSxCOLUMNS")] = "1024x768",
    laterality: Annotated[
        Laterality | None, typer.Option(help="laterality, if the file cannot say (PNG/PGM/JPEG)")
    ] = None,
    save: Annotated[Path | None, typer.Option(help="write the model-ready image as a PNG")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False,
) -> None:
    """Ingest one image and show its metadata, orientation, breast region and grid mapping."""
    console = Console()
    started = time.perf_counter()
    try:
        ingested = ingest_file(
            path, IngestOptions(target_shape=parse_shape(size)), laterality=laterality
        )
    except MammocadError as error:
        console.print(f"[red]refused[/red] ({error.code}): {error.detail}")
        raise typer.Exit(code=2) from error
    elapsed_ms = (time.perf_counter() - started) * 1000
    summary = ingest_summary(ingested) | {"timing_ms": round(elapsed_ms, 1)}
    if save is not None:
        Image.fromarray(np.round(ingested.pixels * 255).astype(np.uint8)).save(save)
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    table = Table(title=f"{path.name}", show_header=False)
    for key, value in ingested.metadata.model_dump(mode="json").items():
        table.add_row(key, "" if value is None else str(value))
    table.add_row(
        "chest wall (original)",
        f"{ingested.orientation.chest_wall_side} (from {ingested.orientation.source})",
    )
    table.add_row("mirrored", str(ingested.orientation.flipped))
    table.add_row("breast box [x0,y0,x1,y1]", str(list(ingested.breast_box)))
    table.add_row("model grid", "x".join(str(n) for n in ingested.pixels.shape))
    table.add_row("ingest time", f"{elapsed_ms:.0f} ms")
    if save is not None:
        table.add_row("saved", str(save))
    console.print(table)
