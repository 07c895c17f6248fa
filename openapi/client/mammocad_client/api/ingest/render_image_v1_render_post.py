from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.render_image_v1_render_post_files_body import RenderImageV1RenderPostFilesBody
from ...models.render_response import RenderResponse
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    *,
    body: File | RenderImageV1RenderPostFilesBody,
    max_side: int | Unset = 2048,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["max_side"] = max_side

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/render",
        "params": params,
    }

    if isinstance(body, File):
        _kwargs["content"] = body.payload
        headers["Content-Type"] = "application/octet-stream"
    if isinstance(body, RenderImageV1RenderPostFilesBody):
        _kwargs["files"] = body.to_multipart()

        headers["Content-Type"] = "multipart/form-data; boundary=+++"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | RenderResponse | None:
    if response.status_code == 200:
        response_200 = RenderResponse.from_dict(response.json())

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
) -> Response[Any | RenderResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: File | RenderImageV1RenderPostFilesBody,
    max_side: int | Unset = 2048,
) -> Response[Any | RenderResponse]:
    """The image's 16-bit display pixels, for window and level in a viewer

     Decode the upload and answer its display pixels (a worker thread: sync ``def``).

    Args:
        max_side (int | Unset): longest side of the rendered pixels Default: 2048.
        body (File):
        body (RenderImageV1RenderPostFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | RenderResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        max_side=max_side,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: File | RenderImageV1RenderPostFilesBody,
    max_side: int | Unset = 2048,
) -> Any | RenderResponse | None:
    """The image's 16-bit display pixels, for window and level in a viewer

     Decode the upload and answer its display pixels (a worker thread: sync ``def``).

    Args:
        max_side (int | Unset): longest side of the rendered pixels Default: 2048.
        body (File):
        body (RenderImageV1RenderPostFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | RenderResponse
    """

    return sync_detailed(
        client=client,
        body=body,
        max_side=max_side,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: File | RenderImageV1RenderPostFilesBody,
    max_side: int | Unset = 2048,
) -> Response[Any | RenderResponse]:
    """The image's 16-bit display pixels, for window and level in a viewer

     Decode the upload and answer its display pixels (a worker thread: sync ``def``).

    Args:
        max_side (int | Unset): longest side of the rendered pixels Default: 2048.
        body (File):
        body (RenderImageV1RenderPostFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | RenderResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        max_side=max_side,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: File | RenderImageV1RenderPostFilesBody,
    max_side: int | Unset = 2048,
) -> Any | RenderResponse | None:
    """The image's 16-bit display pixels, for window and level in a viewer

     Decode the upload and answer its display pixels (a worker thread: sync ``def``).

    Args:
        max_side (int | Unset): longest side of the rendered pixels Default: 2048.
        body (File):
        body (RenderImageV1RenderPostFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | RenderResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            max_side=max_side,
        )
    ).parsed
