"""Per-task admission: how many model requests of one task the gateway works on at once.

Each model request (classify, detect, explain, and every view of a study) holds a slot of its
task while the upload is ingested and the task service answers. Ingest decodes up to
``MAMMOCAD_MAX_IMAGE_PIXELS`` pixels and a service forward pass takes a core, so unbounded
concurrency only trades latency for memory. Requests beyond ``MAMMOCAD_TASK_CONCURRENCY`` wait
(up to ``MAMMOCAD_TASK_QUEUE`` of them per task, and within the request deadline); beyond that
the caller gets 503 problem+json (``task-busy``) with ``Retry-After`` at once, before any work is
done. A busy task never blocks the other task. One admission per gateway process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import get_args

from mammocad.errors import UnavailableError
from mammocad.schemas.artifact import Task

__all__ = ["TaskAdmission", "TaskBusyError"]

_RETRY_AFTER_S = 1


class TaskBusyError(UnavailableError):
    """Every slot of the task is taken and its queue is full: retry after ``Retry-After``."""

    code = "task-busy"
    title = "Task busy"

    def problem_headers(self) -> dict[str, str]:
        return {"Retry-After": str(_RETRY_AFTER_S)}


@dataclass
class _Lane:
    """One task's slots and how many requests are inside (working or waiting)."""

    slots: asyncio.Semaphore
    inside: int = 0


@dataclass
class TaskAdmission:
    """``concurrency`` requests per task at work, ``queue`` more waiting, the rest refused.

    Args:
        concurrency: requests of one task ingested and inferred at once.
        queue: further requests of one task that may wait for a slot.
    """

    concurrency: int
    queue: int
    _lanes: dict[Task, _Lane] = field(init=False)

    def __post_init__(self) -> None:
        self._lanes = {task: _Lane(asyncio.Semaphore(self.concurrency)) for task in get_args(Task)}

    @asynccontextmanager
    async def slot(self, task: Task) -> AsyncIterator[None]:
        """Hold one of ``task``'s slots for the block (waiting for one if needed).

        Raises:
            TaskBusyError: ``concurrency + queue`` requests of ``task`` are already inside.
        """
        lane = self._lanes[task]
        if lane.inside >= self.concurrency + self.queue:
            raise TaskBusyError(
                f"the gateway is already working on {self.concurrency} {task} requests with "
                f"{self.queue} waiting; retry shortly"
            )
        lane.inside += 1
        try:
            async with lane.slots:
                yield
        finally:
            lane.inside -= 1

    def in_flight(self, task: Task) -> int:
        """Requests of ``task`` inside now, working or waiting (a gauge of the metrics)."""
        return self._lanes[task].inside
