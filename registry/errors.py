"""Registry failures, in the one error hierarchy of :mod:`mammocad.errors`."""

from __future__ import annotations

from mammocad.errors import ConflictError, MammocadError
from registry.entities import UnmetGate

__all__ = ["PromotionRefusedError", "TamperedArtifactError"]


class TamperedArtifactError(MammocadError):
    """A stored artifact no longer has the bytes it was registered with: never load it."""

    code = "tampered-artifact"
    title = "Tampered model artifact"


class PromotionRefusedError(ConflictError):
    """Moving ``production`` was refused; ``unmet_gates`` lists every reason, not just the
    first, so that an operator can fix them all in one go."""

    code = "promotion-refused"
    title = "Promotion refused"

    def __init__(self, model: str, version: int, alias: str, unmet: list[UnmetGate]) -> None:
        super().__init__(
            f"{model} version {version} cannot become {alias!r}: "
            + "; ".join(gate.reason for gate in unmet)
        )
        self.unmet = unmet

    def problem_extensions(self) -> dict[str, object]:
        return {"unmet_gates": [gate.model_dump() for gate in self.unmet]}
