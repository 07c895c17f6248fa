"""Fault injection shared by the registry's and the gateway's fault tests: another process that
holds the registry database's write lock."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager

from tests.registry import workers

__all__ = ["write_lock_held"]

SPAWN = multiprocessing.get_context("spawn")  # a fresh interpreter: no inherited connections


@contextmanager
def write_lock_held(url: str) -> Iterator[None]:
    """Another process holds the database's write lock for as long as the block runs (see
    :func:`tests.registry.workers.hold_write_lock`)."""
    locked, release = SPAWN.Event(), SPAWN.Event()
    holder = SPAWN.Process(target=workers.hold_write_lock, args=(url, locked, release))
    holder.start()
    try:
        assert locked.wait(timeout=60), "the lock holder never got the lock"
        yield
    finally:
        release.set()
        holder.join(timeout=60)
    assert holder.exitcode == 0
