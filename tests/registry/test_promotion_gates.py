"""Promotion to production: every gate refuses, then passes; force only with an audited reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from mammocad.errors import InvalidInputError
from registry import PromotionRefusedError, Registry
from tests.registry.builders import (
    COMPLETE_CARD,
    OTHER_FINGERPRINT,
    calibration_record,
    make_model_folder,
    make_promotable,
    ood_record,
    write_report,
)

ALL_GATES = ["model-card", "calibration", "ood-detector", "evaluation"]


def _refused(
    registry: Registry, version: int, *, reason: str = "", force: bool = False
) -> list[str]:
    with pytest.raises(PromotionRefusedError) as refused:
        registry.set_alias(
            "classifier", "production", version, actor="ops", reason=reason, force=force
        )
    return [gate.gate for gate in refused.value.unmet]


def test_each_gate_refuses_until_met_then_promotion_passes(
    registry: Registry, tmp_path: Path
) -> None:
    registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="ci")

    assert _refused(registry, 1) == ALL_GATES  # every unmet gate at once, not just the first
    registry.edit_card("classifier", 1, COMPLETE_CARD.model_copy(update={"owners": []}), actor="a")
    assert _refused(registry, 1) == ALL_GATES  # one required section still empty
    registry.edit_card("classifier", 1, COMPLETE_CARD, actor="author")
    assert _refused(registry, 1) == ALL_GATES[1:]
    registry.attach_record("classifier", 1, calibration_record(), actor="ml")
    assert _refused(registry, 1) == ALL_GATES[2:]
    registry.attach_record("classifier", 1, ood_record(), actor="ml")
    assert _refused(registry, 1) == ALL_GATES[3:]
    registry.attach_evaluation("classifier", 1, write_report(tmp_path / "r.json", 0.8), actor="ml")

    move = registry.set_alias("classifier", "production", 1, actor="ops", reason="first release")
    assert (move.before, move.after, move.changed) == (None, 1, True)
    assert registry.get_version("classifier", "production").version == 1
    assert registry.get_model("classifier").aliases == {"production": 1}


def test_refusal_message_lists_every_unmet_gate(registry: Registry, tmp_path: Path) -> None:
    registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="ci")
    with pytest.raises(PromotionRefusedError) as refused:
        registry.set_alias("classifier", "production", 1, actor="ops")
    detail = refused.value.detail
    for words in ("model card incomplete: owners", "calibration", "OOD detector", "evaluation"):
        assert words in detail
    gates = refused.value.problem_extensions()["unmet_gates"]
    assert isinstance(gates, list)
    assert gates[0]["gate"] == "model-card"
    assert registry.get_model("classifier").aliases == {}
    assert [e.action for e in registry.audit()][-1] == "version.register"  # nothing moved


def test_worse_than_production_is_refused_and_better_passes(
    registry: Registry, tmp_path: Path
) -> None:
    for run in "abc":
        registry.register(make_model_folder(tmp_path / run), "classifier", actor="ci")
    make_promotable(registry, tmp_path, "classifier", 1, primary=0.80)
    make_promotable(registry, tmp_path, "classifier", 2, primary=0.75)
    make_promotable(registry, tmp_path, "classifier", 3, primary=0.80)  # equal is not worse
    registry.set_alias("classifier", "production", 1, actor="ops")

    with pytest.raises(PromotionRefusedError, match=r"0\.7500, worse than production"):
        registry.set_alias("classifier", "production", 2, actor="ops")
    assert registry.set_alias("classifier", "production", 3, actor="ops").after == 3


def test_a_version_not_evaluated_on_productions_data_cannot_be_compared(
    registry: Registry, tmp_path: Path
) -> None:
    registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="ci")
    registry.register(make_model_folder(tmp_path / "b"), "classifier", actor="ci")
    make_promotable(registry, tmp_path, "classifier", 1, primary=0.8)
    registry.set_alias("classifier", "production", 1, actor="ops")
    registry.edit_card("classifier", 2, COMPLETE_CARD, actor="a")
    registry.attach_record("classifier", 2, calibration_record(), actor="a")
    registry.attach_record("classifier", 2, ood_record(), actor="a")
    same_name_other_content = write_report(tmp_path / "o.json", 0.9, fingerprint=OTHER_FINGERPRINT)
    registry.attach_evaluation("classifier", 2, same_name_other_content, actor="a")

    assert _refused(registry, 2) == ["no-worse-than-production"]


def test_force_overrides_the_comparison_only_with_a_reason_and_is_audited(
    registry: Registry, tmp_path: Path
) -> None:
    registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="ci")
    registry.register(make_model_folder(tmp_path / "b"), "classifier", actor="ci")
    make_promotable(registry, tmp_path, "classifier", 1, primary=0.80)
    make_promotable(registry, tmp_path, "classifier", 2, primary=0.70)
    registry.set_alias("classifier", "production", 1, actor="ops")

    with pytest.raises(InvalidInputError, match="needs a reason"):
        registry.set_alias("classifier", "production", 2, actor="ops", force=True, reason="  ")
    move = registry.set_alias(
        "classifier", "production", 2, actor="ops", force=True, reason="v1 leaks memory"
    )

    assert move.after == 2 and len(move.overridden_gates) == 1
    entry = registry.audit("classifier")[-1]
    assert (entry.action, entry.actor, entry.reason) == ("alias.set", "ops", "v1 leaks memory")
    assert entry.before == {"version": 1}
    assert entry.after is not None and entry.after["version"] == 2
    assert "worse than production" in entry.after["overridden_gates"][0]


def test_force_never_overrides_missing_calibration_ood_card_or_evaluation(
    registry: Registry, tmp_path: Path
) -> None:
    registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="ci")
    assert _refused(registry, 1, force=True, reason="urgent") == ALL_GATES


def test_other_aliases_have_no_gates(registry: Registry, tmp_path: Path) -> None:
    registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="ci")
    assert registry.set_alias("classifier", "staging", 1, actor="ci").after == 1
    assert registry.set_alias("classifier", "canary-eu", 1, actor="ci").after == 1
    assert registry.get_version("classifier", 1).aliases == ["canary-eu", "staging"]
    with pytest.raises(InvalidInputError, match="alias name"):
        registry.set_alias("classifier", "2", 1, actor="ci")


def test_detector_gate_compares_sensitivity_at_one_false_positive(
    registry: Registry, tmp_path: Path
) -> None:
    for run in "ab":
        registry.register(make_model_folder(tmp_path / run, "detect"), "detector", actor="ci")
    for version, sensitivity in ((1, 0.6), (2, 0.5)):
        registry.edit_card("detector", version, COMPLETE_CARD, actor="a")
        registry.attach_record("detector", version, calibration_record(), actor="a")
        registry.attach_record("detector", version, ood_record(), actor="a")
        report = write_report(tmp_path / f"d{version}.json", sensitivity, task="detect")
        registry.attach_evaluation("detector", version, report, actor="a")
    registry.set_alias("detector", "production", 1, actor="ops")

    with pytest.raises(PromotionRefusedError, match=r"sensitivity_at_1fp on .* 0\.5000"):
        registry.set_alias("detector", "production", 2, actor="ops")


def test_no_alias_may_name_a_version_the_serving_side_cannot_open(
    registry_url: str, tmp_path: Path
) -> None:
    """The README's register-then-promote once wrote the artifact to one BentoML store while the
    services read another: every request then answered 404 artifact-not-found. An alias move
    now checks the artifact in the store this registry (and so the services) opens."""
    with Registry(registry_url, artifact_root=tmp_path / "store-a") as writer:
        writer.register(make_model_folder(tmp_path / "a"), "classifier", actor="ci")
        make_promotable(writer, tmp_path, "classifier", 1, 0.8)
    with Registry(registry_url, artifact_root=tmp_path / "store-b") as elsewhere:
        for alias in ("production", "staging"):
            with pytest.raises(PromotionRefusedError) as refused:
                elsewhere.set_alias("classifier", alias, 1, actor="ops", reason="x", force=True)
            [gate] = refused.value.unmet
            assert gate.gate == "artifact" and not gate.overridable
            assert "store-b" in gate.reason
        assert elsewhere.get_model("classifier").aliases == {}


def test_a_tampered_artifact_cannot_be_promoted(registry: Registry, tmp_path: Path) -> None:
    registry.register(make_model_folder(tmp_path / "a"), "classifier", actor="ci")
    make_promotable(registry, tmp_path, "classifier", 1, 0.8)
    folder = registry.open_artifact("classifier", 1)
    weights = next(path for path in sorted(folder.iterdir()) if path.suffix == ".pt")
    weights.write_bytes(weights.read_bytes() + b"tampered")
    assert _refused(registry, 1) == ["artifact"]


def test_no_rollback_to_an_artifact_tampered_with_since(registry: Registry, tmp_path: Path) -> None:
    for version, run in enumerate("ab", start=1):
        registry.register(make_model_folder(tmp_path / run), "classifier", actor="ci")
        make_promotable(registry, tmp_path, "classifier", version, 0.8)
        registry.set_alias("classifier", "production", version, actor="ops")
    weights = registry.open_artifact("classifier", 1) / "model.pt"
    weights.write_bytes(weights.read_bytes() + b"tampered")
    audit_before = registry.audit()

    with pytest.raises(PromotionRefusedError) as refused:
        registry.rollback("classifier", actor="ops", reason="v2 misbehaves")
    assert [gate.gate for gate in refused.value.unmet] == ["artifact"]
    assert "model.pt changed" in refused.value.detail
    assert registry.get_version("classifier", "production").version == 2
    assert registry.audit() == audit_before
