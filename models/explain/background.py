"""The SHAP background: in-distribution images stored with each model version.

Expected gradients (SHAP's ``GradientExplainer``) measure an image against a reference
distribution of images. The reference is part of what an explanation means, so it is fixed at
training time (validation images, never trained on, both normal and abnormal ones) and saved
beside the weights (``shap_background.npz``), where the registry's sha256 covers it: the same
version always explains against the same background.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mammocad.schemas.artifact import BACKGROUND_FILE
from models.training.data import PreparedImage

__all__ = ["choose_background", "load_background", "save_background"]

DEFAULT_BACKGROUND_SIZE = 8


def choose_background(
    images: Sequence[PreparedImage], size: int = DEFAULT_BACKGROUND_SIZE
) -> list[PreparedImage]:
    """Up to ``size`` images taken in turn from each label (sorted by image id, so the choice is
    reproducible): a background of normal images only would make every lesion look important
    and every normal structure invisible."""
    by_label: dict[str, list[PreparedImage]] = {}
    for image in sorted(images, key=lambda i: i.image_id):
        by_label.setdefault(image.label.value, []).append(image)
    chosen: list[PreparedImage] = []
    queues = [list(group) for _, group in sorted(by_label.items())]
    while len(chosen) < size and any(queues):
        for queue in queues:
            if queue and len(chosen) < size:
                chosen.append(queue.pop(0))
    return chosen


def save_background(folder: Path, images: Sequence[PreparedImage]) -> Path:
    """Write the images' model inputs and ids as ``folder/shap_background.npz``."""
    if not images:
        raise ValueError("a SHAP background needs at least one image")
    path = Path(folder) / BACKGROUND_FILE
    np.savez_compressed(
        path,
        inputs=np.stack([image.model_input() for image in images]).astype(np.float32),
        image_ids=np.array([image.image_id for image in images]),
    )
    return path


def load_background(folder: Path) -> np.ndarray | None:
    """The ``(N, channels, rows, columns)`` background inputs, or None for a version trained
    before backgrounds were stored (it cannot give SHAP explanations)."""
    path = Path(folder) / BACKGROUND_FILE
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as stored:
        return np.asarray(stored["inputs"], dtype=np.float32)
