"""The gateway's HTTP client of the task services (classification, detection).

Each task may run as several replicas (:mod:`api.replicas` says how requests are spread and how
a failed replica leaves and rejoins the rotation). Inference is idempotent (the same frame, the
same exact model version), so a request a replica never got, or one a restarting replica refused
(502/503/504), is sent at once to the next replica; when no replica answered, the round is
repeated a bounded number of times with exponential backoff; after that the caller gets a 503
with ``Retry-After``. A replica that took the whole service timeout is taken out of rotation too,
but its request is not resent: the work may still be running there, and resending it would
double the load of a task that is only slow, and outlast the caller's own deadline. Nothing but
the rotation is remembered between requests (no circuit breaker), so the first request after a
service comes back succeeds. The service's own client refusals (404 for a model version it
cannot load, 422 for an input it cannot read) are the request's own answer, never resent: they
reach the caller with the service's code and message; an answer outside the inference contract
(:mod:`mammocad.schemas.inference_contract`; including the service's plain 400 for a body that is
not a tensor frame of the contract's schemas, which only a gateway bug can send) is a 502,
because it is a fault between our two processes, not the caller's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from types import GenericAlias, TracebackType
from typing import TYPE_CHECKING, Generic, TypeVar, cast

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from api.replicas import Replica, ReplicaSet
from api.settings import GatewaySettings
from mammocad.errors import (
    InvalidInputError,
    MammocadError,
    NotFoundError,
    UnavailableError,
    status_of,
)
from mammocad.schemas.artifact import Task
from mammocad.schemas.inference_contract import (
    ClassifyItem,
    ClassifyOutcome,
    DetectItem,
    DetectOutcome,
    ExplainItem,
    ExplainOutcome,
    ServiceProblem,
)
from mammocad.schemas.tensor_frame import MEDIA_TYPE as TENSOR_FRAME
from mammocad.schemas.tensor_frame import TensorPayload, pack
from registry.errors import TamperedArtifactError

if TYPE_CHECKING:
    from typing_extensions import TypeForm  # pydantic's own dependency; only named in a cast

__all__ = ["BadServiceAnswerError", "TaskClient", "TaskServices"]

logger = logging.getLogger(__name__)

ItemT = TypeVar("ItemT", bound=BaseModel)
OutcomeT = TypeVar("OutcomeT", bound=BaseModel)

# Answers that mean "not now" (a proxy in front, or the service starting or stopping).
_RETRYABLE_STATUS = frozenset({502, 503, 504})
# Failures where the request cannot have been processed to completion, so resending is safe and
# cheap: refused or broken connections, including a keep-alive connection a restarted service
# closed. A read timeout is not among them: the service is busy, and resending only queues more
# (the replica still leaves the rotation until its probe answers).
_RETRYABLE_ERRORS = (httpx.NetworkError, httpx.ConnectTimeout, httpx.RemoteProtocolError)
# The refusals the contract defines, with the code used when the service's own code would not
# keep the status (both processes choose statuses with mammocad.errors.status_of). A 400 is a
# refusal only with a problem document: the service's plain 400 (a body that is not a frame of
# the contract's schemas) is a gateway bug.
_REFUSALS: dict[int, tuple[type[MammocadError], str]] = {
    400: (InvalidInputError, "invalid-input"),
    404: (NotFoundError, "version-not-found"),
    422: (InvalidInputError, "unusable-model-input"),
}
_MESSAGE_CHARS = 500


class BadServiceAnswerError(MammocadError):
    """A task service answered outside the inference contract: a malformed body, a wrong number
    of outcomes, a status the contract does not have, or the service's plain 400 for a request
    that is not a frame of the contract's schemas. A fault between the gateway and the service,
    never the caller's."""

    code = "bad-service-answer"
    title = "Bad answer from a task service"


class TaskClient(Generic[ItemT, OutcomeT]):
    """One task service and its replicas: ``POST /tensors/<task>`` with a tensor frame whose
    header is ``{"items": [...]}``, ``POST /tensors/explain``, and ``GET /readyz``.

    Args:
        task: the service's task, which is also the path of its inference endpoint.
        replicas: one client per replica, whose ``base_url`` is the replica (closed by
            :meth:`aclose`).
        outcome: the schema of one answer item.
        retries: extra rounds over the replicas after a round that none of them answered.
        backoff_s: wait before the first extra round, doubled for each next one.
        probe_interval_s: wait between two probes of a replica out of rotation.
    """

    def __init__(
        self,
        task: Task,
        replicas: Sequence[httpx.AsyncClient],
        outcome: type[OutcomeT],
        *,
        retries: int,
        backoff_s: float,
        probe_interval_s: float,
    ) -> None:
        self.task = task
        self.replicas = ReplicaSet(task, replicas, self._probe, probe_interval_s=probe_interval_s)
        # GenericAlias(list, (outcome,)) is list[outcome] at run time, which mypy cannot read as
        # a type form (its argument is a variable, the class of this client's outcomes).
        items = cast("TypeForm[list[OutcomeT]]", GenericAlias(list, (outcome,)))
        self._outcomes = TypeAdapter(items)
        self._retries = retries
        self._backoff_s = backoff_s

    async def infer(self, items: Sequence[ItemT], tensors: TensorPayload) -> list[OutcomeT]:
        """The service's answers, one per item, in order (``tensors`` holds the items' inputs).

        Raises:
            UnavailableError: unreachable, timed out, or 5xx after the retries.
            TamperedArtifactError: the service found the version's artifact changed (500).
            NotFoundError, InvalidInputError: the service refused the request (404, 422).
            BadServiceAnswerError: any other answer that is not a list of ``len(items)``
                outcomes.
        """
        response = await self._answer(f"/tensors/{self.task}", pack({"items": items}, tensors))
        return self._parse(response, len(items))

    async def explain(self, item: ExplainItem, tensors: TensorPayload) -> ExplainOutcome:
        """The service's explanation of one image (``POST /tensors/explain``).

        Raises:
            as :meth:`infer`.
        """
        response = await self._answer("/tensors/explain", pack({"item": item}, tensors))
        try:
            return ExplainOutcome.model_validate_json(response.content)
        except ValidationError as error:
            raise BadServiceAnswerError(
                f"the {self.task} service's explanation does not match the inference contract: "
                f"{error.error_count()} error(s), first: {_first(error)}"
            ) from error

    async def _answer(self, path: str, frame: bytes) -> httpx.Response:
        """A successful answer to the tensor ``frame`` at ``path``, or the error its failure
        means."""
        response = await self._post(path, frame)
        if response.is_success:
            return response
        if response.status_code in _REFUSALS and (
            response.status_code != 400 or _problem_code(response) is not None
        ):
            raise self._refusal(response)
        if _problem_code(response) == TamperedArtifactError.code:
            # Retrying cannot help: the stored model changed on disk. Loud, and not "later".
            raise TamperedArtifactError(
                f"the {self.task} service refused to load the model: {_message(response)}"
            )
        if response.status_code >= 500:
            logger.warning(
                "%s service at %s failed with %d: %s",
                self.task,
                response.url,
                response.status_code,
                _message(response),
            )
            raise UnavailableError(
                f"the {self.task} service failed ({response.status_code}); retry shortly",
                code="task-service-unavailable",
            )
        raise BadServiceAnswerError(
            f"the {self.task} service answered {response.status_code}: {_message(response)}"
        )

    async def probe(self) -> dict[str, str | None]:
        """Each replica's readiness, by base URL: None when it answers ``/readyz`` with 200,
        else what is wrong (asked concurrently, no retry: a readiness probe must answer quickly
        and is asked again anyway)."""
        replicas = self.replicas.replicas
        problems = await asyncio.gather(*(self._probe(replica.http) for replica in replicas))
        return {replica.url: problem for replica, problem in zip(replicas, problems, strict=True)}

    async def aclose(self) -> None:
        """Stop the replicas' probes and close their connection pools."""
        await self.replicas.aclose()

    async def _probe(self, http: httpx.AsyncClient) -> str | None:
        """One replica's readiness (see :meth:`probe`)."""
        try:
            response = await http.get("/readyz", timeout=http.timeout.connect)
        except httpx.HTTPError as error:
            return f"{self.task} service at {http.base_url} unreachable: {_describe(error)}"
        if response.status_code != 200:
            return (
                f"{self.task} service at {http.base_url} not ready ({response.status_code}): "
                f"{_message(response)}"
            )
        return None

    async def _post(self, path: str, body: bytes) -> httpx.Response:
        """The first answer of a replica, failing over to the next one at once and repeating
        the round with backoff after retryable failures. What went wrong is logged in full; the
        caller's message names only its kind (no internal addresses)."""
        failure = ""
        for attempt in range(self._retries + 1):
            if attempt:
                await asyncio.sleep(self._backoff_s * 2 ** (attempt - 1))
            for replica in self.replicas.order():
                answer = await self._post_to(replica, path, body, attempt)
                if isinstance(answer, httpx.Response):
                    return answer
                failure = answer
        raise UnavailableError(
            f"the {self.task} service is unavailable ({failure}); retry shortly",
            code="task-service-unavailable",
        )

    async def _post_to(
        self, replica: Replica, path: str, body: bytes, attempt: int
    ) -> httpx.Response | str:
        """``replica``'s answer, or the kind of retryable failure that took it out of rotation.

        Raises:
            UnavailableError: a failure that resending cannot mend (a timeout, a bad URL).
        """
        try:
            with self.replicas.sending(replica):
                response = await replica.http.post(
                    path, content=body, headers={"content-type": TENSOR_FRAME}
                )
        except _RETRYABLE_ERRORS as error:
            failure, logged = type(error).__name__, _describe(error)
        except httpx.TimeoutException as error:
            self.replicas.take_out(replica, f"no answer in time: {_describe(error)}")
            raise UnavailableError(
                f"the {self.task} service did not answer in time ({type(error).__name__})",
                code="task-service-timeout",
            ) from error
        except httpx.HTTPError as error:  # e.g. a malformed service URL: not worth a retry
            logger.error("%s service at %s: %s", self.task, replica.url, _describe(error))
            raise UnavailableError(
                f"the {self.task} service cannot be reached ({type(error).__name__})",
                code="task-service-unavailable",
            ) from error
        else:
            if response.status_code not in _RETRYABLE_STATUS:
                self.replicas.put_back(replica)  # it answers: whatever it said is the answer
                return response
            failure, logged = f"status {response.status_code}", _message(response)
        logger.warning(
            "%s service at %s, attempt %d of %d: %s",
            self.task,
            replica.url,
            attempt + 1,
            self._retries + 1,
            logged,
        )
        self.replicas.take_out(replica, logged)
        return failure

    def _refusal(self, response: httpx.Response) -> MammocadError:
        """The service's 404 or 422 as the same client error, keeping its stable code."""
        kind, fallback = _REFUSALS[response.status_code]
        detail = f"the {self.task} service refused the input: {_message(response)}"
        try:
            error = kind(detail, code=ServiceProblem.model_validate_json(response.content).code)
        except ValidationError:
            error = kind(detail, code=fallback)
        return error if status_of(error) == response.status_code else kind(detail, code=fallback)

    def _parse(self, response: httpx.Response, expected: int) -> list[OutcomeT]:
        try:
            outcomes = self._outcomes.validate_json(response.content)
        except ValidationError as error:
            raise BadServiceAnswerError(
                f"the {self.task} service's answer does not match the inference contract: "
                f"{error.error_count()} error(s), first: {_first(error)}"
            ) from error
        if len(outcomes) != expected:
            raise BadServiceAnswerError(
                f"the {self.task} service answered {len(outcomes)} outcome(s) for "
                f"{expected} item(s)"
            )
        return outcomes


@dataclass(frozen=True)
class TaskServices:
    """The clients of both task services, made once per gateway app and closed with it."""

    classify: TaskClient[ClassifyItem, ClassifyOutcome]
    detect: TaskClient[DetectItem, DetectOutcome]

    @classmethod
    def from_settings(cls, settings: GatewaySettings) -> TaskServices:
        """Clients of the configured replicas, with the configured timeouts and retry policy."""
        timeout = httpx.Timeout(
            settings.service_timeout_s, connect=settings.service_connect_timeout_s
        )

        def replicas(urls: Sequence[str]) -> list[httpx.AsyncClient]:
            return [httpx.AsyncClient(base_url=url, timeout=timeout) for url in urls]

        retries, backoff_s = settings.service_retries, settings.service_retry_backoff_s
        probe_interval_s = settings.service_probe_interval_s
        return cls(
            classify=TaskClient(
                "classify",
                replicas(settings.classify_urls),
                ClassifyOutcome,
                retries=retries,
                backoff_s=backoff_s,
                probe_interval_s=probe_interval_s,
            ),
            detect=TaskClient(
                "detect",
                replicas(settings.detect_urls),
                DetectOutcome,
                retries=retries,
                backoff_s=backoff_s,
                probe_interval_s=probe_interval_s,
            ),
        )

    async def __aenter__(self) -> TaskServices:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await asyncio.gather(self.classify.aclose(), self.detect.aclose())


def _message(response: httpx.Response) -> str:
    """The human part of an error answer: problem+json ``detail``, BentoML's ``error``, or
    the text itself, shortened."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("detail", "error", "message"):
            if isinstance(body.get(key), str):
                return str(body[key])[:_MESSAGE_CHARS]
    return response.text[:_MESSAGE_CHARS] or response.reason_phrase


def _first(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "the answer"
    return f"{where}: {first['msg']}"


def _describe(error: httpx.HTTPError) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _problem_code(response: httpx.Response) -> str | None:
    """The stable ``code`` of a service's problem+json answer, if it is one."""
    try:
        return ServiceProblem.model_validate_json(response.content).code
    except ValidationError:
        return None
