"""The Mammography CAD SR (TID 4000): the findings it was given and nothing else, on the source
image, readable by pydicom and (where its parsers reach) highdicom, valid for dicom3tools and
DCMTK."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from pathlib import Path

import highdicom
import pydicom
import pytest
from pydicom.dataset import Dataset

from mammocad.datasets.spec import load_dataset
from mammocad.reports.findings import ImageDetection, ImageFindings, MassFinding
from mammocad.reports.mammography_cad import mammography_cad_report
from mammocad.reports.source import PATIENT_AND_STUDY
from tests.dicom_validators import dciodvfy_errors, dsrdump_problems, require_validators
from tests.mammocad.reports.sources import (
    CLASSIFIER,
    DETECTOR,
    IDENTIFYING_EXTRAS,
    classification,
    detection,
    with_identifying_extras,
)

MAMMOGRAPHY_CAD_SR = "1.2.840.10008.5.1.4.1.1.88.50"
SINGLE_IMAGE_FINDING = "111059"
CAD_SUMMARY = "111017"


@pytest.fixture(scope="session")
def source(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """The header of a synthetic MG image (left CC of the first patient)."""
    data = load_dataset("synthetic:4", cache_root=tmp_path_factory.mktemp("mammo-cad-sources"))
    return pydicom.dcmread(next(iter(data)).path, stop_before_pixels=True)


def _write(findings: ImageFindings, path: Path) -> Path:
    report = mammography_cad_report(
        findings,
        series_instance_uid=highdicom.UID(),
        sop_instance_uid=highdicom.UID(),
        series_number=9903,
    )
    pydicom.dcmwrite(path, report, enforce_file_format=True)
    return path


def _named(items: Sequence[Dataset], code_value: str) -> list[Dataset]:
    return [
        item
        for item in items
        if "ConceptNameCodeSequence" in item
        and item.ConceptNameCodeSequence[0].CodeValue == code_value
    ]


def _one(items: Sequence[Dataset], code_value: str) -> Dataset:
    [item] = _named(items, code_value)
    return item


def _walk(node: Dataset) -> Iterator[Dataset]:
    for item in node.get("ContentSequence", []):
        yield item
        yield from _walk(item)


def _resolve(document: Dataset, identifier: Sequence[int]) -> Dataset:
    """The content item a Referenced Content Item Identifier points at (1 is the root)."""
    assert identifier[0] == 1
    node = document
    for position in identifier[1:]:
        node = node.ContentSequence[position - 1]
    return node


def _referenced_image(document: Dataset, reference: Dataset) -> str:
    target = _resolve(document, reference.ReferencedContentItemIdentifier)
    assert target.ValueType == "IMAGE"
    return str(target.ReferencedSOPSequence[0].ReferencedSOPInstanceUID)


def _num(items: Sequence[Dataset], code_value: str) -> float:
    return float(_one(items, code_value).MeasuredValueSequence[0].NumericValue)


def _findings(document: Dataset) -> list[Dataset]:
    summary = _one(document.ContentSequence, CAD_SUMMARY)
    impressions = _named(summary.get("ContentSequence", []), "111034")
    return [_one(impression.ContentSequence, SINGLE_IMAGE_FINDING) for impression in impressions]


@pytest.mark.parametrize("classified", [True, False])
@pytest.mark.parametrize("masses", [0, 1, 3])
def test_the_tree_holds_exactly_the_boxes_centres_and_probabilities_on_the_source(
    source: Dataset, tmp_path: Path, masses: int, classified: bool
) -> None:
    answer = detection(masses)
    findings = ImageFindings(source, classification() if classified else None, answer)
    document = pydicom.dcmread(_write(findings, tmp_path / "cad.dcm"))
    assert document.SOPClassUID == MAMMOGRAPHY_CAD_SR
    assert document.ContentTemplateSequence[0].TemplateIdentifier == "4000"

    written = _findings(document)
    assert len(written) == masses
    for finding, mass in zip(written, answer.masses, strict=True):
        x0, y0, x1, y1 = mass.box
        items = finding.ContentSequence
        centre, outline = _one(items, "111010"), _one(items, "111041")
        assert (centre.GraphicType, outline.GraphicType) == ("POINT", "POLYLINE")
        assert list(centre.GraphicData) == pytest.approx(list(mass.center))
        assert list(outline.GraphicData) == pytest.approx([x0, y0, x1, y0, x1, y1, x0, y1, x0, y0])
        for scoord in (centre, outline):
            [selected] = scoord.ContentSequence
            assert selected.RelationshipType == "SELECTED FROM"
            assert _referenced_image(document, selected) == source.SOPInstanceUID
        assert _num(items, "111012") == pytest.approx(100 * mass.score)  # Certainty of Finding
        assert _num(items, "111047") == pytest.approx(100 * mass.malignancy)  # cancer
    all_scoords = [item for item in _walk(document) if item.get("ValueType") == "SCOORD"]
    assert len(all_scoords) == 2 * masses

    summary = _one(document.ContentSequence, CAD_SUMMARY).ConceptCodeSequence[0]
    assert summary.CodeValue == ("111242" if masses else "111241")  # with / without findings
    analyses = _one(document.ContentSequence, "111065").ConceptCodeSequence[0]
    assert analyses.CodeMeaning == ("Succeeded" if classified else "Not Attempted")
    detections = _one(document.ContentSequence, "111064")
    performed = _one(detections.ContentSequence[0].ContentSequence, "111022")
    [reference] = [item for item in performed.ContentSequence if "ValueType" not in item]
    assert _referenced_image(document, reference) == source.SOPInstanceUID
    [evidence] = document.CurrentRequestedProcedureEvidenceSequence
    [referenced] = evidence.ReferencedSeriesSequence[0].ReferencedSOPSequence
    assert referenced.ReferencedSOPInstanceUID == source.SOPInstanceUID


def test_the_image_library_entry_describes_the_source(source: Dataset, tmp_path: Path) -> None:
    document = pydicom.dcmread(_write(ImageFindings(source, classification()), tmp_path / "c.dcm"))
    [entry] = _one(document.ContentSequence, "111028").ContentSequence
    context = entry.ContentSequence
    assert _one(context, "111027").ConceptCodeSequence[0].CodeMeaning == "Left breast"
    assert _one(context, "111031").ConceptCodeSequence[0].CodeValue == "399162004"  # CC
    assert [_one(context, code).TextValue for code in ("111044", "111043")] == list(
        source.PatientOrientation
    )
    assert _one(context, "111018").Date == source.ContentDate
    assert _one(context, "111019").Time == source.ContentTime
    assert _num(context, "111026") == pytest.approx(float(source.PixelSpacing[1]))


def test_the_classifier_and_the_shift_verdict_are_the_overall_impression(
    source: Dataset, tmp_path: Path
) -> None:
    findings = ImageFindings(source, classification(flagged=True), detection(1))
    document = pydicom.dcmread(_write(findings, tmp_path / "cad.dcm"))
    body = _one(document.ContentSequence, CAD_SUMMARY).ContentSequence
    description = _one(body, "111033").TextValue
    for fragment in (
        "abnormal score (1 - p(normal)) 0.800",
        "at or above the validated operating point 0.400: abnormal",
        "normal 0.200, benign 0.300, malignant 0.500",
        "FLAGGED",
        "manufacturer 'X' not seen in training",
    ):
        assert fragment in description
    assert [item.TextValue for item in _named(body, "111003")] == [CLASSIFIER.version_text]
    names = {item.TextValue for item in _walk(document) if item.get("ValueType") == "TEXT"}
    assert {CLASSIFIER.name, DETECTOR.name} <= names
    authors = {item.DeviceUID for item in document.AuthorObserverSequence}
    assert authors == {CLASSIFIER.device_uid, DETECTOR.device_uid}


def test_masses_without_a_validated_operating_point_are_optional_to_present(
    source: Dataset, tmp_path: Path
) -> None:
    unvalidated = ImageDetection(DETECTOR, detection(2).masses, None, calibrated=False)
    document = pydicom.dcmread(_write(ImageFindings(source, None, unvalidated), tmp_path / "c.dcm"))
    intents = [
        item.ConceptCodeSequence[0].CodeValue
        for item in _walk(document)
        if item.get("ConceptNameCodeSequence")
        and item.ConceptNameCodeSequence[0].CodeValue == "111056"
    ]
    assert intents == ["111151"] * 4  # impression and finding, per mass


def test_highdicom_reads_every_by_value_part(source: Dataset, tmp_path: Path) -> None:
    """highdicom parses content items by value only: the library, the overall body and each
    finding's values read back; the whole tree, which references the library from findings and
    algorithm runs, it refuses."""
    findings = ImageFindings(source, classification(), detection(3))
    document = pydicom.dcmread(_write(findings, tmp_path / "cad.dcm"))
    parse = highdicom.sr.ContentSequence.from_sequence

    [image] = parse(_one(document.ContentSequence, "111028").ContentSequence)
    assert isinstance(image, highdicom.sr.ImageContentItem)
    assert image.referenced_sop_instance_uid == source.SOPInstanceUID

    body = _one(document.ContentSequence, CAD_SUMMARY).ContentSequence
    texts = parse([item for item in body if item.ValueType == "TEXT"])
    assert [item.name.value for item in texts][:3] == ["111033", "111001", "111003"]

    for finding, mass in zip(_findings(document), findings.detection.masses, strict=True):  # type: ignore[union-attr]
        values = parse([item for item in finding.ContentSequence if item.ValueType != "SCOORD"])
        numbers = {
            item.name.meaning: item.value
            for item in values
            if isinstance(item, highdicom.sr.NumContentItem)
        }
        assert numbers == {
            "Certainty of Finding": pytest.approx(100 * mass.score),
            "Probability of cancer": pytest.approx(100 * mass.malignancy),
        }
    with pytest.raises(AttributeError, match="not an SR Content Item"):
        parse(document.ContentSequence)


def test_patient_and_study_are_the_sources_and_nothing_else_is_copied(
    source: Dataset, tmp_path: Path
) -> None:
    identified = with_identifying_extras(copy.deepcopy(source))  # Dataset.copy() is shallow
    path = _write(ImageFindings(identified, classification(), detection(1)), tmp_path / "c.dcm")
    written = pydicom.dcmread(path)
    for keyword in PATIENT_AND_STUDY:
        assert written.get(keyword) == source.get(keyword), keyword
    assert written.SeriesInstanceUID != source.SeriesInstanceUID
    assert (written.Modality, written.Manufacturer) == ("SR", "mammocad")
    assert (written.CompletionFlag, written.VerificationFlag) == ("COMPLETE", "UNVERIFIED")
    devices = {item.DeviceUID for item in written.ContributingEquipmentSequence}
    assert devices == {CLASSIFIER.device_uid, DETECTOR.device_uid}
    raw = path.read_bytes()
    for keyword, value in IDENTIFYING_EXTRAS.items():
        assert value.encode() not in raw, keyword
        assert keyword not in written, keyword


def test_a_source_without_breast_laterality_is_refused(source: Dataset) -> None:
    unpaired = copy.deepcopy(source)
    unpaired.ImageLaterality = "U"
    with pytest.raises(ValueError, match="CID 6022"):
        mammography_cad_report(
            ImageFindings(unpaired, classification()),
            series_instance_uid=highdicom.UID(),
            sop_instance_uid=highdicom.UID(),
            series_number=1,
        )


def test_a_probability_outside_zero_to_one_is_refused(source: Dataset) -> None:
    wrong = ImageDetection(DETECTOR, [MassFinding((1, 2, 3, 4), 1.5, 0.5)], 0.5, calibrated=True)
    with pytest.raises(ValueError, match="Certainty of Finding"):
        mammography_cad_report(
            ImageFindings(source, None, wrong),
            series_instance_uid=highdicom.UID(),
            sop_instance_uid=highdicom.UID(),
            series_number=1,
        )


@pytest.mark.parametrize(
    ("classified", "masses"), [(True, 0), (True, 1), (True, 3), (False, 2), (True, None)]
)
def test_validators_report_no_errors(
    source: Dataset, tmp_path: Path, classified: bool, masses: int | None
) -> None:
    require_validators()
    findings = ImageFindings(
        source,
        classification(flagged=True) if classified else None,
        None if masses is None else detection(masses),
    )
    path = _write(findings, tmp_path / "cad.dcm")
    assert dciodvfy_errors(path) == []
    assert dsrdump_problems(path) == []


def test_dsrdump_catches_a_relationship_the_sop_class_forbids(
    source: Dataset, tmp_path: Path
) -> None:
    """PS3.3 Table A.35.5-2 lets only CODE and NUM items be INFERRED FROM anything: a Center
    SCOORD inferred from the image must be reported."""
    require_validators()
    path = _write(ImageFindings(source, None, detection(1)), tmp_path / "cad.dcm")
    written = pydicom.dcmread(path)
    [finding] = _findings(written)
    _one(finding.ContentSequence, "111010").ContentSequence[0].RelationshipType = "INFERRED FROM"
    broken = tmp_path / "broken.dcm"
    written.save_as(broken)
    assert dsrdump_problems(path) == []
    problems = dsrdump_problems(broken)
    assert problems
    assert all("Invalid by-reference relationship" in problem for problem in problems)
