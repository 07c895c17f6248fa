"""Calibration and OOD records that training wrote beside the weights, read at registration.

``mammocad train`` fits both on the validation split and writes ``calibration.json`` and
``ood.json`` (with the detector's parameters in ``ood.npz``) into the model folder, so a version
is registered with them instead of waiting for someone to attach them by hand. The OOD record
must name a parameters file of the artifact whose hash it states: the registry verifies the
artifact's files at every load, and this ties the record to exactly those bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from mammocad.errors import InvalidInputError
from mammocad.schemas.artifact import CALIBRATION_FILE, OOD_RECORD_FILE
from mammocad.schemas.trust import CalibrationRecord, OodDetectorRecord

__all__ = ["bundled_records"]

_ARTIFACT_REF = "artifact:"
_Record = TypeVar("_Record", CalibrationRecord, OodDetectorRecord)


def bundled_records(
    folder: Path, files: dict[str, str]
) -> tuple[CalibrationRecord | None, OodDetectorRecord | None]:
    """The records found in ``folder`` (None where a file is absent).

    Args:
        folder: the trained model folder being registered.
        files: its ``{relative path: sha256}`` (from ``hash_folder``).

    Raises:
        InvalidInputError: a record file that does not parse, or an OOD record whose parameters
            file is missing from the artifact or has another hash.
    """
    calibration = _read(folder / CALIBRATION_FILE, CalibrationRecord)
    ood = _read(folder / OOD_RECORD_FILE, OodDetectorRecord)
    if ood is not None and ood.parameters_ref.startswith(_ARTIFACT_REF):
        name = ood.parameters_ref.removeprefix(_ARTIFACT_REF)
        if files.get(name) != ood.parameters_sha256:
            raise InvalidInputError(
                f"{OOD_RECORD_FILE} names {name} with {ood.parameters_sha256}, but the folder "
                f"has {files.get(name, 'no such file')}"
            )
    return calibration, ood


def _read(path: Path, schema: type[_Record]) -> _Record | None:
    if not path.is_file():
        return None
    try:
        return schema.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError) as error:
        raise InvalidInputError(f"{path} is not a valid {schema.__name__}: {error}") from error
