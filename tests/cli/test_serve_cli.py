"""The start-up of ``mammocad serve`` (bootstrap + self-check) and ``mammocad openapi``."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cli.main import app
from cli.serve import SelfCheckError, _access_note, _local_key, _self_check, bootstrap_examples
from mammocad.datasets.manifest import read_manifest, write_manifest
from mammocad.vocabulary import Label, Laterality
from registry import READ_SCOPES, Registry

runner = CliRunner()


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bootstrap_examples(tmp_path_factory.mktemp("home"), Console(quiet=True))


def test_bootstrap_makes_a_study_with_every_label(examples: Path) -> None:
    dataset = read_manifest(examples)
    assert len(dataset) == 8 and all(count > 0 for count in dataset.label_counts().values())
    assert {record.label for record in dataset if record.boxes} == {Label.BENIGN, Label.MALIGNANT}


def test_bootstrap_is_idempotent(examples: Path) -> None:
    before = examples.stat().st_mtime_ns
    assert bootstrap_examples(examples.parent.parent, Console(quiet=True)) == examples
    assert examples.stat().st_mtime_ns == before


def test_self_check_passes_on_the_ground_truth(examples: Path) -> None:
    first = _self_check(examples, Console(quiet=True))
    assert first.is_file()


def test_self_check_stops_on_a_disagreement(examples: Path, tmp_path: Path) -> None:
    records = list(read_manifest(examples))
    wrong = [records[0].model_copy(update={"laterality": Laterality.RIGHT}), *records[1:]]
    tampered = write_manifest(wrong, tmp_path / "manifest.csv")
    with pytest.raises(SelfCheckError, match="laterality"):
        _self_check(tampered, Console(quiet=True))


def test_openapi_check_detects_drift(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.json"
    assert runner.invoke(app, ["openapi", "--out", str(spec)]).exit_code == 0
    assert runner.invoke(app, ["openapi", "--out", str(spec), "--check"]).exit_code == 0
    spec.write_text(spec.read_text() + " ")
    assert runner.invoke(app, ["openapi", "--out", str(spec), "--check"]).exit_code == 1


def test_the_local_key_is_made_once_owner_only_with_the_read_scopes(tmp_path: Path) -> None:
    with Registry(f"sqlite:///{tmp_path / 'registry.db'}") as registry:
        path = _local_key(registry, tmp_path)
        again = _local_key(registry, tmp_path)
        token = path.read_text(encoding="utf-8").strip()
        principal = registry.authenticate(token)
        assert again == path and len(registry.list_keys()) == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert principal.scopes == frozenset(READ_SCOPES)
    note = _access_note(path, "keys")
    assert str(path) in note.note and f"$(cat {path})" in note.curl_header
    assert _access_note(path, "open-loopback").curl_header == ""
