"""``mammocad data show`` and ``mammocad data split`` through the real command line parser."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.data import app
from mammocad.datasets.fingerprint import fingerprint
from mammocad.datasets.manifest import write_manifest
from mammocad.datasets.records import Lesion, Record
from mammocad.datasets.spec import load_dataset
from mammocad.vocabulary import Label, Laterality, LesionKind, View

REPO_ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner(env={"COLUMNS": "200"})  # wide: assertions must not depend on wrapping


@pytest.fixture
def manifest_spec(tmp_path: Path) -> str:
    records = []
    for patient in range(4):
        for side in (Laterality.LEFT, Laterality.RIGHT):
            image = tmp_path / f"p{patient}{side.value}.png"
            image.write_bytes(image.name.encode())
            sick = side is Laterality.LEFT and patient % 2 == 0
            label = Label.MALIGNANT if sick and patient == 0 else Label.BENIGN
            box = (1.0, 1.0, 9.0, 9.0) if patient == 0 else None
            records.append(
                Record(
                    image_id=image.stem,
                    path=image,
                    patient_id=f"p{patient}",
                    label=label if sick else Label.NORMAL,
                    laterality=side,
                    view=View.CC,
                    lesions=(Lesion(kind=LesionKind.SPICULATED_MASS, severity=label, box=box),)
                    if sick
                    else (),
                )
            )
    return f"manifest:{write_manifest(records, tmp_path / 'manifest.csv')}"


def test_show_summarises_a_manifest(manifest_spec: str) -> None:
    result = runner.invoke(app, ["show", manifest_spec])
    assert result.exit_code == 0, result.output
    for expected in (
        "images",
        " 8 ",
        "patients",
        " 4 ",
        "normal 6, benign 1, malignant 1",
        "spiculated_mass 2",
        "1 located, 1 without location",
        "CC 8",
        "L 4, R 4",
    ):
        assert expected in result.output
    assert "fingerprint" not in result.output


def test_show_prints_the_fingerprint_whole(manifest_spec: str) -> None:
    result = runner.invoke(app, ["show", manifest_spec, "--fingerprint"])
    assert result.exit_code == 0, result.output
    assert f"fingerprint: {fingerprint(load_dataset(manifest_spec))}\n" in result.output


def test_show_mini_mias(mini_mias_dir: Path) -> None:
    result = runner.invoke(app, ["show", f"minimias:{mini_mias_dir}"])
    assert result.exit_code == 0, result.output
    for expected in (
        "214",
        "107",
        "normal 137, benign 42, malignant 35",
        "77 located, 4 without location",
        "MLO 214",
        "L 107, R 107",
    ):
        assert expected in result.output


def test_split_prints_one_row_per_fold(manifest_spec: str) -> None:
    result = runner.invoke(app, ["split", manifest_spec, "--k", "2", "--seed", "1"])
    assert result.exit_code == 0, result.output
    rows = [line.split("│")[1:-1] for line in result.output.splitlines() if line.startswith("│")]
    assert [cells[0].strip() for cells in rows] == ["1", "2"]
    assert sum(int(cells[3]) for cells in rows) == 8  # every image validated once


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["show", "bogus:x"], "unknown scheme 'bogus'"),
        (["show", "synthetic:5,colour=red"], "unknown option 'colour=red'"),
        (["split", "synthetic:5,size=1"], "bad option 'size=1'"),
    ],
)
def test_bad_spec_is_a_usage_error(arguments: list[str], message: str) -> None:
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2
    assert message in result.output


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["show", f"manifest:{tmp_path / 'absent.csv'}"])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_too_many_folds_is_a_usage_error(manifest_spec: str) -> None:
    result = runner.invoke(app, ["split", manifest_spec, "--k", "9"])
    assert result.exit_code == 2
    assert "k must be between 2 and the number of patients (4)" in result.output


def test_help_documents_the_spec_grammar() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for expected in (
        "minimias:DIR",
        "manifest:FILE",
        "synthetic:N[,seed=S]",
        "size=ROWSxCOLS",
        "MAMMOCAD_HOME",
    ):
        assert expected in result.output


def test_importing_the_command_does_not_import_torch() -> None:
    code = "import sys, cli.data; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT).returncode == 0
