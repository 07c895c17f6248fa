"""The embedded default's models: trained here on synthetic data when the registry has none.

A fresh machine has no weights and cannot download any, so ``mammocad serve`` trains the two demo
models with the project's own code on synthetic mammograms it generates, evaluates them on a
held-out synthetic set of other women, registers them (with the calibration and OOD detector
training fitted), writes the human sections of their model cards, and promotes them through the
registry's ordinary gates. Everything is audited under the actor ``mammocad serve (bootstrap)``.
A registry that already has a production model for a task is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from mammocad.schemas.artifact import OOD_RECORD_FILE
from registry import Registry
from registry.card.schema import CardEdit

__all__ = ["DEMO_MODELS", "DemoModel", "ensure_demo_models"]

ACTOR = "mammocad serve (bootstrap)"
TEST_DATA = "synthetic:16,seed=1"
"""Held-out test set: 16 synthetic patients drawn with another seed than the training ones."""


@dataclass(frozen=True)
class DemoModel:
    """How one demo model is made (the settings measured in docs/results.md)."""

    name: str
    task: str
    data: str
    target_shape: tuple[int, int]
    epochs: int
    calibration_data: str | None = None


CALIBRATION_DATA = "synthetic:48,seed=2"
"""Other synthetic patients that join the validation split to fit the calibration and the OOD
threshold: ECE and a 95th percentile are too noisy on the 32 validation images alone."""

DEMO_MODELS = (
    DemoModel("classifier", "classify", "synthetic:40", (384, 288), 8, CALIBRATION_DATA),
    DemoModel("detector", "detect", "synthetic:40", (256, 192), 12, CALIBRATION_DATA),
)

_CARD = CardEdit(
    owners=["mammocad maintainers"],
    license="Apache-2.0",
    primary_users=[
        "developers and integrators trying the mammocad API (CAD viewers, clinical IT, MLOps)"
    ],
    out_of_scope_uses=[
        "any clinical use: screening, diagnosis, triage or second reading of real patients",
        "images from real mammography systems: the model has only seen synthetic images",
    ],
    relevant_factors=[
        "vendor (synthetic vendor profiles: only 'reference' was seen in training)",
        "breast density, view (CC/MLO), laterality, lesion kind and size",
    ],
    ethical_considerations=[
        "Trained and evaluated on synthetic images only; no patient data was used. Its figures "
        "say nothing about performance on real mammograms.",
    ],
    caveats_and_recommendations=[
        "A demonstration model made automatically by `mammocad serve` on a fresh machine; "
        "replace it with a model trained and validated on real data before any evaluation.",
        "Answers flagged out of distribution (other vendors, non-mammograms) must not be trusted.",
    ],
)


def ensure_demo_models(
    registry: Registry,
    home: Path,
    console: Console,
    demos: tuple[DemoModel, ...] = DEMO_MODELS,
    test_data: str = TEST_DATA,
) -> None:
    """Train, evaluate, register and promote each demo model whose registered model has no
    production version yet (minutes on a 2-core CPU, once; tests pass tiny ``demos``)."""
    for demo in demos:
        if _has_production(registry, demo.name):
            continue
        console.rule(f"demo {demo.name}: no production version in the registry, making one")
        folder = _trained(demo, home / "models" / f"demo-{demo.name}", console)
        version = registry.register(
            folder, demo.name, actor=ACTOR, reason="embedded default: demo model (synthetic)"
        )
        report = _evaluated(
            folder, test_data, home / "models" / f"demo-{demo.name}-evaluation", console
        )
        registry.attach_evaluation(demo.name, version.version, report, actor=ACTOR)
        registry.edit_card(demo.name, version.version, _CARD, actor=ACTOR)
        registry.set_alias(
            demo.name,
            "production",
            version.version,
            actor=ACTOR,
            reason="embedded default: the only version of a demo model",
        )
        console.print(f"demo {demo.name}: version {version.version} is production")


def _has_production(registry: Registry, name: str) -> bool:
    return any(m.name == name and "production" in m.aliases for m in registry.list_models())


def _trained(demo: DemoModel, folder: Path, console: Console) -> Path:
    """The trained folder, training it unless a complete one is already there."""
    from mammocad.datasets.spec import load_dataset
    from models.training.loop import TrainingOptions
    from models.training.run import train_and_save
    from models.training.tasks import CLASSIFY, DETECT

    if (folder / OOD_RECORD_FILE).is_file():  # written last: the folder is complete
        return folder
    task = CLASSIFY if demo.task == "classify" else DETECT
    return train_and_save(
        task,
        load_dataset(demo.data),
        folder,
        target_shape=demo.target_shape,
        options=TrainingOptions(epochs=demo.epochs),
        calibration_set=None
        if demo.calibration_data is None
        else load_dataset(demo.calibration_data),
        console=console,
    )


def _evaluated(folder: Path, test_data: str, out: Path, console: Console) -> Path:
    from mammocad.datasets.spec import load_dataset
    from models.evaluation.evaluate import write_evaluation
    from models.inference.loaded import load_model

    return write_evaluation(load_model(folder), load_dataset(test_data), out, console)
