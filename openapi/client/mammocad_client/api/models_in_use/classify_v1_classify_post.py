from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.classify_response import ClassifyResponse
from ...models.classify_v1_classify_post_files_body import ClassifyV1ClassifyPostFilesBody
from ...models.classify_v1_classify_post_format import ClassifyV1ClassifyPostFormat
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    *,
    body: File | ClassifyV1ClassifyPostFilesBody,
    model: str | Unset = "production",
    format_: ClassifyV1ClassifyPostFormat | Unset = ClassifyV1ClassifyPostFormat.JSON,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["model"] = model

    json_format_: str | Unset = UNSET
    if not isinstance(format_, Unset):
        json_format_ = format_.value

    params["format"] = json_format_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/classify",
        "params": params,
    }

    if isinstance(body, File):
        _kwargs["content"] = body.payload
        headers["Content-Type"] = "application/octet-stream"
    if isinstance(body, ClassifyV1ClassifyPostFilesBody):
        _kwargs["files"] = body.to_multipart()

        headers["Content-Type"] = "multipart/form-data; boundary=+++"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | ClassifyResponse | None:
    if response.status_code == 200:
        response_200 = ClassifyResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = cast(Any, None)
        return response_400

    if response.status_code == 401:
        response_401 = cast(Any, None)
        return response_401

    if response.status_code == 403:
        response_403 = cast(Any, None)
        return response_403

    if response.status_code == 404:
        response_404 = cast(Any, None)
        return response_404

    if response.status_code == 413:
        response_413 = cast(Any, None)
        return response_413

    if response.status_code == 415:
        response_415 = cast(Any, None)
        return response_415

    if response.status_code == 422:
        response_422 = cast(Any, None)
        return response_422

    if response.status_code == 429:
        response_429 = cast(Any, None)
        return response_429

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | ClassifyResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: File | ClassifyV1ClassifyPostFilesBody,
    model: str | Unset = "production",
    format_: ClassifyV1ClassifyPostFormat | Unset = ClassifyV1ClassifyPostFormat.JSON,
) -> Response[Any | ClassifyResponse]:
    """Classify a mammogram: normal, benign or malignant

     The image-level probabilities of the worst finding, the most probable one, and whether
    the image is abnormal at the version's validated operating point (format=dicom-sr or
    dicom-mammo-cad-sr: the same as a DICOM Structured Report).

    Args:
        model (str | Unset): an alias (e.g. production, staging) or a version number Default:
            'production'.
        format_ (ClassifyV1ClassifyPostFormat | Unset): json (default); dicom-sr: a Comprehensive
            3D SR with the TID 1500 Measurement Report; dicom-mammo-cad-sr: a Mammography CAD SR (TID
            4000). Both DICOM forms need a DICOM upload, belong to its patient and study, and are
            UNVERIFIED Default: ClassifyV1ClassifyPostFormat.JSON.
        body (File):
        body (ClassifyV1ClassifyPostFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ClassifyResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        model=model,
        format_=format_,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: File | ClassifyV1ClassifyPostFilesBody,
    model: str | Unset = "production",
    format_: ClassifyV1ClassifyPostFormat | Unset = ClassifyV1ClassifyPostFormat.JSON,
) -> Any | ClassifyResponse | None:
    """Classify a mammogram: normal, benign or malignant

     The image-level probabilities of the worst finding, the most probable one, and whether
    the image is abnormal at the version's validated operating point (format=dicom-sr or
    dicom-mammo-cad-sr: the same as a DICOM Structured Report).

    Args:
        model (str | Unset): an alias (e.g. production, staging) or a version number Default:
            'production'.
        format_ (ClassifyV1ClassifyPostFormat | Unset): json (default); dicom-sr: a Comprehensive
            3D SR with the TID 1500 Measurement Report; dicom-mammo-cad-sr: a Mammography CAD SR (TID
            4000). Both DICOM forms need a DICOM upload, belong to its patient and study, and are
            UNVERIFIED Default: ClassifyV1ClassifyPostFormat.JSON.
        body (File):
        body (ClassifyV1ClassifyPostFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ClassifyResponse
    """

    return sync_detailed(
        client=client,
        body=body,
        model=model,
        format_=format_,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: File | ClassifyV1ClassifyPostFilesBody,
    model: str | Unset = "production",
    format_: ClassifyV1ClassifyPostFormat | Unset = ClassifyV1ClassifyPostFormat.JSON,
) -> Response[Any | ClassifyResponse]:
    """Classify a mammogram: normal, benign or malignant

     The image-level probabilities of the worst finding, the most probable one, and whether
    the image is abnormal at the version's validated operating point (format=dicom-sr or
    dicom-mammo-cad-sr: the same as a DICOM Structured Report).

    Args:
        model (str | Unset): an alias (e.g. production, staging) or a version number Default:
            'production'.
        format_ (ClassifyV1ClassifyPostFormat | Unset): json (default); dicom-sr: a Comprehensive
            3D SR with the TID 1500 Measurement Report; dicom-mammo-cad-sr: a Mammography CAD SR (TID
            4000). Both DICOM forms need a DICOM upload, belong to its patient and study, and are
            UNVERIFIED Default: ClassifyV1ClassifyPostFormat.JSON.
        body (File):
        body (ClassifyV1ClassifyPostFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ClassifyResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        model=model,
        format_=format_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: File | ClassifyV1ClassifyPostFilesBody,
    model: str | Unset = "production",
    format_: ClassifyV1ClassifyPostFormat | Unset = ClassifyV1ClassifyPostFormat.JSON,
) -> Any | ClassifyResponse | None:
    """Classify a mammogram: normal, benign or malignant

     The image-level probabilities of the worst finding, the most probable one, and whether
    the image is abnormal at the version's validated operating point (format=dicom-sr or
    dicom-mammo-cad-sr: the same as a DICOM Structured Report).

    Args:
        model (str | Unset): an alias (e.g. production, staging) or a version number Default:
            'production'.
        format_ (ClassifyV1ClassifyPostFormat | Unset): json (default); dicom-sr: a Comprehensive
            3D SR with the TID 1500 Measurement Report; dicom-mammo-cad-sr: a Mammography CAD SR (TID
            4000). Both DICOM forms need a DICOM upload, belong to its patient and study, and are
            UNVERIFIED Default: ClassifyV1ClassifyPostFormat.JSON.
        body (File):
        body (ClassifyV1ClassifyPostFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ClassifyResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            model=model,
            format_=format_,
        )
    ).parsed
