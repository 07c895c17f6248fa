"""Intensity pipeline (modality LUT, VOI, MONOCHROME1, bit depth) and header metadata."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from mammocad.ingest.pipeline import IngestOptions, ingest_bytes
from mammocad.vocabulary import Laterality, View

from .conftest import phantom

RAW = IngestOptions(target_shape=None, crop_breast=False, orient=False)


def _ramp() -> np.ndarray:
    return np.tile(np.arange(0, 4096, 16, dtype=np.uint16), (8, 1))  # 8 x 256, 12-bit values


def test_twelve_bit_dicom_is_normalised_by_bits_stored(make_dicom: Callable[..., bytes]) -> None:
    ingested = ingest_bytes(make_dicom(_ramp(), BitsStored=12, HighBit=11), RAW)
    np.testing.assert_allclose(ingested.pixels[0], _ramp()[0] / 4095, atol=1e-6)


def test_monochrome1_is_inverted(make_dicom: Callable[..., bytes]) -> None:
    data = make_dicom(_ramp(), BitsStored=12, HighBit=11, PhotometricInterpretation="MONOCHROME1")
    ingested = ingest_bytes(data, RAW)
    np.testing.assert_allclose(ingested.pixels[0], 1 - _ramp()[0] / 4095, atol=1e-6)
    assert ingested.metadata.photometric_interpretation == "MONOCHROME1"


def test_window_from_the_header_is_applied(make_dicom: Callable[..., bytes]) -> None:
    data = make_dicom(_ramp(), BitsStored=12, HighBit=11, WindowCenter=2048, WindowWidth=1024)
    pixels = ingest_bytes(data, RAW).pixels[0]
    values = _ramp()[0]
    assert np.all(pixels[values <= 1536] == 0) and np.all(pixels[values >= 2560] == 1)
    middle = (values > 1600) & (values < 2500)
    assert np.all(np.diff(pixels[middle]) > 0)


def test_voi_lut_sequence_is_applied(make_dicom: Callable[..., bytes]) -> None:
    lut = Dataset()
    lut.LUTDescriptor = [4096, 0, 16]
    lut.LUTData = np.linspace(65535, 0, 4096).astype("<u2").tobytes()  # an inverting VOI LUT
    data = make_dicom(_ramp(), BitsStored=12, HighBit=11, VOILUTSequence=Sequence([lut]))
    pixels = ingest_bytes(data, RAW).pixels[0]
    assert pixels[0] == pytest.approx(1.0) and pixels[-1] < 0.02


def test_rescale_is_applied_before_normalising(make_dicom: Callable[..., bytes]) -> None:
    data = make_dicom(_ramp(), BitsStored=12, HighBit=11, RescaleSlope=2, RescaleIntercept=-100)
    pixels = ingest_bytes(data, RAW).pixels[0]
    np.testing.assert_allclose(pixels, (_ramp()[0] * 2 - 100 + 100) / (4095 * 2), atol=1e-6)


def test_sixteen_bit_png_holding_twelve_bit_values() -> None:
    buffer = io.BytesIO()
    Image.fromarray(_ramp()).save(buffer, format="PNG")
    ingested = ingest_bytes(buffer.getvalue(), RAW)
    assert ingested.metadata.bits_stored == 12
    np.testing.assert_allclose(ingested.pixels[0], _ramp()[0] / 4095, atol=1e-6)


def test_metadata_is_read_and_nothing_identifying_is_kept(make_dicom: Callable[..., bytes]) -> None:
    image = (phantom() * 4095).astype(np.uint16)
    data = make_dicom(
        image,
        BitsStored=12,
        HighBit=11,
        ImageLaterality="R",
        ViewPosition="MLO",
        PresentationIntentType="FOR PROCESSING",
        Manufacturer="ACME",
        ImagerPixelSpacing=[0.1, 0.1],
        InstitutionName="St Elsewhere",
    )
    ingested = ingest_bytes(data)
    meta = ingested.metadata
    assert (meta.laterality, meta.laterality_source, meta.view) == (
        Laterality.RIGHT,
        "ImageLaterality",
        View.MLO,
    )
    assert (meta.presentation_intent, meta.manufacturer) == ("FOR PROCESSING", "ACME")
    assert meta.pixel_spacing_mm == (0.1, 0.1) and meta.bits_stored == 12
    text = json.dumps(meta.model_dump(mode="json"))
    for secret in ("DOE", "JANE", "SECRET-ID-123", "Elsewhere"):
        assert secret not in text


def _code(value: str, meaning: str, scheme: str = "SCT") -> Dataset:
    item = Dataset()
    item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = value, scheme, meaning
    return item


@pytest.mark.parametrize(
    "attributes, laterality, source",
    [
        ({"ImageLaterality": "L", "Laterality": "R"}, Laterality.LEFT, "ImageLaterality"),
        ({"Laterality": "R"}, Laterality.RIGHT, "Laterality"),
        (
            {"ViewCodeSequence": Sequence([_code("399368009", "left medio-lateral oblique")])},
            Laterality.LEFT,
            "ViewCodeSequence",
        ),
        ({}, Laterality.UNKNOWN, None),
    ],
)
def test_laterality_fallbacks(
    make_dicom: Callable[..., bytes],
    attributes: dict[str, object],
    laterality: Laterality,
    source: str | None,
) -> None:
    meta = ingest_bytes(make_dicom(_ramp(), **attributes), RAW).metadata
    assert (meta.laterality, meta.laterality_source) == (laterality, source)


@pytest.mark.parametrize(
    "attributes, view",
    [
        ({"ViewPosition": "CC"}, View.CC),
        ({"ViewPosition": "ML"}, View.OTHER),
        ({"ViewCodeSequence": Sequence([_code("399162004", "cranio-caudal")])}, View.CC),
        (
            {"ViewCodeSequence": Sequence([_code("R-10226", "medio-lateral oblique", "SRT")])},
            View.MLO,
        ),
        ({}, View.UNKNOWN),
    ],
)
def test_view_fallbacks(
    make_dicom: Callable[..., bytes], attributes: dict[str, object], view: View
) -> None:
    assert ingest_bytes(make_dicom(_ramp(), **attributes), RAW).metadata.view is view


@pytest.mark.parametrize("orientation, flipped", [(["A", "FR"], False), (["P", "FL"], True)])
def test_patient_orientation_decides_the_chest_wall_side(
    make_dicom: Callable[..., bytes], orientation: list[str], flipped: bool
) -> None:
    # The pixels put the chest wall on the left; the header wins, as it is authoritative.
    image = (phantom(chest_wall="left") * 255).astype(np.uint8)
    ingested = ingest_bytes(make_dicom(image, PatientOrientation=orientation))
    assert ingested.orientation.source == "patient_orientation"
    assert ingested.orientation.flipped is flipped


def test_laterality_decides_when_the_image_cannot(make_dicom: Callable[..., bytes]) -> None:
    blank = np.zeros((64, 64), np.uint8)
    ingested = ingest_bytes(make_dicom(blank, ImageLaterality="R"))
    assert not ingested.breast_found
    assert (ingested.orientation.source, ingested.orientation.flipped) == ("laterality", True)


def test_caller_laterality_fills_a_gap_but_never_overrides_the_header(
    make_dicom: Callable[..., bytes],
) -> None:
    png = io.BytesIO()
    Image.fromarray((phantom() * 255).astype(np.uint8)).save(png, format="PNG")
    from_caller = ingest_bytes(png.getvalue(), laterality=Laterality.LEFT).metadata
    assert (from_caller.laterality, from_caller.laterality_source) == (Laterality.LEFT, "caller")
    header = ingest_bytes(
        make_dicom(_ramp(), ImageLaterality="R"), RAW, laterality=Laterality.LEFT
    ).metadata
    assert (header.laterality, header.laterality_source) == (Laterality.RIGHT, "ImageLaterality")
