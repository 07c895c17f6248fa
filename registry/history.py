"""The audit log's vocabulary, and what rollback reads from it.

Every change the registry makes is one of :data:`Action`; alias moves record the version before
and after, which is all rollback needs: the alias's history is a stack of versions pushed by
``alias.set`` and popped by ``alias.rollback``, so rolling back twice after promoting v1, v2, v3
lands on v1, not back on v3.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from registry.entities import AuditEntry

__all__ = ["Action", "rollback_target"]

Action = Literal[
    "model.create",
    "version.register",
    "version.import",
    "evaluation.attach",
    "calibration.attach",
    "ood.attach",
    "card.edit",
    "alias.set",
    "alias.rollback",
    "key.create",
    "key.revoke",
]


def rollback_target(entries: Iterable[AuditEntry], alias: str) -> int | None:
    """The version ``alias`` pointed at before its current one, or None if there is none.

    Args:
        entries: the model's audit entries, oldest first.
        alias: the alias to roll back.
    """
    stack: list[int] = []
    for entry in entries:
        if entry.alias != alias or entry.after is None:
            continue
        if entry.action == "alias.set":
            stack.append(int(entry.after["version"]))
        elif entry.action == "alias.rollback" and stack:
            stack.pop()
    return stack[-2] if len(stack) >= 2 else None
