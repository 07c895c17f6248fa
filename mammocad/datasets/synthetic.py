"""The ``synthetic:`` data set: generated once per parameter set, then read from a cache.

Generating full-size mammograms takes far longer than reading them back, and every command that
names ``synthetic:200`` must see the very same images, so sets are generated into a folder keyed
by all generation parameters and reused. The folder appears by one atomic rename of a finished
temporary folder: a crash or Ctrl-C mid-generation leaves no half set that a later run would
mistake for a complete one (only a ``.tmp-*`` folder beside it, safe to delete).

Cache layout: ``<root>/cache/synthetic/<key>/manifest.csv`` where ``<root>`` is the ``cache_root``
argument, else ``$MAMMOCAD_HOME``, else ``./var``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import mammocad
from mammocad.datasets.manifest import read_manifest
from mammocad.datasets.records import DataSet
from mammocad.errors import InvalidInputError
from mammocad.home import state_home
from mammocad.synthetic.dataset import GENERATOR_REVISION

__all__ = ["DEFAULT_SHAPE", "IMAGE_FORMATS", "load_synthetic", "synthetic_cache_dir"]

IMAGE_FORMATS = ("dicom", "png")
"""Image formats the generator writes."""

DEFAULT_SHAPE = (1024, 768)
"""Default image size as (rows, columns): portrait, like a mammogram."""

_MANIFEST = "manifest.csv"


def load_synthetic(
    n_patients: int,
    *,
    seed: int = 0,
    vendors: Sequence[str] = ("reference",),
    image_format: str = "dicom",
    shape: tuple[int, int] = DEFAULT_SHAPE,
    cache_root: Path | None = None,
) -> DataSet:
    """The synthetic set for these parameters, generated on first use and cached after.

    Raises:
        InvalidInputError: a parameter is out of range, or the generator broke its contract
            (its manifest names images outside the folder it was given).
    """
    _check_parameters(n_patients, vendors, image_format, shape)
    folder = synthetic_cache_dir(
        n_patients,
        seed=seed,
        vendors=vendors,
        image_format=image_format,
        shape=shape,
        cache_root=cache_root,
    )
    if not (folder / _MANIFEST).is_file():
        _generate_atomically(folder, n_patients, seed, tuple(vendors), image_format, shape)
    name = (
        f"synthetic:{n_patients},seed={seed},vendor={'+'.join(vendors)},"
        f"size={shape[0]}x{shape[1]},format={image_format}"
    )
    return read_manifest(folder / _MANIFEST, name=name)


def synthetic_cache_dir(
    n_patients: int,
    *,
    seed: int = 0,
    vendors: Sequence[str] = ("reference",),
    image_format: str = "dicom",
    shape: tuple[int, int] = DEFAULT_SHAPE,
    cache_root: Path | None = None,
) -> Path:
    """The cache folder of one parameter set (it may not exist yet).

    The key hashes every parameter, the mammocad version and the generator revision, so a
    changed generator never serves
    images made by an older one; the readable prefix helps an operator clean the cache by hand.
    """
    root = Path(cache_root) if cache_root is not None else state_home()
    parameters = {
        "n_patients": n_patients,
        "seed": seed,
        "vendors": list(vendors),  # order kept: it may decide which patient gets which vendor
        "image_format": image_format,
        "shape": list(shape),
        "mammocad": mammocad.__version__,
        "generator": GENERATOR_REVISION,
    }
    digest = hashlib.sha256(json.dumps(parameters, sort_keys=True).encode()).hexdigest()
    key = f"{n_patients}p-seed{seed}-{shape[0]}x{shape[1]}-{image_format}-{digest[:16]}"
    return root.expanduser() / "cache" / "synthetic" / key


def _check_parameters(
    n_patients: int, vendors: Sequence[str], image_format: str, shape: tuple[int, int]
) -> None:
    if n_patients < 1:
        raise InvalidInputError(f"synthetic: number of patients must be >= 1, got {n_patients}")
    if not vendors or any(not v for v in vendors):
        raise InvalidInputError(f"synthetic: vendors must be non-empty names, got {list(vendors)}")
    if image_format not in IMAGE_FORMATS:
        raise InvalidInputError(
            f"synthetic: format {image_format!r} is not one of {', '.join(IMAGE_FORMATS)}"
        )
    if len(shape) != 2 or min(shape) < 1:
        raise InvalidInputError(f"synthetic: size must be two positive integers, got {shape}")


def _generate_atomically(
    folder: Path,
    n_patients: int,
    seed: int,
    vendors: tuple[str, ...],
    image_format: str,
    shape: tuple[int, int],
) -> None:
    """Generate into a temporary sibling folder, check it, then rename it into place."""
    from mammocad.synthetic import generate_dataset  # imported late: only cache misses need it

    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    try:
        manifest = generate_dataset(
            work,
            n_patients=n_patients,
            seed=seed,
            vendors=vendors,
            image_format=image_format,
            shape=shape,
        )
        _check_self_contained(Path(manifest), work)
        if folder.exists() and not (folder / _MANIFEST).is_file():
            shutil.rmtree(folder)  # a leftover this code did not make (it never leaves one)
        try:
            work.rename(folder)
        except OSError:
            if not (folder / _MANIFEST).is_file():  # not a concurrent twin that won the race
                raise
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)


def _check_self_contained(manifest: Path, work: Path) -> None:
    """Every image must lie inside the folder, or the rename would orphan the manifest's paths."""
    if manifest.resolve() != (work / _MANIFEST).resolve():
        raise InvalidInputError(
            f"synthetic generator wrote its manifest to {manifest}, not {work / _MANIFEST}"
        )
    root = work.resolve()
    for record in read_manifest(manifest):
        if not Path(record.path).resolve().is_relative_to(root):
            raise InvalidInputError(
                f"synthetic generator put {record.image_id} at {record.path}, outside {work}"
            )
