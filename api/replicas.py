"""The replicas of one task service: which one gets the next request, and which are out of
rotation until their health probe answers again.

Spreading is least in flight, ties taken in turn (round robin). Requests differ in cost by three
orders of magnitude (a classification takes milliseconds, a SHAP explanation seconds), so plain
round robin would keep queueing behind a replica busy with a SHAP while another idles; the turn
among equals spreads sequential traffic evenly. "In flight" is what this gateway process has
sent and not yet had answered: no shared state, so several gateways need no coordination.

A replica that fails at the connection level (refused, reset or dropped connection, connect
timeout, 502/503/504; also one that took the whole service timeout) is taken out of rotation by
:mod:`api.task_client` and probed in the background (its ``/readyz``, as readiness asks it)
until it answers; a request it answers puts it back at once too. When every replica is out, a
request still tries them all, longest out first: the gateway never refuses without asking, so a
whole task down behaves as without replicas (bounded retries with backoff, and the first request
after a service is back succeeds) and needs no cool-down timer. A set of one replica never takes
it out: there is nowhere else to send, and probing it would only add requests.

Everything runs on the gateway's event loop and no method awaits between reading and changing
the state, so no lock is needed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from time import monotonic

import httpx

from mammocad.schemas.artifact import Task

__all__ = ["Probe", "Replica", "ReplicaSet"]

logger = logging.getLogger(__name__)

Probe = Callable[[httpx.AsyncClient], Awaitable[str | None]]
"""Asks one replica whether it is ready: None when it is, else what is wrong."""


@dataclass(eq=False)  # one replica is one object: compared and hashed by identity
class Replica:
    """One replica of a task service and what the gateway knows of it."""

    http: httpx.AsyncClient
    """A client whose ``base_url`` is the replica."""
    in_flight: int = 0
    """Requests sent to it and not yet answered."""
    out_since: float | None = None
    """When it was taken out of rotation (``time.monotonic()``); None while in rotation."""
    prober: asyncio.Task[None] | None = field(default=None, repr=False)
    """The background probe while it is out of rotation."""

    @property
    def url(self) -> str:
        """The replica's base URL."""
        return str(self.http.base_url)

    @property
    def in_rotation(self) -> bool:
        """Whether new requests may go to it."""
        return self.out_since is None


class ReplicaSet:
    """The replicas of one task, in rotation or out.

    Args:
        task: the task (for logs).
        clients: one HTTP client per replica, in the configured order (closed by
            :meth:`aclose`).
        probe: asks a replica whether it is ready (the task client's readiness probe).
        probe_interval_s: wait between two probes of a replica out of rotation.
    """

    def __init__(
        self,
        task: Task,
        clients: Sequence[httpx.AsyncClient],
        probe: Probe,
        *,
        probe_interval_s: float,
    ) -> None:
        if not clients:
            raise ValueError(f"the {task} task needs at least one replica")
        self.task = task
        self.replicas = tuple(Replica(http) for http in clients)
        self._probe = probe
        self._probe_interval_s = probe_interval_s
        self._turn = 0

    def order(self) -> list[Replica]:
        """The replicas to try for one request, best first: those in rotation, least in flight
        first, ties in turn; when none is in rotation, all of them, longest out first."""
        start = self._turn % len(self.replicas)
        self._turn += 1
        turn = self.replicas[start:] + self.replicas[:start]
        in_rotation = [replica for replica in turn if replica.in_rotation]
        if in_rotation:
            return sorted(in_rotation, key=lambda replica: replica.in_flight)
        return sorted(self.replicas, key=lambda replica: replica.out_since or 0.0)

    def in_rotation(self) -> int:
        """How many replicas take new requests (a metric)."""
        return sum(replica.in_rotation for replica in self.replicas)

    @contextmanager
    def sending(self, replica: Replica) -> Iterator[None]:
        """Count a request to ``replica`` as in flight while the block runs."""
        replica.in_flight += 1
        try:
            yield
        finally:
            replica.in_flight -= 1

    def take_out(self, replica: Replica, reason: str) -> None:
        """Send no new requests to ``replica`` until its probe (or a request) finds it
        answering; the probe runs in the background from now on."""
        if len(self.replicas) == 1 or not replica.in_rotation:
            return
        replica.out_since = monotonic()
        logger.warning(
            "%s replica %s out of rotation (%s); probing it every %.1f s",
            self.task,
            replica.url,
            reason,
            self._probe_interval_s,
        )
        if replica.prober is None or replica.prober.done():
            replica.prober = asyncio.create_task(self._probe_until_back(replica))

    def put_back(self, replica: Replica) -> None:
        """``replica`` answered: back in rotation (its prober, if any, then ends by itself)."""
        if replica.in_rotation:
            return
        logger.warning(
            "%s replica %s back in rotation after %.1f s",
            self.task,
            replica.url,
            monotonic() - (replica.out_since or 0.0),
        )
        replica.out_since = None

    async def aclose(self) -> None:
        """Stop the probes and close every replica's connections."""
        probers = [r.prober for r in self.replicas if r.prober is not None]
        for prober in probers:
            prober.cancel()
        await asyncio.gather(*probers, return_exceptions=True)
        await asyncio.gather(*(replica.http.aclose() for replica in self.replicas))

    async def _probe_until_back(self, replica: Replica) -> None:
        while True:
            await asyncio.sleep(self._probe_interval_s)
            if replica.in_rotation:  # a request it answered put it back meanwhile
                return
            problem = await self._probe(replica.http)
            if problem is None:
                self.put_back(replica)
                return
            logger.debug("%s replica %s still out: %s", self.task, replica.url, problem)
