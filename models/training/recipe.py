"""A recipe: one complete, fixed way of training a model, which cross-validation validates and a
release then follows to train the served model.

Everything a recipe decides is fixed before it sees data (network, ingest grid, schedule,
sampling, augmentation): no epoch, threshold or hyper-parameter is picked on a small validation
split, because on a few hundred films such a split selects noise. The figures that say how well
a recipe does come from repeated patient-level cross-validation
(:mod:`models.evaluation.crossval`); the final model is trained the same way on every image.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

import torch
from rich.console import Console

from mammocad.ingest.pipeline import IngestOptions
from mammocad.schemas.artifact import Task
from models.device import resolve_device
from models.explain.explainer import Method
from models.training.crops import CropPlan, CropSampler
from models.training.data import PreparedImage
from models.training.loop import TrainingOptions, fit, seed_everything
from models.training.tasks import DETECT, PATCH_CLASSIFY, TaskSpec

__all__ = ["DETECTOR_RECIPE", "DenseRecipe", "PatchRecipe", "Recipe"]


class Recipe(Protocol):
    """What cross-validation and a release need from a way of training."""

    @property
    def name(self) -> str:
        """A stable name, recorded in every report and model card."""
        ...

    @property
    def task(self) -> Task: ...

    @property
    def architecture(self) -> str: ...

    @property
    def ingest(self) -> IngestOptions:
        """How its images are prepared (training, evaluation and serving alike)."""
        ...

    @property
    def explanation_methods(self) -> tuple[Method, ...]:
        """The explanation methods whose quality cross-validation measures."""
        ...

    def hyperparameters(self) -> dict[str, Any]:
        """Everything else it fixes, for the metadata and the reports."""
        ...

    def train(
        self, images: Sequence[PreparedImage], *, seed: int, device: str, console: Console
    ) -> torch.nn.Module:
        """A network trained on ``images`` (seeded; in eval mode)."""
        ...

    def adjusted(
        self, *, target_shape: tuple[int, int] | None = None, epochs: int | None = None
    ) -> Recipe:
        """The same recipe on another grid or schedule (quick runs on small data)."""
        ...


@dataclass(frozen=True)
class DenseRecipe:
    """A task network trained on whole images with the shared loop for a fixed number of epochs
    (the keep-the-last-epoch schedule; no early stopping)."""

    spec: TaskSpec
    target_shape: tuple[int, int]
    options: TrainingOptions

    @property
    def name(self) -> str:
        return f"dense-{self.spec.name}"

    @property
    def task(self) -> Task:
        return "classify" if self.spec.name == "classify" else "detect"

    @property
    def architecture(self) -> str:
        return self.spec.architecture

    @property
    def ingest(self) -> IngestOptions:
        return self.spec.ingest_options(self.target_shape)

    @property
    def explanation_methods(self) -> tuple[Method, ...]:
        return ("gradcam",)

    def hyperparameters(self) -> dict[str, Any]:
        return self.options.model_dump(mode="json") | {"target_shape": list(self.target_shape)}

    def train(
        self, images: Sequence[PreparedImage], *, seed: int, device: str, console: Console
    ) -> torch.nn.Module:
        options = self.options.model_copy(update={"seed": seed, "device": device})
        seed_everything(seed)
        network = self.spec.build(pretrained=True)
        return fit(self.spec, network, images, None, options, console).model

    def adjusted(
        self, *, target_shape: tuple[int, int] | None = None, epochs: int | None = None
    ) -> Recipe:
        return _adjusted(self, target_shape, epochs)


def _adjusted(
    recipe: DenseRecipe | PatchRecipe, target_shape: tuple[int, int] | None, epochs: int | None
) -> Recipe:
    """``recipe`` on another grid or schedule (both recipe kinds keep them in the same fields)."""
    return replace(
        recipe,
        target_shape=target_shape or recipe.target_shape,
        options=recipe.options.model_copy(update={"epochs": epochs or recipe.options.epochs}),
    )


PATCH_TRAINING = TrainingOptions(
    epochs=8, batch_size=16, learning_rate=1e-3, trunk_learning_rate=3e-4, selection="last"
)
"""The patch recipe's schedule (fixed: no epoch is picked on held-out films)."""


@dataclass(frozen=True)
class PatchRecipe:
    """The patch-evidence classifier trained on crops (:mod:`models.training.crops`) for a
    fixed schedule: lesion-centred, random and hard-negative crops every epoch, per-cell
    targets, the shared loop's optimiser and augmentation."""

    target_shape: tuple[int, int] = (512, 384)
    options: TrainingOptions = field(default_factory=lambda: PATCH_TRAINING)
    crops: CropPlan = field(default_factory=CropPlan)
    version: str = "1"

    @property
    def name(self) -> str:
        return f"patch-evidence-v{self.version}"

    @property
    def task(self) -> Task:
        return "classify"

    @property
    def architecture(self) -> str:
        return PATCH_CLASSIFY.architecture

    @property
    def ingest(self) -> IngestOptions:
        return PATCH_CLASSIFY.ingest_options(self.target_shape)

    @property
    def explanation_methods(self) -> tuple[Method, ...]:
        return ("evidence", "gradcam")

    def hyperparameters(self) -> dict[str, Any]:
        return (
            self.options.model_dump(mode="json")
            | {"target_shape": list(self.target_shape)}
            | {"crops": asdict(self.crops)}
        )

    def train(
        self, images: Sequence[PreparedImage], *, seed: int, device: str, console: Console
    ) -> torch.nn.Module:
        options = self.options.model_copy(update={"seed": seed, "device": device})
        seed_everything(seed)
        network = PATCH_CLASSIFY.build(pretrained=True)
        sampler = CropSampler(images, self.crops, seed, resolve_device(device))
        return fit(PATCH_CLASSIFY, network, images, None, options, console, sampler).model

    def adjusted(
        self, *, target_shape: tuple[int, int] | None = None, epochs: int | None = None
    ) -> Recipe:
        return _adjusted(self, target_shape, epochs)


DETECTOR_RECIPE = DenseRecipe(
    DETECT, target_shape=(448, 320), options=TrainingOptions(epochs=8, selection="last")
)
"""The mass detector's validated recipe: CenterNet-style on whole films, fixed schedule."""
