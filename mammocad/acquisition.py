"""The header gate of out-of-distribution detection: is this image acquired like the training ones?

A feature-space detector says *that* an image looks unlike the training images; the header often
says *why*, in words a radiographer understands: a CT slice sent to a mammography model, a
"FOR PROCESSING" raw detector image to a model trained on processed ones, a manufacturer the model
never saw. Training records what its images were (:class:`AcquisitionProfile`, kept in the
version's training metadata, so the registry stores it with the version); every answer compares
the upload's header with it (:meth:`AcquisitionProfile.reasons`). Fields an upload does not carry
(a PNG has no manufacturer) are not held against it; the source format itself is compared.

Torch-free: the gateway applies it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mammocad.ingest.metadata import ImageMetadata
from mammocad.vocabulary import View

__all__ = ["MAMMOGRAPHY_MODALITIES", "AcquisitionProfile"]

# DICOM Modality values of mammography images ("MG"; "DX" for-presentation digital X-ray objects
# of some older mammography units are not mammography by header, so they are flagged).
MAMMOGRAPHY_MODALITIES = frozenset({"MG"})


class AcquisitionProfile(BaseModel):
    """What the training images' headers said, value by value (sorted, de-duplicated)."""

    model_config = ConfigDict(frozen=True)

    n_images: int = Field(ge=0)
    source_formats: list[str]
    modalities: list[str] = Field(description="DICOM Modality values; empty: no DICOM images")
    presentation_intents: list[str]
    photometric_interpretations: list[str]
    bits_stored: list[int]
    views: list[str]
    manufacturers: list[str]

    @classmethod
    def of(cls, images: Iterable[ImageMetadata]) -> AcquisitionProfile:
        """The profile of a training set's images."""
        found = list(images)

        def values(name: str) -> list[Any]:
            return sorted({getattr(m, name) for m in found} - {None})

        return cls(
            n_images=len(found),
            source_formats=values("source_format"),
            modalities=values("modality"),
            presentation_intents=values("presentation_intent"),
            photometric_interpretations=values("photometric_interpretation"),
            bits_stored=values("bits_stored"),
            views=sorted({m.view.value for m in found} - {View.UNKNOWN.value}),
            manufacturers=values("manufacturer"),
        )

    def reasons(self, image: ImageMetadata) -> list[str]:
        """Why this image's header is unlike the training images', in words; empty when
        nothing differs (which does not prove the image is in distribution)."""
        found: list[str] = []
        if image.modality is not None and image.modality not in MAMMOGRAPHY_MODALITIES:
            found.append(
                f"not a mammography modality: the DICOM Modality is {image.modality!r} "
                f"(mammograms are {', '.join(sorted(MAMMOGRAPHY_MODALITIES))})"
            )
        checks = (
            ("source format", image.source_format, self.source_formats),
            ("DICOM Modality", image.modality, self.modalities),
            ("presentation intent", image.presentation_intent, self.presentation_intents),
            (
                "photometric interpretation",
                image.photometric_interpretation,
                self.photometric_interpretations,
            ),
            ("bits stored", image.bits_stored, self.bits_stored),
            ("view", None if image.view is View.UNKNOWN else image.view.value, self.views),
            ("manufacturer", image.manufacturer, self.manufacturers),
        )
        for name, value, seen in checks:
            if value is None or not seen or value in seen:
                continue
            if name == "DICOM Modality" and found:
                continue  # already said, more plainly
            shown = ", ".join(str(v) for v in seen)
            found.append(f"{name} {value!r} not seen in training (training: {shown})")
        return found
