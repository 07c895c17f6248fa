from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.card_edit_request import CardEditRequest
from ...models.validation_problem import ValidationProblem
from ...models.version_public import VersionPublic
from ...types import Response


def _get_kwargs(
    name: str,
    version: str,
    *,
    body: CardEditRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/v1/models/{name}/versions/{version}/card".format(
            name=quote(str(name), safe=""),
            version=quote(str(version), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ValidationProblem | VersionPublic | None:
    if response.status_code == 200:
        response_200 = VersionPublic.from_dict(response.json())

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
    version: str,
    *,
    client: AuthenticatedClient,
    body: CardEditRequest,
) -> Response[Any | ValidationProblem | VersionPublic]:
    """Edit the authored sections of a model card

     Replace the sections given in ``changes`` (owners, intended users, out-of-scope uses,
    factors, ethical considerations, caveats, license); audited with before and after.

    Args:
        name (str): a registered model's name
        version (str): a version number, or an alias such as production
        body (CardEditRequest): Replace some authored sections of a version's model card.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ValidationProblem | VersionPublic]
    """

    kwargs = _get_kwargs(
        name=name,
        version=version,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    name: str,
    version: str,
    *,
    client: AuthenticatedClient,
    body: CardEditRequest,
) -> Any | ValidationProblem | VersionPublic | None:
    """Edit the authored sections of a model card

     Replace the sections given in ``changes`` (owners, intended users, out-of-scope uses,
    factors, ethical considerations, caveats, license); audited with before and after.

    Args:
        name (str): a registered model's name
        version (str): a version number, or an alias such as production
        body (CardEditRequest): Replace some authored sections of a version's model card.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ValidationProblem | VersionPublic
    """

    return sync_detailed(
        name=name,
        version=version,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    name: str,
    version: str,
    *,
    client: AuthenticatedClient,
    body: CardEditRequest,
) -> Response[Any | ValidationProblem | VersionPublic]:
    """Edit the authored sections of a model card

     Replace the sections given in ``changes`` (owners, intended users, out-of-scope uses,
    factors, ethical considerations, caveats, license); audited with before and after.

    Args:
        name (str): a registered model's name
        version (str): a version number, or an alias such as production
        body (CardEditRequest): Replace some authored sections of a version's model card.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ValidationProblem | VersionPublic]
    """

    kwargs = _get_kwargs(
        name=name,
        version=version,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    name: str,
    version: str,
    *,
    client: AuthenticatedClient,
    body: CardEditRequest,
) -> Any | ValidationProblem | VersionPublic | None:
    """Edit the authored sections of a model card

     Replace the sections given in ``changes`` (owners, intended users, out-of-scope uses,
    factors, ethical considerations, caveats, license); audited with before and after.

    Args:
        name (str): a registered model's name
        version (str): a version number, or an alias such as production
        body (CardEditRequest): Replace some authored sections of a version's model card.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ValidationProblem | VersionPublic
    """

    return (
        await asyncio_detailed(
            name=name,
            version=version,
            client=client,
            body=body,
        )
    ).parsed
