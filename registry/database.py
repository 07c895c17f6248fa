"""Connecting to the registry database: engines, transactions, migrations.

Two back-ends share one code path. SQLite (the embedded default) gets WAL, a busy timeout and
``BEGIN IMMEDIATE`` for writing transactions, so that several processes can write safely: the
write lock is taken when the transaction starts, never upgraded half-way (which is where SQLite
otherwise fails with "database is locked"). PostgreSQL gets ordinary transactions; writers lock
the rows they change with ``SELECT ... FOR UPDATE`` (see :mod:`registry.store`).

A database that is locked for too long or cannot be reached is a typed, retryable
:class:`~mammocad.errors.UnavailableError` (``registry-busy`` or ``registry-unavailable``, 503
with Retry-After through the gateway), raised by :func:`reading` and :func:`writing`, the one
place every query passes: never a driver error. A transaction that fails so is rolled back by
the database (or, a connection lost during COMMIT itself, wholly committed): never half of it.
The next transaction reconnects, so the gateway recovers without a restart once the database is
back.

The schema is created and upgraded by the Alembic migrations shipped inside this package, run
programmatically every time a registry is opened.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session

from mammocad.errors import InvalidInputError, UnavailableError
from mammocad.home import state_home

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "BUSY_TIMEOUT_S",
    "default_url",
    "migration_config",
    "open_engine",
    "reading",
    "upgrade_schema",
    "writing",
]

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 30.0
"""How long a writer waits for another's write lock (SQLite's busy timeout, PostgreSQL's
``lock_timeout``) before it gives up with ``registry-busy``; writes hold it for milliseconds."""
CONNECT_TIMEOUT_S = 10
"""How long connecting to a PostgreSQL server may take: an unreachable one is
``registry-unavailable`` after this, never a request that hangs."""
_LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout expires
_FILE_ID = "mammocad_file_id"  # connection record info: the (device, inode) it opened
_IMMEDIATE = "mammocad_immediate"
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def default_url() -> str:
    """The embedded default: SQLite in the state folder (``registry.db``)."""
    return f"sqlite:///{(state_home() / 'registry.db').resolve()}"


def open_engine(url: str, *, busy_timeout_s: float = BUSY_TIMEOUT_S) -> Engine:
    """An engine for ``url`` (``sqlite:///FILE`` or ``postgresql+psycopg://...``), set up for
    concurrent writers from several processes; a writer waits ``busy_timeout_s`` at most for
    another's lock."""
    busy_timeout_ms = round(busy_timeout_s * 1000)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        engine = create_engine(url)
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            event.listen(engine, "checkout", _same_file_check(Path(path)))
        event.listen(engine, "connect", _sqlite_setup(busy_timeout_ms, path))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.startswith("postgresql"):
        # psycopg 3 is the driver installed; a bare postgresql:// would ask for psycopg2.
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        return create_engine(
            url,
            pool_pre_ping=True,
            connect_args={
                "connect_timeout": CONNECT_TIMEOUT_S,
                "options": f"-c lock_timeout={busy_timeout_ms}",
            },
        )
    raise InvalidInputError(
        f"registry URL {url!r} is neither sqlite:///FILE nor postgresql+psycopg://...",
        code="invalid-registry-url",
    )


def _file_id(path: Path) -> tuple[int, int] | None:
    """Which file ``path`` names now (device, inode); None while nothing is there."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _sqlite_setup(busy_timeout_ms: int, path: str) -> Callable[[Any, Any], None]:
    """The ``connect`` listener: pragmas, and which file the connection opened (see
    :func:`_same_file_check`)."""

    def setup(dbapi_connection: Any, record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (the driver's implicit BEGIN is
        # deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        _enable_wal(cursor, busy_timeout_ms)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")  # the audit log must survive a power cut
        cursor.close()
        record.info[_FILE_ID] = _file_id(Path(path))

    return setup


def _same_file_check(path: Path) -> Callable[[Any, Any, Any], None]:
    """The ``checkout`` listener: refuse a pooled connection whose database file was removed or
    replaced since it was opened.

    An open SQLite connection keeps reading and writing the file it opened even after that file
    (or its folder) is deleted: without this, the registry would go on answering from, and
    committing promotions and audit entries to, a file nobody will ever see again. Refused, the
    pool reconnects to what is at ``path`` now, which fails cleanly while it is gone.
    """

    def check(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if record.info.get(_FILE_ID) != _file_id(path):
            raise DisconnectionError(f"{path} was removed or replaced")

    return check


def _enable_wal(cursor: Any, busy_timeout_ms: int) -> None:
    """``PRAGMA journal_mode=WAL``, retried while another process holds the lock it needs.

    SQLite answers this pragma "database is locked" at once, without its busy handler, when a
    second process is creating or migrating a fresh database at the same moment (seen 2 times in
    8 runs of test_two_processes_creating_the_schema_at_once), so the busy timeout is applied
    here by hand.
    """
    deadline = time.monotonic() + busy_timeout_ms / 1000
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
    nothing of it visible) when it raises. On SQLite the write lock is taken at BEGIN.

    Raises:
        UnavailableError: the database is busy or unreachable (see :func:`_typed_failures`).
    """
    with (
        _typed_failures(engine),
        Session(engine.execution_options(**{_IMMEDIATE: True})) as session,
        session.begin(),
    ):
        yield session


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session in one read-only snapshot transaction (never takes SQLite's write lock; on
    PostgreSQL REPEATABLE READ, so that every query of one read sees the same state).

    Raises:
        UnavailableError: the database is unreachable (see :func:`_typed_failures`).
    """
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with _typed_failures(engine), Session(engine) as session, session.begin():
        yield session


@contextmanager
def _typed_failures(engine: Engine) -> Iterator[None]:
    """Turn the database's own failures into the registry's typed error: OperationalError
    (DB-API: "related to the database's operation", a lock timeout, a refused connection, a
    missing file or table), a connection lost mid-query, a pool with no free connection. The
    registry's own errors and the driver's other errors (an integrity violation: a bug) pass
    unchanged. SQLite's driver also files bad SQL under OperationalError; the tests catch that
    long before a deployment, and the cause is logged either way."""
    try:
        yield
    except (DBAPIError, PoolTimeoutError) as error:
        if isinstance(error, DBAPIError) and not (
            isinstance(error, OperationalError) or error.connection_invalidated
        ):
            raise
        raise _unavailable(engine, error) from error


def _unavailable(engine: Engine, error: DBAPIError | PoolTimeoutError) -> UnavailableError:
    """The typed error for a database that is busy (a lock held past the busy timeout, every
    pooled connection in use) or unreachable (server down, file gone). The driver's message goes
    to the log, not to the caller: it names hosts, ports and paths."""
    cause = error.orig if isinstance(error, DBAPIError) else error
    logger.warning("registry database %s failed: %s", engine.url.render_as_string(), cause)
    if _is_busy(error):
        return UnavailableError(
            f"the registry database ({engine.dialect.name}) is busy: another writer holds its "
            "lock, or every connection is in use; retry shortly",
            code="registry-busy",
        )
    return UnavailableError(
        f"the registry database ({engine.dialect.name}) cannot be reached; retry shortly",
        code="registry-unavailable",
    )


def _is_busy(error: DBAPIError | PoolTimeoutError) -> bool:
    if isinstance(error, PoolTimeoutError):
        return True
    cause = error.orig
    return str(getattr(cause, "sqlite_errorname", "")).startswith("SQLITE_BUSY") or (
        getattr(cause, "sqlstate", None) == _LOCK_NOT_AVAILABLE
    )


def migration_config(connection: Connection) -> Config:
    """The Alembic configuration of the registry's migrations, running on ``connection``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


_ALEMBIC_LOCK = threading.Lock()
"""Alembic keeps the running migration's context in module globals (``alembic.context``,
``alembic.op``): two threads migrating at once corrupt each other's (a ``KeyError: 'script'``
seen when two first requests opened the gateway's registry together), so one thread at a time."""


def upgrade_schema(engine: Engine) -> None:
    """Bring the schema to the newest migration (creating it on an empty database).

    Safe when several processes open the same fresh database at once: on SQLite the migration
    runs under ``BEGIN IMMEDIATE``, on PostgreSQL under a transaction-scoped advisory lock; and
    when several threads of one process do (:data:`_ALEMBIC_LOCK`).
    """
    from alembic import command

    immediate = engine.execution_options(**{_IMMEDIATE: True})
    with _ALEMBIC_LOCK, _typed_failures(engine), immediate.connect() as connection:
        command.upgrade(migration_config(connection), "head")
