"""The tensor frame between the gateway and the task services: every float32 bit survives the
round trip, the layout is the documented one, and a body that is not a frame of the contract is
refused (``FrameError`` or pydantic's ``ValidationError``), never read past its end."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from mammocad.schemas.inference_contract import (
    ClassifyItem,
    ClassifyRequest,
    DetectRequest,
    ExplainItem,
    ExplainRequest,
    ModelRef,
)
from mammocad.schemas.tensor_frame import (
    MEDIA_TYPE,
    FrameError,
    TensorPayload,
    TensorRef,
    pack,
    unpack,
)

MODEL = ModelRef(name="classifier", version=1)
PREFIX = 8  # b"MCT1" and the header length


def _bits(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """float32 values of every bit pattern: NaNs with payloads, infinities, -0.0, subnormals."""
    raw = np.random.default_rng(seed).integers(0, 2**32, size=shape, dtype=np.uint64)
    return raw.astype(np.uint32).view(np.float32)


def _frame(*arrays: np.ndarray) -> tuple[ClassifyRequest, bytes]:
    tensors = TensorPayload()
    request = ClassifyRequest(
        items=[ClassifyItem(model=MODEL, input=tensors.add(array)) for array in arrays]
    )
    return request, pack(request, tensors)


def _same_bits(found: np.ndarray, expected: np.ndarray) -> bool:
    return found.dtype == np.float32 and np.array_equal(
        found.view(np.uint32), np.ascontiguousarray(expected, dtype="<f4").view(np.uint32)
    )


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 2), st.integers(0, 9), st.integers(0, 9), st.integers(0, 2**31)),
        min_size=0,
        max_size=4,
    )
)
def test_a_round_trip_is_bit_exact(inputs: list[tuple[int, int, int, int]]) -> None:
    arrays = [_bits((c, r, k), seed) for c, r, k, seed in inputs]
    request, body = _frame(*arrays)
    header, tensors = unpack(body, ClassifyRequest)
    assert header == request
    assert len(tensors) == sum(array.nbytes for array in arrays)
    offset = 0
    for item, array in zip(header.items, arrays, strict=True):
        assert item.input.offset == offset and item.input.shape == array.shape
        assert _same_bits(item.input.read(tensors), array)
        offset += array.nbytes


def test_inputs_become_little_endian_c_order_float32() -> None:
    source = _bits((2, 6, 5), 7)
    strided = np.asfortranarray(source)[:, ::2].astype(">f4")  # big-endian, not C-contiguous
    request, body = _frame(strided, source.astype(np.float64))
    header, tensors = unpack(body, ClassifyRequest)
    first, second = (item.input.read(tensors) for item in header.items)
    assert first.dtype == np.dtype("<f4") and _same_bits(first, source[:, ::2])
    # float64 values that are float32 values come back exactly (NaN payloads aside).
    finite = np.isfinite(source)
    assert np.array_equal(second[finite], source[finite])
    assert request.items[1].input.offset == source[:, ::2].nbytes


def test_the_layout_is_magic_length_json_header_then_raw_bytes() -> None:
    array = np.arange(6, dtype=np.float32).reshape(1, 2, 3)
    request, body = _frame(array)
    assert body[:4] == b"MCT1"
    (length,) = struct.unpack("<I", body[4:PREFIX])
    header = json.loads(body[PREFIX : PREFIX + length].decode("utf-8"))
    assert header == {
        "items": [
            {
                "model": {"name": "classifier", "version": 1},
                "input": {"dtype": "float32", "shape": [1, 2, 3], "offset": 0},
            }
        ]
    }
    assert body[PREFIX + length :] == array.astype("<f4").tobytes()
    assert header == request.model_dump(mode="json")
    assert MEDIA_TYPE == "application/vnd.mammocad.tensors"


def test_read_gives_a_writable_copy_never_a_view_of_the_body() -> None:
    array = np.ones((1, 2, 2), dtype=np.float32)
    _, body = _frame(array)
    header, tensors = unpack(body, ClassifyRequest)
    read = header.items[0].input.read(tensors)
    assert read.flags.writeable
    read[...] = 5.0  # the model's preprocessing may work in place
    assert np.array_equal(header.items[0].input.read(tensors), array)


def test_an_explanation_header_round_trips() -> None:
    tensors = TensorPayload()
    array = _bits((2, 3, 4), 1)
    item = ExplainItem(model=MODEL, input=tensors.add(array), method="shap", target="malignant")
    header, found = unpack(pack({"item": item}, tensors), ExplainRequest)
    assert header.item == item and _same_bits(header.item.input.read(found), array)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"MCT",  # shorter than the prefix
        b"MCT1\x00\x00\x00",
        b'{"items": []}',  # the old JSON wire
        b"MCT2\x02\x00\x00\x00{}",  # another version of the frame
        b"mct1\x02\x00\x00\x00{}",
    ],
    ids=["empty", "short", "short-length", "json", "other-magic", "lower-case-magic"],
)
def test_a_body_without_the_magic_is_refused(body: bytes) -> None:
    with pytest.raises(FrameError, match="MCT1"):
        unpack(body, ClassifyRequest)


def test_a_header_length_beyond_the_body_is_refused() -> None:
    _, body = _frame(np.zeros((1, 2, 2), dtype=np.float32))
    (length,) = struct.unpack("<I", body[4:PREFIX])
    too_long = body[:4] + struct.pack("<I", len(body)) + body[PREFIX:]
    with pytest.raises(FrameError, match="header of"):
        unpack(too_long, ClassifyRequest)
    header_cut = body[: PREFIX + length - 1]  # the body ends inside the header
    with pytest.raises(FrameError, match="header of"):
        unpack(header_cut, ClassifyRequest)
    biggest = body[:4] + struct.pack("<I", 2**32 - 1) + body[PREFIX:]
    with pytest.raises(FrameError, match="header of"):
        unpack(biggest, ClassifyRequest)
    # Exactly the header and no tensor bytes is a frame: its references then do not fit.
    header, tensors = unpack(body[: PREFIX + length], ClassifyRequest)
    assert len(tensors) == 0
    with pytest.raises(FrameError):
        header.items[0].input.read(tensors)


@pytest.mark.parametrize(
    "ref",
    [
        TensorRef(shape=(1, 2, 2), offset=1),  # one byte past the end
        TensorRef(shape=(1, 2, 3), offset=0),  # one value more than there is
        TensorRef(shape=(1, 2, 2), offset=10**12),
        TensorRef(shape=(2**32, 2**32, 1), offset=0),  # more values than int64 counts
        TensorRef(shape=(2**70, 1, 1), offset=0),
    ],
    ids=["offset-by-one", "shape-too-big", "offset-far-away", "int64-overflow", "huge-dimension"],
)
def test_a_tensor_ref_beyond_the_tensor_bytes_is_refused(ref: TensorRef) -> None:
    tensors = TensorPayload()
    tensors.add(np.zeros((1, 2, 2), dtype=np.float32))  # 16 bytes
    body = pack({"items": [{"model": MODEL, "input": ref}]}, tensors)
    header, found = unpack(body, ClassifyRequest)  # a valid header...
    assert len(found) == 16
    with pytest.raises(FrameError):
        header.items[0].input.read(found)  # ...whose input is not in the frame


def test_a_tensor_ref_to_the_last_bytes_exactly_is_read() -> None:
    tensors = TensorPayload()
    tensors.add(np.zeros((1, 1, 1), dtype=np.float32))
    second = tensors.add(np.full((1, 1, 2), 3.0, dtype=np.float32))
    _, found = unpack(pack({"items": []}, tensors), ClassifyRequest)
    assert second.offset + second.nbytes == len(found)
    assert np.array_equal(second.read(found), np.full((1, 1, 2), 3.0, dtype=np.float32))


def _with_header(header: bytes) -> bytes:
    return b"MCT1" + struct.pack("<I", len(header)) + header + bytes(16)


@pytest.mark.parametrize(
    "header",
    [
        b'{"images": []}',  # not the request's schema
        b'{"items": [{"model": {"name": "classifier", "version": 1}}]}',  # no input
        b'{"items": [{"model": {"name": "classifier", "version": 0}, '
        b'"input": {"shape": [1, 2, 2], "offset": 0}}]}',  # version 0
        b'{"items": [{"model": {"name": "classifier", "version": 1}, '
        b'"input": {"dtype": "float16", "shape": [1, 2, 2], "offset": 0}}]}',
        b'{"items": [{"model": {"name": "classifier", "version": 1}, '
        b'"input": {"shape": [1, 2, 2], "offset": -4}}]}',
        b'{"items": [{"model": {"name": "classifier", "version": 1}, '
        b'"input": {"shape": [1, -2, -2], "offset": 0}}]}',
        b'{"items": [{"model": {"name": "classifier", "version": 1}, '
        b'"input": {"dtype": "float32", "shape": [1, 2, 2], "data": "AAAA"}}]}',  # base64 JSON
        b'{"items": [',  # not JSON
        b"\xff\xfe{}",  # not UTF-8
    ],
    ids=[
        "wrong-schema",
        "no-input",
        "version-0",
        "float16",
        "negative-offset",
        "negative-dimension",
        "encoded-array",
        "not-json",
        "not-utf-8",
    ],
)
def test_a_header_that_fails_validation_is_refused(header: bytes) -> None:
    with pytest.raises(ValidationError):
        unpack(_with_header(header), ClassifyRequest)


def test_a_header_of_the_other_kind_of_request_is_refused() -> None:
    tensors = TensorPayload()
    item = ExplainItem(model=MODEL, input=tensors.add(np.zeros((1, 1, 1))), method="gradcam")
    body = pack(ExplainRequest(item=item), tensors)
    with pytest.raises(ValidationError):
        unpack(body, DetectRequest)
    _, items_body = _frame(np.zeros((1, 1, 1), dtype=np.float32))
    with pytest.raises(ValidationError):
        unpack(items_body, ExplainRequest)
