"""What both task services share: read each request's tensor frame, check it, batch requests,
run one forward pass per model version in a batch, and answer refusals as problem documents.

Every request is checked on its own before it joins a batch (its model version loaded, each
input decoded and compared with the shape that version reads), so a bad request is refused with
its own 4xx and never fails the requests it would have been batched with. Only checked inputs
are batched (:class:`serving.batching.GreedyBatcher`: never waiting for company, which
BentoML's adaptive batcher does, see there; and a ``batchable`` BentoML API could not answer one
request of a batch with an error of its own anyway). A batch may
mix versions (production and staging side by side): its inputs are grouped by version (and input
shape, which differs only for a version trained without a fixed grid) and each group is one
forward pass.

Explanations (``/tensors/explain``) take the same per-request checks, then run one at a time on
a thread of their own (:mod:`serving.explaining`).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar, cast

import numpy as np
import torch
from pydantic import BaseModel, RootModel, ValidationError
from starlette.responses import JSONResponse, Response

from mammocad.errors import (
    PROBLEM_MEDIA_TYPE,
    InvalidInputError,
    MammocadError,
    problem_type,
    status_of,
)
from mammocad.schemas.artifact import Task
from mammocad.schemas.inference_contract import (
    ExplainRequest,
    ModelRef,
    ServiceProblem,
    TensorRef,
)
from mammocad.schemas.tensor_frame import FrameError, unpack
from models.inference.loaded import LoadedModel
from models.trust.ood import PENULTIMATE, OodFeatures
from registry.service import Registry
from serving.batching import GreedyBatcher
from serving.explaining import Explain
from serving.resident import ResidentModels
from serving.settings import ServingSettings

__all__ = ["Forward", "ModelItem", "TaskEngine", "ood_scores"]

logger = logging.getLogger(__name__)

OutcomeT = TypeVar("OutcomeT", bound=BaseModel)
# One forward pass of one loaded model over same-shaped (channels, rows, columns) inputs.
Forward = Callable[[LoadedModel, list[np.ndarray]], list[OutcomeT]]


class ModelItem(Protocol):
    """What both tasks' request items have: the exact version and where its input is."""

    @property
    def model(self) -> ModelRef: ...

    @property
    def input(self) -> TensorRef: ...


class _ModelRequest(Protocol):
    """What both tasks' request headers have (``ClassifyRequest``, ``DetectRequest``): their
    items, answered in order."""

    @property
    def items(self) -> Sequence[ModelItem]: ...


RequestT = TypeVar("RequestT", bound=BaseModel)


def ood_scores(model: LoadedModel, features: OodFeatures) -> list[float | None]:
    """The version's OOD detector scores of a batch's feature views (None each without a
    detector); both services answer them, and the gateway compares them with the registry's
    threshold."""
    if model.ood is None:
        return [None] * len(features[PENULTIMATE])
    return [float(score) for score in model.ood.score(features)]


def _pinned_torch_thread(name: str, threads: int | None) -> ThreadPoolExecutor:
    """A single thread for one kind of torch work, with ``threads`` intra-op threads (else
    every core; one batch runs at a time, so more would only contend with each other).

    A forward pass runs much slower on a thread other than the one that loaded the model:
    ``bench/torch_thread_bench.py`` measured the demo detector at 39-53 ms on the loading thread
    and 66-91 ms on any other (2-core CPU, 1024 x 1024 PGM input), which the services paid on
    every request when loading, checking and batching ran on whichever pool thread was free.
    So each service loads and runs its versions on one thread and explains on another (the
    explainer's copy of the network is made there, on its first explanation)."""
    return ThreadPoolExecutor(
        max_workers=1,
        thread_name_prefix=f"mammocad-{name}",
        initializer=torch.set_num_threads,
        initargs=(threads or os.cpu_count() or 1,),
    )


def _malformed(error: FrameError | ValidationError) -> JSONResponse:
    """400 with a plain ``{"error": ...}`` body (as BentoML answers a body that does not match
    its schemas): the gateway reads it as its own bug, never as the caller's refusal."""
    return JSONResponse({"error": f"not a request of the inference contract: {error}"}, 400)


def _problem_response(error: MammocadError) -> JSONResponse:
    """The :class:`ServiceProblem` answer to a refused request, with the status the gateway
    gives the same error (:func:`mammocad.errors.status_of`: 404 unknown version, 422 an input
    the version cannot read, 500 a tampered artifact, 503 overloaded)."""
    status = status_of(error)
    problem = ServiceProblem(
        type=problem_type(error.code),
        title=error.title,
        status=status,
        detail=error.detail,
        code=error.code,
    )
    headers = {"Retry-After": "5"} if status == 503 else None
    return JSONResponse(
        problem.model_dump(), status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


@dataclass(frozen=True)
class _Job:
    """One checked input, with the loaded version that will read it."""

    ref: ModelRef
    model: LoadedModel
    input: np.ndarray


class TaskEngine(Generic[RequestT, OutcomeT]):
    """Checks, batches and answers requests for one task.

    Args:
        task: the task every served version must have.
        request: the header schema of the task's inference requests (``items``).
        forward: the task's forward pass over a group of inputs of one version.
        explain: the task's explanation of one checked input.
        outcomes: the list-of-outcomes schema the API answers with.
        settings: registry, cache size, device, threads and batching limits.
    """

    def __init__(
        self,
        task: Task,
        request: type[RequestT],
        forward: Forward[OutcomeT],
        explain: Explain,
        outcomes: type[RootModel[list[OutcomeT]]],
        settings: ServingSettings,
    ) -> None:
        # One thread loads every version and runs every forward pass, another every explanation
        # (one at a time): see _pinned_torch_thread for why torch work never hops threads.
        self._forward_thread = _pinned_torch_thread("forward", settings.torch_threads)
        self._explain_thread = _pinned_torch_thread("explain", settings.torch_threads)
        self._registry = Registry(settings.registry_url, model_store_url=settings.model_store_url)
        self.resident = ResidentModels(
            self._registry, task, capacity=settings.resident_models, device=settings.device
        )
        self._request = request
        self._forward = forward
        self._explain = explain
        self._outcomes = outcomes
        self._batched: GreedyBatcher[list[_Job], list[OutcomeT]] = GreedyBatcher(
            self._run_batch,
            max_batch_size=settings.max_batch_size,
            max_wait_s=settings.max_latency_ms / 1000,
            size=len,
            executor=self._forward_thread,
        )

    async def answer(self, body: bytes) -> Response:
        """One outcome per item of the frame ``body``, in order, or the problem that refused
        the request."""
        try:
            request, tensors = unpack(body, self._request)
            items = cast(_ModelRequest, request).items
            for item in items:
                item.input.check(tensors)
        except (FrameError, ValidationError) as error:
            return _malformed(error)
        try:
            jobs = await asyncio.to_thread(self._check, items, tensors)
            outcomes = await self._batched(jobs) if jobs else []
        except MammocadError as error:
            logger.info("refused a request: %s (%s)", error.detail, error.code)
            return _problem_response(error)
        answer = self._outcomes(outcomes or []).model_dump_json()
        return Response(answer, media_type="application/json")

    async def explain(self, body: bytes) -> Response:
        """The explanation of the frame ``body``'s one item, or the problem that refused it."""
        try:
            request, tensors = unpack(body, ExplainRequest)
            request.item.input.check(tensors)
        except (FrameError, ValidationError) as error:
            return _malformed(error)
        try:
            [job] = await asyncio.to_thread(self._check, [request.item], tensors)
            outcome = await asyncio.get_running_loop().run_in_executor(
                self._explain_thread, self._explain, job.model, job.input, request.item
            )
        except MammocadError as error:
            logger.info("refused an explanation: %s (%s)", error.detail, error.code)
            return _problem_response(error)
        return Response(outcome.model_dump_json(), media_type="application/json")

    def close(self) -> None:
        """Refuse what is still queued and close the registry's connections."""
        self._batched.shutdown()
        self._forward_thread.shutdown(wait=False, cancel_futures=True)
        self._explain_thread.shutdown(wait=False, cancel_futures=True)
        self._registry.close()

    def _check(self, items: Sequence[ModelItem], tensors: memoryview) -> list[_Job]:
        """Each item's loaded version and its checked input (in a worker thread, not the
        forward thread: a request's check must not wait for the batch that is running, or it
        misses the next one; a version that is not resident yet is loaded on the forward
        thread all the same)."""
        jobs = []
        for index, item in enumerate(items):
            model = (
                self.resident.loaded(item.model)
                or self._forward_thread.submit(self.resident.get, item.model).result()
            )
            array = _checked_input(item.input, tensors, model, item.model, index)
            jobs.append(_Job(item.model, model, array))
        return jobs

    def _run_batch(self, requests: Sequence[list[_Job]]) -> list[list[OutcomeT]]:
        """One batch: every request's jobs, one forward pass per version and input
        shape, the outcomes handed back to each request in its own order."""
        jobs = [job for request in requests for job in request]
        groups: dict[tuple[ModelRef, tuple[int, ...]], list[int]] = {}
        for position, job in enumerate(jobs):
            groups.setdefault((job.ref, job.input.shape), []).append(position)
        outcomes: dict[int, OutcomeT] = {}
        for positions in groups.values():
            model = jobs[positions[0]].model
            answers = self._forward(model, [jobs[p].input for p in positions])
            outcomes.update(zip(positions, answers, strict=True))
        logger.debug("batch of %d input(s), %d forward pass(es)", len(jobs), len(groups))
        in_order = iter([outcomes[position] for position in range(len(jobs))])
        return [list(itertools.islice(in_order, len(request))) for request in requests]


def _checked_input(
    tensor: TensorRef, tensors: memoryview, model: LoadedModel, ref: ModelRef, index: int
) -> np.ndarray:
    """The input, refused unless it is the (channels, rows, columns) the version was trained
    on, with finite values (ingest with the version's own ``IngestOptions`` gives it). The
    reference was checked against the frame's bytes when the request was read."""
    where = f"item {index} ({ref.name} version {ref.version})"
    shape = tensor.shape
    options = model.metadata.ingest
    channels = 2 if options.detail_channel else 1
    expected = (channels, *options.target_shape) if options.target_shape else None
    if len(shape) != 3 or shape[0] != channels or (expected and shape != expected):
        wanted = expected or f"({channels}, rows, columns)"
        raise InvalidInputError(
            f"{where} reads (channels, rows, columns) = {wanted}, got {shape}: ingest the "
            "image with this version's ingest options",
            code="input-shape-mismatch",
        )
    array = tensor.read(tensors)
    if not np.isfinite(array).all():
        raise InvalidInputError(
            f"{where}: the input has NaN or infinite values", code="non-finite-input"
        )
    return array
