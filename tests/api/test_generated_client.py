"""The committed Python client (``openapi/client``) is exactly what ``make client`` generates from
the committed spec: regenerated into a temporary folder and compared file by file, byte for byte.
"""

from __future__ import annotations

import difflib
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OPENAPI = ROOT / "openapi"
COMMITTED = OPENAPI / "client"
# The generator's own environment, built by the Makefile (GENERATOR := $(VENV)/openapi-generator).
GENERATOR_BIN = ROOT / ".venv" / "openapi-generator" / "bin"
STALE = (
    "openapi/client differs from what the generator makes of openapi/openapi.json: "
    "run `make client`"
)


def generate(output: Path) -> None:
    """Run openapi-python-client as `make client` does (same spec, config, templates, meta), with
    the generator environment first on PATH for its ruff post hooks."""
    generator = GENERATOR_BIN / "openapi-python-client"
    if not generator.exists():
        pytest.fail(f"{generator} is missing: run `make client` (it builds the generator's venv)")
    command = [
        str(generator),
        "generate",
        "--path",
        str(OPENAPI / "openapi.json"),
        "--config",
        str(OPENAPI / "client-config.yaml"),
        "--meta",
        "poetry",
        "--custom-template-path",
        str(OPENAPI / "client-templates"),
        "--output-path",
        str(output),
    ]
    env = os.environ | {"PATH": f"{GENERATOR_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert output.is_dir(), done.stdout + done.stderr


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by relative path; Python's bytecode caches (written when the
    installed client is imported, never by the generator) are not part of the tree."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.relative_to(root).parts
    }


def first_lines_of_diff(name: str, committed: bytes, generated: bytes, limit: int = 40) -> str:
    lines = difflib.unified_diff(
        committed.decode(errors="replace").splitlines(),
        generated.decode(errors="replace").splitlines(),
        f"committed/{name}",
        f"generated/{name}",
        lineterm="",
    )
    return "\n".join(list(lines)[:limit])


def test_committed_client_is_what_the_spec_generates(tmp_path: Path) -> None:
    output = tmp_path / "client"
    generate(output)
    committed, generated = tree(COMMITTED), tree(output)
    missing = sorted(generated.keys() - committed.keys())
    extra = sorted(committed.keys() - generated.keys())
    changed = sorted(
        name for name in committed.keys() & generated.keys() if committed[name] != generated[name]
    )
    if missing or extra or changed:
        report = [STALE]
        report += [f"not committed: {name}" for name in missing]
        report += [f"no longer generated: {name}" for name in extra]
        report += [f"changed: {name}" for name in changed]
        if changed:
            report.append(
                first_lines_of_diff(changed[0], committed[changed[0]], generated[changed[0]])
            )
        pytest.fail("\n".join(report))
