"""Shared fixtures: where the real public data sets live beside the project.

The data is never committed: it sits in ``../shared/datasets`` next to the repository root (for
developers and CI). On a fresh machine without it, tests that need it skip with a message saying
what is missing instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mammocad.datasets.records import DataSet
from mammocad.datasets.spec import load_dataset

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


@pytest.fixture(scope="session", autouse=True)
def bentoml_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The tests' BentoML home (model store, in a temporary folder, never ``~/bentoml``), and no
    BentoML usage tracking. Child processes inherit both."""
    home = tmp_path_factory.mktemp("bentoml")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BENTOML_HOME", str(home))
        patch.setenv("BENTOML_DO_NOT_TRACK", "True")
        yield home


@pytest.fixture(scope="session")
def tiny_set(tmp_path_factory: pytest.TempPathFactory) -> DataSet:
    """Four synthetic patients at 256x192: the data of the tiny end-to-end trainings (seconds)."""
    return load_dataset("synthetic:4,size=256x192", cache_root=tmp_path_factory.mktemp("cache"))
