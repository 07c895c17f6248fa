"""Code that runs in separate processes (``multiprocessing`` spawn) in the concurrency tests.

Kept apart from the test modules so that a spawned child imports only the registry, not pytest
fixtures or the evaluation code.
"""

from __future__ import annotations

import os
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from registry import Registry

CRASH_EXIT_CODE = 17


def open_fresh(url: str, barrier: Barrier, results: Any) -> None:
    """Open (and so migrate) a registry at the same moment as another process."""
    barrier.wait(timeout=60)
    with Registry(url) as registry:
        results.put(len(registry.list_models()))


def promote_repeatedly(
    url: str, versions: list[int], rounds: int, barrier: Barrier, results: Any
) -> None:
    """Move ``production`` to each of ``versions`` in turn, ``rounds`` times, as fast as possible;
    report how many moves changed the alias."""
    with Registry(url) as registry:
        barrier.wait(timeout=60)
        changed = 0
        for _ in range(rounds):
            for version in versions:
                actor = f"p{os.getpid()}"
                move = registry.set_alias("classifier", "production", version, actor=actor)
                changed += move.changed
        results.put(changed)


def register_repeatedly(url: str, folders: list[Path], barrier: Barrier, results: Any) -> None:
    """Register each folder as a new version of ``shared`` (created by whoever comes first)."""
    with Registry(url) as registry:
        barrier.wait(timeout=60)
        for folder in folders:
            results.put(registry.register(folder, "shared", actor=f"p{os.getpid()}").version)


def crash_while_promoting(url: str, version: int) -> None:
    """Die (``os._exit``, no cleanup, no rollback by Python) after the alias row was updated in
    the database but before the transaction could commit."""
    import registry.store as store

    def crash(session: Any, **_: Any) -> None:
        session.flush()  # the UPDATE of the alias has reached the database
        os._exit(CRASH_EXIT_CODE)

    store.append_audit = crash
    with Registry(url) as registry:
        registry.set_alias("classifier", "production", version, actor="doomed")
