"""Generic CSV manifest: round trip and one clear error per malformed input."""

from __future__ import annotations

from pathlib import Path

import pytest

from mammocad.datasets.manifest import read_manifest, write_manifest
from mammocad.datasets.records import Lesion, Record
from mammocad.errors import InvalidInputError, NotFoundError
from mammocad.vocabulary import Label, Laterality, LesionKind, View

HEADER = "image_id,path,patient_id,label,laterality,view,lesion_kind,severity,x0,y0,x1,y1\n"
GOOD = "a,a.png,p1,normal,L,CC,,,,,,\n"


def test_round_trip(tmp_path: Path) -> None:
    records = [
        Record(
            image_id="a",
            path=tmp_path / "img" / "a.png",
            patient_id="p1",
            label=Label.NORMAL,
            laterality=Laterality.LEFT,
            view=View.CC,
        ),
        Record(
            image_id="b",
            path=tmp_path / "img" / "b.png",
            patient_id="p1",
            label=Label.MALIGNANT,
            laterality=Laterality.RIGHT,
            view=View.MLO,
            lesions=(
                Lesion(
                    kind=LesionKind.SPICULATED_MASS,
                    severity=Label.MALIGNANT,
                    box=(1.5, 2.0, 30.0, 40.25),
                ),
                Lesion(kind=LesionKind.CALCIFICATION, severity=Label.BENIGN),
            ),
        ),
    ]
    manifest = write_manifest(records, tmp_path / "manifest.csv")
    assert "img/a.png" in manifest.read_text()  # stored relative: the folder can move
    assert list(read_manifest(manifest)) == records


def test_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        read_manifest(tmp_path / "absent.csv")


MALFORMED = {
    "missing column": ("path,patient_id\na.png,p1\n", "label"),
    "bad label": (HEADER + "a,a.png,p1,normall,,,,,,,,\n", "normall"),
    "partial box": (HEADER + GOOD + "b,b.png,p1,benign,,,calcification,benign,1,2,,\n", "x0"),
    "label disagrees with lesions": (
        HEADER + GOOD + "b,b.png,p1,normal,,,calcification,malignant,,,,\n",
        "disagrees",
    ),
    "duplicate image ids": (HEADER + GOOD + "a,b.png,p1,normal,,,,,,,,\n", "duplicate"),
}
LINE = {
    "missing column": 1,
    "bad label": 2,
    "partial box": 3,
    "label disagrees with lesions": 3,
    "duplicate image ids": 3,
}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "manifest.csv"
    path.write_text(text)
    return path


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_input_is_invalid(tmp_path: Path, case: str) -> None:
    text, names = MALFORMED[case]
    with pytest.raises(InvalidInputError, match=names):
        read_manifest(_write(tmp_path, text))


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_input_names_its_line(tmp_path: Path, case: str) -> None:
    with pytest.raises(InvalidInputError, match=rf"line {LINE[case]}\b"):
        read_manifest(_write(tmp_path, MALFORMED[case][0]))
