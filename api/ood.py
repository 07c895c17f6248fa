"""The OOD assessment an answer carries: the version's two detectors, with reasons in words.

1. The header gate: the upload's header against what the version's training images' headers said
   (:class:`~mammocad.acquisition.AcquisitionProfile`, from its training metadata): another
   modality, manufacturer, presentation intent, bit depth, format.
2. The feature detector: the service's score of the image's penultimate features against the
   registry's threshold for that exact version.

The image is flagged when either finds something; each finding is one reason a viewer can show.
"""

from __future__ import annotations

from api.inference_schemas import OodAssessment
from mammocad.ingest.metadata import ImageMetadata
from registry import ModelVersion

__all__ = ["assess"]


def assess(
    version: ModelVersion, score: float | None, image: ImageMetadata
) -> OodAssessment | None:
    """None when the version has no feature detector (or the service scored nothing): not
    assessed, which the answer says by ``ood: null`` rather than by a made-up "in
    distribution". The header gate adds its reasons when the version recorded a profile."""
    record, profile = version.ood_detector, version.training.acquisition
    if record is None or score is None:
        return None
    reasons = profile.reasons(image) if profile is not None else []
    if score > record.threshold:
        reasons.append(
            f"the image's features are unlike the model's training images ({record.kind} "
            f"distance of its {record.feature}: {score:.1f} > threshold "
            f"{record.threshold:.1f}, set so that "
            f"{record.threshold_rule}): another vendor, processing, or not a mammogram; do not "
            "trust this answer"
        )
    return OodAssessment(
        flagged=bool(reasons),
        score=score,
        threshold=record.threshold,
        detector=f"{record.kind} on {record.feature}"
        + (" + header gate" if profile is not None else ""),
        reasons=reasons,
    )
