"""A tiny training run end to end (seconds): train, save, load, infer, evaluate; seeded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from rich.console import Console
from typer.testing import CliRunner

from cli.main import app
from mammocad.datasets.records import DataSet
from mammocad.ingest.pipeline import ingest_bytes
from mammocad.schemas.artifact import CALIBRATION_FILE
from models.inference.loaded import load_metadata, load_model
from models.inference.predict import predict_detections, predict_probabilities
from models.nets.classifier import LesionEvidenceClassifier
from models.nets.detector import MassDetector
from models.training.loop import TrainingOptions
from models.training.run import train_and_save
from models.training.tasks import CLASSIFY, DETECT, TaskSpec

TINY = (128, 96)
QUICK = TrainingOptions(epochs=1, batch_size=2, seed=3, device="cpu")


@pytest.mark.parametrize("task", [CLASSIFY, DETECT], ids=["classifier", "detector"])
def test_train_save_load_infer(task: TaskSpec, tiny_set: DataSet, tmp_path: Path) -> None:
    folder = train_and_save(
        task,
        tiny_set,
        tmp_path / task.name,
        target_shape=TINY,
        options=QUICK,
        val_fraction=0.25,
        console=Console(quiet=True),
    )
    metadata = load_metadata(folder)
    assert metadata.task == task.name and metadata.data.synthetic
    assert metadata.data.fingerprint.startswith("sha256:")
    assert set(metadata.data.train_patients).isdisjoint(metadata.data.validation_patients)
    assert metadata.hyperparameters["seed"] == 3 and metadata.code_version
    assert task.metric_name in metadata.validation_metrics

    loaded = load_model(folder, "cpu")
    record = tiny_set[0]
    image = ingest_bytes(record.path.read_bytes(), loaded.metadata.ingest)
    assert image.pixels.shape == (128, 96)
    if task is CLASSIFY:
        assert isinstance(loaded.network, LesionEvidenceClassifier)
        [probabilities] = predict_probabilities(
            loaded.network, [image.model_input()], loaded.device
        )
        assert probabilities.shape == (3,)  # normal, benign, malignant
        assert probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    else:
        rows, columns = image.metadata.rows, image.metadata.columns
        assert isinstance(loaded.network, MassDetector)
        [found] = predict_detections(loaded.network, [image.model_input()], loaded.device)
        for (x0, y0, x1, y1), score, malignancy in zip(
            image.transform.to_original_boxes(found.boxes),
            found.scores,
            found.malignancy,
            strict=True,
        ):
            assert 0 <= x0 < x1 <= columns and 0 <= y0 < y1 <= rows  # ORIGINAL pixel grid
            assert 0 <= score <= 1 and 0 <= malignancy <= 1


def test_same_seed_same_weights(tiny_set: DataSet, tmp_path: Path) -> None:
    weights = []
    for run in ("a", "b"):
        folder = train_and_save(
            DETECT,
            tiny_set,
            tmp_path / run,
            target_shape=TINY,
            options=QUICK,
            val_fraction=0.25,
            console=Console(quiet=True),
        )
        weights.append(torch.load(folder / "model.pt", weights_only=True))
    assert weights[0].keys() == weights[1].keys()
    assert all(torch.equal(weights[0][k], weights[1][k]) for k in weights[0])


def test_train_and_evaluate_commands(tiny_set: DataSet, tmp_path: Path) -> None:
    runner = CliRunner()
    cache = tmp_path / "home"
    env = {"MAMMOCAD_HOME": str(cache)}
    spec = "synthetic:2,size=256x192"
    model = tmp_path / "clf"
    result = runner.invoke(
        app,
        [
            "train",
            "classifier",
            "--data",
            spec,
            "--out",
            str(model),
            "--size",
            "128x96",
            "--epochs",
            "2",
            "--selection",
            "last",
            "--device",
            "cpu",
            "--calibration-data",
            "synthetic:1,seed=5,size=256x192",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    trained = load_metadata(model)  # the full schedule ran and its final weights were kept
    assert trained.hyperparameters["selection"] == "last"
    assert trained.epochs_run == trained.best_epoch == 2
    # The calibration set of other patients joined the validation split for the calibration.
    assert trained.data.calibration_data is not None
    assert trained.data.calibration_data.startswith("synthetic:1,seed=5,")
    assert trained.data.calibration_patients == ["SYNTH-S5-P0001"]
    calibration = json.loads((model / CALIBRATION_FILE).read_text())
    assert calibration["fitted_on"]["name"].endswith(f"+ {trained.data.calibration_data}")
    result = runner.invoke(
        app,
        [
            "evaluate",
            str(model),
            "--data",
            "synthetic:2,seed=9,size=256x192",
            "--device",
            "cpu",
            "--no-explanations",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    report = json.loads((model / "evaluation" / "report.json").read_text())
    assert report["explanations"] == []
    held_out = report["calibration"]
    assert held_out["n"] == 8 and held_out["abnormal_vs_normal"]["n"] == 8
    assert 0 < held_out["ece_if_calibrated"] < 1
    assert (model / "evaluation" / "roc.png").read_bytes()[:4] == b"\x89PNG"


def test_a_calibration_set_of_training_patients_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "train",
            "classifier",
            "--data",
            "synthetic:2,size=256x192",
            "--calibration-data",
            "synthetic:1,size=256x192",
            "--out",
            str(tmp_path / "never"),
        ],
        env={"MAMMOCAD_HOME": str(tmp_path / "home")},
    )
    assert result.exit_code == 2
    assert "shares 1 patients with the training data" in " ".join(result.output.split())
    assert not (tmp_path / "never").exists()


def test_bad_size_and_bad_spec_are_refused(tmp_path: Path) -> None:
    runner = CliRunner()
    bad_size = runner.invoke(
        app, ["train", "detector", "--data", "synthetic:2", "--size", "100x90"]
    )
    assert bad_size.exit_code == 2
    bad_spec = runner.invoke(app, ["train", "detector", "--data", "nosuch:thing"])
    assert bad_spec.exit_code == 2 and "nosuch" in bad_spec.output
