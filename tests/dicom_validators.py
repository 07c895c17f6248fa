"""Independent validators for every DICOM object mammocad writes: dicom3tools and DCMTK.

``dciodvfy`` (dicom3tools) checks an object against its IOD: every module, attribute, type and
value the standard requires. ``dsrdump`` (DCMTK) parses a Structured Report's content tree and
checks it against the SOP class's relationship constraints (DCMTK does not check templates: it
says so in one known warning, which is the only message allowed through). Neither shares code
with pydicom or highdicom, so an object both accept was not only read back by its own writer.
Tests skip with a clear message when the Debian packages (``dicom3tools``, ``dcmtk``) are absent;
``.ci/run`` installs them.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

__all__ = ["dciodvfy_errors", "dsrdump_problems", "require_validators"]

_DSRDUMP_KNOWN = ("W: Check for template constraints not yet supported",)


def require_validators() -> None:
    """Skip the calling test when dicom3tools or DCMTK are not installed."""
    missing = [tool for tool in ("dciodvfy", "dsrdump") if shutil.which(tool) is None]
    if missing:
        pytest.skip(
            f"{', '.join(missing)} not installed (Debian packages dicom3tools and dcmtk; "
            ".ci/run installs them)"
        )


def dciodvfy_errors(path: Path) -> list[str]:
    """Every ``Error`` line dciodvfy prints for ``path`` (empty: valid for its IOD)."""
    result = subprocess.run(
        ["dciodvfy", "-new", str(path)], capture_output=True, text=True, check=False, timeout=60
    )
    lines = (result.stdout + result.stderr).splitlines()
    return [line for line in lines if line.startswith("Error")]


def dsrdump_problems(path: Path) -> list[str]:
    """Every error and unexpected warning DCMTK's dsrdump reports while reading the SR tree of
    ``path`` (empty: the tree satisfies the SOP class's relationship constraints)."""
    result = subprocess.run(
        ["dsrdump", "--verbose", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    problems = [
        line
        for line in result.stderr.splitlines()
        if line.startswith(("E:", "F:", "W:")) and not line.startswith(_DSRDUMP_KNOWN)
    ]
    if result.returncode != 0:
        problems.append(f"dsrdump exited with {result.returncode}")
    return problems
