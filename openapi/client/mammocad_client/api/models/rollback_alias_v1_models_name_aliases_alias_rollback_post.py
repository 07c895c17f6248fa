from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.alias_move_public import AliasMovePublic
from ...models.rollback_request import RollbackRequest
from ...models.validation_problem import ValidationProblem
from ...types import Response


def _get_kwargs(
    name: str,
    alias: str,
    *,
    body: RollbackRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/models/{name}/aliases/{alias}/rollback".format(
            name=quote(str(name), safe=""),
            alias=quote(str(alias), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AliasMovePublic | Any | ValidationProblem | None:
    if response.status_code == 200:
        response_200 = AliasMovePublic.from_dict(response.json())

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

    if response.status_code == 409:
        response_409 = cast(Any, None)
        return response_409

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
) -> Response[AliasMovePublic | Any | ValidationProblem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    name: str,
    alias: str,
    *,
    client: AuthenticatedClient,
    body: RollbackRequest,
) -> Response[AliasMovePublic | Any | ValidationProblem]:
    """Move an alias back to its previous version

     The previous version comes from the audit log; the rollback itself is audited.

    Args:
        name (str): a registered model's name
        alias (str): an alias, e.g. production or staging
        body (RollbackRequest): Move an alias back to its previous version.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AliasMovePublic | Any | ValidationProblem]
    """

    kwargs = _get_kwargs(
        name=name,
        alias=alias,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    name: str,
    alias: str,
    *,
    client: AuthenticatedClient,
    body: RollbackRequest,
) -> AliasMovePublic | Any | ValidationProblem | None:
    """Move an alias back to its previous version

     The previous version comes from the audit log; the rollback itself is audited.

    Args:
        name (str): a registered model's name
        alias (str): an alias, e.g. production or staging
        body (RollbackRequest): Move an alias back to its previous version.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AliasMovePublic | Any | ValidationProblem
    """

    return sync_detailed(
        name=name,
        alias=alias,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    name: str,
    alias: str,
    *,
    client: AuthenticatedClient,
    body: RollbackRequest,
) -> Response[AliasMovePublic | Any | ValidationProblem]:
    """Move an alias back to its previous version

     The previous version comes from the audit log; the rollback itself is audited.

    Args:
        name (str): a registered model's name
        alias (str): an alias, e.g. production or staging
        body (RollbackRequest): Move an alias back to its previous version.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AliasMovePublic | Any | ValidationProblem]
    """

    kwargs = _get_kwargs(
        name=name,
        alias=alias,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    name: str,
    alias: str,
    *,
    client: AuthenticatedClient,
    body: RollbackRequest,
) -> AliasMovePublic | Any | ValidationProblem | None:
    """Move an alias back to its previous version

     The previous version comes from the audit log; the rollback itself is audited.

    Args:
        name (str): a registered model's name
        alias (str): an alias, e.g. production or staging
        body (RollbackRequest): Move an alias back to its previous version.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AliasMovePublic | Any | ValidationProblem
    """

    return (
        await asyncio_detailed(
            name=name,
            alias=alias,
            client=client,
            body=body,
        )
    ).parsed
