"""Export a registered version as a TorchServe model archive (``.mar``, torch-model-archiver).

The archive holds the version's verified artifact (weights, metadata, OOD detector, SHAP
background, calibration) and :mod:`serving.torchserve_handler`, which serves it with mammocad's
own ingest and answers. TorchServe is in limited maintenance (no planned fixes or security
patches), so BentoML stays the default; the export lets a site that already runs TorchServe
serve the same version, and lets the benchmark measure the two side by side.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from mammocad.errors import UnavailableError
from registry import Registry
from registry.store import VersionRef

__all__ = ["archive_name", "export_torchserve"]

HANDLER = Path(__file__).resolve().with_name("torchserve_handler.py")
_WEIGHTS = "model.pt"


def archive_name(name: str, version: int) -> str:
    """TorchServe's model name of a version (also the archive's stem): ``classifier-v3``."""
    return f"{name}-v{version}"


def export_torchserve(registry: Registry, name: str, ref: VersionRef, out: Path) -> Path:
    """Write ``<name>-v<version>.mar`` into the folder ``out`` and return its path.

    Raises:
        NotFoundError: no such model or version.
        TamperedArtifactError: the artifact does not match its registered sha256.
        UnavailableError: torch-model-archiver is not installed or failed.
    """
    version = registry.get_version(name, ref)
    folder = registry.open_artifact(name, version.version)
    archiver = shutil.which("torch-model-archiver", path=str(Path(sys.executable).parent))
    if archiver is None:
        raise UnavailableError(
            "torch-model-archiver is not installed in this environment",
            code="archiver-missing",
        )
    extra = sorted(
        str(path) for path in folder.iterdir() if path.is_file() and path.name != _WEIGHTS
    )
    model_name = archive_name(version.model_name, version.version)
    out.mkdir(parents=True, exist_ok=True)
    command = [
        archiver,
        "--model-name",
        model_name,
        "--version",
        str(version.version),
        "--serialized-file",
        str(folder / _WEIGHTS),
        "--handler",
        str(HANDLER),
        "--extra-files",
        ",".join(extra),
        "--export-path",
        str(out),
        "--force",
    ]
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise UnavailableError(
            f"torch-model-archiver failed ({run.returncode}): {run.stderr[-2000:]}",
            code="archiver-failed",
        )
    return out / f"{model_name}.mar"
