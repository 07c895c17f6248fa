"""Code that runs in separate processes (``multiprocessing`` spawn) in the concurrency and fault
tests.

Kept apart from the test modules so that a spawned child imports only the registry, not pytest
fixtures or the evaluation code.
"""

from __future__ import annotations

import os
import signal
import sqlite3
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from registry import Registry
from registry.orm import AliasRow, AuditRow, VersionRow


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


def crash_while_promoting(url: str, version: int, evidence: Path) -> None:
    """Die by SIGKILL (no cleanup, no rollback by Python) inside the promotion's transaction:
    after the alias UPDATE and its audit INSERT reached the database, before COMMIT. What the
    transaction saw at that moment goes to ``evidence`` ("<production version> <audit entries
    by doomed>"), the proof that the crash came after the writes."""

    def crash(session: Session) -> None:
        if not _commits_an_alias_move(session):
            return
        session.flush()
        seen = session.scalar(
            select(VersionRow.version)
            .join(AliasRow, AliasRow.version_id == VersionRow.id)
            .where(AliasRow.alias == "production")
        )
        audited = session.scalar(
            select(func.count()).select_from(AuditRow).where(AuditRow.actor == "doomed")
        )
        evidence.write_text(f"{seen} {audited}")
        os.kill(os.getpid(), signal.SIGKILL)

    event.listen(Session, "before_commit", crash)
    with Registry(url) as registry:
        registry.set_alias("classifier", "production", version, actor="doomed")


def crash_right_after_commit(url: str, version: int) -> None:
    """Die by SIGKILL as soon as the promotion's COMMIT has returned, before ``set_alias`` could
    return to its caller."""
    committing: list[Session] = []

    def note(session: Session) -> None:
        if _commits_an_alias_move(session):
            committing.append(session)

    def crash(session: Session) -> None:
        if session in committing:
            os.kill(os.getpid(), signal.SIGKILL)

    event.listen(Session, "before_commit", note)
    event.listen(Session, "after_commit", crash)
    with Registry(url) as registry:
        registry.set_alias("classifier", "production", version, actor="doomed")


def _commits_an_alias_move(session: Session) -> bool:
    """Whether this commit is the one of an alias move (its audit entry is still pending)."""
    return any(isinstance(row, AuditRow) and row.action == "alias.set" for row in session.new)


def hold_write_lock(url: str, locked: Event, release: Event) -> None:
    """Hold the registry's write lock until ``release`` is set, as a hung admin shell or a
    long maintenance job might: SQLite's ``BEGIN EXCLUSIVE``, or on PostgreSQL an EXCLUSIVE lock
    on the models table (which, like SQLite in WAL mode, still lets plain reads through)."""
    connection: sqlite3.Connection | psycopg.Connection[Any]
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.split("///", 1)[-1], isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
    else:
        connection = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1))
        connection.execute("LOCK TABLE registered_models IN EXCLUSIVE MODE")
    locked.set()
    release.wait(timeout=60)
    connection.rollback()
    connection.close()
