"""Data set fingerprints: sensitive to every label and pixel, blind to paths and order."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from mammocad.datasets.fingerprint import fingerprint
from mammocad.datasets.minimias import load_minimias
from mammocad.datasets.records import DataSet, Lesion, Record
from mammocad.errors import NotFoundError
from mammocad.vocabulary import Label, LesionKind


def _toy(folder: Path, **changes: object) -> DataSet:
    """Two images; ``changes`` overrides fields of the second record."""
    folder.mkdir(exist_ok=True)
    for name in ("a", "b"):
        if not (folder / f"{name}.png").exists():
            (folder / f"{name}.png").write_bytes(name.encode() * 1000)
    first = Record(image_id="a", path=folder / "a.png", patient_id="p1", label=Label.NORMAL)
    second = {
        "image_id": "b",
        "path": folder / "b.png",
        "patient_id": "p1",
        "label": Label.MALIGNANT,
        "lesions": (
            Lesion(kind=LesionKind.SPICULATED_MASS, severity=Label.MALIGNANT, box=(1, 2, 3, 4)),
        ),
    }
    return DataSet("toy", [first, Record(**(second | changes))])


def test_mini_mias_fingerprint_is_fast_and_stable(mini_mias_dir: Path) -> None:
    started = time.perf_counter()
    value = fingerprint(load_minimias(mini_mias_dir))
    assert time.perf_counter() - started < 10.0
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", value)


def test_blind_to_location_and_order(tmp_path: Path) -> None:
    original = _toy(tmp_path / "here")
    shutil.copytree(tmp_path / "here", tmp_path / "there")
    moved = _toy(tmp_path / "there")
    reordered = DataSet("other name", list(reversed(list(original))))
    assert fingerprint(original) == fingerprint(moved) == fingerprint(reordered)


@pytest.mark.parametrize(
    "changes",
    [
        {"patient_id": "p2"},
        {
            "lesions": (
                Lesion(kind=LesionKind.SPICULATED_MASS, severity=Label.MALIGNANT, box=(1, 2, 3, 5)),
            )
        },
        {"lesions": (Lesion(kind=LesionKind.CALCIFICATION, severity=Label.MALIGNANT),)},
        {"label": Label.NORMAL, "lesions": ()},
        {"density": "fatty"},
    ],
)
def test_sensitive_to_every_annotation(tmp_path: Path, changes: dict[str, object]) -> None:
    assert fingerprint(_toy(tmp_path)) != fingerprint(_toy(tmp_path, **changes))


def test_sensitive_to_one_changed_byte(tmp_path: Path) -> None:
    before = fingerprint(_toy(tmp_path))
    image = tmp_path / "b.png"
    image.write_bytes(image.read_bytes()[:-1] + b"!")
    assert fingerprint(_toy(tmp_path)) != before


def test_missing_image_is_not_found(tmp_path: Path) -> None:
    dataset = _toy(tmp_path)
    (tmp_path / "a.png").unlink()
    with pytest.raises(NotFoundError, match=r"a\.png"):
        fingerprint(dataset)
