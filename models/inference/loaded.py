"""A trained model folder loaded for inference: network, metadata, OOD detector, SHAP background.

The task services keep these resident (:mod:`serving.resident`); evaluations and the OOD study
load them the same way, so what they measure is what the services answer with. The folder's
layout is :mod:`mammocad.schemas.artifact`; :mod:`models.training.artifacts` writes it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import torch

from mammocad.errors import NotFoundError
from mammocad.schemas.artifact import (
    METADATA_FILE,
    OOD_PARAMETERS_FILE,
    WEIGHTS_FILE,
    TrainingMetadata,
)
from models.device import resolve_device
from models.explain import ModelExplainer, load_background
from models.nets import build_network
from models.trust.ood import FeatureDetector, load_ood_detector

__all__ = ["LoadedModel", "load_metadata", "load_model", "load_weights"]


@dataclass(frozen=True)
class LoadedModel:
    """A trained model ready for inference, with the metadata that describes it."""

    folder: Path
    metadata: TrainingMetadata
    network: torch.nn.Module
    device: torch.device
    ood: FeatureDetector | None = None  # fitted at training time (``ood.npz``), if any
    shap_background: np.ndarray | None = None  # ``shap_background.npz``, if training stored one

    @cached_property
    def explainer(self) -> ModelExplainer:
        """Grad-CAM and SHAP for this model (made once: it caches the background's features),
        on a copy of the network of its own: captum and shap hook the layer they read while
        they explain, and a forward pass of the served network in another thread meanwhile (a
        service batches classify/detect requests while it explains) would run through those
        hooks; the soak saw it as an occasional 500 on /explain (3 of 317 Grad-CAMs)."""
        network = copy.deepcopy(self.network).eval()
        return ModelExplainer(network, self.device, self.shap_background)


def load_metadata(folder: Path) -> TrainingMetadata:
    """Read ``metadata.json`` of a trained model folder."""
    return TrainingMetadata.model_validate_json((folder / METADATA_FILE).read_text("utf-8"))


def load_weights(folder: Path, model: torch.nn.Module) -> torch.nn.Module:
    """Load ``model.pt`` into ``model`` (strictly: every weight must match) and set eval mode."""
    state = torch.load(folder / WEIGHTS_FILE, map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    return model.eval()


def load_model(folder: Path, device: str = "auto") -> LoadedModel:
    """Load ``model.pt`` + ``metadata.json`` (weights must match the architecture exactly), and
    the OOD detector's parameters and the SHAP background when training stored them.

    Raises:
        NotFoundError: ``folder`` holds no ``metadata.json``.
    """
    folder = Path(folder)
    if not (folder / METADATA_FILE).is_file():
        raise NotFoundError(f"{folder} is not a trained model folder (no {METADATA_FILE})")
    metadata = load_metadata(folder)
    resolved = resolve_device(device)
    bare = build_network(metadata.task, metadata.architecture, pretrained=False)
    network = load_weights(folder, bare).to(resolved)
    parameters = folder / OOD_PARAMETERS_FILE
    return LoadedModel(
        folder=folder,
        metadata=metadata,
        network=network,
        device=resolved,
        ood=load_ood_detector(parameters) if parameters.is_file() else None,
        shap_background=load_background(folder),
    )
