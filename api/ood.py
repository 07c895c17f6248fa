"""The OOD assessment an answer carries: the service's detector score against the registry's
threshold for that exact version, with the reason in words a viewer can show."""

from __future__ import annotations

from api.inference_schemas import OodAssessment
from registry.records import OodDetectorRecord

__all__ = ["assess"]


def assess(record: OodDetectorRecord | None, score: float | None) -> OodAssessment | None:
    """None when the version has no OOD detector (or the service scored nothing): not assessed,
    which the answer says by ``ood: null`` rather than by a made-up "in distribution"."""
    if record is None or score is None:
        return None
    flagged = score > record.threshold
    reasons = (
        [
            f"the image's features are unlike the model's training images ({record.kind} "
            f"distance {score:.1f} > threshold {record.threshold:.1f}, set so that "
            f"{record.threshold_rule}): another vendor, processing, or not a mammogram; do not "
            "trust this answer"
        ]
        if flagged
        else []
    )
    return OodAssessment(
        flagged=flagged,
        score=score,
        threshold=record.threshold,
        detector=record.kind,
        reasons=reasons,
    )
