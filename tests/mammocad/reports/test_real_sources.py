"""Every writer on the headers of real vendor mammograms (../shared/datasets/dicom-samples): a
JPEG 2000 full-field mammogram and an MG test pattern; the validators must still find no error.
Skips when the shared data is absent."""

from __future__ import annotations

from pathlib import Path

import highdicom
import numpy as np
import pydicom
import pytest

from mammocad.heatmaps.geometry import OriginalMap
from mammocad.reports.findings import ImageFindings
from mammocad.reports.mammography_cad import mammography_cad_report
from mammocad.reports.measurement_report import measurement_report
from mammocad.reports.parametric_map import parametric_map
from tests.dicom_validators import dciodvfy_errors, dsrdump_problems, require_validators
from tests.mammocad.reports.sources import CLASSIFIER, classification, detection

SAMPLES = ("MG1_J2KI.dcm", "MG_Explicit_Little.dcm")


@pytest.mark.parametrize("name", SAMPLES)
def test_reports_and_maps_of_real_headers_validate(
    dicom_samples_dir: Path, tmp_path: Path, name: str
) -> None:
    require_validators()
    source = pydicom.dcmread(dicom_samples_dir / name, stop_before_pixels=True)
    findings = ImageFindings(source, classification(flagged=True), detection(2))
    series, instance = highdicom.UID(), highdicom.UID()
    for build in (measurement_report, mammography_cad_report):
        path = tmp_path / f"{build.__name__}.dcm"
        pydicom.dcmwrite(
            path,
            build(
                findings, series_instance_uid=series, sop_instance_uid=instance, series_number=9902
            ),
            enforce_file_format=True,
        )
        assert dciodvfy_errors(path) == [], build.__name__
        assert dsrdump_problems(path) == [], build.__name__
        assert pydicom.dcmread(path).StudyInstanceUID == source.StudyInstanceUID

    rows, columns = int(source.Rows), int(source.Columns)
    factor = max(1, -(-max(rows, columns) // 512))
    values = np.zeros((-(-rows // factor), -(-columns // factor)), dtype=np.float32)
    values[: values.shape[0] // 2, : values.shape[1] // 2] = 0.75
    heatmap = OriginalMap(
        values, columns / values.shape[1], rows / values.shape[0], (rows, columns)
    )
    path = tmp_path / "pm.dcm"
    document = parametric_map(
        source,
        heatmap,
        algorithm=CLASSIFIER,
        method="grad-cam",
        explained="malignant",
        series_number=9903,
        series_instance_uid=series,
        sop_instance_uid=instance,
    )
    pydicom.dcmwrite(path, document, enforce_file_format=True)
    assert dciodvfy_errors(path) == []
    np.testing.assert_array_equal(
        highdicom.pm.ParametricMap.from_dataset(pydicom.dcmread(path)).pixel_array, values
    )
