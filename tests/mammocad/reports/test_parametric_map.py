"""The heatmap Parametric Map: float values and their meaning survive, the source is referenced,
the geometry is stated, and dicom3tools finds no error."""

from __future__ import annotations

from pathlib import Path

import highdicom
import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset

from mammocad.heatmaps.geometry import OriginalMap
from mammocad.reports.parametric_map import parametric_map
from tests.dicom_validators import dciodvfy_errors, require_validators
from tests.mammocad.reports.sources import (
    CLASSIFIER,
    IDENTIFYING_EXTRAS,
    source_headers,
    with_identifying_extras,
)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    return source_headers(tmp_path_factory.mktemp("pm-sources"))[0]


def _heatmap(source: Dataset, factor: int) -> OriginalMap:
    rows, cols = int(source.Rows) // factor, int(source.Columns) // factor
    y, x = np.mgrid[0:rows, 0:cols]
    values = np.exp(-((x - cols / 3) ** 2 + (y - rows / 2) ** 2) / (2 * (rows / 8) ** 2))
    return OriginalMap(
        values=values.astype(np.float32),
        scale_x=int(source.Columns) / cols,
        scale_y=int(source.Rows) / rows,
        source_shape=(int(source.Rows), int(source.Columns)),
    )


def _write(source: Dataset, heatmap: OriginalMap, path: Path) -> Path:
    document = parametric_map(
        source,
        heatmap,
        algorithm=CLASSIFIER,
        method="grad-cam",
        explained="malignant",
        series_instance_uid=highdicom.UID(),
        sop_instance_uid=highdicom.UID(),
        series_number=9903,
    )
    pydicom.dcmwrite(path, document, enforce_file_format=True)
    return path


@pytest.mark.parametrize("factor", [1, 4])
def test_values_meaning_and_reference_read_back(
    source: Dataset, tmp_path: Path, factor: int
) -> None:
    heatmap = _heatmap(source, factor)
    path = _write(source, heatmap, tmp_path / "pm.dcm")
    pm = highdicom.pm.ParametricMap.from_dataset(pydicom.dcmread(path))

    np.testing.assert_array_equal(pm.pixel_array, heatmap.values)  # float32, unchanged
    mapping = pm.SharedFunctionalGroupsSequence[0].RealWorldValueMappingSequence[0]
    assert (mapping.RealWorldValueSlope, mapping.RealWorldValueIntercept) == (1.0, 0.0)
    assert "grad-cam evidence for malignant" in mapping.LUTExplanation
    derivation = pm.PerFrameFunctionalGroupsSequence[0].DerivationImageSequence[0]
    [reference] = derivation.SourceImageSequence
    assert reference.ReferencedSOPInstanceUID == source.SOPInstanceUID
    assert reference.SpatialLocationsPreserved == ("YES" if factor == 1 else "NO")
    spacing = pm.SharedFunctionalGroupsSequence[0].PixelMeasuresSequence[0].PixelSpacing
    np.testing.assert_allclose(spacing, [float(v) * factor for v in source.PixelSpacing])
    assert pm.StudyInstanceUID == source.StudyInstanceUID and pm.Laterality == "L"
    assert pm.FrameOfReferenceUID != source.get("FrameOfReferenceUID")
    devices = [item.get("DeviceUID") for item in pm.ContributingEquipmentSequence]
    assert CLASSIFIER.device_uid in devices


def test_no_site_or_extra_identity_is_copied(source: Dataset, tmp_path: Path) -> None:
    path = _write(with_identifying_extras(source), _heatmap(source, 4), tmp_path / "pm.dcm")
    raw = path.read_bytes()
    for keyword, value in IDENTIFYING_EXTRAS.items():
        assert value.encode() not in raw, keyword
    assert pydicom.dcmread(path).PatientID == source.PatientID


def test_values_outside_zero_one_are_refused(source: Dataset) -> None:
    heatmap = _heatmap(source, 4)
    bad = OriginalMap(heatmap.values * 2, heatmap.scale_x, heatmap.scale_y, heatmap.source_shape)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        parametric_map(
            source,
            bad,
            algorithm=CLASSIFIER,
            method="shap",
            explained="malignant",
            series_instance_uid=highdicom.UID(),
            sop_instance_uid=highdicom.UID(),
            series_number=1,
        )


@pytest.mark.parametrize("factor", [1, 4])
def test_dciodvfy_reports_no_errors(source: Dataset, tmp_path: Path, factor: int) -> None:
    require_validators()
    assert dciodvfy_errors(_write(source, _heatmap(source, factor), tmp_path / "pm.dcm")) == []
