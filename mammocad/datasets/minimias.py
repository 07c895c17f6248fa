"""mini-MIAS in its original distribution format: a folder of ``mdbNNN.pgm`` files and ``Info.txt``.

Reading the untouched distribution (rather than a converted copy) means anyone can check our
ground truth against the file the MIAS society publishes. Its quirks are handled here and nowhere
else:

* ``Info.txt`` starts with prose and notes; the table rows are the lines whose first word is a
  ``mdbNNN`` reference. A reference has one row per abnormality, or a single ``NORM`` row.
* Four abnormal rows give no location (widely spread calcifications marked ``*NOTE 3*`` and one
  circumscribed mass): their lesions are kept with ``box=None`` so that image labels stay right.
* Coordinates have their origin at the BOTTOM-left corner; records use a top-left origin, so
  ``row = height - y`` with the height read from each PGM header.
* Films come in pairs of one patient (odd number = right breast, even = left), all MLO views.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mammocad.datasets.records import DataSet, Lesion, Record
from mammocad.errors import InvalidInputError, NotFoundError
from mammocad.vocabulary import Label, Laterality, LesionKind, View

__all__ = ["DENSITIES", "LESION_KINDS", "load_minimias"]

LESION_KINDS: dict[str, LesionKind] = {
    "CALC": LesionKind.CALCIFICATION,
    "CIRC": LesionKind.CIRCUMSCRIBED_MASS,
    "SPIC": LesionKind.SPICULATED_MASS,
    "MISC": LesionKind.ILL_DEFINED_MASS,
    "ARCH": LesionKind.ARCHITECTURAL_DISTORTION,
    "ASYM": LesionKind.ASYMMETRY,
}
"""mini-MIAS abnormality classes and the shared kinds they map onto."""

DENSITIES: dict[str, str] = {"F": "fatty", "G": "fatty_glandular", "D": "dense_glandular"}
"""mini-MIAS background tissue codes, kept as :attr:`Record.density`."""

_NORMAL_CLASS = "NORM"
_SEVERITIES = {"B": Label.BENIGN, "M": Label.MALIGNANT}
_REF = re.compile(r"mdb(\d{3})")
_INFO_FILE = "Info.txt"
_PGM_HEADER_LIMIT = 4096  # the header is a few dozen bytes; comments could make it longer


@dataclass(frozen=True)
class _Row:
    """One table row of Info.txt; ``kind`` is None for a NORM row, ``circle`` for unlocated rows."""

    line_no: int
    tissue: str
    kind: LesionKind | None
    severity: Label | None
    circle: tuple[int, int, int] | None  # x, y (bottom-left origin), radius


def load_minimias(folder: Path) -> DataSet:
    """Open a mini-MIAS folder (the full set or any subset of its images).

    Only references whose ``.pgm`` exists become records, so a patient-level subset of the
    distribution needs no edited Info.txt; but an image without a table row is an error, because
    it would otherwise silently enter training as "normal".

    Raises:
        NotFoundError: the folder or its Info.txt does not exist.
        InvalidInputError: Info.txt or a PGM header is malformed, or an image has no table row.
    """
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise NotFoundError(f"mini-MIAS folder {folder} does not exist")
    info = folder / _INFO_FILE
    if not info.is_file():
        raise NotFoundError(f"mini-MIAS folder {folder} has no {_INFO_FILE}")
    table = _parse_info(info.read_text(encoding="latin-1"), str(info))
    images = sorted(folder.glob("*.pgm"))
    if not images:
        raise InvalidInputError(f"mini-MIAS folder {folder} contains no .pgm image")
    unlisted = [image.name for image in images if image.stem not in table]
    if unlisted:
        raise InvalidInputError(
            f"mini-MIAS folder {folder}: {len(unlisted)} image(s) have no row in {_INFO_FILE}: "
            f"{', '.join(unlisted[:5])}{' ...' if len(unlisted) > 5 else ''}"
        )
    records = [_make_record(image, table[image.stem], str(info)) for image in images]
    return DataSet(f"minimias:{folder}", records)


def _parse_info(text: str, where: str) -> dict[str, list[_Row]]:
    """Table rows of Info.txt by reference, in file order; everything else is prose."""
    table: dict[str, list[_Row]] = {}
    for line_no, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields or not fields[0].startswith("mdb"):
            continue
        row = _parse_row(fields, f"{where} line {line_no}", line_no)
        rows = table.setdefault(fields[0], [])
        _check_consistent(rows, row, f"{where} line {line_no}")
        rows.append(row)
    if not table:
        raise InvalidInputError(f"{where}: no table row (lines starting with 'mdbNNN')")
    return table


def _parse_row(fields: list[str], where: str, line_no: int) -> _Row:
    ref_match = _REF.fullmatch(fields[0])
    if ref_match is None or int(ref_match.group(1)) == 0:
        raise InvalidInputError(f"{where}: {fields[0]!r} is not a reference mdb001..mdb999")
    if len(fields) < 3:
        raise InvalidInputError(f"{where}: expected at least ref, tissue and class")
    tissue, cls = fields[1], fields[2]
    if tissue not in DENSITIES:
        raise InvalidInputError(f"{where}: background tissue {tissue!r} is not one of F, G, D")
    if cls == _NORMAL_CLASS:
        if len(fields) != 3:
            raise InvalidInputError(f"{where}: a NORM row has no severity or coordinates")
        return _Row(line_no, tissue, None, None, None)
    if cls not in LESION_KINDS:
        valid = ", ".join([*LESION_KINDS, _NORMAL_CLASS])
        raise InvalidInputError(f"{where}: class {cls!r} is not one of {valid}")
    if len(fields) < 4 or fields[3] not in _SEVERITIES:
        raise InvalidInputError(f"{where}: a {cls} row needs severity B or M")
    return _Row(
        line_no, tissue, LESION_KINDS[cls], _SEVERITIES[fields[3]], _parse_circle(fields[4:], where)
    )


def _parse_circle(fields: list[str], where: str) -> tuple[int, int, int] | None:
    """``x y radius``, or None where the row gives no location (nothing, or a ``*NOTE n*``)."""
    if not fields or fields[0].startswith("*NOTE"):
        return None
    if len(fields) != 3 or not all(f.isdigit() for f in fields):
        raise InvalidInputError(f"{where}: expected 'x y radius' as integers, got {fields}")
    x, y, radius = (int(f) for f in fields)
    return x, y, radius


def _check_consistent(previous: list[_Row], row: _Row, where: str) -> None:
    """Rows of one film describe one film: same tissue, and NORM only on its own."""
    if not previous:
        return
    if previous[0].tissue != row.tissue:
        raise InvalidInputError(
            f"{where}: background tissue {row.tissue!r} disagrees with line "
            f"{previous[0].line_no} ({previous[0].tissue!r})"
        )
    if row.kind is None or previous[0].kind is None:
        raise InvalidInputError(
            f"{where}: a NORM row cannot share its reference with another row "
            f"(line {previous[0].line_no})"
        )


def _make_record(image: Path, rows: list[_Row], where: str) -> Record:
    width, height = _pgm_size(image)
    lesions = tuple(
        Lesion(
            kind=row.kind,
            severity=row.severity,
            box=_box(row, width, height, f"{where} line {row.line_no}"),
        )
        for row in rows
        if row.kind is not None and row.severity is not None
    )
    worst = max(
        (lesion.severity for lesion in lesions), key=lambda s: s.severity, default=Label.NORMAL
    )
    number = int(image.stem[3:])
    return Record(
        image_id=image.stem,
        path=image.resolve(),
        patient_id=_patient_id(number),
        label=worst,
        laterality=Laterality.RIGHT if number % 2 else Laterality.LEFT,
        view=View.MLO,
        lesions=lesions,
        density=DENSITIES[rows[0].tissue],
    )


def _patient_id(number: int) -> str:
    """Both films of a pair share one id (``mdb001-002``), so splits never separate them."""
    first = number if number % 2 else number - 1
    return f"mdb{first:03d}-{first + 1:03d}"


def _box(
    row: _Row, width: int, height: int, where: str
) -> tuple[float, float, float, float] | None:
    """The enclosing circle's square in top-left coordinates, clipped to the image."""
    if row.circle is None:
        return None
    x, y, radius = row.circle
    centre_row = height - y
    box = (
        float(max(0, x - radius)),
        float(max(0, centre_row - radius)),
        float(min(width, x + radius)),
        float(min(height, centre_row + radius)),
    )
    if not (box[2] > box[0] and box[3] > box[1]):
        raise InvalidInputError(
            f"{where}: circle ({x}, {y}, r={radius}) does not overlap the {width}x{height} image"
        )
    return box


def _pgm_size(path: Path) -> tuple[int, int]:
    """``(width, height)`` from a PGM header, reading only its first bytes (no pixel decode)."""
    with path.open("rb") as handle:
        head = handle.read(_PGM_HEADER_LIMIT)
    tokens: list[bytes] = []
    for line in head.split(b"\n"):
        tokens.extend(line.split(b"#", 1)[0].split())
        if len(tokens) >= 3:
            break
    if len(tokens) < 3 or tokens[0] not in (b"P2", b"P5"):
        raise InvalidInputError(f"{path}: not a PGM image (no P2/P5 header with a size)")
    try:
        width, height = int(tokens[1]), int(tokens[2])
    except ValueError as exc:
        raise InvalidInputError(f"{path}: PGM header has a non-numeric size") from exc
    if width <= 0 or height <= 0:
        raise InvalidInputError(f"{path}: PGM header has an empty size {width}x{height}")
    return width, height
