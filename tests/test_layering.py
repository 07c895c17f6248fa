"""Dependencies point one way, as the README draws them, and no module imports itself back.

``mammocad`` (shared core, with the one home of cross-package records in ``mammocad.schemas``)
is the bottom; ``models`` and ``registry`` build on it and not on each other; ``serving`` runs
``models`` with the ``registry``; ``api`` (the gateway) talks to ``serving`` over HTTP only and
never imports ``models`` or torch; ``cli`` and ``bench`` sit on top. Every import counts, also
the ones inside functions and under ``TYPE_CHECKING``. That the gateway process never loads torch
while it answers real requests is checked on the running stack
(``tests/serving/test_full_stack.py::test_the_gateway_process_never_loads_torch``).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("mammocad", "models", "registry", "serving", "api", "cli", "bench")
FORBIDDEN = {
    "mammocad": {"models", "registry", "serving", "api", "cli", "bench"},
    "models": {"registry", "serving", "api", "cli", "bench"},
    "registry": {"models", "serving", "api", "cli", "bench"},
    "serving": {"api", "cli", "bench"},
    "api": {"models", "serving", "cli", "bench"},
    "cli": {"bench"},
}
TORCH_FREE = ("mammocad", "registry", "api")  # the gateway's packages


def _modules() -> dict[str, Path]:
    """Every module of the project's packages by dotted name (a package by its own name)."""
    found = {}
    for package in PACKAGES:
        for path in (REPO_ROOT / package).rglob("*.py"):
            parts = path.relative_to(REPO_ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imported_names(path: Path, name: str) -> Iterator[str]:
    """Every module name ``path`` imports, anywhere in the file, relative imports resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _project_imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the project modules it imports (``from a.b import c`` imports ``a.b.c`` when
    that is a module, else ``a.b``), without itself."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imported in _imported_names(path, name):
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_forbidden_imports(package: str) -> None:
    modules = _modules()
    offenders = [
        f"{name} imports {sorted(bad)}"
        for name, path in sorted(modules.items())
        if name.split(".")[0] == package
        and (bad := {n.split(".")[0] for n in _imported_names(path, name)} & FORBIDDEN[package])
    ]
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize("package", TORCH_FREE)
def test_gateway_packages_do_not_import_torch(package: str) -> None:
    modules = _modules()
    offenders = [
        name
        for name, path in sorted(modules.items())
        if name.split(".")[0] == package
        and {n.split(".")[0] for n in _imported_names(path, name)} & {"torch", "monai"}
    ]
    assert not offenders, f"import torch or monai: {offenders}"


def test_no_import_cycles() -> None:
    assert _cycles(_project_imports(_modules())) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_the_import_reader_sees_lazy_and_type_checking_imports(tmp_path: Path) -> None:
    module = tmp_path / "probe.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from models.nets import backbone\n"
        "def later():\n    import registry.store\n"
        "from . import sibling\n",
        encoding="utf-8",
    )
    names = set(_imported_names(module, "api.probe"))
    assert {"models.nets", "models.nets.backbone", "registry.store", "api.sibling"} <= names


def test_gateway_app_does_not_load_torch() -> None:
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
