"""A synthetic right-breast DICOM shared by the heatmap tests (its chest wall is on the right,
so ingest mirrors it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mammocad.synthetic.case import generate_case
from mammocad.synthetic.dicom import write_dicom
from mammocad.vocabulary import Laterality, View


@pytest.fixture(scope="session")
def right_mlo_dicom(tmp_path_factory: pytest.TempPathFactory) -> Path:
    case = generate_case(3, laterality=Laterality.RIGHT, view=View.MLO, shape=(256, 192))
    return write_dicom(case, tmp_path_factory.mktemp("heatmaps") / "right_mlo.dcm")
