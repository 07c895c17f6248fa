"""Registry fixtures: every test that takes ``registry`` runs on SQLite AND on a real PostgreSQL.

The PostgreSQL server is started once per session (see ``postgres_server.py``); each test gets a
fresh database on it. Without PostgreSQL binaries the PostgreSQL runs skip with a message
(``.ci/run`` installs them, so CI always runs both).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from registry import Registry
from tests.registry.postgres_server import find_bindir, throwaway_server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """Admin URL of a throwaway PostgreSQL server (skips without PostgreSQL binaries)."""
    bindir = find_bindir()
    if bindir is None:
        pytest.skip(
            "PostgreSQL binaries absent (apt-get install postgresql); the registry suite ran "
            "on SQLite only"
        )
    with throwaway_server(bindir) as server:
        yield server.url


@pytest.fixture(params=["sqlite", "postgresql"])
def registry_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty registry database of each back-end."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.db'}"
        return
    server: str = request.getfixturevalue("postgres_server")
    name = f"registry_{uuid.uuid4().hex[:12]}"
    admin = server.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    yield f"{server}/{name}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def registry(registry_url: str) -> Iterator[Registry]:
    """An open registry on an empty database; artifacts go to ``$BENTOML_HOME`` (a tmp dir)."""
    with Registry(registry_url) as opened:
        yield opened
