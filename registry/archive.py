"""A version as one ``.tar.gz``: its artifact files and everything the registry knows about it.

Moving a model between registries (a validation site, an air-gapped hospital) needs the exact
bytes plus the evidence behind them: training metadata, evaluations, calibration, OOD detector
and the authored card. Aliases and audit history stay behind: they belong to the registry that
made them. Reading an archive never trusts it: members are extracted with the ``data`` filter
(no absolute paths, no ``..``, no links out, no devices), the total size is capped, and the
files must hash to what the manifest says.
"""

from __future__ import annotations

import io
import tarfile
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

from mammocad.errors import InvalidInputError
from mammocad.schemas.artifact import Task, TrainingMetadata
from mammocad.schemas.trust import CalibrationRecord, OodDetectorRecord
from registry.artifacts import digest_of, hash_folder
from registry.card.schema import AuthoredCard
from registry.entities import ModelVersion, RegisteredModel
from registry.evaluation import EvaluationRecord

__all__ = ["ARTIFACT_FOLDER", "ArchiveManifest", "read_archive", "write_archive"]

ARTIFACT_FOLDER = "artifact"
_MANIFEST = "manifest.json"
_MAX_UNPACKED_BYTES = 4 << 30


class ArchiveManifest(BaseModel):
    """``manifest.json`` of an export archive."""

    format: Literal["mammocad-registry-export/1"] = "mammocad-registry-export/1"
    model_name: str
    task: Task
    description: str
    version: int
    created_at: datetime
    created_by: str
    artifact_sha256: str
    files: dict[str, str]
    training: TrainingMetadata
    evaluations: list[EvaluationRecord]
    card: AuthoredCard
    calibration: CalibrationRecord | None
    ood_detector: OodDetectorRecord | None


def write_archive(model: RegisteredModel, version: ModelVersion, folder: Path, out: Path) -> Path:
    """Write ``version`` (artifact files from the verified ``folder``) to ``out``."""
    manifest = ArchiveManifest(
        model_name=model.name,
        task=model.task,
        description=model.description,
        version=version.version,
        created_at=version.created_at,
        created_by=version.created_by,
        artifact_sha256=version.artifact_sha256,
        files=version.files,
        training=version.training,
        evaluations=version.evaluations,
        card=version.card,
        calibration=version.calibration,
        ood_detector=version.ood_detector,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    data = manifest.model_dump_json(indent=2).encode()
    with tarfile.open(out, "w:gz") as archive:
        info = tarfile.TarInfo(_MANIFEST)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
        for relative in sorted(version.files):
            archive.add(folder / relative, arcname=f"{ARTIFACT_FOLDER}/{relative}")
    return out


def read_archive(path: Path, into: Path) -> ArchiveManifest:
    """Unpack ``path`` into ``into`` and check it; the artifact lands in ``into/artifact``.

    Raises:
        InvalidInputError: not an export archive, unsafe or oversized members, or artifact
            files that do not match the manifest.
    """
    try:
        with tarfile.open(path, "r:gz") as archive:
            members = archive.getmembers()
            names = {m.name for m in members}
            if _MANIFEST not in names or any(
                n != _MANIFEST and not n.startswith(f"{ARTIFACT_FOLDER}/") for n in names
            ):
                raise InvalidInputError(
                    f"an export archive holds {_MANIFEST} and {ARTIFACT_FOLDER}/ only",
                    code="invalid-archive",
                )
            if sum(m.size for m in members) > _MAX_UNPACKED_BYTES:
                raise InvalidInputError(
                    "the archive unpacks to more than 4 GiB", code="invalid-archive"
                )
            archive.extractall(into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise InvalidInputError(
            f"not a readable .tar.gz: {error}", code="invalid-archive"
        ) from error
    try:
        manifest = ArchiveManifest.model_validate_json((into / _MANIFEST).read_bytes())
    except ValidationError as error:
        raise InvalidInputError(
            f"{_MANIFEST} is not valid: {error}", code="invalid-archive"
        ) from error
    files = hash_folder(into / ARTIFACT_FOLDER)
    if files != manifest.files or digest_of(files) != manifest.artifact_sha256:
        raise InvalidInputError(
            "the archive's artifact files do not match the sha256 in its manifest",
            code="invalid-archive",
        )
    return manifest
