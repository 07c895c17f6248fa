"""Shared fixtures: where the real public data sets live beside the project.

The data is never committed: it sits in ``../shared/datasets`` next to the repository root (for
developers and CI). On a fresh machine without it, tests that need it skip with a message saying
what is missing instead of failing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATASETS = REPO_ROOT.parent / "shared" / "datasets"


def _shared_dir(name: str) -> Path:
    folder = SHARED_DATASETS / name
    if not folder.is_dir():
        pytest.skip(f"real data set {folder} is absent (see ../shared/datasets/README.md)")
    return folder


@pytest.fixture(scope="session")
def mini_mias_dir() -> Path:
    """The mini-MIAS development subset (214 images, original format); skips if absent."""
    return _shared_dir("mini-mias-dev")


@pytest.fixture(scope="session")
def dicom_samples_dir() -> Path:
    """Real DICOM objects for the ingest path; skips if absent."""
    return _shared_dir("dicom-samples")
