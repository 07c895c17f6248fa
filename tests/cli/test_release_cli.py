"""``mammocad release``: the validated recipe end to end on tiny synthetic data (seconds).

Cross-validation, the final model, the cross-fitted calibration and threshold, the OOD
detector, registration with the cross-validated evaluation, the card and the promotion: all of
it for real, on four synthetic patients at a small grid and one epoch.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from mammocad.schemas.artifact import CALIBRATION_FILE, OOD_RECORD_FILE, TrainingMetadata
from mammocad.schemas.evaluation import EvaluationReport
from registry import PRODUCTION, Registry


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], str]:
    home = tmp_path_factory.mktemp("release-home")
    env = {
        "MAMMOCAD_HOME": str(home),
        "MAMMOCAD_REGISTRY_URL": f"sqlite:///{home / 'registry.db'}",
        "COLUMNS": "200",
    }
    folder = home / "released"
    result = CliRunner().invoke(
        app,
        [
            "release",
            "classifier",
            "--data",
            "synthetic:4,size=256x192",
            "--k",
            "2",
            "--epochs",
            "1",
            "--size",
            "128x96",
            "--no-explanations",
            "--device",
            "cpu",
            "--out",
            str(folder),
            "--actor",
            "release-test",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    return folder, env, result.output


def test_the_folder_holds_the_model_its_records_and_the_cross_validated_report(
    released: tuple[Path, dict[str, str], str],
) -> None:
    folder, _, output = released
    metadata = TrainingMetadata.model_validate_json((folder / "metadata.json").read_text())
    assert metadata.architecture.startswith("PatchEvidenceClassifier")
    assert metadata.data.validation_patients == []  # every film trained the final model
    assert metadata.hyperparameters["recipe"] == "patch-evidence-v1"
    assert metadata.operating_point.abnormal_threshold is not None
    assert "out-of-fold" in (metadata.operating_point.rule or "")
    calibration = json.loads((folder / CALIBRATION_FILE).read_text())
    assert any("cross-fitted" in key for key in calibration["method_selection"])
    ood = json.loads((folder / OOD_RECORD_FILE).read_text())
    assert "cross-fitted" in ood["threshold_rule"]
    report = EvaluationReport.model_validate_json(
        (folder / "evaluation" / "report.json").read_text()
    )
    assert report.cross_validation is not None and report.patients_seen_in_training == 0
    assert report.cross_validation.k == 2 and report.cross_validation.n_patients == 4
    assert report.report is not None and report.report.threshold_source == "cross-fitted"
    served = report.report.operating_point
    assert served is not None and served.threshold == metadata.operating_point.abnormal_threshold
    films = json.loads((folder / "evaluation" / "out_of_fold.json").read_text())["films"]
    assert len(films) == 16 and all(len(f["abnormal_logit"]) == 1 for f in films)
    assert "auc_abnormal" in output and "is production" in output


def test_the_version_is_registered_evaluated_carded_and_promoted(
    released: tuple[Path, dict[str, str], str],
) -> None:
    _, env, _ = released
    with Registry(env["MAMMOCAD_REGISTRY_URL"]) as registry:
        version = registry.get_version("classifier", PRODUCTION)
        [evaluation] = version.evaluations
        auc = evaluation.metric("auc_abnormal")
        assert auc.ci_low is not None and auc.ci_high is not None
        assert "patient-level cross-validation" in auc.support
        card = registry.card("classifier", PRODUCTION)
        assert card.model_details.owners == ["mammocad maintainers"]
        [point] = card.operating_points
        assert point.name.startswith("cross-fitted")  # not a validation split's
        notes = " ".join(card.training_data.notes)
        assert "no validation split" in notes and "2-fold patient-level" in notes
        audit = registry.audit("classifier")
        assert {entry.actor for entry in audit} == {"release-test"}
