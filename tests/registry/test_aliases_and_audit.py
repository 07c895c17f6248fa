"""Alias moves and rollback, and the audit log that records them (append-only, even in SQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from mammocad.errors import ConflictError
from registry import CardEdit, Registry
from tests.registry.builders import make_model_folder, make_promotable


@pytest.fixture
def three_promotable(registry: Registry, tmp_path: Path) -> Registry:
    for version, run in enumerate("abc", start=1):
        registry.register(make_model_folder(tmp_path / run), "classifier", actor="ci")
        make_promotable(registry, tmp_path, "classifier", version, primary=0.7 + version / 100)
    return registry


def test_rollback_restores_the_previous_version_step_by_step(three_promotable: Registry) -> None:
    registry = three_promotable
    for version in (1, 2, 3):
        registry.set_alias("classifier", "production", version, actor="ops")

    move = registry.rollback("classifier", actor="oncall", reason="v3 misreads vendor B")
    assert (move.before, move.after) == (3, 2)
    assert registry.get_version("classifier", "production").version == 2
    assert registry.rollback("classifier", actor="oncall").after == 1  # not back to 3
    with pytest.raises(ConflictError, match="no earlier version"):
        registry.rollback("classifier", actor="oncall")

    entry = next(e for e in registry.audit("classifier") if e.action == "alias.rollback")
    assert (entry.actor, entry.reason) == ("oncall", "v3 misreads vendor B")
    assert entry.alias == "production"
    assert (entry.before, entry.after) == ({"version": 3}, {"version": 2})


def test_rollback_of_another_alias_and_a_promotion_after_rollback(
    three_promotable: Registry,
) -> None:
    registry = three_promotable
    registry.set_alias("classifier", "staging", 1, actor="ci")
    registry.set_alias("classifier", "staging", 3, actor="ci")
    registry.set_alias("classifier", "production", 2, actor="ops")
    assert registry.rollback("classifier", "staging", actor="ci").after == 1
    assert registry.get_model("classifier").aliases == {"production": 2, "staging": 1}
    registry.set_alias("classifier", "staging", 2, actor="ci")
    assert registry.rollback("classifier", "staging", actor="ci").after == 1


def test_moving_an_alias_to_where_it_points_changes_nothing(three_promotable: Registry) -> None:
    registry = three_promotable
    registry.set_alias("classifier", "staging", 1, actor="ci")
    before = len(registry.audit())
    assert not registry.set_alias("classifier", "staging", 1, actor="ci").changed
    assert len(registry.audit()) == before


def test_every_change_is_audited_with_before_and_after(registry: Registry, tmp_path: Path) -> None:
    registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="ci")
    make_promotable(registry, tmp_path, "classifier", 1, primary=0.8)
    registry.edit_card("classifier", 1, CardEdit(license="MIT"), actor="legal", reason="relicense")
    registry.set_alias("classifier", "production", 1, actor="ops")

    actions = [e.action for e in registry.audit("classifier")]
    assert actions == [
        "model.create",
        "version.register",
        "card.edit",
        "calibration.attach",
        "ood.attach",
        "evaluation.attach",
        "card.edit",
        "alias.set",
    ]
    edit = registry.audit("classifier")[-2]
    assert edit.before is not None and edit.after is not None
    assert (edit.before["license"], edit.after["license"]) == ("Apache-2.0", "MIT")
    assert (edit.actor, edit.reason) == ("legal", "relicense")
    assert [e.id for e in registry.audit(limit=2)] == [e.id for e in registry.audit()[-2:]]


def test_audit_log_and_registered_artifacts_refuse_sql_rewrites(
    registry: Registry, tmp_path: Path
) -> None:
    registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="ci")
    engine = sa.create_engine(registry.url)
    try:
        for statement in (
            "UPDATE audit_log SET actor = 'someone else'",
            "DELETE FROM audit_log",
            "UPDATE model_versions SET artifact_sha256 = 'sha256:0'",
            "DELETE FROM model_versions",
        ):
            with pytest.raises(DatabaseError, match=r"append-only|immutable"), engine.begin() as c:
                c.execute(sa.text(statement))
        if engine.dialect.name == "postgresql":
            with pytest.raises(DatabaseError, match="append-only"), engine.begin() as c:
                c.execute(sa.text("TRUNCATE audit_log"))
    finally:
        engine.dispose()
    assert [e.actor for e in registry.audit()] == ["ci", "ci"]
