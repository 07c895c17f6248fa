"""A trained model on disk: weights plus the metadata that makes it traceable.

``model.pt`` holds the state dict; ``metadata.json`` says what the model is, which data it saw
(name, fingerprint, patient split), how it was trained (hyper-parameters, seed, code version,
device, time) and how well it did on its validation split. The registry builds on this. The
metadata schema itself lives in :mod:`mammocad.training_metadata` (torch-free, for the gateway);
it is re-exported here for the training code that writes it.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import torch

from mammocad.training_metadata import (
    METADATA_FILE,
    WEIGHTS_FILE,
    DataProvenance,
    TrainingMetadata,
)

__all__ = [
    "DataProvenance",
    "TrainingMetadata",
    "code_version",
    "load_metadata",
    "load_weights",
    "now_utc",
    "save_artifact",
]


def code_version() -> str:
    """The git commit of the code, with ``-dirty`` if it has uncommitted changes, or unknown."""
    root = Path(__file__).resolve().parent.parent
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


def load_metadata(folder: Path) -> TrainingMetadata:
    """Read ``metadata.json`` of a trained model folder."""
    return TrainingMetadata.model_validate_json((folder / METADATA_FILE).read_text("utf-8"))


def load_weights(folder: Path, model: torch.nn.Module) -> torch.nn.Module:
    """Load ``model.pt`` into ``model`` (strictly: every weight must match) and set eval mode."""
    state = torch.load(folder / WEIGHTS_FILE, map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    return model.eval()
