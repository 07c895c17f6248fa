"""mini-MIAS adapter: the real development subset and hand-made folders for the quirks."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from mammocad.datasets.minimias import load_minimias
from mammocad.datasets.records import DataSet, Record
from mammocad.errors import InvalidInputError, NotFoundError
from mammocad.vocabulary import Label, Laterality, LesionKind, View

PROSE = "MAMMOGRAPHIC IMAGE ANALYSIS SOCIETY\n\nSome notes about mdb files.\n=====\n\n"


@pytest.fixture(scope="module")
def mias(mini_mias_dir: Path) -> DataSet:
    return load_minimias(mini_mias_dir)


def _record(dataset: DataSet, image_id: str) -> Record:
    return next(r for r in dataset if r.image_id == image_id)


def _write_pgm(path: Path, width: int = 64, height: int = 48) -> None:
    header = f"P5\n# CREATOR: test\n{width} {height}\n255\n".encode()
    path.write_bytes(header + bytes(width * height))


def _folder(tmp_path: Path, rows: str, images: dict[str, tuple[int, int]]) -> Path:
    (tmp_path / "Info.txt").write_text(PROSE + rows)
    for ref, (width, height) in images.items():
        _write_pgm(tmp_path / f"{ref}.pgm", width, height)
    return tmp_path


# --- the real development subset ---------------------------------------------------------------


def test_counts_match_the_published_subset(mias: DataSet) -> None:
    assert len(mias) == 214
    assert len(mias.patients) == 107
    assert mias.label_counts() == {Label.NORMAL: 137, Label.BENIGN: 42, Label.MALIGNANT: 35}


def test_mdb001_box_is_converted_from_bottom_left_origin(mias: DataSet) -> None:
    record = _record(mias, "mdb001")
    (lesion,) = record.lesions
    assert (lesion.kind, lesion.severity) == (LesionKind.CIRCUMSCRIBED_MASS, Label.BENIGN)
    centre, radius = (535, 1024 - 425), 197
    assert lesion.box == (
        centre[0] - radius,
        centre[1] - radius,
        centre[0] + radius,
        centre[1] + radius,
    )
    assert record.label is Label.BENIGN
    assert record.density == "fatty_glandular"


def test_a_reference_with_two_rows_has_two_lesions(mias: DataSet) -> None:
    assert len(_record(mias, "mdb005").lesions) == 2


@pytest.mark.parametrize(
    ("image_id", "kind", "severity"),
    [
        ("mdb059", LesionKind.CIRCUMSCRIBED_MASS, Label.BENIGN),
        ("mdb216", LesionKind.CALCIFICATION, Label.MALIGNANT),  # *NOTE 3*
        ("mdb233", LesionKind.CALCIFICATION, Label.MALIGNANT),
        ("mdb245", LesionKind.CALCIFICATION, Label.MALIGNANT),
    ],
)
def test_unlocated_lesions_are_kept_without_box(
    mias: DataSet, image_id: str, kind: LesionKind, severity: Label
) -> None:
    record = _record(mias, image_id)
    (lesion,) = record.lesions
    assert (lesion.kind, lesion.severity, lesion.box) == (kind, severity, None)
    assert record.label is severity


def test_pairs_of_films_are_one_patient(mias: DataSet) -> None:
    right, left = _record(mias, "mdb001"), _record(mias, "mdb002")
    assert right.patient_id == left.patient_id
    assert (right.laterality, left.laterality) == (Laterality.RIGHT, Laterality.LEFT)
    assert _record(mias, "mdb003").patient_id != right.patient_id
    by_patient = Counter((r.patient_id, r.laterality) for r in mias)
    assert set(by_patient.values()) == {1} and len(by_patient) == 214
    assert {r.view for r in mias} == {View.MLO}


def test_every_record_points_at_its_image(mias: DataSet) -> None:
    assert all(r.path.is_file() and r.path.name == f"{r.image_id}.pgm" for r in mias)


# --- hand-made folders -------------------------------------------------------------------------


def test_box_uses_image_height_and_is_clipped(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        "mdb001 F SPIC M 10 90 20\nmdb002 F NORM\n",
        {"mdb001": (64, 100), "mdb002": (64, 100)},
    )
    record = _record(load_minimias(folder), "mdb001")
    # centre row = 100 - 90 = 10; the circle spills over the top-left corner
    assert record.lesions[0].box == (0.0, 0.0, 30.0, 30.0)
    assert record.label is Label.MALIGNANT


def test_rows_without_image_are_skipped(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        "mdb001 G NORM\nmdb002 G NORM\nmdb003 G CALC B 5 5 2\n",
        {"mdb001": (8, 8), "mdb002": (8, 8)},
    )
    assert [r.image_id for r in load_minimias(folder)] == ["mdb001", "mdb002"]


def test_image_without_row_is_an_error(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "mdb001 G NORM\n", {"mdb001": (8, 8), "mdb007": (8, 8)})
    with pytest.raises(InvalidInputError, match=r"mdb007\.pgm"):
        load_minimias(folder)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("mdb001 X NORM", "background tissue 'X'"),
        ("mdb001 F BLOB B 1 1 1", "class 'BLOB'"),
        ("mdb001 F CIRC Q 1 1 1", "severity B or M"),
        ("mdb001 F CIRC B 10 20", "x y radius"),
        ("mdb001 F NORM 10 20 3", "NORM row"),
        ("mdb1 F NORM", "not a reference"),
        ("mdb001 F", "at least ref"),
    ],
)
def test_malformed_rows_name_their_line(tmp_path: Path, row: str, message: str) -> None:
    folder = _folder(tmp_path, row + "\n", {"mdb001": (8, 8)})
    line_no = PROSE.count("\n") + 1
    with pytest.raises(InvalidInputError, match=rf"line {line_no}: .*{message}"):
        load_minimias(folder)


@pytest.mark.parametrize(
    "rows",
    ["mdb001 F CIRC B 4 4 2\nmdb001 D CIRC B 4 4 2\n", "mdb001 F NORM\nmdb001 F CIRC B 4 4 2\n"],
)
def test_rows_of_one_film_must_agree(tmp_path: Path, rows: str) -> None:
    with pytest.raises(InvalidInputError, match="line"):
        load_minimias(_folder(tmp_path, rows, {"mdb001": (8, 8)}))


def test_circle_outside_the_image_is_an_error(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "mdb001 F CIRC B 500 4 2\n", {"mdb001": (8, 8)})
    with pytest.raises(InvalidInputError, match="does not overlap"):
        load_minimias(folder)


def test_non_pgm_file_is_an_error(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "mdb001 F NORM\n", {})
    (folder / "mdb001.pgm").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    with pytest.raises(InvalidInputError, match="not a PGM"):
        load_minimias(folder)


def test_missing_folder_or_info_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        load_minimias(tmp_path / "absent")
    _write_pgm(tmp_path / "mdb001.pgm")
    with pytest.raises(NotFoundError, match=r"Info\.txt"):
        load_minimias(tmp_path)
