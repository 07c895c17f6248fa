"""Batching concurrent requests without ever holding one back: the next batch is whatever
arrived while the previous one ran.

BentoML's adaptive batcher (its ``CorkDispatcher``, behind ``batchable=True``) learns how long
requests have been waiting and then makes each new request wait about as long before it
dispatches, hoping for company. After a burst of concurrent requests that learned wait is
large, and it feeds itself. ``bench/burst_bench.py`` on the demo detector (forward pass 40 ms in
process): lone requests took 84 ms before a burst of 16 concurrent clients, 514 ms right after
it and 486 ms 10 s later with that batcher (the services of commit ``8fce3dd``), and 66, 65 and
63 ms with this one (44, 39 and 46 ms since the forward passes run on the thread that loaded
the model, see :mod:`serving.engine`). On a CPU, where one batch already occupies every core,
waiting buys nothing: a request that arrives while the model is idle runs at once, and requests
that arrive while a batch runs are exactly the ones the next batch should take.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from mammocad.errors import UnavailableError

__all__ = ["GreedyBatcher"]

In = TypeVar("In")
Out = TypeVar("Out")


@dataclass
class _Waiting(Generic[In, Out]):
    """One call in the queue: its input, when it arrived and where its answer goes."""

    value: In
    arrived: float
    answer: asyncio.Future[Out] = field(repr=False)


class GreedyBatcher(Generic[In, Out]):
    """Runs ``run`` over batches of concurrent calls, one batch at a time, in ``executor``.

    Args:
        run: one batch of inputs to their outputs, in order (synchronous: a forward pass).
        max_batch_size: most units in one batch; a call counts ``size(value)`` units and a
            call larger than the limit runs in a batch of its own.
        max_wait_s: a call still queued after this long is refused (503 ``overloaded``)
            rather than answered late.
        size: the units of one call (the images of one request), 1 by default.
        executor: where ``run`` runs (a service's one torch thread); the event loop's default
            executor if None.
    """

    def __init__(
        self,
        run: Callable[[Sequence[In]], list[Out]],
        *,
        max_batch_size: int,
        max_wait_s: float,
        size: Callable[[In], int] = lambda _: 1,
        executor: Executor | None = None,
    ) -> None:
        self._run = run
        self._max_batch_size = max_batch_size
        self._max_wait_s = max_wait_s
        self._size = size
        self._executor = executor
        self._queue: collections.deque[_Waiting[In, Out]] = collections.deque()
        self._arrived = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._running: list[_Waiting[In, Out]] = []

    async def __call__(self, value: In) -> Out:
        """``value``'s output, from the first batch that has room for it."""
        if self._worker is None:
            self._worker = asyncio.create_task(self._serve(), name="mammocad-batcher")
        answer: asyncio.Future[Out] = asyncio.get_running_loop().create_future()
        self._queue.append(_Waiting(value, time.monotonic(), answer))
        self._arrived.set()
        return await answer

    def shutdown(self) -> None:
        """Stop batching; calls still queued or running are refused (503)."""
        if self._worker is not None:
            self._worker.cancel()
        _refuse([*self._running, *self._queue], _shutting_down())
        self._queue.clear()

    async def _serve(self) -> None:
        while True:
            await self._arrived.wait()
            self._arrived.clear()
            while batch := self._next_batch():
                await self._answer(batch)

    def _next_batch(self) -> list[_Waiting[In, Out]]:
        """The oldest queued calls that fit one batch; those gone (their caller disconnected)
        are dropped and those queued too long are refused on the way."""
        batch: list[_Waiting[In, Out]] = []
        units = 0
        now = time.monotonic()
        while self._queue:
            waiting = self._queue[0]
            if waiting.answer.done():
                self._queue.popleft()
            elif now - waiting.arrived > self._max_wait_s:
                self._queue.popleft().answer.set_exception(_overloaded())
            elif batch and units + self._size(waiting.value) > self._max_batch_size:
                break
            else:
                batch.append(self._queue.popleft())
                units += self._size(waiting.value)
        return batch

    async def _answer(self, batch: list[_Waiting[In, Out]]) -> None:
        self._running = batch
        try:
            values = [waiting.value for waiting in batch]
            loop = asyncio.get_running_loop()
            outputs = await loop.run_in_executor(self._executor, self._run, values)
        except Exception as error:  # the batch's own failure, answered to each of its calls
            _refuse(batch, error)
            return
        finally:
            self._running = []
        for waiting, output in zip(batch, outputs, strict=True):
            if not waiting.answer.done():
                waiting.answer.set_result(output)


def _refuse(calls: Sequence[_Waiting[In, Out]], error: Exception) -> None:
    for waiting in calls:
        if not waiting.answer.done():
            waiting.answer.set_exception(error)


def _shutting_down() -> UnavailableError:
    return UnavailableError("the service is shutting down", code="shutting-down")


def _overloaded() -> UnavailableError:
    return UnavailableError(
        "the service is overloaded: the request waited longer than its latency budget",
        code="overloaded",
    )
