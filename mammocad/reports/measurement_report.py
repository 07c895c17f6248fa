"""An image's findings as a Comprehensive 3D SR with the TID 1500 Measurement Report.

The content tree, built with highdicom's templates:

- observation context: the first answering model version as the device observer (TID 1004);
- the image library: the analysed image (its SOP Instance UID, modality, geometry), when its
  header says what the library needs (see :func:`_describable`);
- per answering version an image-level group (TID 1501) that references the image: algorithm
  identification (TID 4019: name and registry version), the validated operating point as
  (111071, DCM, "CAD Operating Point"), the out-of-distribution verdict and score, and
  - for the classifier: probability of cancer (111047, DCM) and of a benign or no finding, the
    abnormality score and the decision at the operating point;
  - for the detector: the number of masses at the operating point;
  the out-of-distribution reasons, in words, as (121106, DCM, "Comment") text items;
- per detected mass a planar ROI group (TID 1410): the box as a closed POLYLINE SCOORD on the
  source image, finding type Mass (SCT 4147007), probability of cancer (its malignancy) and
  (111012, DCM, "Certainty of Finding") (the calibrated mass score, in percent).

Codes not in any standard are from :data:`~mammocad.reports.codes.LOCAL_SCHEME` and declared in
the document. The document is COMPLETE and UNVERIFIED (no person has checked it), carries the
Contributing Equipment Sequence of IHE AI Results, and belongs to the source's patient and
study: highdicom copies exactly the patient and study attributes from the source, nothing else.
"""

from __future__ import annotations

import numpy as np
from highdicom.sr import (
    AlgorithmIdentification,
    CodedConcept,
    Comprehensive3DSR,
    GraphicTypeValues,
    ImageRegion,
    Measurement,
    MeasurementReport,
    MeasurementsAndQualitativeEvaluations,
    ObservationContext,
    PlanarROIMeasurementsAndQualitativeEvaluations,
    QualitativeEvaluation,
    RelationshipTypeValues,
    SourceImageForMeasurementGroup,
    SourceImageForRegion,
    TextContentItem,
    TrackingIdentifier,
)
from pydicom.dataset import Dataset
from pydicom.sr.codedict import Code, codes

from mammocad.reports import codes as local
from mammocad.reports.equipment import (
    MANUFACTURER,
    contributing_equipment,
    device_observer,
    without_site_identifiers,
)
from mammocad.reports.findings import (
    AlgorithmUsed,
    ImageClassification,
    ImageDetection,
    ImageFindings,
    MassFinding,
    ShiftAssessment,
)
from mammocad.reports.source import with_type2_present

__all__ = ["measurement_report"]

_NO_UNITS = codes.UCUM.NoUnits
_PERCENT = codes.UCUM.Percent
_OPERATING_POINT = codes.DCM.CADOperatingPoint
_COMMENT = codes.DCM.Comment


def measurement_report(
    findings: ImageFindings,
    *,
    series_instance_uid: str,
    sop_instance_uid: str,
    series_number: int,
    instance_number: int = 1,
) -> Comprehensive3DSR:
    """The TID 1500 report of ``findings`` (write it with ``pydicom.dcmwrite``).

    Raises:
        ValueError: the source header lacks what a reference to it needs (SOP Class/Instance
            UID, Study Instance UID), or highdicom rejects a value.
    """
    source = with_type2_present(findings.source)
    groups: list[
        MeasurementsAndQualitativeEvaluations | PlanarROIMeasurementsAndQualitativeEvaluations
    ] = []
    if findings.classification is not None:
        groups.append(_classification_group(findings.classification, source))
    if findings.detection is not None:
        groups.append(_detection_group(findings.detection, source))
        groups.extend(
            _mass_group(mass, index, findings.detection.algorithm, source)
            for index, mass in enumerate(findings.detection.masses, start=1)
        )
    report = MeasurementReport(
        observation_context=ObservationContext(
            observer_device_context=device_observer(findings.algorithms[0])
        ),
        procedure_reported=local.MAMMOGRAPHY_PROCEDURE,
        imaging_measurements=groups,
        referenced_images=[source] if _describable(source) else None,
    )
    document = Comprehensive3DSR(
        evidence=[source],
        content=report,
        series_instance_uid=series_instance_uid,
        series_number=series_number,
        sop_instance_uid=sop_instance_uid,
        instance_number=instance_number,
        manufacturer=MANUFACTURER,
        is_complete=True,
        is_final=False,
        is_verified=False,
        contributing_equipment=contributing_equipment(findings.algorithms),
    )
    document.SeriesDescription = "mammocad CAD findings (unverified)"
    document.CodingSchemeIdentificationSequence = [local.coding_scheme_identification()]
    without_site_identifiers(document)
    return document


_PROJECTION_MODALITIES = frozenset({"CR", "DX", "IO", "MG", "PX", "RF", "RG", "XA"})


def _describable(source: Dataset) -> bool:
    """Whether highdicom can write the Image Library entry (TID 1601) of ``source``: for a
    projection image it needs Patient Orientation and Imager Pixel Spacing, which real vendor
    files sometimes lack (the JPEG 2000 sample has Pixel Spacing only). Without the library the
    report is still valid and every region still references the image by its SOP Instance UID."""
    if str(source.get("Modality", "")) not in _PROJECTION_MODALITIES:
        return True
    orientation = source.get("PatientOrientation")
    return "ImagerPixelSpacing" in source and orientation is not None and len(orientation) == 2


def _algorithm_id(algorithm: AlgorithmUsed) -> AlgorithmIdentification:
    return AlgorithmIdentification(
        name=algorithm.name,
        version=algorithm.version_text,
        parameters=[f"trained on: {algorithm.trained_on}"[:1024]],
        manufacturer=MANUFACTURER,
    )


def _image_reference(source: Dataset) -> list[SourceImageForMeasurementGroup]:
    return [SourceImageForMeasurementGroup.from_source_image(source)]


def _classification_group(
    classification: ImageClassification, source: Dataset
) -> MeasurementsAndQualitativeEvaluations:
    p = classification.probabilities
    measurements = [
        _number(codes.DCM.ProbabilityOfCancer, p["malignant"]),
        _number(local.BENIGN_PROBABILITY, p["benign"]),
        _number(local.NORMAL_PROBABILITY, p["normal"]),
        _number(local.ABNORMALITY_SCORE, classification.abnormal_score),
    ]
    evaluations = []
    if classification.abnormal_threshold is not None:
        measurements.append(_number(_OPERATING_POINT, classification.abnormal_threshold))
    if classification.abnormal is not None:
        evaluations.append(
            QualitativeEvaluation(
                local.ABNORMAL_AT_OPERATING_POINT, local.yes_no(classification.abnormal)
            )
        )
    return _image_group(
        "image classification",
        classification.algorithm,
        source,
        measurements,
        evaluations,
        classification.ood,
    )


def _detection_group(
    detection: ImageDetection, source: Dataset
) -> MeasurementsAndQualitativeEvaluations:
    measurements = [_number(local.MASSES_AT_OPERATING_POINT, len(detection.masses))]
    if detection.score_threshold is not None:
        measurements.append(_number(_OPERATING_POINT, detection.score_threshold))
    return _image_group(
        "mass detection", detection.algorithm, source, measurements, [], detection.ood
    )


def _image_group(
    identifier: str,
    algorithm: AlgorithmUsed,
    source: Dataset,
    measurements: list[Measurement],
    evaluations: list[QualitativeEvaluation],
    ood: ShiftAssessment | None,
) -> MeasurementsAndQualitativeEvaluations:
    if ood is not None:
        evaluations.append(
            QualitativeEvaluation(local.OUT_OF_DISTRIBUTION, local.yes_no(ood.flagged))
        )
        measurements.append(_number(local.OUT_OF_DISTRIBUTION_SCORE, ood.score))
    group = MeasurementsAndQualitativeEvaluations(
        tracking_identifier=TrackingIdentifier(identifier=identifier),
        algorithm_id=_algorithm_id(algorithm),
        source_images=_image_reference(source),
        measurements=measurements,
        qualitative_evaluations=evaluations or None,
    )
    if ood is not None:
        _append_comments(group, [f"out of distribution: {reason}" for reason in ood.reasons])
    return group


def _mass_group(
    mass: MassFinding, index: int, algorithm: AlgorithmUsed, source: Dataset
) -> PlanarROIMeasurementsAndQualitativeEvaluations:
    x0, y0, x1, y1 = mass.box
    outline = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]], dtype=np.float64)
    region = ImageRegion(
        graphic_type=GraphicTypeValues.POLYLINE,
        graphic_data=outline,
        source_image=SourceImageForRegion.from_source_image(source),
    )
    return PlanarROIMeasurementsAndQualitativeEvaluations(
        tracking_identifier=TrackingIdentifier(identifier=f"mass {index}"),
        referenced_region=region,
        finding_type=local.MASS,
        algorithm_id=_algorithm_id(algorithm),
        measurements=[
            _number(codes.DCM.ProbabilityOfCancer, mass.malignancy),
            _number(codes.DCM.CertaintyOfFinding, 100.0 * mass.score, _PERCENT),
        ],
    )


def _number(
    name: CodedConcept | Code, value: float, unit: CodedConcept | Code = _NO_UNITS
) -> Measurement:
    return Measurement(name=name, value=float(value), unit=unit)


def _append_comments(group: MeasurementsAndQualitativeEvaluations, comments: list[str]) -> None:
    """TID 1501 has no text rows in highdicom's builder; (121106, DCM, "Comment") items under
    the group container carry the reasons in words (TEXT is a permitted CONTAINS target)."""
    container = group[0]
    for comment in comments:
        container.ContentSequence.append(
            TextContentItem(
                name=_COMMENT,
                value=comment[:1024],
                relationship_type=RelationshipTypeValues.CONTAINS,
            )
        )
