"""Hostile and nonsensical DICOM headers: ingest either reads the image or refuses it with a typed
error (a 4xx at the gateway), whatever the header says. Two of these were 500s: a Transfer
Syntax UID that is not a transfer syntax, and a Window Width of 0."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pydicom
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mammocad.ingest.errors import CorruptImageError, IngestError
from mammocad.ingest.pipeline import ingest_bytes

from .conftest import dicom_bytes, phantom

_PIXELS = (phantom(rows=64, columns=48) * 4095).astype(np.uint16)


def _dicom(**attributes: Any) -> bytes:
    return dicom_bytes(_PIXELS, **({"BitsStored": 12, "HighBit": 11} | attributes))


def _with_transfer_syntax(uid: str) -> bytes:
    """The file with its Transfer Syntax UID replaced in the bytes (pydicom refuses to write a
    UID that is not a transfer syntax, but anyone can send one)."""
    original = b"1.2.840.10008.1.2.1\x00"  # Explicit VR Little Endian, padded to 20 bytes
    assert len(uid) + 1 == len(original), "same length keeps the meta group length right"
    data = _dicom()
    return data.replace(original, uid.encode() + b"\x00", 1)


def test_a_transfer_syntax_uid_that_is_no_transfer_syntax_is_a_typed_refusal() -> None:
    with pytest.raises(IngestError):
        ingest_bytes(_with_transfer_syntax("1.2.840.10008.5.1.4"))  # a UID, not a syntax


@pytest.mark.parametrize(
    "attributes",
    [
        {"WindowCenter": "2048", "WindowWidth": "0"},
        {"WindowCenter": "2048", "WindowWidth": "-10"},
        {"WindowCenter": "2048", "WindowWidth": "0", "VOILUTFunction": "SIGMOID"},
        {"RescaleSlope": "0"},
        {"RescaleSlope": "1e308", "RescaleIntercept": "1e308"},
        {"BitsStored": 0},
        {"BitsStored": 20},
        {"HighBit": 40},
        {"PixelRepresentation": 7},
        {"Rows": 65535},
        {"Columns": 1},
        {"SamplesPerPixel": 0},
        {"PhotometricInterpretation": "PALETTE COLOR"},
        {"PhotometricInterpretation": "NOT-A-THING"},
        {"NumberOfFrames": "0"},
        {"ImagerPixelSpacing": ["0", "0"]},
        {"PixelSpacing": ["-1", "nan"]},
        {"PatientOrientation": ["Q", "Z", "X"]},
    ],
    ids=lambda attributes: ",".join(f"{k}={v}" for k, v in attributes.items()),
)
def test_nonsense_header_values_are_read_or_refused_with_a_type(
    attributes: dict[str, Any],
) -> None:
    try:
        image = ingest_bytes(_dicom(**attributes))
    except IngestError:
        return
    values = image.model_input()
    assert np.isfinite(values).all() and values.min() >= 0 and values.max() <= 1


_KEYWORDS = st.sampled_from(
    [
        "WindowCenter",
        "WindowWidth",
        "RescaleSlope",
        "RescaleIntercept",
        "BitsStored",
        "HighBit",
        "PixelRepresentation",
        "Rows",
        "Columns",
        "PhotometricInterpretation",
        "VOILUTFunction",
        "PixelIntensityRelationshipSign",
        "PresentationLUTShape",
        "ImageLaterality",
        "ViewPosition",
    ]
)
_VALUES = st.one_of(
    st.integers(min_value=-70000, max_value=70000).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", "0", "-0", "1e400", "abc", "MONOCHROME1", "LINEAR", "SIGMOID", "L\\R"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_KEYWORDS, _VALUES, min_size=1, max_size=4))
def test_any_header_values_are_read_or_refused_with_a_type(values: dict[str, str]) -> None:
    try:
        data = _dicom_with_raw_values(values)
    except (ValueError, TypeError, OverflowError):
        return  # pydicom will not even write it: nothing an uploader can send either
    try:
        image = ingest_bytes(data)
    except IngestError:
        return
    assert np.isfinite(image.model_input()).all()


def _dicom_with_raw_values(values: dict[str, str]) -> bytes:
    dataset = pydicom.dcmread(io.BytesIO(_dicom()))
    for keyword, value in values.items():
        element = dataset.data_element(keyword) if keyword in dataset else None
        vr = element.VR if element is not None else pydicom.datadict.dictionary_VR(keyword)
        # Raw bytes, so that values pydicom would refuse to build still reach the reader.
        dataset.add(
            pydicom.dataelem.RawDataElement(
                pydicom.datadict.tag_for_keyword(keyword),  # type: ignore[arg-type]
                vr,
                len(value.encode()) + len(value.encode()) % 2,
                value.encode() + b" " * (len(value.encode()) % 2),
                0,
                False,
                True,
            )
        )
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=False)
    return buffer.getvalue()


def test_the_refusal_never_quotes_the_header() -> None:
    """A refusal's detail names the step and the exception type, never values from the file
    (they can be names or dates)."""
    data = _with_transfer_syntax("1.2.840.10008.5.1.4")
    with pytest.raises(IngestError) as refused:
        ingest_bytes(data)
    assert "1.2.840.10008.5.1.4" not in refused.value.detail
    assert "SECRET-ID-123" not in refused.value.detail and "DOE" not in refused.value.detail
    assert isinstance(refused.value, IngestError)
    _ = CorruptImageError  # the class the unforeseen failures become
