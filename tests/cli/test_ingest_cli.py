"""``mammocad ingest`` on real files through the typer app."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
from PIL import Image
from typer.testing import CliRunner

from cli.main import app
from tests.mammocad.ingest.conftest import phantom

runner = CliRunner()


def test_ingest_png_as_json_and_save(tmp_path: Path) -> None:
    source = tmp_path / "breast.png"
    Image.fromarray((phantom(chest_wall="right") * 255).astype(np.uint8)).save(source)
    saved = tmp_path / "model.png"
    result = runner.invoke(
        app,
        [
            "ingest",
            str(source),
            "--size",
            "256x192",
            "--json",
            "--laterality",
            "R",
            "--save",
            str(saved),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["image"]["laterality"] == "R"
    assert summary["orientation"]["flipped"] is True
    assert summary["model_grid"] == {"rows": 256, "columns": 192}
    assert Image.open(saved).size == (192, 256)


def test_refused_file_exits_2_with_the_reason(tmp_path: Path) -> None:
    source = tmp_path / "colour.png"
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (255, 0, 0)).save(buffer, format="PNG")
    source.write_bytes(buffer.getvalue())
    result = runner.invoke(app, ["ingest", str(source)])
    assert result.exit_code == 2
    assert "colour-image" in result.output


def test_bad_size_is_a_usage_error(tmp_path: Path) -> None:
    source = tmp_path / "a.png"
    Image.fromarray((phantom() * 255).astype(np.uint8)).save(source)
    result = runner.invoke(app, ["ingest", str(source), "--size", "big"])
    assert result.exit_code == 2
