from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.render_response import RenderResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    study_instance_uid: str,
    sop_instance_uid: str,
    *,
    max_side: int | Unset = 2048,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["max_side"] = max_side

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/studies/{study_instance_uid}/instances/{sop_instance_uid}/render".format(
            study_instance_uid=quote(str(study_instance_uid), safe=""),
            sop_instance_uid=quote(str(sop_instance_uid), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | RenderResponse | None:
    if response.status_code == 200:
        response_200 = RenderResponse.from_dict(response.json())

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

    if response.status_code == 501:
        response_501 = cast(Any, None)
        return response_501

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
    study_instance_uid: str,
    sop_instance_uid: str,
    *,
    client: AuthenticatedClient,
    max_side: int | Unset = 2048,
) -> Response[Any | RenderResponse]:
    """One mammogram of a PACS study as 16-bit display pixels, as POST /v1/render answers

     Fetch the instance from the PACS (read only) and answer its display pixels, in the same
    geometry as ``/v1/render`` and ``/v1/explain`` at the same ``max_side``; boxes of the study
    answer, in original pixels, land on them through ``scale_x`` and ``scale_y``.

    Args:
        study_instance_uid (str): the study's UID
        sop_instance_uid (str): the mammogram's UID
        max_side (int | Unset): longest side of the rendered pixels Default: 2048.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | RenderResponse]
    """

    kwargs = _get_kwargs(
        study_instance_uid=study_instance_uid,
        sop_instance_uid=sop_instance_uid,
        max_side=max_side,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    study_instance_uid: str,
    sop_instance_uid: str,
    *,
    client: AuthenticatedClient,
    max_side: int | Unset = 2048,
) -> Any | RenderResponse | None:
    """One mammogram of a PACS study as 16-bit display pixels, as POST /v1/render answers

     Fetch the instance from the PACS (read only) and answer its display pixels, in the same
    geometry as ``/v1/render`` and ``/v1/explain`` at the same ``max_side``; boxes of the study
    answer, in original pixels, land on them through ``scale_x`` and ``scale_y``.

    Args:
        study_instance_uid (str): the study's UID
        sop_instance_uid (str): the mammogram's UID
        max_side (int | Unset): longest side of the rendered pixels Default: 2048.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | RenderResponse
    """

    return sync_detailed(
        study_instance_uid=study_instance_uid,
        sop_instance_uid=sop_instance_uid,
        client=client,
        max_side=max_side,
    ).parsed


async def asyncio_detailed(
    study_instance_uid: str,
    sop_instance_uid: str,
    *,
    client: AuthenticatedClient,
    max_side: int | Unset = 2048,
) -> Response[Any | RenderResponse]:
    """One mammogram of a PACS study as 16-bit display pixels, as POST /v1/render answers

     Fetch the instance from the PACS (read only) and answer its display pixels, in the same
    geometry as ``/v1/render`` and ``/v1/explain`` at the same ``max_side``; boxes of the study
    answer, in original pixels, land on them through ``scale_x`` and ``scale_y``.

    Args:
        study_instance_uid (str): the study's UID
        sop_instance_uid (str): the mammogram's UID
        max_side (int | Unset): longest side of the rendered pixels Default: 2048.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | RenderResponse]
    """

    kwargs = _get_kwargs(
        study_instance_uid=study_instance_uid,
        sop_instance_uid=sop_instance_uid,
        max_side=max_side,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    study_instance_uid: str,
    sop_instance_uid: str,
    *,
    client: AuthenticatedClient,
    max_side: int | Unset = 2048,
) -> Any | RenderResponse | None:
    """One mammogram of a PACS study as 16-bit display pixels, as POST /v1/render answers

     Fetch the instance from the PACS (read only) and answer its display pixels, in the same
    geometry as ``/v1/render`` and ``/v1/explain`` at the same ``max_side``; boxes of the study
    answer, in original pixels, land on them through ``scale_x`` and ``scale_y``.

    Args:
        study_instance_uid (str): the study's UID
        sop_instance_uid (str): the mammogram's UID
        max_side (int | Unset): longest side of the rendered pixels Default: 2048.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | RenderResponse
    """

    return (
        await asyncio_detailed(
            study_instance_uid=study_instance_uid,
            sop_instance_uid=sop_instance_uid,
            client=client,
            max_side=max_side,
        )
    ).parsed
