"""Connecting to the registry database: engines, transactions, migrations.

Two back-ends share one code path. SQLite (the embedded default) gets WAL, a busy timeout and
``BEGIN IMMEDIATE`` for writing transactions, so that several processes can write safely: the
write lock is taken when the transaction starts, never upgraded half-way (which is where SQLite
otherwise fails with "database is locked"). PostgreSQL gets ordinary transactions; writers lock
the rows they change with ``SELECT ... FOR UPDATE`` (see :mod:`registry.store`).

The schema is created and upgraded by the Alembic migrations shipped inside this package, run
programmatically every time a registry is opened.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session

from mammocad.errors import InvalidInputError, UnavailableError
from mammocad.home import state_home

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "default_url",
    "migration_config",
    "open_engine",
    "reading",
    "upgrade_schema",
    "writing",
]

BUSY_TIMEOUT_MS = 30_000
_IMMEDIATE = "mammocad_immediate"
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def default_url() -> str:
    """The embedded default: SQLite in the state folder (``registry.db``)."""
    return f"sqlite:///{(state_home() / 'registry.db').resolve()}"


def open_engine(url: str) -> Engine:
    """An engine for ``url`` (``sqlite:///FILE`` or ``postgresql+psycopg://...``), set up for
    concurrent writers from several processes."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.startswith("postgresql"):
        # psycopg 3 is the driver installed; a bare postgresql:// would ask for psycopg2.
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        return create_engine(url, pool_pre_ping=True)
    raise InvalidInputError(
        f"registry URL {url!r} is neither sqlite:///FILE nor postgresql+psycopg://...",
        code="invalid-registry-url",
    )


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (the driver's implicit BEGIN is deferred).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    _enable_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")  # the audit log must survive a power cut
    cursor.close()


def _enable_wal(cursor: Any) -> None:
    """``PRAGMA journal_mode=WAL``, retried while another process holds the lock it needs.

    SQLite answers this pragma "database is locked" at once, without its busy handler, when a
    second process is creating or migrating a fresh database at the same moment (seen 2 times in
    8 runs of test_two_processes_creating_the_schema_at_once), so the busy timeout is applied
    here by hand.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _sqlite_begin(connection: Any) -> None:
    immediate = connection.get_execution_options().get(_IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """A session in one writing transaction: committed when the block ends, rolled back (and
    nothing of it visible) when it raises. On SQLite the write lock is taken at BEGIN."""
    with Session(engine.execution_options(**{_IMMEDIATE: True})) as session, session.begin():
        yield session


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session in one read-only snapshot transaction (never takes SQLite's write lock; on
    PostgreSQL REPEATABLE READ, so that every query of one read sees the same state)."""
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with Session(engine) as session, session.begin():
        yield session


def migration_config(connection: Connection) -> Config:
    """The Alembic configuration of the registry's migrations, running on ``connection``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade_schema(engine: Engine) -> None:
    """Bring the schema to the newest migration (creating it on an empty database).

    Safe when several processes open the same fresh database at once: on SQLite the migration
    runs under ``BEGIN IMMEDIATE``, on PostgreSQL under a transaction-scoped advisory lock.
    """
    from alembic import command
    from sqlalchemy.exc import OperationalError

    try:
        with engine.execution_options(**{_IMMEDIATE: True}).connect() as connection:
            command.upgrade(migration_config(connection), "head")
    except OperationalError as error:
        raise UnavailableError(
            f"cannot reach the registry database: {error.orig}", code="registry-unavailable"
        ) from error
