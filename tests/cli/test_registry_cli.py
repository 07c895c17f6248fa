"""``mammocad registry``: the operator's path from a trained folder to production and back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from registry import Registry
from tests.registry.builders import (
    COMPLETE_CARD,
    calibration_record,
    make_model_folder,
    ood_record,
    write_report,
)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"MAMMOCAD_REGISTRY_URL": f"sqlite:///{tmp_path / 'registry.db'}", "COLUMNS": "200"}


def _run(env: dict[str, str], *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, ["registry", *args], env=env)
    assert result.exit_code == code, result.output
    return result.output


def test_register_complete_promote_rollback_from_the_command_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    for run in "ab":
        folder = make_model_folder(tmp_path / run)
        out = _run(env, "register", str(folder), "--name", "classifier", "--actor", "alice")
        assert "registered classifier version" in out
    refused = _run(env, "promote", "classifier", "1", "--actor", "bob", code=2)
    assert "unmet gates" in refused and "calibration: no calibration data attached" in refused

    files = {
        "card.json": COMPLETE_CARD.model_dump_json(exclude_none=True),
        "cal.json": calibration_record().model_dump_json(),
        "ood.json": ood_record().model_dump_json(),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    for version in ("1", "2"):
        _run(env, "edit-card", "classifier", version, str(tmp_path / "card.json"))
        _run(env, "attach-calibration", "classifier", version, str(tmp_path / "cal.json"))
        _run(env, "attach-ood", "classifier", version, str(tmp_path / "ood.json"))
        report = write_report(tmp_path / f"r{version}.json", 0.8)
        assert "auc_abnormal 0.8000" in _run(
            env, "evaluate-attach", "classifier", version, str(report)
        )
    _run(env, "promote", "classifier", "1", "--actor", "bob", "--reason", "first")
    assert "version 1 -> 2" in _run(env, "promote", "classifier", "2", "--actor", "bob")
    assert "version 2 -> 1" in _run(env, "rollback", "classifier", "--reason", "regression")

    listing = _run(env, "list")
    assert "classifier" in listing and "production -> 1" in listing
    assert "complete" in _run(env, "show", "classifier")
    audit = _run(env, "audit", "classifier")
    assert "alias.rollback" in audit and "regression" in audit


def test_card_prints_every_section(env: dict[str, str], tmp_path: Path) -> None:
    _run(env, "register", str(make_model_folder(tmp_path / "a")), "--name", "classifier")
    markdown = _run(env, "card", "classifier", "1")
    assert markdown.startswith("# Model card: classifier version 1 (classify)")
    assert "NOT FOR CLINICAL USE" in markdown and "## Caveats and recommendations" in markdown

    _run(env, "card", "classifier", "1", "--format", "html", "-o", str(tmp_path / "card.html"))
    assert (tmp_path / "card.html").read_text().startswith("<!DOCTYPE html>")
    as_json = json.loads(_run(env, "card", "classifier", "1", "--format", "json"))
    assert as_json["model_details"]["name"] == "classifier"
    assert "model-not-found" in _run(env, "card", "nosuch", "1", code=2)


def test_export_import_and_keys(env: dict[str, str], tmp_path: Path) -> None:
    _run(env, "register", str(make_model_folder(tmp_path / "a")), "--name", "classifier")
    archive = tmp_path / "v1.tar.gz"
    _run(env, "export", "classifier", "1", "-o", str(archive))
    assert "registered copy version 1" in _run(env, "import", str(archive), "--name", "copy")

    created = _run(env, "keys", "create", "ci-bot", "--scopes", "models:write,models:promote")
    token = created.strip().splitlines()[-1]
    with Registry(env["MAMMOCAD_REGISTRY_URL"]) as registry:
        assert registry.authenticate(token).actor == "key:ci-bot"
    key_id = token.split("_")[1]
    assert key_id in _run(env, "keys", "list")
    _run(env, "keys", "revoke", key_id, "--reason", "rotated")
    assert "invalid-scope" in _run(env, "keys", "create", "x", "--scopes", "root", code=2)
