"""The services' batcher: a lone call runs at once, calls that arrive while a batch runs form the
next batch (up to its size), a failing batch fails only its own calls, a call queued too long or
at shutdown is refused with 503, and a caller that went away is never run."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Sequence
from typing import TypeVar

import pytest

from mammocad.errors import UnavailableError, status_of
from serving.batching import GreedyBatcher

T = TypeVar("T")


class GatedRun:
    """A batch function that records its batches and, while ``gate`` is clear, holds each
    batch (in its worker thread) until the test opens it."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.started = threading.Event()
        self.gate = threading.Event()

    def __call__(self, values: Sequence[str]) -> list[str]:
        self.batches.append(list(values))
        self.started.set()
        if not self.gate.wait(timeout=10):
            raise TimeoutError("the test never opened the gate")
        if "boom" in values:
            raise RuntimeError("this batch failed")
        return [value.upper() for value in values]


async def _when(condition: Callable[[], bool]) -> None:
    """Yield to the event loop until ``condition`` holds (a 5 s cap keeps a bug from hanging)."""
    async with asyncio.timeout(5):
        while not condition():
            await asyncio.sleep(0.001)


def _run(scenario: Callable[[], Coroutine[object, object, T]]) -> T:
    return asyncio.run(scenario())


def test_a_lone_call_runs_at_once_and_calls_arriving_meanwhile_form_the_next_batches() -> None:
    run = GatedRun()
    batcher = GreedyBatcher(run, max_batch_size=3, max_wait_s=30)

    async def scenario() -> list[str]:
        first = asyncio.ensure_future(batcher("a"))
        await _when(run.started.is_set)  # dispatched alone, without waiting for company
        assert run.batches == [["a"]]
        rest = [asyncio.ensure_future(batcher(value)) for value in "bcdef"]
        await _when(lambda: len(batcher._queue) == 5)
        run.gate.set()
        return list(await asyncio.gather(first, *rest))

    assert _run(scenario) == ["A", "B", "C", "D", "E", "F"]
    assert run.batches == [["a"], ["b", "c", "d"], ["e", "f"]]


def test_a_call_counts_its_units_and_one_too_large_runs_alone() -> None:
    run = GatedRun()
    run.gate.set()
    batcher = GreedyBatcher(run, max_batch_size=4, max_wait_s=30, size=len)

    async def scenario() -> None:
        await batcher("x")
        run.gate.clear()
        held = asyncio.ensure_future(batcher("h"))
        await _when(lambda: len(run.batches) == 2)
        queued = [asyncio.ensure_future(batcher(v)) for v in ("ab", "cd", "toolarge", "e")]
        await _when(lambda: len(batcher._queue) == 4)
        run.gate.set()
        await asyncio.gather(held, *queued)

    _run(scenario)
    assert run.batches == [["x"], ["h"], ["ab", "cd"], ["toolarge"], ["e"]]


def test_a_failing_batch_fails_its_own_calls_only_and_batching_goes_on() -> None:
    run = GatedRun()
    batcher = GreedyBatcher(run, max_batch_size=2, max_wait_s=30)

    async def scenario() -> list[str | BaseException]:
        held = asyncio.ensure_future(batcher("a"))
        await _when(run.started.is_set)
        queued = [asyncio.ensure_future(batcher(v)) for v in ("boom", "b", "c")]
        await _when(lambda: len(batcher._queue) == 3)
        run.gate.set()
        return list(await asyncio.gather(held, *queued, return_exceptions=True))

    a, boom, b, c = _run(scenario)
    assert (a, c) == ("A", "C")
    assert isinstance(boom, RuntimeError) and isinstance(b, RuntimeError)
    assert run.batches == [["a"], ["boom", "b"], ["c"]]


def test_a_call_queued_longer_than_its_budget_is_refused_as_overloaded() -> None:
    run = GatedRun()
    batcher = GreedyBatcher(run, max_batch_size=2, max_wait_s=0.05)

    async def scenario() -> list[str | BaseException]:
        held = asyncio.ensure_future(batcher("a"))
        await _when(run.started.is_set)
        late = asyncio.ensure_future(batcher("late"))
        await asyncio.sleep(0.2)  # longer than the budget, while the first batch holds the model
        run.gate.set()
        return list(await asyncio.gather(held, late, return_exceptions=True))

    held, late = _run(scenario)
    assert held == "A"
    assert isinstance(late, UnavailableError) and late.code == "overloaded"
    assert status_of(late) == 503
    assert run.batches == [["a"]]


def test_a_caller_that_went_away_is_never_run() -> None:
    run = GatedRun()
    batcher = GreedyBatcher(run, max_batch_size=4, max_wait_s=30)

    async def scenario() -> str:
        held = asyncio.ensure_future(batcher("a"))
        await _when(run.started.is_set)
        gone = asyncio.ensure_future(batcher("gone"))
        kept = asyncio.ensure_future(batcher("kept"))
        await _when(lambda: len(batcher._queue) == 2)
        gone.cancel()
        run.gate.set()
        await held
        return await kept

    assert _run(scenario) == "KEPT"
    assert run.batches == [["a"], ["kept"]]


def test_shutdown_refuses_the_running_and_the_queued_calls_with_503() -> None:
    run = GatedRun()
    batcher = GreedyBatcher(run, max_batch_size=4, max_wait_s=30)

    async def scenario() -> list[str | BaseException]:
        running = asyncio.ensure_future(batcher("a"))
        await _when(run.started.is_set)
        queued = asyncio.ensure_future(batcher("b"))
        await _when(lambda: len(batcher._queue) == 1)
        batcher.shutdown()
        answers: list[str | BaseException]
        answers = list(await asyncio.gather(running, queued, return_exceptions=True))
        run.gate.set()  # let the worker thread finish; its result goes nowhere
        return answers

    for answer in _run(scenario):
        assert isinstance(answer, UnavailableError)
        assert status_of(answer) == 503


@pytest.mark.parametrize("max_batch_size", [1, 4])
def test_sequential_calls_each_run_alone(max_batch_size: int) -> None:
    run = GatedRun()
    run.gate.set()
    batcher = GreedyBatcher(run, max_batch_size=max_batch_size, max_wait_s=30)

    async def scenario() -> list[str]:
        return [await batcher(value) for value in "xyz"]

    assert _run(scenario) == ["X", "Y", "Z"]
    assert run.batches == [["x"], ["y"], ["z"]]
