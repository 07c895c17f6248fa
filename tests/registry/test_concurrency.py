"""Concurrent writers in separate processes, and crashes during an alias move: before its commit
(nothing of it is left) and right after (it is there, audited once)."""

from __future__ import annotations

import multiprocessing
import signal
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from registry import Registry
from tests.registry import workers
from tests.registry.builders import make_model_folder, make_promotable

pytestmark = pytest.mark.integration  # real processes
SPAWN = multiprocessing.get_context("spawn")  # a fresh interpreter: no inherited connections


@pytest.fixture
def four_promotable(registry: Registry, tmp_path: Path) -> Registry:
    for version in range(1, 5):
        registry.register(make_model_folder(tmp_path / str(version)), "classifier", actor="ci")
        make_promotable(registry, tmp_path, "classifier", version, primary=0.8)
    registry.set_alias("classifier", "production", 1, actor="ci")
    return registry


def _run(processes: list[multiprocessing.process.BaseProcess]) -> None:
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0, f"worker exited with {process.exitcode}"


def test_simultaneous_promotions_from_two_processes_stay_consistent(
    four_promotable: Registry,
) -> None:
    registry, rounds = four_promotable, 8
    barrier, results = SPAWN.Barrier(2), SPAWN.Queue()
    _run(
        [
            SPAWN.Process(
                target=workers.promote_repeatedly,
                args=(registry.url, versions, rounds, barrier, results),
            )
            for versions in ([1, 2], [3, 4])
        ]
    )
    changed = results.get(timeout=5) + results.get(timeout=5)

    entries = registry.audit("classifier")
    moves = [e for e in entries if e.action == "alias.set" and e.alias == "production"]
    assert len(moves) - 1 == changed > rounds  # one entry per real move (+ the fixture's)
    for previous, move in pairwise(moves):  # each move starts where the one before ended
        assert previous.after is not None
        assert move.before == {"version": previous.after["version"]}
    final = moves[-1].after
    assert final is not None
    assert registry.get_version("classifier", "production").version == final["version"]


def test_two_processes_creating_the_schema_at_once(registry_url: str) -> None:
    barrier, results = SPAWN.Barrier(2), SPAWN.Queue()
    _run(
        [
            SPAWN.Process(target=workers.open_fresh, args=(registry_url, barrier, results))
            for _ in range(2)
        ]
    )
    assert [results.get(timeout=5), results.get(timeout=5)] == [0, 0]


def test_simultaneous_registrations_get_distinct_numbers(
    registry: Registry, tmp_path: Path
) -> None:
    barrier, results = SPAWN.Barrier(2), SPAWN.Queue()
    folders = [[make_model_folder(tmp_path / f"{p}{i}") for i in range(3)] for p in "ab"]
    _run(
        [
            SPAWN.Process(
                target=workers.register_repeatedly, args=(registry.url, batch, barrier, results)
            )
            for batch in folders
        ]
    )
    numbers = sorted(results.get(timeout=5) for _ in range(6))
    assert numbers == [1, 2, 3, 4, 5, 6]
    assert [v.version for v in registry.list_versions("shared")] == numbers
    assert [e.action for e in registry.audit("shared")].count("model.create") == 1


def test_a_process_killed_mid_promotion_leaves_the_previous_state(
    four_promotable: Registry, tmp_path: Path
) -> None:
    registry, evidence = four_promotable, tmp_path / "seen-before-the-crash"
    audit_before = registry.audit()
    crasher = SPAWN.Process(target=workers.crash_while_promoting, args=(registry.url, 2, evidence))
    crasher.start()
    crasher.join(timeout=120)

    assert crasher.exitcode == -signal.SIGKILL
    assert evidence.read_text() == "2 1"  # inside its transaction: moved, and audited
    assert registry.get_version("classifier", "production").version == 1
    assert registry.audit() == audit_before
    assert registry.set_alias("classifier", "production", 3, actor="ops").before == 1  # unlocked


def test_a_process_killed_right_after_commit_leaves_the_move_audited_once(
    four_promotable: Registry,
) -> None:
    registry = four_promotable
    audit_before = registry.audit()
    crasher = SPAWN.Process(target=workers.crash_right_after_commit, args=(registry.url, 2))
    crasher.start()
    crasher.join(timeout=120)

    assert crasher.exitcode == -signal.SIGKILL
    assert registry.get_version("classifier", "production").version == 2
    [entry] = registry.audit()[len(audit_before) :]
    assert registry.audit()[: len(audit_before)] == audit_before
    assert (entry.action, entry.actor, entry.alias) == ("alias.set", "doomed", "production")
    assert (entry.before, entry.after) == ({"version": 1}, {"version": 2, "overridden_gates": []})


def test_an_exception_after_the_alias_update_rolls_everything_back(
    four_promotable: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    import registry.store as store

    registry = four_promotable
    registry.set_alias("classifier", "production", 2, actor="ops")
    audit_before = registry.audit()

    def fail_after_update(session: Session, **_: object) -> None:
        session.flush()
        raise RuntimeError("injected failure between alias update and commit")

    monkeypatch.setattr(store, "append_audit", fail_after_update)
    with pytest.raises(RuntimeError, match="injected"):
        registry.set_alias("classifier", "production", 3, actor="ops")
    with pytest.raises(RuntimeError, match="injected"):
        registry.rollback("classifier", actor="ops")

    monkeypatch.undo()
    assert registry.get_version("classifier", "production").version == 2
    assert registry.audit() == audit_before
