"""``POST /v1/studies/{StudyInstanceUID}/analyse``: a PACS study read, analysed and written back.

For a reading room: the gateway fetches the study's mammograms from the configured DICOMweb PACS
(``MAMMOCAD_DICOMWEB_URL``), answers each as ``/v1/classify`` and ``/v1/detect`` would, stores a
Structured Report and a Grad-CAM Parametric Map per image back into the same study, and answers
with what it stored and a per-breast and per-exam summary.

``GET /v1/studies/{StudyInstanceUID}/instances/{SOPInstanceUID}/render`` answers one of those
mammograms' display pixels exactly as ``POST /v1/render`` answers an upload (one builder,
:mod:`api.rendering`), so a viewer can hang the study's views with their boxes without the
pixels ever passing through the browser as a DICOM file. It only reads the PACS.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from api.auth import ACCESS_PROBLEMS, require_scope
from api.deps import RegistryDep, SettingsDep, TaskServicesDep
from api.dicom_outputs import ReportFormat
from api.inference import ModelQuery
from api.pacs import Pacs
from api.problems import problem_responses
from api.rendering import MaxSideQuery, render_display
from api.schemas import RenderResponse
from api.settings import GatewaySettings, get_settings
from api.study_analysis import StudyRequest, analyse_study
from api.study_schemas import StudyAnalysis
from mammocad.errors import MammocadError
from registry import PRODUCTION

__all__ = ["router"]

router = APIRouter(
    prefix="/v1",
    tags=["studies"],
    dependencies=[Depends(require_scope("inference"))],
    responses=ACCESS_PROBLEMS,
)

_UID_PATTERN = r"^[0-9]+(\.[0-9]+)*$"
StudyUid = Annotated[str, Path(pattern=_UID_PATTERN, max_length=64, description="the study's UID")]


class PacsNotConfiguredError(MammocadError):
    """The gateway has no DICOMweb PACS to read studies from."""

    code = "pacs-not-configured"
    title = "No PACS configured"


def get_pacs(settings: Annotated[GatewaySettings, Depends(get_settings)]) -> Pacs:
    """The configured PACS.

    Raises:
        PacsNotConfiguredError: ``MAMMOCAD_DICOMWEB_URL`` is unset (501).
    """
    if settings.dicomweb_url is None:
        raise PacsNotConfiguredError(
            "this gateway has no PACS configured: set MAMMOCAD_DICOMWEB_URL to the DICOMweb "
            "root of the PACS (e.g. http://127.0.0.1:8042/dicom-web)"
        )
    return Pacs(settings.dicomweb_url, timeout_s=settings.dicomweb_timeout_s)


PacsDep = Annotated[Pacs, Depends(get_pacs)]

_PROBLEMS = problem_responses(
    {
        404: "No such study in the PACS, no mammogram in it, or no such model version",
        422: "A malformed Study Instance UID or query parameter",
        501: "No PACS configured (MAMMOCAD_DICOMWEB_URL)",
        502: "The PACS refused to store an object, or a task service answered badly",
        503: "The PACS or a task service is unavailable; retry after Retry-After seconds",
    }
)


@router.post(
    "/studies/{study_instance_uid}/analyse",
    response_model=StudyAnalysis,
    summary="Analyse a PACS study's mammograms and store the reports and heatmaps back",
    responses=_PROBLEMS,
)
async def analyse(
    request: Request,
    study_instance_uid: StudyUid,
    pacs: PacsDep,
    registry: RegistryDep,
    settings: SettingsDep,
    services: TaskServicesDep,
    classifier: ModelQuery = PRODUCTION,
    detector: ModelQuery = PRODUCTION,
    report: Annotated[
        ReportFormat,
        Query(
            description="dicom-sr: Comprehensive 3D SR (TID 1500); dicom-mammo-cad-sr: "
            "Mammography CAD SR (TID 4000)"
        ),
    ] = "dicom-sr",
    heatmaps: Annotated[
        bool,
        Query(description="also store a Parametric Map of the Grad-CAM evidence for malignant"),
    ] = True,
    store: Annotated[
        bool, Query(description="store the objects in the PACS (false: analyse only)")
    ] = True,
) -> StudyAnalysis:
    """Every MG image of the study classified and detected with one exact version of each
    model (aliases are resolved once), the worst finding per breast and per exam, and the SR and
    Parametric Map stored per image (in new series of the same study, UNVERIFIED)."""
    asked = StudyRequest(
        study_instance_uid=study_instance_uid,
        classifier_ref=classifier,
        detector_ref=detector,
        report_format=report,
        heatmaps=heatmaps,
        store=store,
    )
    return await analyse_study(
        request, asked, pacs=pacs, registry=registry, settings=settings, services=services
    )


_RENDER_PROBLEMS = problem_responses(
    {
        404: "No such study in the PACS, or no such mammogram (Modality MG) in it",
        413: "The instance's decoded image is too large",
        415: "The instance's DICOM compression cannot be decoded",
        422: "A malformed UID or max_side; or an instance without pixels, colour or multi-frame",
        501: "No PACS configured (MAMMOCAD_DICOMWEB_URL)",
        503: "The PACS is unavailable; retry after Retry-After seconds",
    }
)


@router.get(
    "/studies/{study_instance_uid}/instances/{sop_instance_uid}/render",
    response_model=RenderResponse,
    summary="One mammogram of a PACS study as 16-bit display pixels, as POST /v1/render answers",
    responses=_RENDER_PROBLEMS,
)
async def render_instance(
    request: Request,
    study_instance_uid: StudyUid,
    sop_instance_uid: Annotated[
        str, Path(pattern=_UID_PATTERN, max_length=64, description="the mammogram's UID")
    ],
    pacs: PacsDep,
    settings: SettingsDep,
    max_side: MaxSideQuery = 2048,
) -> RenderResponse:
    """Fetch the instance from the PACS (read only) and answer its display pixels, in the same
    geometry as ``/v1/render`` and ``/v1/explain`` at the same ``max_side``; boxes of the study
    answer, in original pixels, land on them through ``scale_x`` and ``scale_y``."""
    instance = await run_in_threadpool(pacs.mammogram, study_instance_uid, sop_instance_uid)
    data = await run_in_threadpool(pacs.fetch, study_instance_uid, instance)
    return await run_in_threadpool(
        render_display,
        data,
        max_pixels=settings.max_image_pixels,
        max_side=max_side,
        request_id=request.state.request_id,
    )
