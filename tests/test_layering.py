"""Dependencies point one way: (api, serving) -> (registry, models) -> mammocad; never back.

The gateway (``api``) and the task services (``serving``) are separate deployables that talk over
HTTP, so neither imports the other.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "mammocad": {"api", "models", "registry", "serving", "cli"},
    "models": {"api", "serving", "cli"},
    "registry": {"api", "serving", "cli"},
    "serving": {"api", "cli"},
    "api": {"serving", "cli"},
}


def _imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_upward_imports(package: str) -> None:
    offenders = [
        f"{path.relative_to(REPO_ROOT)} imports {sorted(bad)}"
        for path in sorted((REPO_ROOT / package).rglob("*.py"))
        if (bad := _imported_top_levels(path) & FORBIDDEN[package])
    ]
    assert not offenders, "\n".join(offenders)


def test_gateway_never_loads_torch() -> None:
    code = (
        "import sys, api.main; api.main.create_app(); "
        "print('torch' in sys.modules, 'monai' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False False"


def test_cli_help_is_quick_and_light() -> None:
    code = "import sys, cli.main; print('torch' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
