"""Timing helpers shared by the benchmark scripts (each is run as ``python bench/<name>.py``)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

__all__ = ["median_seconds"]


def median_seconds(action: Callable[[], object], repeats: int, warmups: int = 1) -> float:
    """Median wall time of ``action`` after ``warmups`` untimed calls."""
    for _ in range(warmups):
        action()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)
