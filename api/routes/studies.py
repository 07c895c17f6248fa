"""``POST /v1/studies/{StudyInstanceUID}/analyse``: a PACS study read, analysed and written back.

For a reading room: the gateway fetches the study's mammograms from the configured DICOMweb PACS
(``MAMMOCAD_DICOMWEB_URL``), answers each as ``/v1/classify`` and ``/v1/detect`` would, stores a
Structured Report and a Grad-CAM Parametric Map per image back into the same study, and answers
with what it stored and a per-breast and per-exam summary.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from api.auth import ACCESS_PROBLEMS, require_scope
from api.deps import RegistryDep, SettingsDep, TaskServicesDep
from api.dicom_outputs import ReportFormat
from api.inference import ModelQuery
from api.pacs import Pacs
from api.problems import problem_responses
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
    study_instance_uid: Annotated[
        str, Path(pattern=_UID_PATTERN, max_length=64, description="the study's UID")
    ],
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
