"""The path every model request takes through the gateway, whichever the task.

Resolve the model reference to one exact registered version (an alias is read once, here, so an
alias move never changes the model in the middle of a request), ingest the upload once with that
version's own ingest options, send the model input to the task service, and time each step.
Ingest is CPU-bound and the registry is a database, so both run in the thread pool: the event
loop keeps serving other requests (and readiness probes) meanwhile. Ingest and the service call
hold one of the task's slots (:mod:`api.admission`), so the work in flight stays bounded.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Generic, Literal, Protocol, TypeVar

import numpy as np
from fastapi import Query, Request
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from api.admission import TaskAdmission
from api.inference_schemas import TimingMs
from api.metrics import record_model_version
from api.problems import problem_responses
from api.settings import GatewaySettings
from api.task_client import BadServiceAnswerError, TaskClient
from mammocad.errors import NotFoundError
from mammocad.ingest.decoded import DecodedImage
from mammocad.ingest.pipeline import IngestedImage, decode_bytes, prepare
from mammocad.schemas.artifact import Task
from mammocad.schemas.inference_contract import (
    ExplainItem,
    ExplainMethod,
    ExplainOutcome,
    ModelRef,
    ShapOptions,
)
from mammocad.schemas.tensor_frame import TensorPayload
from registry import ModelVersion, Registry

__all__ = [
    "INFERENCE_PROBLEMS",
    "Answered",
    "ModelQuery",
    "answer",
    "explanation",
    "from_service",
    "threshold_of",
]

ItemT = TypeVar("ItemT", bound=BaseModel)
OutcomeT = TypeVar("OutcomeT", bound=BaseModel)
T = TypeVar("T")

ModelQuery = Annotated[
    str,
    Query(
        pattern=r"^([1-9][0-9]{0,8}|[a-z][a-z0-9_-]{0,62})$",
        description="an alias (e.g. production, staging) or a version number",
        examples=["production"],
    ),
]


INFERENCE_PROBLEMS = problem_responses(
    {
        400: "Empty upload or malformed request",
        404: "No such model, version or alias (or a model of another task)",
        413: "Upload or decoded image too large",
        415: "Not DICOM/PNG/PGM/JPEG, or undecodable DICOM compression",
        422: "Corrupt image, no pixel data, colour image, or a bad query parameter",
        502: "The task service answered something the gateway cannot use",
        503: "The task service or the registry is unavailable or timed out, or the task is "
        "busy (task-busy); retry after Retry-After seconds",
    }
)


class _ExplainingClient(Protocol):
    """A task service client that explains (both :class:`TaskClient` kinds do)."""

    async def explain(self, item: ExplainItem, tensors: TensorPayload) -> ExplainOutcome: ...


@dataclass(frozen=True)
class Answered(Generic[OutcomeT]):
    """A task service's answer about an upload, with everything needed to interpret it."""

    version: ModelVersion
    alias: str | None
    image: IngestedImage
    outcome: OutcomeT
    ingest_ms: float
    inference_ms: float
    started: float
    original: DecodedImage | None = None  # the decoded upload, kept only when asked for

    def timing(self) -> TimingMs:
        """Milliseconds per step; ``total`` runs until now (the answer is being built)."""
        return TimingMs(
            ingest=_ms(self.ingest_ms),
            inference=_ms(self.inference_ms),
            total=_ms((time.perf_counter() - self.started) * 1000),
        )


async def answer(
    request: Request,
    *,
    task: Task,
    model_name: str,
    ref: str,
    data: bytes,
    registry: Registry,
    settings: GatewaySettings,
    client: TaskClient[ItemT, OutcomeT],
    item: type[ItemT],
) -> Answered[OutcomeT]:
    """Run ``data`` through version ``ref`` of ``model_name`` on the task service.

    Raises:
        NotFoundError: no such model, version or alias, or a model of another task.
        IngestError: the upload is not an image the gateway accepts.
        UnavailableError, BadServiceAnswerError, ...: see :meth:`TaskClient.infer`.
    """

    async def call(model: ModelRef, model_input: np.ndarray) -> OutcomeT:
        tensors = TensorPayload()
        [outcome] = await client.infer([item(model=model, input=tensors.add(model_input))], tensors)
        return outcome

    return await _answer(request, task, model_name, ref, data, registry, settings, call)


async def explanation(
    request: Request,
    *,
    task: Task,
    model_name: str,
    ref: str,
    data: bytes,
    registry: Registry,
    settings: GatewaySettings,
    client: _ExplainingClient,
    method: ExplainMethod,
    target: str | int | None,
    shap: ShapOptions,
) -> Answered[ExplainOutcome]:
    """Like :func:`answer`, for ``POST /explain``; also keeps the decoded upload (the overlay
    is drawn on it).

    Raises:
        as :func:`answer`.
    """

    async def call(model: ModelRef, model_input: np.ndarray) -> ExplainOutcome:
        tensors = TensorPayload()
        item = ExplainItem(
            model=model, input=tensors.add(model_input), method=method, target=target, shap=shap
        )
        return await client.explain(item, tensors)

    return await _answer(
        request, task, model_name, ref, data, registry, settings, call, keep_original=True
    )


async def _answer(
    request: Request,
    task: Task,
    model_name: str,
    ref: str,
    data: bytes,
    registry: Registry,
    settings: GatewaySettings,
    call: Callable[[ModelRef, np.ndarray], Awaitable[OutcomeT]],
    *,
    keep_original: bool = False,
) -> Answered[OutcomeT]:
    started = time.perf_counter()
    version = await run_in_threadpool(_resolve, registry, model_name, ref, task)
    record_model_version(request, version.model_name, version.version)

    admission: TaskAdmission = request.app.state.admission
    async with admission.slot(task):
        before_ingest = time.perf_counter()
        original, image, model_input = await run_in_threadpool(_ingest, data, version, settings)
        before_inference = time.perf_counter()
        model = ModelRef(name=version.model_name, version=version.version)
        outcome = await call(model, model_input)
    return Answered(
        version=version,
        alias=None if ref.isdigit() else ref,
        image=image,
        outcome=outcome,
        ingest_ms=(before_inference - before_ingest) * 1000,
        inference_ms=(time.perf_counter() - before_inference) * 1000,
        started=started,
        original=original if keep_original else None,
    )


def threshold_of(
    version: ModelVersion, key: Literal["abnormal_threshold", "score_threshold"]
) -> float | None:
    """The operating threshold ``key`` chosen on the version's validation split, if any."""
    value: float | None = getattr(version.training.operating_point, key)
    return value


def from_service(task: Task, build: Callable[[], T]) -> T:
    """``build()``, with a schema violation in the service's numbers reported as the service's
    fault (502), not as an internal error."""
    try:
        return build()
    except ValidationError as error:
        raise BadServiceAnswerError(
            f"the {task} service answered values outside the contract: {error}"
        ) from error


def _resolve(registry: Registry, name: str, ref: str, task: Task) -> ModelVersion:
    version = registry.get_version(name, ref)
    if version.task != task:
        raise NotFoundError(
            f"model {name!r} is a {version.task} model; this endpoint needs a {task} model",
            code="model-not-found",
        )
    return version


def _ingest(
    data: bytes, version: ModelVersion, settings: GatewaySettings
) -> tuple[DecodedImage, IngestedImage, np.ndarray]:
    # The version's own options (grid, crop, orientation, speck map) make the input the model was
    # trained on; only the decoded-size cap is the gateway's, and it never changes the pixels.
    trained = version.training.ingest
    options = trained.model_copy(
        update={"max_pixels": min(trained.max_pixels, settings.max_image_pixels)}
    )
    decoded = decode_bytes(data, options.max_pixels)
    image = prepare(decoded, options)
    return decoded, image, image.model_input()


def _ms(value: float) -> float:
    return round(value, 1)
