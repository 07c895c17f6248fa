"""The OOD header gate: each difference from the training images' headers is one reason."""

from __future__ import annotations

from pathlib import Path

import pydicom

from mammocad.acquisition import AcquisitionProfile
from mammocad.ingest.metadata import ImageMetadata
from mammocad.ingest.pipeline import ingest_bytes
from mammocad.vocabulary import View

TRAINING = ImageMetadata(
    source_format="dicom",
    rows=2048,
    columns=1536,
    bits_stored=12,
    photometric_interpretation="MONOCHROME2",
    view=View.CC,
    modality="MG",
    presentation_intent="FOR PRESENTATION",
    manufacturer="MAMMOCAD SYNTH REFERENCE",
)


def _profile() -> AcquisitionProfile:
    return AcquisitionProfile.of(
        [TRAINING, TRAINING.model_copy(update={"view": View.MLO, "bits_stored": 14})]
    )


def test_the_profile_lists_what_training_saw() -> None:
    profile = _profile()
    assert profile.n_images == 2
    assert profile.modalities == ["MG"] and profile.bits_stored == [12, 14]
    assert profile.views == ["CC", "MLO"]
    assert profile.manufacturers == ["MAMMOCAD SYNTH REFERENCE"]


def test_an_image_like_the_training_ones_has_no_reason() -> None:
    assert _profile().reasons(TRAINING) == []


def test_each_difference_is_a_reason_in_words() -> None:
    other = TRAINING.model_copy(
        update={
            "manufacturer": "ACME",
            "presentation_intent": "FOR PROCESSING",
            "bits_stored": 16,
            "photometric_interpretation": "MONOCHROME1",
        }
    )
    reasons = _profile().reasons(other)
    assert len(reasons) == 4
    assert any("manufacturer 'ACME' not seen in training" in r for r in reasons)
    assert any("presentation intent 'FOR PROCESSING'" in r for r in reasons)
    assert any("bits stored 16" in r for r in reasons)
    assert any("MONOCHROME1" in r for r in reasons)


def test_a_ct_slice_is_not_a_mammography_modality() -> None:
    ct = Path(pydicom.__file__).parent / "data" / "test_files" / "CT_small.dcm"
    metadata = ingest_bytes(ct.read_bytes()).metadata
    reasons = _profile().reasons(metadata)
    assert reasons[0].startswith("not a mammography modality: the DICOM Modality is 'CT'")
    assert not any("DICOM Modality 'CT' not seen" in r for r in reasons)  # said once, plainly


def test_what_an_upload_does_not_carry_is_not_held_against_it() -> None:
    png = TRAINING.model_copy(
        update={
            "source_format": "png",
            "modality": None,
            "manufacturer": None,
            "view": View.UNKNOWN,
        }
    )
    profile = AcquisitionProfile.of([TRAINING, png])
    assert profile.reasons(png) == []
    assert profile.reasons(png.model_copy(update={"source_format": "jpeg"})) == [
        "source format 'jpeg' not seen in training (training: dicom, png)"
    ]
