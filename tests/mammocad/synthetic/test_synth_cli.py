"""``mammocad synth`` through typer's test runner, on a tiny app that registers it as main does."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cli import synth
from mammocad.datasets.manifest import read_manifest
from mammocad.vocabulary import View


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    app.command("synth")(synth.synth)
    app.command("noop")(lambda: None)  # two commands, so "synth" is a real subcommand
    return app


def test_synth_writes_a_set_and_summarises_it(app: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "set"
    result = CliRunner().invoke(
        app,
        [
            "synth",
            "--out",
            str(out),
            "--patients",
            "2",
            "--seed",
            "5",
            "--vendor",
            "vendor_a",
            "--vendor",
            "vendor_c",
            "--format",
            "png",
            "--size",
            "96x72",
            "--view",
            "CC",
        ],
    )
    assert result.exit_code == 0, result.output
    dataset = read_manifest(out / "manifest.csv")
    assert len(dataset) == 4 and {r.view for r in dataset} == {View.CC}
    assert all(r.path.suffix == ".png" for r in dataset)
    assert "2 patients, 4 images" in result.output
    assert "vendor_a, vendor_c" in result.output
    for label in ("normal", "benign", "malignant"):
        assert label in result.output


def test_defaults_are_reference_dicom_both_views(app: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["synth", "-o", str(tmp_path), "-n", "1", "-s", "64x48"])
    assert result.exit_code == 0, result.output
    dataset = read_manifest(tmp_path / "manifest.csv")
    assert {(r.laterality.value, r.view.value) for r in dataset} == {
        ("L", "CC"),
        ("L", "MLO"),
        ("R", "CC"),
        ("R", "MLO"),
    }
    assert all(r.path.suffix == ".dcm" for r in dataset)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--size", "big"], "ROWSxCOLS"),
        (["--size", "20x20"], "(20, 20)"),
        (["--vendor", "acme"], "acme"),
        (["--patients", "0"], "patients"),
    ],
)
def test_bad_options_are_usage_errors(
    app: typer.Typer, tmp_path: Path, arguments: list[str], message: str
) -> None:
    result = CliRunner().invoke(app, ["synth", "-o", str(tmp_path / "x"), *arguments])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "x").exists()


def test_help_names_every_vendor(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["synth", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for name in ("reference", "vendor_a", "vendor_b", "vendor_c", "vendor_d"):
        assert name in result.output


def test_registered_as_mammocad_synth() -> None:
    main = pytest.importorskip("cli.main", reason="cli.main is assembled by the lead")
    result = CliRunner().invoke(main.app, ["synth", "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "--vendor" in result.output and "ROWSxCOLS" in result.output
