from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.register_archive_v1_models_name_versions_post_files_body import (
    RegisterArchiveV1ModelsNameVersionsPostFilesBody,
)
from ...models.validation_problem import ValidationProblem
from ...models.version_public import VersionPublic
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    name: str,
    *,
    body: File | RegisterArchiveV1ModelsNameVersionsPostFilesBody,
    reason: str | Unset = "",
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["reason"] = reason

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/models/{name}/versions".format(
            name=quote(str(name), safe=""),
        ),
        "params": params,
    }

    if isinstance(body, File):
        _kwargs["content"] = body.payload
        headers["Content-Type"] = "application/octet-stream"
    if isinstance(body, RegisterArchiveV1ModelsNameVersionsPostFilesBody):
        _kwargs["files"] = body.to_multipart()

        headers["Content-Type"] = "multipart/form-data; boundary=+++"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ValidationProblem | VersionPublic | None:
    if response.status_code == 201:
        response_201 = VersionPublic.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = cast(Any, None)
        return response_400

    if response.status_code == 401:
        response_401 = cast(Any, None)
        return response_401

    if response.status_code == 403:
        response_403 = cast(Any, None)
        return response_403

    if response.status_code == 409:
        response_409 = cast(Any, None)
        return response_409

    if response.status_code == 413:
        response_413 = cast(Any, None)
        return response_413

    if response.status_code == 422:
        response_422 = ValidationProblem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = cast(Any, None)
        return response_429

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
) -> Response[Any | ValidationProblem | VersionPublic]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    name: str,
    *,
    client: AuthenticatedClient,
    body: File | RegisterArchiveV1ModelsNameVersionsPostFilesBody,
    reason: str | Unset = "",
) -> Response[Any | ValidationProblem | VersionPublic]:
    """Register a version from an export archive

     Register the version in a ``mammocad registry export`` archive as the next version of
    ``name``, with its evaluations, calibration, OOD detector and card.

    Args:
        name (str): a registered model's name
        reason (str | Unset): why (audited) Default: ''.
        body (File):
        body (RegisterArchiveV1ModelsNameVersionsPostFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ValidationProblem | VersionPublic]
    """

    kwargs = _get_kwargs(
        name=name,
        body=body,
        reason=reason,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    name: str,
    *,
    client: AuthenticatedClient,
    body: File | RegisterArchiveV1ModelsNameVersionsPostFilesBody,
    reason: str | Unset = "",
) -> Any | ValidationProblem | VersionPublic | None:
    """Register a version from an export archive

     Register the version in a ``mammocad registry export`` archive as the next version of
    ``name``, with its evaluations, calibration, OOD detector and card.

    Args:
        name (str): a registered model's name
        reason (str | Unset): why (audited) Default: ''.
        body (File):
        body (RegisterArchiveV1ModelsNameVersionsPostFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ValidationProblem | VersionPublic
    """

    return sync_detailed(
        name=name,
        client=client,
        body=body,
        reason=reason,
    ).parsed


async def asyncio_detailed(
    name: str,
    *,
    client: AuthenticatedClient,
    body: File | RegisterArchiveV1ModelsNameVersionsPostFilesBody,
    reason: str | Unset = "",
) -> Response[Any | ValidationProblem | VersionPublic]:
    """Register a version from an export archive

     Register the version in a ``mammocad registry export`` archive as the next version of
    ``name``, with its evaluations, calibration, OOD detector and card.

    Args:
        name (str): a registered model's name
        reason (str | Unset): why (audited) Default: ''.
        body (File):
        body (RegisterArchiveV1ModelsNameVersionsPostFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ValidationProblem | VersionPublic]
    """

    kwargs = _get_kwargs(
        name=name,
        body=body,
        reason=reason,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    name: str,
    *,
    client: AuthenticatedClient,
    body: File | RegisterArchiveV1ModelsNameVersionsPostFilesBody,
    reason: str | Unset = "",
) -> Any | ValidationProblem | VersionPublic | None:
    """Register a version from an export archive

     Register the version in a ``mammocad registry export`` archive as the next version of
    ``name``, with its evaluations, calibration, OOD detector and card.

    Args:
        name (str): a registered model's name
        reason (str | Unset): why (audited) Default: ''.
        body (File):
        body (RegisterArchiveV1ModelsNameVersionsPostFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ValidationProblem | VersionPublic
    """

    return (
        await asyncio_detailed(
            name=name,
            client=client,
            body=body,
            reason=reason,
        )
    ).parsed
