"""The registry database locked for too long, or gone for a while: every read and write fails
with a typed, retryable error (never a driver error), nothing is half-written, and the same
open Registry works again once the fault is over."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mammocad.errors import UnavailableError, status_of
from registry import Registry
from tests.registry.builders import make_model_folder
from tests.registry.faults import write_lock_held

pytestmark = pytest.mark.integration  # real processes, a real lock
BUSY_TIMEOUT_S = 0.5


@pytest.fixture
def staged(registry_url: str, tmp_path: Path) -> Iterator[Registry]:
    """``classifier`` 1 and 2, staging -> 1, in its own artifact store; writes give up after
    waiting half a second for another writer's lock."""
    with Registry(
        registry_url, artifact_root=tmp_path / "store", busy_timeout_s=BUSY_TIMEOUT_S
    ) as registry:
        for run in "ab":
            registry.register(make_model_folder(tmp_path / run), "classifier", actor="ci")
        registry.set_alias("classifier", "staging", 1, actor="ci")
        yield registry


def _refused(attempt: Callable[[], object], code: str) -> UnavailableError:
    with pytest.raises(UnavailableError) as refused:
        attempt()
    assert refused.value.code == code and status_of(refused.value) == 503
    return refused.value


def test_a_write_lock_held_too_long_makes_writes_busy_while_reads_go_on(
    staged: Registry, tmp_path: Path
) -> None:
    registry = staged
    audit_before = registry.audit()
    next_run = make_model_folder(tmp_path / "c")
    with write_lock_held(registry.url):
        assert registry.get_version("classifier", "staging").version == 1
        assert registry.audit() == audit_before
        started = time.monotonic()
        busy = _refused(
            lambda: registry.set_alias("classifier", "staging", 2, actor="ops"), "registry-busy"
        )
        assert time.monotonic() - started < BUSY_TIMEOUT_S + 5  # the busy timeout, not 30 s
        assert "retry" in busy.detail
        _refused(lambda: registry.register(next_run, "classifier", actor="ci"), "registry-busy")

    assert registry.get_version("classifier", "staging").version == 1
    assert registry.audit() == audit_before
    assert [v.version for v in registry.list_versions("classifier")] == [1, 2]
    stored = sorted(path.name for path in (tmp_path / "store" / "classifier").glob("v*"))
    assert [name.split("-")[0] for name in stored] == ["v1", "v2"]  # no artifact of a "v3"
    assert registry.set_alias("classifier", "staging", 2, actor="ops").before == 1
    assert registry.register(next_run, "classifier", actor="ci").version == 3


def test_an_sqlite_folder_gone_for_a_while_fails_cleanly_then_recovers(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    with Registry(f"sqlite:///{folder / 'registry.db'}") as registry:
        registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="ci")
        audit_before = registry.audit()
        away = folder.rename(tmp_path / "unmounted")  # the volume went away

        _refused(registry.list_models, "registry-unavailable")
        _refused(lambda: registry.get_version("classifier", 1), "registry-unavailable")
        _refused(
            lambda: registry.set_alias("classifier", "staging", 1, actor="ops"),
            "registry-unavailable",
        )

        away.rename(folder)
        assert registry.audit() == audit_before
        assert registry.set_alias("classifier", "staging", 1, actor="ops").after == 1


def test_a_deleted_sqlite_file_is_never_written_to_behind_the_scenes(tmp_path: Path) -> None:
    """An open SQLite connection goes on using a file deleted under it: without the pool's
    check, this promotion would "succeed", audited, in a file nobody will ever read again."""
    folder = tmp_path / "state"
    with Registry(f"sqlite:///{folder / 'registry.db'}") as registry:
        registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="ci")
        shutil.rmtree(folder)

        def promote() -> object:
            return registry.set_alias("classifier", "staging", 1, actor="ops")

        _refused(promote, "registry-unavailable")
        folder.mkdir()  # the folder is back, empty: still no registry there to answer from
        _refused(promote, "registry-unavailable")
        _refused(registry.list_models, "registry-unavailable")
