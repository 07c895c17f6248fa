"""Per-key rate limits: a moving window per caller, from the ``limits`` library.

One limiter per gateway app (kept in ``app.state``, made on its first request), in memory:
every gateway process counts its own callers, so N replicas allow N times the rate in total (a
shared store, e.g. Redis through ``limits``, is the step for a cluster). A caller over the limit
gets 429 problem+json with ``Retry-After``, before any model work is done.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from mammocad.errors import MammocadError

__all__ = ["CallerRateLimiter", "RateLimitedError"]


class RateLimitedError(MammocadError):
    """The caller sent more requests than its rate allows; retry after ``retry_after_s``."""

    code = "rate-limited"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after_s: int) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s

    def problem_headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}


class CallerRateLimiter:
    """``rate`` (the ``limits`` notation, e.g. ``600/minute``) per caller; None: unlimited."""

    def __init__(self, rate: str | None) -> None:
        self._item: RateLimitItem | None = parse(rate) if rate else None
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def check(self, caller: str) -> None:
        """Count one request of ``caller``.

        Raises:
            RateLimitedError: over the rate (429).
        """
        if self._item is None or self._limiter.hit(self._item, caller):
            return
        reset = self._limiter.get_window_stats(self._item, caller).reset_time
        raise RateLimitedError(
            f"more than {self._item} requests from this caller; slow down",
            retry_after_s=max(1, math.ceil(reset - time.time())),
        )
