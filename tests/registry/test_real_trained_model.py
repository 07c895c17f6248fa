"""A really trained (tiny) classifier through the registry: register, evaluate the stored
artifact, load it, and print its model card from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cli.main import app
from mammocad.datasets.records import DataSet
from models.trust.calibration import CLASSIFIER_METHODS
from registry import Registry

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def trained_classifier(tiny_set: DataSet, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from models.training.loop import TrainingOptions
    from models.training.run import train_and_save
    from models.training.tasks import CLASSIFY

    return train_and_save(
        CLASSIFY,
        tiny_set,
        tmp_path_factory.mktemp("trained") / "classifier",
        target_shape=(128, 96),
        options=TrainingOptions(epochs=1, batch_size=2, seed=3, device="cpu"),
        val_fraction=0.25,
        console=Console(quiet=True),
    )


def test_trained_model_registered_evaluated_loaded_and_carded(
    registry: Registry, trained_classifier: Path, tmp_path: Path
) -> None:
    from models.inference.loaded import load_model

    version = registry.register(trained_classifier, "classifier", actor="ci")
    # Training fitted both on its validation split; registering attached them.
    assert version.calibration is not None
    assert version.calibration.method in CLASSIFIER_METHODS
    assert version.calibration.method_selection is not None
    assert {f"{m} (5-fold cross-validated NLL)" for m in CLASSIFIER_METHODS} == set(
        version.calibration.method_selection
    )
    assert version.ood_detector is not None and version.ood_detector.kind == "mahalanobis"
    stored = registry.open_artifact("classifier", 1)
    evaluation = tmp_path / "evaluation"  # never inside the store: that would be tampering
    data = "synthetic:2,seed=9,size=256x192"
    result = CliRunner().invoke(
        app, ["evaluate", str(stored), "--data", data, "--device", "cpu", "--out", str(evaluation)]
    )
    assert result.exit_code == 0, result.output
    registry.attach_evaluation("classifier", 1, evaluation / "report.json", actor="ci")

    loaded = load_model(registry.open_artifact("classifier", 1), "cpu")
    assert loaded.metadata.task == "classify"
    card = CliRunner().invoke(
        app, ["registry", "--url", registry.url, "card", "classifier", "1"], env={"COLUMNS": "200"}
    )
    assert card.exit_code == 0, card.output
    text = card.output
    assert "NOT FOR CLINICAL USE" in text
    assert "LesionEvidenceClassifier" in text and "synthetic:2,seed=9" in text
    assert "| auc_abnormal | " in text and "95% CI" in text
    assert "Youden" in text  # the operating point chosen on the validation split
    assert "mahalanobis" in text and version.calibration.method in text
    assert "| ece_held_out | " in text  # measured by evaluate on the held-out synthetic images
