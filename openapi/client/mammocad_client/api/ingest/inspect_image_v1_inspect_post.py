from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.inspect_image_v1_inspect_post_files_body import InspectImageV1InspectPostFilesBody
from ...models.inspect_response import InspectResponse
from ...types import File, Response


def _get_kwargs(
    *,
    body: File | InspectImageV1InspectPostFilesBody,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/inspect",
    }

    if isinstance(body, File):
        _kwargs["content"] = body.payload
        headers["Content-Type"] = "application/octet-stream"
    if isinstance(body, InspectImageV1InspectPostFilesBody):
        _kwargs["files"] = body.to_multipart()

        headers["Content-Type"] = "multipart/form-data; boundary=+++"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | InspectResponse | None:
    if response.status_code == 200:
        response_200 = InspectResponse.from_dict(response.json())

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
) -> Response[Any | InspectResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: File | InspectImageV1InspectPostFilesBody,
) -> Response[Any | InspectResponse]:
    """Read an image the way the models will see it

     Ingest the upload and describe the result: metadata, orientation, breast region and the
    exact map from original pixels to the model grid. Runs in a worker thread (sync ``def``) so
    decoding a large DICOM never blocks the event loop.

    Args:
        body (File):
        body (InspectImageV1InspectPostFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | InspectResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: File | InspectImageV1InspectPostFilesBody,
) -> Any | InspectResponse | None:
    """Read an image the way the models will see it

     Ingest the upload and describe the result: metadata, orientation, breast region and the
    exact map from original pixels to the model grid. Runs in a worker thread (sync ``def``) so
    decoding a large DICOM never blocks the event loop.

    Args:
        body (File):
        body (InspectImageV1InspectPostFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | InspectResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: File | InspectImageV1InspectPostFilesBody,
) -> Response[Any | InspectResponse]:
    """Read an image the way the models will see it

     Ingest the upload and describe the result: metadata, orientation, breast region and the
    exact map from original pixels to the model grid. Runs in a worker thread (sync ``def``) so
    decoding a large DICOM never blocks the event loop.

    Args:
        body (File):
        body (InspectImageV1InspectPostFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | InspectResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: File | InspectImageV1InspectPostFilesBody,
) -> Any | InspectResponse | None:
    """Read an image the way the models will see it

     Ingest the upload and describe the result: metadata, orientation, breast region and the
    exact map from original pixels to the model grid. Runs in a worker thread (sync ``def``) so
    decoding a large DICOM never blocks the event loop.

    Args:
        body (File):
        body (InspectImageV1InspectPostFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | InspectResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
