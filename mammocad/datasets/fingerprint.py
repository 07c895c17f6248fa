"""A content fingerprint of a data set, so that training metadata names exactly the data it saw.

The name of a data set (a path, a SPEC) says where data was, not what it was: a relabelled row or
a re-exported image keeps the name but changes the model. The fingerprint therefore covers every
label, lesion, patient id and the bytes of every image, and nothing that varies between machines
(absolute paths, record order).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from mammocad.datasets.records import DataSet, Record
from mammocad.errors import NotFoundError

__all__ = ["fingerprint"]

_PREFIX = "sha256:"


def fingerprint(dataset: DataSet) -> str:
    """``sha256:<hex>`` over canonical JSON of the records, each with the sha256 of its image.

    Hashing each file on its own and putting its digest into the JSON keeps the encoding
    unambiguous (no boundary between one file's bytes and the next to get wrong).

    Raises:
        NotFoundError: an image file does not exist.
    """
    entries = [_entry(record) for record in sorted(dataset, key=lambda r: r.image_id)]
    canonical = json.dumps(entries, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return _PREFIX + hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _entry(record: Record) -> dict[str, Any]:
    lesions = sorted(
        (
            {
                "kind": lesion.kind.value,
                "severity": lesion.severity.value,
                "box": list(lesion.box) if lesion.box is not None else None,
            }
            for lesion in record.lesions
        ),
        key=lambda lesion: json.dumps(lesion, sort_keys=True),
    )
    return {
        "image_id": record.image_id,
        "patient_id": record.patient_id,
        "label": record.label.value,
        "laterality": record.laterality.value,
        "view": record.view.value,
        "density": record.density,
        "lesions": lesions,
        "image_sha256": _file_sha256(Path(record.path)),
    }


def _file_sha256(path: Path) -> str:
    """Streams the file (hashlib reads it in chunks), so memory stays flat for any image size."""
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except FileNotFoundError as exc:
        raise NotFoundError(f"image {path} does not exist") from exc
