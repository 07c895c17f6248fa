from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.analyse_v1_studies_study_instance_uid_analyse_post_report import (
    AnalyseV1StudiesStudyInstanceUidAnalysePostReport,
)
from ...models.study_analysis import StudyAnalysis
from ...types import UNSET, Response, Unset


def _get_kwargs(
    study_instance_uid: str,
    *,
    classifier: str | Unset = "production",
    detector: str | Unset = "production",
    report: AnalyseV1StudiesStudyInstanceUidAnalysePostReport
    | Unset = AnalyseV1StudiesStudyInstanceUidAnalysePostReport.DICOM_SR,
    heatmaps: bool | Unset = True,
    store: bool | Unset = True,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["classifier"] = classifier

    params["detector"] = detector

    json_report: str | Unset = UNSET
    if not isinstance(report, Unset):
        json_report = report.value

    params["report"] = json_report

    params["heatmaps"] = heatmaps

    params["store"] = store

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/studies/{study_instance_uid}/analyse".format(
            study_instance_uid=quote(str(study_instance_uid), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | StudyAnalysis | None:
    if response.status_code == 200:
        response_200 = StudyAnalysis.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = cast(Any, None)
        return response_401

    if response.status_code == 403:
        response_403 = cast(Any, None)
        return response_403

    if response.status_code == 404:
        response_404 = cast(Any, None)
        return response_404

    if response.status_code == 422:
        response_422 = cast(Any, None)
        return response_422

    if response.status_code == 429:
        response_429 = cast(Any, None)
        return response_429

    if response.status_code == 501:
        response_501 = cast(Any, None)
        return response_501

    if response.status_code == 502:
        response_502 = cast(Any, None)
        return response_502

    if response.status_code == 503:
        response_503 = cast(Any, None)
        return response_503

    if response.status_code == 504:
        response_504 = cast(Any, None)
        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | StudyAnalysis]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    study_instance_uid: str,
    *,
    client: AuthenticatedClient,
    classifier: str | Unset = "production",
    detector: str | Unset = "production",
    report: AnalyseV1StudiesStudyInstanceUidAnalysePostReport
    | Unset = AnalyseV1StudiesStudyInstanceUidAnalysePostReport.DICOM_SR,
    heatmaps: bool | Unset = True,
    store: bool | Unset = True,
) -> Response[Any | StudyAnalysis]:
    """Analyse a PACS study's mammograms and store the reports and heatmaps back

     Every MG image of the study classified and detected with one exact version of each
    model (aliases are resolved once), the worst finding per breast and per exam, and the SR and
    Parametric Map stored per image (in new series of the same study, UNVERIFIED).

    Args:
        study_instance_uid (str): the study's UID
        classifier (str | Unset): an alias (e.g. production, staging) or a version number Default:
            'production'.
        detector (str | Unset): an alias (e.g. production, staging) or a version number Default:
            'production'.
        report (AnalyseV1StudiesStudyInstanceUidAnalysePostReport | Unset): dicom-sr:
            Comprehensive 3D SR (TID 1500); dicom-mammo-cad-sr: Mammography CAD SR (TID 4000) Default:
            AnalyseV1StudiesStudyInstanceUidAnalysePostReport.DICOM_SR.
        heatmaps (bool | Unset): also store a Parametric Map of the Grad-CAM evidence for
            malignant Default: True.
        store (bool | Unset): store the objects in the PACS (false: analyse only) Default: True.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | StudyAnalysis]
    """

    kwargs = _get_kwargs(
        study_instance_uid=study_instance_uid,
        classifier=classifier,
        detector=detector,
        report=report,
        heatmaps=heatmaps,
        store=store,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    study_instance_uid: str,
    *,
    client: AuthenticatedClient,
    classifier: str | Unset = "production",
    detector: str | Unset = "production",
    report: AnalyseV1StudiesStudyInstanceUidAnalysePostReport
    | Unset = AnalyseV1StudiesStudyInstanceUidAnalysePostReport.DICOM_SR,
    heatmaps: bool | Unset = True,
    store: bool | Unset = True,
) -> Any | StudyAnalysis | None:
    """Analyse a PACS study's mammograms and store the reports and heatmaps back

     Every MG image of the study classified and detected with one exact version of each
    model (aliases are resolved once), the worst finding per breast and per exam, and the SR and
    Parametric Map stored per image (in new series of the same study, UNVERIFIED).

    Args:
        study_instance_uid (str): the study's UID
        classifier (str | Unset): an alias (e.g. production, staging) or a version number Default:
            'production'.
        detector (str | Unset): an alias (e.g. production, staging) or a version number Default:
            'production'.
        report (AnalyseV1StudiesStudyInstanceUidAnalysePostReport | Unset): dicom-sr:
            Comprehensive 3D SR (TID 1500); dicom-mammo-cad-sr: Mammography CAD SR (TID 4000) Default:
            AnalyseV1StudiesStudyInstanceUidAnalysePostReport.DICOM_SR.
        heatmaps (bool | Unset): also store a Parametric Map of the Grad-CAM evidence for
            malignant Default: True.
        store (bool | Unset): store the objects in the PACS (false: analyse only) Default: True.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | StudyAnalysis
    """

    return sync_detailed(
        study_instance_uid=study_instance_uid,
        client=client,
        classifier=classifier,
        detector=detector,
        report=report,
        heatmaps=heatmaps,
        store=store,
    ).parsed


async def asyncio_detailed(
    study_instance_uid: str,
    *,
    client: AuthenticatedClient,
    classifier: str | Unset = "production",
    detector: str | Unset = "production",
    report: AnalyseV1StudiesStudyInstanceUidAnalysePostReport
    | Unset = AnalyseV1StudiesStudyInstanceUidAnalysePostReport.DICOM_SR,
    heatmaps: bool | Unset = True,
    store: bool | Unset = True,
) -> Response[Any | StudyAnalysis]:
    """Analyse a PACS study's mammograms and store the reports and heatmaps back

     Every MG image of the study classified and detected with one exact version of each
    model (aliases are resolved once), the worst finding per breast and per exam, and the SR and
    Parametric Map stored per image (in new series of the same study, UNVERIFIED).

    Args:
        study_instance_uid (str): the study's UID
        classifier (str | Unset): an alias (e.g. production, staging) or a version number Default:
            'production'.
        detector (str | Unset): an alias (e.g. production, staging) or a version number Default:
            'production'.
        report (AnalyseV1StudiesStudyInstanceUidAnalysePostReport | Unset): dicom-sr:
            Comprehensive 3D SR (TID 1500); dicom-mammo-cad-sr: Mammography CAD SR (TID 4000) Default:
            AnalyseV1StudiesStudyInstanceUidAnalysePostReport.DICOM_SR.
        heatmaps (bool | Unset): also store a Parametric Map of the Grad-CAM evidence for
            malignant Default: True.
        store (bool | Unset): store the objects in the PACS (false: analyse only) Default: True.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | StudyAnalysis]
    """

    kwargs = _get_kwargs(
        study_instance_uid=study_instance_uid,
        classifier=classifier,
        detector=detector,
        report=report,
        heatmaps=heatmaps,
        store=store,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    study_instance_uid: str,
    *,
    client: AuthenticatedClient,
    classifier: str | Unset = "production",
    detector: str | Unset = "production",
    report: AnalyseV1StudiesStudyInstanceUidAnalysePostReport
    | Unset = AnalyseV1StudiesStudyInstanceUidAnalysePostReport.DICOM_SR,
    heatmaps: bool | Unset = True,
    store: bool | Unset = True,
) -> Any | StudyAnalysis | None:
    """Analyse a PACS study's mammograms and store the reports and heatmaps back

     Every MG image of the study classified and detected with one exact version of each
    model (aliases are resolved once), the worst finding per breast and per exam, and the SR and
    Parametric Map stored per image (in new series of the same study, UNVERIFIED).

    Args:
        study_instance_uid (str): the study's UID
        classifier (str | Unset): an alias (e.g. production, staging) or a version number Default:
            'production'.
        detector (str | Unset): an alias (e.g. production, staging) or a version number Default:
            'production'.
        report (AnalyseV1StudiesStudyInstanceUidAnalysePostReport | Unset): dicom-sr:
            Comprehensive 3D SR (TID 1500); dicom-mammo-cad-sr: Mammography CAD SR (TID 4000) Default:
            AnalyseV1StudiesStudyInstanceUidAnalysePostReport.DICOM_SR.
        heatmaps (bool | Unset): also store a Parametric Map of the Grad-CAM evidence for
            malignant Default: True.
        store (bool | Unset): store the objects in the PACS (false: analyse only) Default: True.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | StudyAnalysis
    """

    return (
        await asyncio_detailed(
            study_instance_uid=study_instance_uid,
            client=client,
            classifier=classifier,
            detector=detector,
            report=report,
            heatmaps=heatmaps,
            store=store,
        )
    ).parsed
