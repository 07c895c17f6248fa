from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.explain_response import ExplainResponse
from ...models.explain_v1_explain_post_files_body import ExplainV1ExplainPostFilesBody
from ...models.explain_v1_explain_post_format import ExplainV1ExplainPostFormat
from ...models.explain_v1_explain_post_method import ExplainV1ExplainPostMethod
from ...models.explain_v1_explain_post_task import ExplainV1ExplainPostTask
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    *,
    body: File | ExplainV1ExplainPostFilesBody,
    task: ExplainV1ExplainPostTask,
    method: ExplainV1ExplainPostMethod | Unset = ExplainV1ExplainPostMethod.GRADCAM,
    target: None | str | Unset = UNSET,
    model: str | Unset = "production",
    format_: ExplainV1ExplainPostFormat | Unset = ExplainV1ExplainPostFormat.JSON,
    max_side: int | Unset = 2048,
    nsamples: int | Unset = 64,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    json_task = task.value
    params["task"] = json_task

    json_method: str | Unset = UNSET
    if not isinstance(method, Unset):
        json_method = method.value

    params["method"] = json_method

    json_target: None | str | Unset
    if isinstance(target, Unset):
        json_target = UNSET
    else:
        json_target = target
    params["target"] = json_target

    params["model"] = model

    json_format_: str | Unset = UNSET
    if not isinstance(format_, Unset):
        json_format_ = format_.value

    params["format"] = json_format_

    params["max_side"] = max_side

    params["nsamples"] = nsamples

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/explain",
        "params": params,
    }

    if isinstance(body, File):
        _kwargs["content"] = body.payload
        headers["Content-Type"] = "application/octet-stream"
    if isinstance(body, ExplainV1ExplainPostFilesBody):
        _kwargs["files"] = body.to_multipart()

        headers["Content-Type"] = "multipart/form-data; boundary=+++"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | ExplainResponse | None:
    if response.status_code == 200:
        response_200 = ExplainResponse.from_dict(response.json())

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
) -> Response[Any | ExplainResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: File | ExplainV1ExplainPostFilesBody,
    task: ExplainV1ExplainPostTask,
    method: ExplainV1ExplainPostMethod | Unset = ExplainV1ExplainPostMethod.GRADCAM,
    target: None | str | Unset = UNSET,
    model: str | Unset = "production",
    format_: ExplainV1ExplainPostFormat | Unset = ExplainV1ExplainPostFormat.JSON,
    max_side: int | Unset = 2048,
    nsamples: int | Unset = 64,
) -> Response[Any | ExplainResponse]:
    """Explain a classification or a detection with a Grad-CAM or SHAP heatmap

     The heatmap of the evidence for one output of the model (a class's score, or one box's
    score), with the answer it explains, in the uploaded image's own pixel coordinates.

    Args:
        task (ExplainV1ExplainPostTask): which model's answer to explain
        method (ExplainV1ExplainPostMethod | Unset): gradcam: captum LayerGradCam; shap: shap
            GradientExplainer; evidence: the model's own dense lesion evidence (cell probabilities)
            Default: ExplainV1ExplainPostMethod.GRADCAM.
        target (None | str | Unset): classify: normal, benign or malignant (default the most
            probable); detect: a detection index, best first as /v1/detect lists them (default 0)
        model (str | Unset): an alias (e.g. production, staging) or a version number Default:
            'production'.
        format_ (ExplainV1ExplainPostFormat | Unset): json (PNGs in base64), dicom (Secondary
            Capture of the overlay) or dicom-pm (Parametric Map of the values) Default:
            ExplainV1ExplainPostFormat.JSON.
        max_side (int | Unset): longest side of the heatmap PNGs Default: 2048.
        nsamples (int | Unset): SHAP: expected-gradient samples Default: 64.
        body (File):
        body (ExplainV1ExplainPostFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ExplainResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        task=task,
        method=method,
        target=target,
        model=model,
        format_=format_,
        max_side=max_side,
        nsamples=nsamples,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: File | ExplainV1ExplainPostFilesBody,
    task: ExplainV1ExplainPostTask,
    method: ExplainV1ExplainPostMethod | Unset = ExplainV1ExplainPostMethod.GRADCAM,
    target: None | str | Unset = UNSET,
    model: str | Unset = "production",
    format_: ExplainV1ExplainPostFormat | Unset = ExplainV1ExplainPostFormat.JSON,
    max_side: int | Unset = 2048,
    nsamples: int | Unset = 64,
) -> Any | ExplainResponse | None:
    """Explain a classification or a detection with a Grad-CAM or SHAP heatmap

     The heatmap of the evidence for one output of the model (a class's score, or one box's
    score), with the answer it explains, in the uploaded image's own pixel coordinates.

    Args:
        task (ExplainV1ExplainPostTask): which model's answer to explain
        method (ExplainV1ExplainPostMethod | Unset): gradcam: captum LayerGradCam; shap: shap
            GradientExplainer; evidence: the model's own dense lesion evidence (cell probabilities)
            Default: ExplainV1ExplainPostMethod.GRADCAM.
        target (None | str | Unset): classify: normal, benign or malignant (default the most
            probable); detect: a detection index, best first as /v1/detect lists them (default 0)
        model (str | Unset): an alias (e.g. production, staging) or a version number Default:
            'production'.
        format_ (ExplainV1ExplainPostFormat | Unset): json (PNGs in base64), dicom (Secondary
            Capture of the overlay) or dicom-pm (Parametric Map of the values) Default:
            ExplainV1ExplainPostFormat.JSON.
        max_side (int | Unset): longest side of the heatmap PNGs Default: 2048.
        nsamples (int | Unset): SHAP: expected-gradient samples Default: 64.
        body (File):
        body (ExplainV1ExplainPostFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ExplainResponse
    """

    return sync_detailed(
        client=client,
        body=body,
        task=task,
        method=method,
        target=target,
        model=model,
        format_=format_,
        max_side=max_side,
        nsamples=nsamples,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: File | ExplainV1ExplainPostFilesBody,
    task: ExplainV1ExplainPostTask,
    method: ExplainV1ExplainPostMethod | Unset = ExplainV1ExplainPostMethod.GRADCAM,
    target: None | str | Unset = UNSET,
    model: str | Unset = "production",
    format_: ExplainV1ExplainPostFormat | Unset = ExplainV1ExplainPostFormat.JSON,
    max_side: int | Unset = 2048,
    nsamples: int | Unset = 64,
) -> Response[Any | ExplainResponse]:
    """Explain a classification or a detection with a Grad-CAM or SHAP heatmap

     The heatmap of the evidence for one output of the model (a class's score, or one box's
    score), with the answer it explains, in the uploaded image's own pixel coordinates.

    Args:
        task (ExplainV1ExplainPostTask): which model's answer to explain
        method (ExplainV1ExplainPostMethod | Unset): gradcam: captum LayerGradCam; shap: shap
            GradientExplainer; evidence: the model's own dense lesion evidence (cell probabilities)
            Default: ExplainV1ExplainPostMethod.GRADCAM.
        target (None | str | Unset): classify: normal, benign or malignant (default the most
            probable); detect: a detection index, best first as /v1/detect lists them (default 0)
        model (str | Unset): an alias (e.g. production, staging) or a version number Default:
            'production'.
        format_ (ExplainV1ExplainPostFormat | Unset): json (PNGs in base64), dicom (Secondary
            Capture of the overlay) or dicom-pm (Parametric Map of the values) Default:
            ExplainV1ExplainPostFormat.JSON.
        max_side (int | Unset): longest side of the heatmap PNGs Default: 2048.
        nsamples (int | Unset): SHAP: expected-gradient samples Default: 64.
        body (File):
        body (ExplainV1ExplainPostFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ExplainResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        task=task,
        method=method,
        target=target,
        model=model,
        format_=format_,
        max_side=max_side,
        nsamples=nsamples,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: File | ExplainV1ExplainPostFilesBody,
    task: ExplainV1ExplainPostTask,
    method: ExplainV1ExplainPostMethod | Unset = ExplainV1ExplainPostMethod.GRADCAM,
    target: None | str | Unset = UNSET,
    model: str | Unset = "production",
    format_: ExplainV1ExplainPostFormat | Unset = ExplainV1ExplainPostFormat.JSON,
    max_side: int | Unset = 2048,
    nsamples: int | Unset = 64,
) -> Any | ExplainResponse | None:
    """Explain a classification or a detection with a Grad-CAM or SHAP heatmap

     The heatmap of the evidence for one output of the model (a class's score, or one box's
    score), with the answer it explains, in the uploaded image's own pixel coordinates.

    Args:
        task (ExplainV1ExplainPostTask): which model's answer to explain
        method (ExplainV1ExplainPostMethod | Unset): gradcam: captum LayerGradCam; shap: shap
            GradientExplainer; evidence: the model's own dense lesion evidence (cell probabilities)
            Default: ExplainV1ExplainPostMethod.GRADCAM.
        target (None | str | Unset): classify: normal, benign or malignant (default the most
            probable); detect: a detection index, best first as /v1/detect lists them (default 0)
        model (str | Unset): an alias (e.g. production, staging) or a version number Default:
            'production'.
        format_ (ExplainV1ExplainPostFormat | Unset): json (PNGs in base64), dicom (Secondary
            Capture of the overlay) or dicom-pm (Parametric Map of the values) Default:
            ExplainV1ExplainPostFormat.JSON.
        max_side (int | Unset): longest side of the heatmap PNGs Default: 2048.
        nsamples (int | Unset): SHAP: expected-gradient samples Default: 64.
        body (File):
        body (ExplainV1ExplainPostFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ExplainResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            task=task,
            method=method,
            target=target,
            model=model,
            format_=format_,
            max_side=max_side,
            nsamples=nsamples,
        )
    ).parsed
