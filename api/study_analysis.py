"""Analyse a PACS study: every mammogram classified, detected, explained, reported, stored back.

Both model references are resolved to exact versions once, before the first image, so that an
alias moved during the analysis cannot give the views of one exam different models. Each image
goes through the same code as an upload to ``/v1/classify`` and ``/v1/detect``
(:mod:`api.image_answers`), so the study answer and the per-image endpoints agree. An image that
ingest refuses, or whose header cannot make a report, is listed as skipped with the problem an
upload of it would get; the others are still analysed. The objects are stored in one STOW-RS
request after every image was analysed, so a failure in the middle stores nothing.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import pydicom
from fastapi import Request
from pydicom.dataset import Dataset
from starlette.concurrency import run_in_threadpool

from api.dicom_outputs import (
    ReportFormat,
    classification_findings,
    detection_findings,
    heatmap_document,
    report_document,
)
from api.image_answers import classify_image, detect_image
from api.inference import explanation
from api.inference_schemas import ClassifyResponse, DetectResponse, ModelUsed
from api.overlays import overlay_of
from api.pacs import Pacs, StoredInstance, StudyInstance
from api.settings import GatewaySettings
from api.study_schemas import (
    BreastSummary,
    ExamSummary,
    ImageAnalysis,
    SkippedImage,
    StoredKind,
    StoredObject,
    StudyAnalysis,
)
from api.task_client import TaskServices
from mammocad.errors import InvalidInputError, problem_type
from mammocad.reports.findings import ImageFindings
from mammocad.schemas.inference_contract import ShapOptions
from mammocad.vocabulary import Label, Laterality
from registry import Registry

__all__ = ["StudyRequest", "analyse_study", "summarise"]

_HEATMAP_TARGET = "malignant"  # the evidence a reader wants to see, whatever the top label
_HEATMAP_MAX_SIDE = 2048
_KIND_BY_SOP_CLASS: dict[str, StoredKind] = {
    "1.2.840.10008.5.1.4.1.1.88.34": "sr",  # Comprehensive 3D SR
    "1.2.840.10008.5.1.4.1.1.88.50": "mammography-cad-sr",
    "1.2.840.10008.5.1.4.1.1.30": "parametric-map",
}


@dataclass(frozen=True)
class StudyRequest:
    """What to do with the study."""

    study_instance_uid: str
    classifier_ref: str
    detector_ref: str
    report_format: ReportFormat
    heatmaps: bool
    store: bool


@dataclass(frozen=True)
class _Analysed:
    instance: StudyInstance
    classification: ClassifyResponse
    detection: DetectResponse
    objects: list[Dataset]


async def analyse_study(
    request: Request,
    asked: StudyRequest,
    *,
    pacs: Pacs,
    registry: Registry,
    settings: GatewaySettings,
    services: TaskServices,
) -> StudyAnalysis:
    """Analyse the study's mammograms and (when ``asked.store``) store the results.

    Raises:
        NotFoundError: no such study or no mammogram in it, or no such model version.
        UnavailableError: the PACS or a task service is unavailable.
        PacsStoreError: the PACS refused an object.
    """
    classifier = await run_in_threadpool(
        registry.get_version, settings.classify_model, asked.classifier_ref
    )
    detector = await run_in_threadpool(
        registry.get_version, settings.detect_model, asked.detector_ref
    )
    instances = await run_in_threadpool(pacs.mammograms, asked.study_instance_uid)
    analysed: list[_Analysed] = []
    skipped: list[SkippedImage] = []
    for instance in instances:
        data = await run_in_threadpool(pacs.fetch, asked.study_instance_uid, instance)
        try:
            analysed.append(
                await _analyse_image(
                    request,
                    instance,
                    data,
                    asked,
                    (str(classifier.version), str(detector.version)),
                    registry=registry,
                    settings=settings,
                    services=services,
                )
            )
        except InvalidInputError as refused:  # ingest's refusals, an unusable header
            skipped.append(
                SkippedImage(
                    series_instance_uid=instance.series_instance_uid,
                    sop_instance_uid=instance.sop_instance_uid,
                    problem=problem_type(refused.code),
                    detail=refused.detail,
                )
            )

    documents = [document for image in analysed for document in image.objects]
    stored = await run_in_threadpool(pacs.store, documents) if asked.store and documents else []
    images = [_image_analysis(image, stored if asked.store else []) for image in analysed]
    breasts, exam = summarise(images)
    return StudyAnalysis(
        request_id=request.state.request_id,
        study_instance_uid=asked.study_instance_uid,
        classifier=ModelUsed.of(classifier, _alias(asked.classifier_ref)),
        detector=ModelUsed.of(detector, _alias(asked.detector_ref)),
        images=images,
        skipped=skipped,
        breasts=breasts,
        exam=exam,
    )


async def _analyse_image(
    request: Request,
    instance: StudyInstance,
    data: bytes,
    asked: StudyRequest,
    versions: tuple[str, str],
    *,
    registry: Registry,
    settings: GatewaySettings,
    services: TaskServices,
) -> _Analysed:
    classifier_version, detector_version = versions
    classified = await classify_image(
        request, data, classifier_version, registry=registry, settings=settings, services=services
    )
    detected = await detect_image(
        request, data, detector_version, registry=registry, settings=settings, services=services
    )
    source = await run_in_threadpool(_header, data)
    findings = ImageFindings(
        source,
        classification=classification_findings(classified.response, classified.answered.version),
        detection=detection_findings(detected.response, detected.answered.version),
    )
    objects = [await run_in_threadpool(report_document, findings, asked.report_format)]
    if asked.heatmaps:
        explained = await explanation(
            request,
            task="classify",
            model_name=settings.classify_model,
            ref=classifier_version,
            data=data,
            registry=registry,
            settings=settings,
            client=services.classify,
            method="gradcam",
            target=_HEATMAP_TARGET,
            shap=ShapOptions(),
        )

        def heatmap() -> Dataset:
            return heatmap_document(
                source, explained, overlay_of(explained, _HEATMAP_MAX_SIDE).mapped
            )

        objects.append(await run_in_threadpool(heatmap))
    return _Analysed(instance, classified.response, detected.response, objects)


def _header(data: bytes) -> Dataset:
    return pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)


def _image_analysis(image: _Analysed, stored: Sequence[StoredInstance]) -> ImageAnalysis:
    accepted = {item.sop_instance_uid: item for item in stored}
    objects = []
    for document in image.objects:
        found = accepted.get(str(document.SOPInstanceUID))
        if found is None:
            continue
        objects.append(
            StoredObject(
                kind=_KIND_BY_SOP_CLASS[str(document.SOPClassUID)],
                sop_class_uid=str(document.SOPClassUID),
                sop_instance_uid=found.sop_instance_uid,
                series_instance_uid=str(document.SeriesInstanceUID),
                retrieve_url=found.retrieve_url,
            )
        )
    summary = image.classification.image
    return ImageAnalysis(
        series_instance_uid=image.instance.series_instance_uid,
        sop_instance_uid=image.instance.sop_instance_uid,
        laterality=summary.laterality,
        view=summary.view,
        classification=image.classification,
        detection=image.detection,
        stored=objects,
    )


def summarise(images: Sequence[ImageAnalysis]) -> tuple[list[BreastSummary], ExamSummary | None]:
    """Per breast, the worst finding across its views; per exam, across both breasts."""
    breasts = []
    for laterality in (Laterality.RIGHT, Laterality.LEFT, Laterality.UNKNOWN):
        views = [image for image in images if image.laterality == laterality]
        if views:
            breasts.append(_breast(laterality, views))
    if not breasts:
        return [], None
    decisions = [breast.abnormal for breast in breasts]
    exam = ExamSummary(
        worst_label=max((b.worst_label for b in breasts), key=lambda label: label.severity),
        malignant_probability=max(b.malignant_probability for b in breasts),
        abnormal=_any_known(decisions),
        abnormal_breasts=[b.laterality for b in breasts if b.abnormal],
        masses=sum(b.masses for b in breasts),
        out_of_distribution=any(b.out_of_distribution for b in breasts),
    )
    return breasts, exam


def _breast(laterality: Laterality, views: Sequence[ImageAnalysis]) -> BreastSummary:
    predictions = [view.classification.prediction for view in views]
    masses = [found for view in views for found in view.detection.detections]
    flagged = any(
        answer.ood is not None and answer.ood.flagged
        for view in views
        for answer in (view.classification, view.detection)
    )
    return BreastSummary(
        laterality=laterality,
        images=[view.sop_instance_uid for view in views],
        worst_label=max((Label(p.label) for p in predictions), key=lambda label: label.severity),
        malignant_probability=max(view.classification.probabilities.malignant for view in views),
        abnormal_score=max(p.abnormal_score for p in predictions),
        abnormal=_any_known([p.abnormal for p in predictions]),
        masses=len(masses),
        highest_mass_malignancy=max((m.malignancy for m in masses), default=None),
        out_of_distribution=flagged,
    )


def _any_known(decisions: Sequence[bool | None]) -> bool | None:
    """True if any decision is True; None if none was made; else False."""
    known = [decision for decision in decisions if decision is not None]
    return any(known) if known else None


def _alias(ref: str) -> str | None:
    return None if ref.isdigit() else ref
