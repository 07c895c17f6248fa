"""The gateway's HTTP client of the task services (classification, detection).

Inference is idempotent, so a request the service never got, or one a restarting service refused
(502/503/504), is retried a bounded number of times with exponential backoff; after that the
caller gets a 503 with ``Retry-After``. Nothing is remembered between requests (no circuit
breaker), so the first request after a service comes back succeeds. The service's own client
refusals (404 for a model version it cannot load, 422 for an input it cannot read) reach the
caller with the service's code and message; an answer outside the inference contract
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
# closed. A read timeout is not among them: the service is busy, and resending only queues more.
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
    """One task service: ``POST /tensors/<task>`` with a tensor frame whose header is
    ``{"items": [...]}``, ``POST /tensors/explain``, and ``GET /readyz``.

    Args:
        task: the service's task, which is also the path of its inference endpoint.
        http: a client whose ``base_url`` is the service (closed by :meth:`aclose`).
        outcome: the schema of one answer item.
        retries: extra attempts after a retryable failure.
        backoff_s: wait before the first retry, doubled for each next one.
    """

    def __init__(
        self,
        task: Task,
        http: httpx.AsyncClient,
        outcome: type[OutcomeT],
        *,
        retries: int,
        backoff_s: float,
    ) -> None:
        self.task = task
        self._http = http
        # GenericAlias(list, (outcome,)) is list[outcome] at run time, which mypy cannot read as
        # a type form (its argument is a variable, the class of this client's outcomes).
        items = cast("TypeForm[list[OutcomeT]]", GenericAlias(list, (outcome,)))
        self._outcomes = TypeAdapter(items)
        self._retries = retries
        self._backoff_s = backoff_s

    @property
    def base_url(self) -> str:
        """Where the service is (for messages and readiness reports)."""
        return str(self._http.base_url)

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
                self.base_url,
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

    async def probe(self) -> str | None:
        """None when the service answers ``/readyz`` with 200, else what is wrong (no retry:
        a readiness probe must answer quickly and is asked again anyway)."""
        try:
            response = await self._http.get("/readyz", timeout=self._http.timeout.connect)
        except httpx.HTTPError as error:
            return f"{self.task} service at {self.base_url} unreachable: {_describe(error)}"
        if response.status_code != 200:
            return f"{self.task} service not ready ({response.status_code}): {_message(response)}"
        return None

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def _post(self, path: str, body: bytes) -> httpx.Response:
        """The service's answer, resending after retryable failures. What went wrong is logged
        in full; the caller's message names only its kind (no internal addresses)."""
        failure = ""
        for attempt in range(self._retries + 1):
            if attempt:
                await asyncio.sleep(self._backoff_s * 2 ** (attempt - 1))
            try:
                response = await self._http.post(
                    path, content=body, headers={"content-type": TENSOR_FRAME}
                )
            except _RETRYABLE_ERRORS as error:
                failure, logged = type(error).__name__, _describe(error)
            except httpx.TimeoutException as error:
                raise UnavailableError(
                    f"the {self.task} service did not answer in time ({type(error).__name__})",
                    code="task-service-timeout",
                ) from error
            except httpx.HTTPError as error:  # e.g. a malformed service URL: not worth a retry
                logger.error("%s service at %s: %s", self.task, self.base_url, _describe(error))
                raise UnavailableError(
                    f"the {self.task} service cannot be reached ({type(error).__name__})",
                    code="task-service-unavailable",
                ) from error
            else:
                if response.status_code not in _RETRYABLE_STATUS:
                    return response
                failure, logged = f"status {response.status_code}", _message(response)
            logger.warning(
                "%s service at %s, attempt %d of %d: %s",
                self.task,
                self.base_url,
                attempt + 1,
                self._retries + 1,
                logged,
            )
        raise UnavailableError(
            f"the {self.task} service is unavailable ({failure}); retry shortly",
            code="task-service-unavailable",
        )

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
        """Clients with the configured URLs, timeouts and retry policy."""
        timeout = httpx.Timeout(
            settings.service_timeout_s, connect=settings.service_connect_timeout_s
        )

        def http(url: str) -> httpx.AsyncClient:
            return httpx.AsyncClient(base_url=url, timeout=timeout)

        retries, backoff_s = settings.service_retries, settings.service_retry_backoff_s
        return cls(
            classify=TaskClient(
                "classify",
                http(settings.classify_url),
                ClassifyOutcome,
                retries=retries,
                backoff_s=backoff_s,
            ),
            detect=TaskClient(
                "detect",
                http(settings.detect_url),
                DetectOutcome,
                retries=retries,
                backoff_s=backoff_s,
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
