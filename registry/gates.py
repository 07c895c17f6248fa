"""Promotion gates: what a version must have before ``production`` may point at it.

Pure functions of the candidate and the current production version, so that the store can
evaluate them inside the same locked transaction that moves the alias (no other promotion can
slip in between the check and the move).
"""

from __future__ import annotations

from registry.card.compose import missing_authored
from registry.entities import ModelVersion, UnmetGate

__all__ = ["production_gates"]


def production_gates(candidate: ModelVersion, current: ModelVersion | None) -> list[UnmetGate]:
    """Every gate ``candidate`` fails for becoming production, in a fixed order (empty: passes).

    Args:
        candidate: the version to promote.
        current: the version production points at now, or None.
    """
    unmet: list[UnmetGate] = []
    if missing := missing_authored(candidate.card):
        unmet.append(
            UnmetGate(gate="model-card", reason=f"model card incomplete: {', '.join(missing)}")
        )
    if candidate.calibration is None:
        unmet.append(UnmetGate(gate="calibration", reason="no calibration data attached"))
    if candidate.ood_detector is None:
        unmet.append(UnmetGate(gate="ood-detector", reason="no OOD detector attached"))
    if not candidate.evaluations:
        unmet.append(
            UnmetGate(gate="evaluation", reason="no evaluation metrics on a named data set")
        )
    elif current is not None and current.version != candidate.version:
        unmet += _no_worse_than(candidate, current)
    return unmet


def _no_worse_than(candidate: ModelVersion, current: ModelVersion) -> list[UnmetGate]:
    """The primary metric must be >= production's on every data set (same name and content
    fingerprint) both were evaluated on, and there must be at least one such data set."""
    theirs = {(e.data_name, e.data_fingerprint): e for e in current.evaluations}
    if not theirs:
        return []
    shared = [
        (mine, theirs[(mine.data_name, mine.data_fingerprint)])
        for mine in candidate.evaluations
        if (mine.data_name, mine.data_fingerprint) in theirs
    ]
    if not shared:
        names = ", ".join(sorted(name for name, _ in theirs))
        return [
            UnmetGate(
                gate="no-worse-than-production",
                reason=f"not evaluated on any data set production (version {current.version}) "
                f"was evaluated on ({names}), so it cannot be compared",
                overridable=True,
            )
        ]
    return [
        UnmetGate(
            gate="no-worse-than-production",
            reason=f"{mine.primary_metric} on {mine.data_name} is {mine.primary.value:.4f}, "
            f"worse than production (version {current.version}): {prod.primary.value:.4f}",
            overridable=True,
        )
        for mine, prod in shared
        if mine.primary.value < prod.primary.value
    ]
