from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.card_format import CardFormat
from ...models.model_card import ModelCard
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    name: str,
    version: str,
    *,
    format_: CardFormat | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_format_: None | str | Unset
    if isinstance(format_, Unset):
        json_format_ = UNSET
    elif isinstance(format_, CardFormat):
        json_format_ = format_.value
    else:
        json_format_ = format_
    params["format"] = json_format_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/models/{name}/versions/{version}/card".format(
            name=quote(str(name), safe=""),
            version=quote(str(version), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ModelCard | ValidationProblem | None:
    if response.status_code == 200:
        response_200 = ModelCard.from_dict(response.json())

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
) -> Response[Any | ModelCard | ValidationProblem]:
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
    format_: CardFormat | None | Unset = UNSET,
) -> Response[Any | ModelCard | ValidationProblem]:
    """The model card of a version

     A complete model card ("Model Cards for Model Reporting" sections, operating points,
    calibration, OOD detection, and a not-for-clinical-use warning for synthetic training
    data).

    Args:
        name (str): a registered model's name
        version (str): a version number, or an alias such as production
        format_ (CardFormat | None | Unset): json, markdown or html; default from the Accept
            header, else json

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ModelCard | ValidationProblem]
    """

    kwargs = _get_kwargs(
        name=name,
        version=version,
        format_=format_,
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
    format_: CardFormat | None | Unset = UNSET,
) -> Any | ModelCard | ValidationProblem | None:
    """The model card of a version

     A complete model card ("Model Cards for Model Reporting" sections, operating points,
    calibration, OOD detection, and a not-for-clinical-use warning for synthetic training
    data).

    Args:
        name (str): a registered model's name
        version (str): a version number, or an alias such as production
        format_ (CardFormat | None | Unset): json, markdown or html; default from the Accept
            header, else json

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ModelCard | ValidationProblem
    """

    return sync_detailed(
        name=name,
        version=version,
        client=client,
        format_=format_,
    ).parsed


async def asyncio_detailed(
    name: str,
    version: str,
    *,
    client: AuthenticatedClient,
    format_: CardFormat | None | Unset = UNSET,
) -> Response[Any | ModelCard | ValidationProblem]:
    """The model card of a version

     A complete model card ("Model Cards for Model Reporting" sections, operating points,
    calibration, OOD detection, and a not-for-clinical-use warning for synthetic training
    data).

    Args:
        name (str): a registered model's name
        version (str): a version number, or an alias such as production
        format_ (CardFormat | None | Unset): json, markdown or html; default from the Accept
            header, else json

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ModelCard | ValidationProblem]
    """

    kwargs = _get_kwargs(
        name=name,
        version=version,
        format_=format_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    name: str,
    version: str,
    *,
    client: AuthenticatedClient,
    format_: CardFormat | None | Unset = UNSET,
) -> Any | ModelCard | ValidationProblem | None:
    """The model card of a version

     A complete model card ("Model Cards for Model Reporting" sections, operating points,
    calibration, OOD detection, and a not-for-clinical-use warning for synthetic training
    data).

    Args:
        name (str): a registered model's name
        version (str): a version number, or an alias such as production
        format_ (CardFormat | None | Unset): json, markdown or html; default from the Accept
            header, else json

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ModelCard | ValidationProblem
    """

    return (
        await asyncio_detailed(
            name=name,
            version=version,
            client=client,
            format_=format_,
        )
    ).parsed
