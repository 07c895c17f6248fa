"""``mammocad synth``: write a synthetic mammography data set (DICOM or PNG) with its manifest.

Registered by ``cli.main`` as ``app.command("synth")(synth.synth)``. Only numpy, pydicom and
Pillow come in with the generator; nothing heavy (no torch) is imported.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mammocad.datasets.manifest import read_manifest
from mammocad.errors import MammocadError
from mammocad.synthetic import DEFAULT_SHAPE, DEFAULT_VENDOR, VENDOR_PROFILES, generate_dataset
from mammocad.synthetic.case import MIN_SIZE
from mammocad.synthetic.dataset import ImageFormat
from mammocad.vocabulary import Label, View

__all__ = ["synth"]

# One member per vendor profile; mypy can only read members given as a literal.
VendorName = StrEnum("VendorName", {name: name for name in VENDOR_PROFILES})  # type: ignore[misc]  # members known at run time
"""Choices for --vendor, one per profile in VENDOR_PROFILES."""


class ViewName(StrEnum):
    """The views the generator draws."""

    CC = View.CC.value
    MLO = View.MLO.value


_VENDOR_HELP = "; ".join(f"{p.name}: {p.description}" for p in VENDOR_PROFILES.values())


def synth(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            file_okay=False,
            help="folder to write images/, "
            "manifest.csv and synthetic.json into (created if missing)",
        ),
    ] = Path("var/synthetic"),
    patients: Annotated[
        int,
        typer.Option(
            "--patients",
            "-n",
            min=1,
            help="number of patients; each has a left and a right breast in every view",
        ),
    ] = 20,
    seed: Annotated[
        int, typer.Option(min=0, help="generator seed: same arguments, byte-identical files")
    ] = 0,
    vendor: Annotated[
        list[VendorName] | None,
        typer.Option(
            "--vendor",
            "-v",
            help="vendor profile, repeatable; patients take them in "
            f"turn (default {DEFAULT_VENDOR}). {_VENDOR_HELP}",
        ),
    ] = None,
    image_format: Annotated[
        ImageFormat, typer.Option("--format", "-f", case_sensitive=False, help="image file format")
    ] = ImageFormat.DICOM,
    size: Annotated[
        str,
        typer.Option(
            "--size",
            "-s",
            metavar="ROWSxCOLS",
            help=f"image height x width in pixels, each at least {MIN_SIZE}",
        ),
    ] = f"{DEFAULT_SHAPE[0]}x{DEFAULT_SHAPE[1]}",
    view: Annotated[
        list[ViewName] | None,
        typer.Option(
            "--view", case_sensitive=False, help="view to draw, repeatable (default CC and MLO)"
        ),
    ] = None,
) -> None:
    """Generate synthetic mammograms with exact ground truth: the default demo and test data.

    Labels per image: 50 % normal, 25 % benign, 25 % malignant (exact per 8 patients).

    About half the images carry a burned-in film label beside the breast.

    Writes OUT/images/PATIENT/*.dcm|png, OUT/manifest.csv and OUT/synthetic.json.
    """
    shape = _parse_size(size)
    vendors = [v.value for v in vendor] if vendor else [DEFAULT_VENDOR]
    views = [View(v.value) for v in view] if view else [View.CC, View.MLO]
    started = time.perf_counter()
    try:
        manifest = generate_dataset(
            out,
            n_patients=patients,
            seed=seed,
            vendors=vendors,
            image_format=image_format,
            shape=shape,
            views=views,
        )
    except MammocadError as exc:
        raise typer.BadParameter(exc.detail) from exc
    elapsed = time.perf_counter() - started
    _summarise(manifest, vendors, elapsed)


def _parse_size(size: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", size)
    if match is None:
        raise typer.BadParameter(f"{size!r} is not ROWSxCOLS, e.g. 1024x768", param_hint="'--size'")
    return int(match[1]), int(match[2])


def _summarise(manifest: Path, vendors: list[str], elapsed: float) -> None:
    """Print what was written: images and lesions per label, and where."""
    dataset = read_manifest(manifest)
    table = Table(
        title=f"synthetic data set: {len(dataset.patients)} patients, {len(dataset)} images"
    )
    for column in ("label", "images", "lesions", "lesion kinds"):
        table.add_column(column, justify="left" if column in ("label", "lesion kinds") else "right")
    for label in Label:
        records = [r for r in dataset if r.label is label]
        kinds = Counter(lesion.kind.value for r in records for lesion in r.lesions)
        table.add_row(
            label.value,
            str(len(records)),
            str(sum(kinds.values())),
            ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) or "-",
        )
    table.caption = (
        f"vendors {', '.join(vendors)}; manifest {manifest}; "
        f"{elapsed:.1f} s ({elapsed / max(len(dataset), 1):.3f} s per image)"
    )
    Console().print(table)
