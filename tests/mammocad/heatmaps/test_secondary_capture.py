"""The overlay as a DICOM Secondary Capture in the source's study."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pydicom
import pytest

from mammocad.heatmaps import secondary_capture
from tests.dicom_validators import dciodvfy_errors, require_validators
from tests.mammocad.reports.sources import IDENTIFYING_EXTRAS, with_identifying_extras

SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"


@pytest.fixture
def source(right_mlo_dicom: Path) -> pydicom.Dataset:
    return pydicom.dcmread(right_mlo_dicom, stop_before_pixels=True)


@pytest.fixture
def rgb() -> np.ndarray:
    return np.random.default_rng(3).integers(0, 256, (64, 48, 3), dtype=np.uint8)


def make(
    source: pydicom.Dataset,
    rgb: np.ndarray,
    *,
    series_description: str = "mammocad heatmap",
    derivation_description: str = "Grad-CAM of the malignancy score, classify-v3",
    software_version: str = "0.1.0",
) -> pydicom.Dataset:
    data = secondary_capture(
        source,
        rgb,
        series_description=series_description,
        derivation_description=derivation_description,
        software_version=software_version,
    )
    assert data[128:132] == b"DICM"
    return pydicom.dcmread(io.BytesIO(data))


def test_overlay_joins_the_source_study_as_a_new_series(
    source: pydicom.Dataset, rgb: np.ndarray
) -> None:
    sc = make(source, rgb)
    assert sc.SOPClassUID == SECONDARY_CAPTURE
    assert sc.file_meta.MediaStorageSOPClassUID == SECONDARY_CAPTURE
    assert sc.StudyInstanceUID == source.StudyInstanceUID
    assert sc.PatientID == source.PatientID and sc.PatientName == source.PatientName
    assert sc.SeriesInstanceUID != source.SeriesInstanceUID
    assert sc.SOPInstanceUID != source.SOPInstanceUID
    assert sc.Manufacturer == "mammocad"
    assert (sc.SeriesNumber, sc.InstanceNumber) == (9901, 1)
    assert sc.SeriesDescription == "mammocad heatmap"
    assert sc.DerivationDescription.startswith("Grad-CAM")
    assert "not a diagnosis" in sc.ImageComments
    assert list(sc.PatientOrientation) == list(source.PatientOrientation)  # ("P", "FL")


def test_source_image_is_referenced(source: pydicom.Dataset, rgb: np.ndarray) -> None:
    (ref,) = make(source, rgb).SourceImageSequence
    assert ref.ReferencedSOPInstanceUID == source.SOPInstanceUID
    assert ref.ReferencedSOPClassUID == source.SOPClassUID


def test_pixels_are_the_rgb_overlay(source: pydicom.Dataset, rgb: np.ndarray) -> None:
    sc = make(source, rgb)
    assert sc.PhotometricInterpretation == "RGB" and sc.SamplesPerPixel == 3
    assert (sc.Rows, sc.Columns) == rgb.shape[:2]
    np.testing.assert_array_equal(sc.pixel_array, rgb)


def test_two_overlays_get_distinct_uids(source: pydicom.Dataset, rgb: np.ndarray) -> None:
    a, b = make(source, rgb), make(source, rgb)
    assert a.SOPInstanceUID != b.SOPInstanceUID and a.SeriesInstanceUID != b.SeriesInstanceUID


def test_long_descriptions_are_cut_to_their_vr(source: pydicom.Dataset, rgb: np.ndarray) -> None:
    sc = make(source, rgb, series_description="s" * 100, derivation_description="d" * 2000)
    assert sc.SeriesDescription == "s" * 64
    assert sc.DerivationDescription == "d" * 1024


def test_a_non_mammography_source_works() -> None:
    path = pydicom.data.get_testdata_file("MR_small.dcm")
    assert isinstance(path, str)
    mr = pydicom.dcmread(path)
    rgb = np.zeros((8, 6, 3), dtype=np.uint8)
    sc = make(mr, rgb)
    assert sc.StudyInstanceUID == mr.StudyInstanceUID
    assert sc.PatientOrientation == ""  # unknown in the source: Type 2, empty


@pytest.mark.parametrize("keyword", ["StudyInstanceUID", "SOPInstanceUID"])
def test_source_without_uids_is_refused(
    source: pydicom.Dataset, rgb: np.ndarray, keyword: str
) -> None:
    del source[keyword]
    with pytest.raises(ValueError, match=keyword):
        make(source, rgb)


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((8, 6, 3), dtype=np.float32),
        np.zeros((8, 6), np.uint8),
        np.zeros((8, 6, 4), np.uint8),
    ],
)
def test_bad_pixels_are_refused(source: pydicom.Dataset, bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match=r"uint8 \(H, W, 3\)"):
        make(source, bad)


def test_no_site_or_extra_identity_is_copied(source: pydicom.Dataset, rgb: np.ndarray) -> None:
    identified = with_identifying_extras(source)
    written = secondary_capture(
        identified, rgb, series_description="x", derivation_description="y", software_version="z"
    )
    for keyword, value in IDENTIFYING_EXTRAS.items():
        assert value.encode() not in written, keyword
    assert pydicom.dcmread(io.BytesIO(written)).PatientID == source.PatientID


def test_dciodvfy_reports_no_errors(
    source: pydicom.Dataset, rgb: np.ndarray, tmp_path: Path
) -> None:
    require_validators()
    path = tmp_path / "sc.dcm"
    path.write_bytes(
        secondary_capture(
            source, rgb, series_description="x", derivation_description="y", software_version="z"
        )
    )
    assert dciodvfy_errors(path) == []
