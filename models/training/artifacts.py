"""Writing a trained model folder: weights plus the metadata that makes it traceable.

``model.pt`` holds the state dict; ``metadata.json`` says what the model is, which data it saw
(name, fingerprint, patient split), how it was trained (hyper-parameters, seed, code version,
device, time) and how well it did on its validation split. The folder's layout and the metadata
schema are :mod:`mammocad.schemas.artifact` (torch-free: the registry reads them inside the
gateway); :mod:`models.inference.loaded` reads the folder back.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import torch

from mammocad.schemas.artifact import METADATA_FILE, WEIGHTS_FILE, TrainingMetadata

__all__ = ["code_version", "now_utc", "save_artifact"]


def code_version() -> str:
    """The git commit of the code, with ``-dirty`` if it has uncommitted changes, or unknown."""
    root = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    return f"{commit}-dirty" if dirty else commit


def now_utc() -> str:
    """ISO 8601 timestamp, UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def save_artifact(folder: Path, model: torch.nn.Module, metadata: TrainingMetadata) -> Path:
    """Write ``model.pt`` and ``metadata.json`` into ``folder`` (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), folder / WEIGHTS_FILE)
    (folder / METADATA_FILE).write_text(
        json.dumps(metadata.model_dump(mode="json"), indent=2, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    return folder
