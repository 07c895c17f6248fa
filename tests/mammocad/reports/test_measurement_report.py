"""The TID 1500 report: read back by pydicom and highdicom, valid for dicom3tools and DCMTK, and
carrying exactly the findings, model identity and patient/study it was given."""

from __future__ import annotations

from pathlib import Path

import highdicom
import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset

from mammocad.reports.findings import ImageFindings
from mammocad.reports.measurement_report import measurement_report
from mammocad.reports.source import PATIENT_AND_STUDY
from tests.dicom_validators import dciodvfy_errors, dsrdump_problems, require_validators
from tests.mammocad.reports.sources import (
    CLASSIFIER,
    DETECTOR,
    IDENTIFYING_EXTRAS,
    classification,
    detection,
    source_headers,
    with_identifying_extras,
)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    return source_headers(tmp_path_factory.mktemp("sr-sources"))[0]


def _coded_meaning(evaluation: highdicom.sr.QualitativeEvaluation) -> str:
    item = evaluation[0]
    assert isinstance(item, highdicom.sr.CodeContentItem)
    return str(item.value.meaning)


def _write(findings: ImageFindings, path: Path) -> Path:
    document = measurement_report(
        findings,
        series_instance_uid=highdicom.UID(),
        sop_instance_uid=highdicom.UID(),
        series_number=9902,
    )
    pydicom.dcmwrite(path, document, enforce_file_format=True)
    return path


@pytest.mark.parametrize("masses", [0, 1, 3])
def test_boxes_and_probabilities_read_back_by_highdicom(
    source: Dataset, tmp_path: Path, masses: int
) -> None:
    findings = ImageFindings(source, classification(), detection(masses))
    path = _write(findings, tmp_path / "sr.dcm")
    report = highdicom.sr.Comprehensive3DSR.from_dataset(pydicom.dcmread(path))
    content = report.content
    assert isinstance(content, highdicom.sr.MeasurementReport)

    rois = content.get_planar_roi_measurement_groups()
    assert len(rois) == masses
    for group, mass in zip(rois, findings.detection.masses, strict=True):  # type: ignore[union-attr]
        x0, y0, x1, y1 = mass.box
        assert group.roi is not None
        np.testing.assert_allclose(
            group.roi.value, [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
        )
        assert group.roi.ContentSequence[0].ReferencedSOPSequence[0].ReferencedSOPInstanceUID == (
            source.SOPInstanceUID
        )
        values = {m.name.meaning: m.value for m in group.get_measurements()}
        assert values["Probability of cancer"] == pytest.approx(mass.malignancy)
        assert values["Certainty of Finding"] == pytest.approx(100 * mass.score)

    [image_level, detector_level] = content.get_image_measurement_groups()
    measured = {m.name.meaning: m.value for m in image_level.get_measurements()}
    assert measured["Probability of cancer"] == pytest.approx(0.5)
    assert measured["Probability of benign finding"] == pytest.approx(0.3)
    assert measured["Probability of no finding"] == pytest.approx(0.2)
    assert measured["CAD Operating Point"] == pytest.approx(0.4)
    decisions = {
        q.name.meaning: _coded_meaning(q) for q in image_level.get_qualitative_evaluations()
    }
    assert decisions == {
        "Abnormal at validated operating point": "Yes",
        "Input out of training distribution": "No",
    }
    counted = {m.name.meaning: m.value for m in detector_level.get_measurements()}
    assert counted["Masses at validated operating point"] == masses


def test_algorithm_identity_equipment_and_flags(source: Dataset, tmp_path: Path) -> None:
    path = _write(ImageFindings(source, classification(), detection(1)), tmp_path / "sr.dcm")
    written = pydicom.dcmread(path)
    assert written.VerificationFlag == "UNVERIFIED"
    assert written.CompletionFlag == "COMPLETE"
    assert written.Modality == "SR"
    devices = {item.get("DeviceUID") for item in written.ContributingEquipmentSequence}
    assert {CLASSIFIER.device_uid, DETECTOR.device_uid} <= devices
    names = [
        item.TextValue
        for item in highdicom.sr.utils.find_content_items(
            written,
            name=highdicom.sr.CodedConcept("111003", "DCM", "Algorithm Version"),
            recursive=True,
        )
    ]
    assert sorted(names) == ["2", "2", "3"]  # detector group, its mass, the classifier
    schemes = {item.CodingSchemeDesignator for item in written.CodingSchemeIdentificationSequence}
    assert "99MAMMOCAD" in schemes


def test_a_new_model_version_is_a_new_device() -> None:
    from dataclasses import replace

    assert replace(CLASSIFIER, version=4).device_uid != CLASSIFIER.device_uid
    assert replace(CLASSIFIER, artifact_sha256="ef" * 32).device_uid != CLASSIFIER.device_uid
    assert replace(CLASSIFIER, software_version="other").device_uid == CLASSIFIER.device_uid


def test_out_of_distribution_reasons_are_in_the_report(source: Dataset, tmp_path: Path) -> None:
    path = _write(ImageFindings(source, classification(flagged=True)), tmp_path / "sr.dcm")
    comments = highdicom.sr.utils.find_content_items(
        pydicom.dcmread(path),
        name=highdicom.sr.CodedConcept("121106", "DCM", "Comment"),
        recursive=True,
    )
    assert [item.TextValue for item in comments] == [
        "out of distribution: manufacturer 'X' not seen in training"
    ]


def test_patient_and_study_are_the_sources_and_nothing_else_is_copied(
    source: Dataset, tmp_path: Path
) -> None:
    identified = with_identifying_extras(source)
    path = _write(ImageFindings(identified, classification(), detection(1)), tmp_path / "sr.dcm")
    written = pydicom.dcmread(path)
    for keyword in PATIENT_AND_STUDY:
        assert written.get(keyword) == source.get(keyword), keyword
    assert written.SeriesInstanceUID != source.SeriesInstanceUID
    raw = path.read_bytes()
    for keyword, value in IDENTIFYING_EXTRAS.items():
        assert value.encode() not in raw, keyword


@pytest.mark.parametrize("masses", [0, 2])
def test_validators_report_no_errors(source: Dataset, tmp_path: Path, masses: int) -> None:
    require_validators()
    path = _write(
        ImageFindings(source, classification(flagged=True), detection(masses)), tmp_path / "sr.dcm"
    )
    assert dciodvfy_errors(path) == []
    assert dsrdump_problems(path) == []


def test_the_validators_can_fail(source: Dataset, tmp_path: Path) -> None:
    """A TID 1500 tree relabelled as a Mammography CAD SR breaks that SOP class's template, and
    a Type 1 attribute removed breaks the IOD: both checks must say so."""
    require_validators()
    path = _write(ImageFindings(source, classification()), tmp_path / "sr.dcm")
    written = pydicom.dcmread(path)
    written.SOPClassUID = "1.2.840.10008.5.1.4.1.1.88.50"
    written.file_meta.MediaStorageSOPClassUID = written.SOPClassUID
    del written.CompletionFlag
    broken = tmp_path / "broken.dcm"
    written.save_as(broken)
    assert dciodvfy_errors(broken)
    assert dsrdump_problems(broken)
