"""An image's findings as a Mammography CAD SR (SOP class 1.2.840.10008.5.1.4.1.1.88.50).

The SOP class fixes its content tree to PS3.16 TID 4000 "Mammography CAD Document Root", a
non-extensible template: a CAD viewer that shows these documents (marks on the mammogram, the
summary of what ran) relies on every row being where the template puts it, so nothing here is
added outside the template's rows. highdicom has builders for TID 1500 only; this module uses its
content items (CODE, NUM, TEXT, SCOORD, DATE, TIME, CONTAINER) for the values and assembles the
tree and the header with pydicom, because the template needs two things highdicom cannot build:
an IMAGE without a concept name (TID 4020 row 1) and by-reference relationships (R-SELECTED FROM,
R-HAS PROPERTIES) to the Image Library. For the same reason highdicom can read the written tree
only in parts (its parsers refuse by-reference items); DCMTK's ``dsrdump`` reads all of it.

The tree, for one image (rows of PS3.16 2024):

- TID 4000 row 1, the root CONTAINER (111036, DCM, "Mammography CAD Report"), template 4000/DCMR;
  row 2, TID 1204 row 1: the language, English (United States);
- rows 3-4, the Image Library (111028, DCM) with one TID 4020 CAD Image Library Entry for the
  source image: its IMAGE reference and, for every attribute the image has, rows 2-12: Image
  Laterality (CID 6022), Image View (CID 4014) and its modifiers, Patient Orientation Row and
  Column, Study Date and Time, Content Date and Time, Horizontal and Vertical Pixel Spacing (mm,
  from Pixel Spacing, else Imager Pixel Spacing);
- row 5, TID 4001 row 1: (111017, DCM, "CAD Processing and Findings Summary") = "All algorithms
  succeeded; with findings" when a mass is reported, else "... without findings" (CID 6047);
  - TID 4001 row 2, the overall TID 4002 body, when the classifier answered or a version gave an
    out-of-distribution verdict: row 5 (111033, DCM, "Impression Description") in words and
    row 11, TID 4019 of every version the description speaks for;
  - TID 4001 row 3, per mass a TID 4003 Individual Impression/Recommendation: row 2 Rendering
    Intent (CID 6034) and row 5 its TID 4006 Single Image Finding: row 1 the finding type,
    row 2 Rendering Intent, row 5 TID 4019 (Algorithm Name, Algorithm Version = the registry
    version, Algorithm Parameters = the operating point and calibration), row 6 (111012, DCM,
    "Certainty of Finding") = the mass score in percent (the row's units are %, 0-100), row 7
    (111047, DCM, "Probability of cancer") = its malignancy in percent, row 8 TID 4021: Center
    (SCOORD POINT, the box centre) and Outline (SCOORD POLYLINE, the box closed), each
    R-SELECTED FROM the library's IMAGE;
- rows 6-7, (111064, DCM, "Summary of Detections") = Succeeded, INFERRED FROM TID 4015
  Successful Detections with one TID 4017 Detection Performed: the finding type, TID 4019 and an
  R-HAS PROPERTIES reference to the library's IMAGE; Not Attempted, with no TID 4015, when the
  detector was not asked;
- rows 8-9, (111065, DCM, "Summary of Analyses") likewise with TID 4016/4018 Analysis Performed
  = (111234, DCM, "Overall Impression/Recommendation Analysis") (CID 6043) for the classifier.

Rendering Intent is "Presentation Required" for a mass at or above the detector's validated
operating point (the detector reports only those) and "Presentation Optional" when the version
has no validated operating point. TID 4006 row 3, the CAD Operating Point, is not written: the
template allows it only under "Presentation Optional" and as an index into a TID 4023 table of
operating points, which a single validated threshold is not; the threshold is an Algorithm
Parameter of TID 4019 instead.

Codes are DCM, SCT and UCUM. Not coded by the standard, and written as the overall body's
Impression Description text (the only place TID 4000 has for them): the classifier's
three-class probabilities, its abnormality score with the operating point and the decision at
it, and each version's out-of-distribution verdict with its score, threshold and reasons. The
body's coded rows (Assessment Category from BI-RADS, Differential Diagnosis, Recommendation,
Certainty of Impression) would need a clinical judgement the models do not make. The finding
type is (129793001, SCT, "Mammography breast density"), CID 6014's term for a mass seen on one
view (BI-RADS calls it a mass only when two projections show it): SCT 4147007 "Mass", which the
TID 1500 report uses, is not in CID 6014, and (129788004, SCT, "Mammographic breast mass") is a
Composite Feature (CID 6016), not a Single Image Finding.

Not covered, and why: composite features (TID 4004/4005), which relate findings across views,
breasts or time, and so temporal analysis and findings carried over from prior reports (TID 4022)
- a report here covers one image and no priors; several images per report; calcifications
(TID 4009/4010), breast composition (TID 4007), breast geometry, non-lesion objects, image
quality and lesion density descriptors (TID 4011) - the models produce none of them; the
overall assessment category, recommendations and follow-up (TID 4002 rows 1-4, 6-9) - see
above; failed detections or analyses (TID 4015/4016 rows 3-4) - a report is written from
answers that succeeded.

TID 4000 has no observation context row, so the tree carries none: the initial observation
context is the header's, and the SR Document General Module's Author Observer Sequence names
every answering model version as a device, with the identity :func:`device_observer` gives the
TID 1500 report's observer (Device UID, manufacturer, model name). The document is COMPLETE and
UNVERIFIED, belongs to the source's patient and study (exactly the attributes listed in
:data:`~mammocad.reports.source.PATIENT_AND_STUDY` are copied, nothing else of the source),
references the source in the Current Requested Procedure Evidence Sequence and carries the IHE
AI Results Contributing Equipment Sequence.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import numpy as np
from highdicom.sr import (
    CodeContentItem,
    CodedConcept,
    ContainerContentItem,
    ContentItem,
    DateContentItem,
    DeviceObserverIdentifyingAttributes,
    GraphicTypeValues,
    NumContentItem,
    RelationshipTypeValues,
    ScoordContentItem,
    TextContentItem,
    TimeContentItem,
)
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.sr.codedict import Code, codes
from pydicom.uid import UID, ExplicitVRLittleEndian, MammographyCADSRStorage

from mammocad.reports.equipment import MANUFACTURER, contributing_equipment, device_observer
from mammocad.reports.findings import (
    AlgorithmUsed,
    ImageClassification,
    ImageDetection,
    ImageFindings,
    MassFinding,
    ShiftAssessment,
)
from mammocad.reports.source import PATIENT_AND_STUDY

__all__ = ["mammography_cad_report"]

"""The source's attributes a report shares (Patient and General Study modules); no others."""

_CONTAINS = RelationshipTypeValues.CONTAINS
_PROPERTIES = RelationshipTypeValues.HAS_PROPERTIES
_CONCEPT_MOD = RelationshipTypeValues.HAS_CONCEPT_MOD
_ACQUISITION = RelationshipTypeValues.HAS_ACQ_CONTEXT
_INFERRED_FROM = RelationshipTypeValues.INFERRED_FROM
_SELECTED_FROM = RelationshipTypeValues.SELECTED_FROM

_ENGLISH = CodedConcept("en-US", "RFC5646", "English (United States)")
# pydicom's dictionary keeps the standard's zero-width space in these two meanings; a Code Meaning
# in the default character repertoire must not have it.
_INDIVIDUAL_IMPRESSION = CodedConcept("111034", "DCM", "Individual Impression/Recommendation")
_OVERALL_ANALYSIS = CodedConcept("111234", "DCM", "Overall Impression/Recommendation Analysis")
_MASS_ON_ONE_VIEW = codes.SCT.MammographyBreastDensity  # CID 6014, see the module docstring
_LATERALITY = {
    "L": codes.SCT.LeftBreast,
    "R": codes.SCT.RightBreast,
    "B": codes.SCT.BothBreasts,
}  # CID 6022
_PRESENTATION_REQUIRED: Code = codes.DCM.PresentationRequiredRenderingDeviceIsExpectedToPresent
_PRESENTATION_OPTIONAL: Code = codes.DCM.PresentationOptionalRenderingDeviceMayPresent
_IMAGE_DATES = (
    ("StudyDate", codes.DCM.StudyDate, DateContentItem),
    ("StudyTime", codes.DCM.StudyTime, TimeContentItem),
    ("ContentDate", codes.DCM.ContentDate, DateContentItem),
    ("ContentTime", codes.DCM.ContentTime, TimeContentItem),
)  # TID 4020 rows 7-10

# The one IMAGE every finding and algorithm run references: the root (1), its second item, the
# Image Library (TID 4000 row 3, after the language), and that library's first entry.
_LIBRARY_IMAGE = (1, 2, 1)


def mammography_cad_report(
    findings: ImageFindings,
    *,
    series_instance_uid: str,
    sop_instance_uid: str,
    series_number: int,
    instance_number: int = 1,
) -> Dataset:
    """The Mammography CAD SR of ``findings``, with its file meta information, ready for
    ``pydicom.dcmwrite(path, report, enforce_file_format=True)`` (Explicit VR Little Endian).

    Raises:
        ValueError: the source's Image Laterality is not a breast (L, R or B), or a mass score
            or malignancy is outside 0-1.
    """
    document = _header(
        findings,
        series_instance_uid=series_instance_uid,
        sop_instance_uid=sop_instance_uid,
        series_number=series_number,
        instance_number=instance_number,
    )
    document.update(_document_root(findings))
    return document


# --- the header --------------------------------------------------------------------------------


def _header(
    findings: ImageFindings,
    *,
    series_instance_uid: str,
    sop_instance_uid: str,
    series_number: int,
    instance_number: int,
) -> Dataset:
    """Every module of the IOD but the content: SOP Common, Patient, General Study, SR Document
    Series, General Equipment and SR Document General."""
    source = findings.source
    now = datetime.datetime.now()
    # A FileDataset with a preamble, as highdicom's objects are: writers that do not enforce the
    # file format (dicomweb-client's STOW-RS encoder) then still write a Part 10 file.
    document = FileDataset(
        "", Dataset(), file_meta=_file_meta(sop_instance_uid), preamble=b"\x00" * 128
    )
    if "SpecificCharacterSet" in source:  # the copied names are encoded in it
        document.SpecificCharacterSet = source.SpecificCharacterSet
    document.SOPClassUID = MammographyCADSRStorage
    document.SOPInstanceUID = sop_instance_uid
    document.InstanceCreationDate = now.strftime("%Y%m%d")
    document.InstanceCreationTime = now.strftime("%H%M%S")
    for keyword in PATIENT_AND_STUDY:  # all Type 2 but the Study Instance UID: empty if absent
        setattr(document, keyword, source.get(keyword, ""))
    document.Modality = "SR"
    document.SeriesInstanceUID = series_instance_uid
    document.SeriesNumber = series_number
    document.ReferencedPerformedProcedureStepSequence = []
    document.Manufacturer = MANUFACTURER
    document.InstanceNumber = instance_number
    document.CompletionFlag = "COMPLETE"
    document.VerificationFlag = "UNVERIFIED"
    document.ContentDate = now.strftime("%Y%m%d")
    document.ContentTime = now.strftime("%H%M%S")
    document.AuthorObserverSequence = [_author(algorithm) for algorithm in findings.algorithms]
    document.PerformedProcedureCodeSequence = []
    document.CurrentRequestedProcedureEvidenceSequence = [_evidence(source)]
    document.ContributingEquipmentSequence = contributing_equipment(findings.algorithms)
    return document


def _file_meta(sop_instance_uid: str) -> FileMetaDataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = MammographyCADSRStorage
    meta.MediaStorageSOPInstanceUID = UID(sop_instance_uid)
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return meta


def _author(algorithm: AlgorithmUsed) -> Dataset:
    """A model version as an Author Observer (Identified Person or Device Macro, a device):
    the identity of its TID 1004 device observer, for which TID 4000 has no row."""
    device = device_observer(algorithm).observer_identifying_attributes
    if not isinstance(device, DeviceObserverIdentifyingAttributes):
        raise TypeError(f"the observer of {algorithm.name} is not a device")
    author = Dataset()
    author.ObserverType = "DEV"
    author.StationName = ""  # Type 2C: a model version runs on no named station
    author.DeviceUID = device.uid
    author.Manufacturer = device.manufacturer_name
    author.ManufacturerModelName = device.model_name
    author.InstitutionName = ""  # Type 2: the source's institution is not the report's to name
    author.InstitutionCodeSequence = []
    return author


def _evidence(source: Dataset) -> Dataset:
    """The Current Requested Procedure Evidence item for the analysed image."""
    instance = Dataset()
    instance.ReferencedSOPClassUID = source.SOPClassUID
    instance.ReferencedSOPInstanceUID = source.SOPInstanceUID
    series = Dataset()
    series.SeriesInstanceUID = source.SeriesInstanceUID
    series.ReferencedSOPSequence = [instance]
    study = Dataset()
    study.StudyInstanceUID = source.StudyInstanceUID
    study.ReferencedSeriesSequence = [series]
    return study


# --- tree plumbing -----------------------------------------------------------------------------


def _node(item: ContentItem, *children: Dataset) -> Dataset:
    """``item`` as a plain dataset with ``children`` as its Content Sequence: highdicom's
    content sequences accept only its own by-value items, the tree also needs references."""
    node = Dataset()
    node.update(item)
    if children:
        node.ContentSequence = list(children)
    return node


def _reference(relationship: RelationshipTypeValues) -> Dataset:
    """A by-reference relationship to the library's IMAGE (``R-`` rows of the templates)."""
    reference = Dataset()
    reference.RelationshipType = relationship.value
    reference.ReferencedContentItemIdentifier = list(_LIBRARY_IMAGE)
    return reference


def _code(
    name: Code | CodedConcept,
    value: Code | CodedConcept,
    relationship: RelationshipTypeValues,
    *children: Dataset,
) -> Dataset:
    return _node(CodeContentItem(name, value, relationship_type=relationship), *children)


def _container(
    name: Code | CodedConcept, relationship: RelationshipTypeValues, *children: Dataset
) -> Dataset:
    return _node(
        ContainerContentItem(name, is_content_continuous=False, relationship_type=relationship),
        *children,
    )


def _text(name: Code, value: str, relationship: RelationshipTypeValues) -> Dataset:
    return _node(TextContentItem(name, value, relationship_type=relationship))


def _percent(name: Code, fraction: float) -> Dataset:
    """A 0-1 value as the NUM in percent (UCUM %) that TID 4006 rows 6-7 ask for."""
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"{name.meaning} {fraction} is not a fraction between 0 and 1")
    return _node(
        NumContentItem(name, 100.0 * fraction, codes.UCUM.Percent, relationship_type=_PROPERTIES)
    )


# --- the content tree --------------------------------------------------------------------------


def _document_root(findings: ImageFindings) -> Dataset:
    """TID 4000: the root container with its nine rows' content."""
    return _node(
        ContainerContentItem(
            codes.DCM.MammographyCADReport, is_content_continuous=False, template_id="4000"
        ),
        _code(codes.DCM.LanguageOfContentItemAndDescendants, _ENGLISH, _CONCEPT_MOD),
        _container(codes.DCM.ImageLibrary, _CONTAINS, _library_entry(findings.source)),
        _processing_summary(findings),
        _summary(
            codes.DCM.SummaryOfDetections,
            codes.DCM.SuccessfulDetections,
            codes.DCM.DetectionPerformed,
            _MASS_ON_ONE_VIEW,
            findings.detection,
        ),
        _summary(
            codes.DCM.SummaryOfAnalyses,
            codes.DCM.SuccessfulAnalyses,
            codes.DCM.AnalysisPerformed,
            _OVERALL_ANALYSIS,
            findings.classification,
        ),
    )


def _library_entry(source: Dataset) -> Dataset:
    """TID 4020: the IMAGE and the acquisition context the image has. Built with pydicom: the
    row has no concept name, and highdicom's IMAGE item always carries one."""
    reference = Dataset()
    reference.ReferencedSOPClassUID = source.SOPClassUID
    reference.ReferencedSOPInstanceUID = source.SOPInstanceUID
    image = Dataset()
    image.RelationshipType = _CONTAINS.value
    image.ValueType = "IMAGE"
    image.ReferencedSOPSequence = [reference]
    image.ContentSequence = [
        *_laterality(source),
        *_view(source),
        *_orientation(source),
        *_image_dates(source),
        *_pixel_spacing(source),
    ]
    return image


def _laterality(source: Dataset) -> list[Dataset]:
    """TID 4020 row 2, present when the image has Image Laterality."""
    if "ImageLaterality" not in source:
        return []
    laterality = _LATERALITY.get(source.ImageLaterality)
    if laterality is None:
        raise ValueError(
            f"Image Laterality {source.ImageLaterality!r} is not a breast (L, R or B): "
            "CID 6022 has no code for it"
        )
    return [_code(codes.DCM.ImageLaterality, laterality, _ACQUISITION)]


def _view(source: Dataset) -> list[Dataset]:
    """TID 4020 rows 3-4: the image's view code and one modifier per View Modifier item (an
    empty View Modifier Code Sequence says there is none)."""
    views = source.get("ViewCodeSequence", [])
    if not views:
        return []
    view = views[0]
    modifiers = [
        _code(codes.DCM.ImageViewModifier, _copied_code(item), _CONCEPT_MOD)
        for item in view.get("ViewModifierCodeSequence", [])
    ]
    return [_code(codes.DCM.ImageView, _copied_code(view), _ACQUISITION, *modifiers)]


def _copied_code(item: Dataset) -> CodedConcept:
    """The code of a Code Sequence item, without the item's nested sequences."""
    return CodedConcept(item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning)


def _orientation(source: Dataset) -> list[Dataset]:
    """TID 4020 rows 5-6: Patient Orientation's row direction first, its column direction
    second (PS3.3 C.7.6.1.1.1)."""
    orientation = list(source.get("PatientOrientation", []) or [])
    if len(orientation) != 2:
        return []
    row, column = (str(value) for value in orientation)
    return [
        _text(codes.DCM.PatientOrientationRow, row, _ACQUISITION),
        _text(codes.DCM.PatientOrientationColumn, column, _ACQUISITION),
    ]


def _image_dates(source: Dataset) -> list[Dataset]:
    """TID 4020 rows 7-10, for the dates and times the image has."""
    return [
        _node(item_type(name, source.get(keyword), relationship_type=_ACQUISITION))
        for keyword, name, item_type in _IMAGE_DATES
        if source.get(keyword)
    ]


def _pixel_spacing(source: Dataset) -> list[Dataset]:
    """TID 4020 rows 11-12: the spacing the coordinates are in, row spacing (vertical) first."""
    spacing = source.get("PixelSpacing") or source.get("ImagerPixelSpacing")
    if not spacing:
        return []
    vertical, horizontal = (float(value) for value in spacing)
    return [
        _node(NumContentItem(name, value, codes.UCUM.Millimeter, relationship_type=_ACQUISITION))
        for name, value in (
            (codes.DCM.HorizontalPixelSpacing, horizontal),
            (codes.DCM.VerticalPixelSpacing, vertical),
        )
    ]


def _processing_summary(findings: ImageFindings) -> Dataset:
    """TID 4001: the CID 6047 summary, the overall body and one impression per mass."""
    detection = findings.detection
    impressions = (
        []
        if detection is None
        else [_individual_impression(mass, detection) for mass in detection.masses]
    )
    summary = (
        codes.DCM.AllAlgorithmsSucceededWithFindings
        if impressions
        else codes.DCM.AllAlgorithmsSucceededWithoutFindings
    )
    return _code(
        codes.DCM.CADProcessingAndFindingsSummary,
        summary,
        _CONTAINS,
        *_overall_body(findings),
        *impressions,
    )


def _overall_body(findings: ImageFindings) -> list[Dataset]:
    """TID 4002 via TID 4001 row 2: the classifier's answer and the out-of-distribution
    verdicts in words (row 5), then the versions they come from (row 11, TID 4019)."""
    described = [
        part
        for part in (findings.classification, findings.detection)
        if part is not None and (isinstance(part, ImageClassification) or part.ood is not None)
    ]
    if not described:
        return []
    sentences = []
    for part in described:
        if isinstance(part, ImageClassification):
            sentences.append(_classification_sentence(part))
        if part.ood is not None:
            sentences.append(_shift_sentence(part.algorithm, part.ood))
    description = _text(codes.DCM.ImpressionDescription, " ".join(sentences), _PROPERTIES)
    return [description, *(item for part in described for item in _algorithm(part))]


def _classification_sentence(classification: ImageClassification) -> str:
    algorithm = classification.algorithm
    threshold = classification.abnormal_threshold
    if threshold is None:
        decision = "no validated operating point, so no decision"
    else:
        verdict = "abnormal" if classification.abnormal else "not abnormal"
        side = "at or above" if classification.abnormal else "below"
        decision = f"{side} the validated operating point {threshold:.3f}: {verdict}"
    calibrated = "calibrated" if classification.calibrated else "uncalibrated"
    probabilities = ", ".join(
        f"{label} {value:.3f}" for label, value in classification.probabilities.items()
    )
    return (
        f"Image-level classification by {algorithm.name} version {algorithm.version_text}: "
        f"abnormal score (1 - p(normal)) {classification.abnormal_score:.3f}, {decision}. "
        f"Class probabilities ({calibrated}): {probabilities}."
    )


def _shift_sentence(algorithm: AlgorithmUsed, shift: ShiftAssessment) -> str:
    check = (
        f"Out-of-distribution check of {algorithm.name} version {algorithm.version_text} "
        f"({shift.detector}): score {shift.score:.3f}, threshold {shift.threshold:.3f}"
    )
    if not shift.flagged:
        return f"{check}: the image resembles the training images."
    reasons = "; ".join(shift.reasons) or "no reason given"
    return f"{check}: FLAGGED, the image is unlike the training images ({reasons})."


def _algorithm(part: ImageClassification | ImageDetection) -> list[Dataset]:
    """TID 4019 rows 1-3 under HAS PROPERTIES (the relationship of every row including it
    here): name, registry version, and the operating point and calibration it answered at."""
    if isinstance(part, ImageClassification):
        threshold, what = part.abnormal_threshold, "abnormal score operating point"
    else:
        threshold, what = part.score_threshold, "mass score operating point"
    point = "none validated" if threshold is None else f"{threshold:g}"
    calibrated = "yes" if part.calibrated else "no"
    return [
        _text(codes.DCM.AlgorithmName, part.algorithm.name, _PROPERTIES),
        _text(codes.DCM.AlgorithmVersion, part.algorithm.version_text, _PROPERTIES),
        _text(codes.DCM.AlgorithmParameters, f"{what}: {point}", _PROPERTIES),
        _text(codes.DCM.AlgorithmParameters, f"calibrated scores: {calibrated}", _PROPERTIES),
    ]


def _rendering_intent(mass: MassFinding, detection: ImageDetection) -> Code:
    """Presentation Required at or above a validated operating point, else Optional."""
    threshold = detection.score_threshold
    if threshold is not None and mass.score >= threshold:
        return _PRESENTATION_REQUIRED
    return _PRESENTATION_OPTIONAL


def _individual_impression(mass: MassFinding, detection: ImageDetection) -> Dataset:
    """TID 4003 rows 2 and 5 for one mass."""
    intent = _rendering_intent(mass, detection)
    return _container(
        _INDIVIDUAL_IMPRESSION,
        _INFERRED_FROM,
        _code(codes.DCM.RenderingIntent, intent, _CONCEPT_MOD),
        _single_image_finding(mass, detection, intent),
    )


def _single_image_finding(mass: MassFinding, detection: ImageDetection, intent: Code) -> Dataset:
    """TID 4006 rows 1, 2, 5, 6, 7 and 8."""
    return _code(
        codes.DCM.SingleImageFinding,
        _MASS_ON_ONE_VIEW,
        _CONTAINS,
        _code(codes.DCM.RenderingIntent, intent, _CONCEPT_MOD),
        *_algorithm(detection),
        _percent(codes.DCM.CertaintyOfFinding, mass.score),
        _percent(codes.DCM.ProbabilityOfCancer, mass.malignancy),
        *_geometry(mass),
    )


def _geometry(mass: MassFinding) -> list[Dataset]:
    """TID 4021 rows 1-4: the box centre and the box as a closed polyline, in the source's
    pixel coordinates (already DICOM's SCOORD convention), each selected from the image."""
    x0, y0, x1, y1 = mass.box
    outline = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    return [
        _scoord(codes.DCM.Center, GraphicTypeValues.POINT, [mass.center]),
        _scoord(codes.DCM.Outline, GraphicTypeValues.POLYLINE, outline),
    ]


def _scoord(
    name: Code, graphic_type: GraphicTypeValues, points: Sequence[tuple[float, float]]
) -> Dataset:
    item = ScoordContentItem(
        name, graphic_type, np.array(points, dtype=float), relationship_type=_PROPERTIES
    )
    return _node(item, _reference(_SELECTED_FROM))


def _summary(
    name: Code,
    successful: Code,
    performed: Code,
    performed_value: Code | CodedConcept,
    part: ImageClassification | ImageDetection | None,
) -> Dataset:
    """TID 4000 rows 6-9: Not Attempted when the model was not asked, else Succeeded with
    TID 4015/4016 holding one TID 4017/4018 run (its code, TID 4019, the image)."""
    if part is None:
        return _code(name, codes.DCM.NotAttempted, _CONTAINS)
    run = _code(performed, performed_value, _CONTAINS, *_algorithm(part), _reference(_PROPERTIES))
    return _code(
        name,
        codes.DCM.Succeeded,
        _CONTAINS,
        _container(successful, _INFERRED_FROM, run),
    )
