"""The generic CSV manifest: how a hospital brings its own labelled data (and how synthetic sets are
stored).

One row per lesion; an image without lesions has exactly one row with the lesion columns empty.
Rows of the same image (same ``path``) must agree on the image columns.

=============  ========  ==========================================================================
column         required  meaning
=============  ========  ==========================================================================
path           yes       image file (DICOM, PNG, PGM, JPEG), relative to the manifest's folder or
                         absolute
patient_id     yes       patient identifier used for patient-level splits (pseudonymise it)
label          yes       image-level worst finding: ``normal``, ``benign`` or ``malignant``
image_id       no        unique id of the image; defaults to ``path`` without its suffix
laterality     no        ``L`` or ``R`` (blank: unknown)
view           no        ``CC`` or ``MLO`` (blank: unknown)
lesion_kind    no        one of ``calcification``, ``circumscribed_mass``, ``spiculated_mass``,
                         ``ill_defined_mass``, ``architectural_distortion``, ``asymmetry``
severity       no        ``benign`` or ``malignant`` (required with ``lesion_kind``)
x0,y0,x1,y1    no        lesion box in original pixels: x right, y down, origin top-left
                         (all four or none)
=============  ========  ==========================================================================
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from mammocad.datasets.records import DataSet, Lesion, Record
from mammocad.errors import InvalidInputError, NotFoundError
from mammocad.vocabulary import Label, Laterality, LesionKind, View

__all__ = ["MANIFEST_COLUMNS", "read_manifest", "write_manifest"]

IMAGE_COLUMNS = ("image_id", "path", "patient_id", "label", "laterality", "view")
LESION_COLUMNS = ("lesion_kind", "severity", "x0", "y0", "x1", "y1")
MANIFEST_COLUMNS = IMAGE_COLUMNS + LESION_COLUMNS
_REQUIRED = ("path", "patient_id", "label")


def read_manifest(path: Path, name: str | None = None) -> DataSet:
    """Read a manifest CSV into a :class:`DataSet`.

    Raises:
        NotFoundError: the manifest file does not exist.
        InvalidInputError: a row is malformed; the message names the line and the column.
    """
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"manifest {path} does not exist")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInputError(f"manifest {path} line 1: missing required column(s) {missing}")
        images: dict[str, dict[str, str]] = {}
        lesions: dict[str, list[Lesion]] = {}
        first_line: dict[str, int] = {}
        for line_no, row in enumerate(reader, start=2):
            row = {k: (v or "").strip() for k, v in row.items() if k is not None}
            key = row["path"]
            image_fields = {c: row.get(c, "") for c in IMAGE_COLUMNS}
            if key in images and images[key] != image_fields:
                raise InvalidInputError(
                    f"manifest {path} line {line_no}: rows of {key!r} disagree on image columns"
                )
            images.setdefault(key, image_fields)
            first_line.setdefault(key, line_no)
            lesions.setdefault(key, [])
            lesion = _parse_lesion(row, f"manifest {path} line {line_no}")
            if lesion is not None:
                lesions[key].append(lesion)
    records: list[Record] = []
    seen_ids: set[str] = set()
    for key, fields in images.items():
        where = f"manifest {path} line {first_line[key]}"
        record = _make_record(fields, lesions[key], path.parent, where)
        if record.image_id in seen_ids:
            raise InvalidInputError(f"{where}: duplicate image_id {record.image_id!r}")
        seen_ids.add(record.image_id)
        records.append(record)
    return DataSet(name or f"manifest:{path}", records)


def write_manifest(records: Iterable[Record], path: Path) -> Path:
    """Write records as a manifest; paths are written relative to the manifest's folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=MANIFEST_COLUMNS)
        writer.writeheader()
        for record in records:
            image_path = Path(record.path)
            if image_path.is_absolute() and image_path.is_relative_to(path.parent.resolve()):
                image_path = image_path.relative_to(path.parent.resolve())
            image_row = {
                "image_id": record.image_id,
                "path": image_path.as_posix(),
                "patient_id": record.patient_id,
                "label": record.label.value,
                "laterality": "" if record.laterality is Laterality.UNKNOWN else record.laterality,
                "view": "" if record.view is View.UNKNOWN else record.view.value,
            }
            if not record.lesions:
                writer.writerow(image_row)
            for lesion in record.lesions:
                box = lesion.box or ("", "", "", "")
                writer.writerow(
                    image_row
                    | {"lesion_kind": lesion.kind.value, "severity": lesion.severity.value}
                    | dict(zip(("x0", "y0", "x1", "y1"), box, strict=True))
                )
    return path


def _parse_lesion(row: dict[str, str], where: str) -> Lesion | None:
    kind, severity = row.get("lesion_kind", ""), row.get("severity", "")
    coords = [row.get(c, "") for c in ("x0", "y0", "x1", "y1")]
    if not kind and not severity and not any(coords):
        return None
    if not kind or not severity:
        raise InvalidInputError(f"{where}: lesion_kind and severity must be given together")
    if any(coords) and not all(coords):
        raise InvalidInputError(f"{where}: give all four of x0,y0,x1,y1 or none")
    try:
        box = tuple(float(c) for c in coords) if all(coords) else None
        return Lesion(kind=LesionKind(kind), severity=Label(severity), box=box)
    except (ValueError, ValidationError) as exc:
        raise InvalidInputError(f"{where}: {_first_error(exc)}") from exc


def _make_record(fields: dict[str, str], lesions: list[Lesion], root: Path, where: str) -> Record:
    image_path = Path(fields["path"])
    if not image_path.is_absolute():
        image_path = root / image_path
    try:
        return Record(
            image_id=fields["image_id"] or Path(fields["path"]).with_suffix("").as_posix(),
            path=image_path,
            patient_id=fields["patient_id"],
            label=Label(fields["label"]),
            laterality=Laterality(fields["laterality"] or Laterality.UNKNOWN),
            view=View(fields["view"]) if fields["view"] else View.UNKNOWN,
            lesions=tuple(lesions),
        )
    except (ValueError, ValidationError) as exc:
        raise InvalidInputError(f"{where}: {_first_error(exc)}") from exc


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        return f"{'.'.join(str(p) for p in err['loc']) or 'value'}: {err['msg']}"
    return str(exc)
