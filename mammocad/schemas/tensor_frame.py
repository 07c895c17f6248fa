"""The binary request body between the gateway and the task services: a JSON header and the
model inputs' raw bytes after it.

A model input is a (channels, rows, columns) float32 array of about a megabyte. Sent as base64
inside JSON it costs an encode, a JSON string of a third more bytes, a JSON parse and a base64
decode on every request (about 12 ms in all for the demo classifier's input on this project's
CPU machine, ``bench/profile_serving.py``); as raw little-endian bytes it is copied once and read
in place. The inputs stay float32, exactly as ingest produced them: a narrower type (float16,
uint16) would change the numbers the model reads, and the answers would no longer be those of
the in-process path.

Layout (``application/vnd.mammocad.tensors``)::

    b"MCT1" | header length (uint32, little-endian) | header (UTF-8 JSON) | tensor bytes

The header is the request's own schema (``{"items": [...]}`` or ``{"item": ...}``, see
:mod:`mammocad.schemas.inference_contract`), where each input is a :class:`TensorRef`: dtype,
shape and byte offset into the tensor bytes that follow the header.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from typing import Literal, TypeVar

import numpy as np
import pydantic_core
from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt

__all__ = ["MEDIA_TYPE", "FrameError", "TensorPayload", "TensorRef", "pack", "unpack"]

MEDIA_TYPE = "application/vnd.mammocad.tensors"
_MAGIC = b"MCT1"
_LENGTH = struct.Struct("<I")
_PREFIX = len(_MAGIC) + _LENGTH.size
_ITEMSIZE = 4  # float32

HeaderT = TypeVar("HeaderT", bound=BaseModel)


class FrameError(ValueError):
    """The body is not a tensor frame, or a tensor reference does not fit in it."""


class TensorRef(BaseModel):
    """Where one float32 array is in the frame's tensor bytes (C order, little-endian)."""

    model_config = ConfigDict(frozen=True)

    dtype: Literal["float32"] = "float32"
    shape: tuple[NonNegativeInt, ...] = Field(description="(channels, rows, columns)")
    offset: NonNegativeInt = Field(description="first byte in the tensor bytes after the header")

    @property
    def nbytes(self) -> int:
        """The array's size in bytes (Python integers: no overflow, whatever the shape)."""
        return math.prod(self.shape) * _ITEMSIZE

    def check(self, tensors: memoryview) -> None:
        """Refuse a reference to bytes the frame does not have.

        Raises:
            FrameError: the array would end beyond the tensor bytes.
        """
        end = self.offset + self.nbytes
        if end > len(tensors):
            raise FrameError(
                f"shape {self.shape} at byte {self.offset} needs {end} bytes, the frame has "
                f"{len(tensors)}"
            )

    def read(self, tensors: memoryview) -> np.ndarray:
        """The array, a writable copy (the model's preprocessing may work in place).

        Raises:
            FrameError: as :meth:`check`.
        """
        self.check(tensors)
        flat = np.frombuffer(tensors[self.offset : self.offset + self.nbytes], dtype="<f4")
        return flat.reshape(self.shape).copy()


class TensorPayload:
    """The tensor bytes of one frame, built up array by array."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._size = 0

    def add(self, array: np.ndarray) -> TensorRef:
        """Append ``array`` (as little-endian float32, C order); its reference for the header."""
        values = np.ascontiguousarray(array, dtype="<f4")
        ref = TensorRef(shape=values.shape, offset=self._size)
        self._chunks.append(values.tobytes())
        self._size += values.nbytes
        return ref

    @property
    def chunks(self) -> Sequence[bytes]:
        """The arrays' bytes, in the order they were added."""
        return self._chunks


def pack(header: object, payload: TensorPayload) -> bytes:
    """One request body: ``header`` (pydantic models, dicts, lists: whatever
    ``pydantic_core.to_json`` writes; its inputs ``payload``'s references) and the bytes."""
    head = pydantic_core.to_json(header)
    return b"".join([_MAGIC, _LENGTH.pack(len(head)), head, *payload.chunks])


def unpack(body: bytes, header_type: type[HeaderT]) -> tuple[HeaderT, memoryview]:
    """The header, validated as ``header_type``, and the tensor bytes (not copied).

    Raises:
        FrameError: no magic, a header length beyond the body.
        pydantic.ValidationError: the header does not match ``header_type``.
    """
    if len(body) < _PREFIX or not body.startswith(_MAGIC):
        raise FrameError(f"not a {MEDIA_TYPE} body (it must start with {_MAGIC!r})")
    (length,) = _LENGTH.unpack_from(body, len(_MAGIC))
    if _PREFIX + length > len(body):
        raise FrameError(f"header of {length} bytes in a body of {len(body)}")
    header = header_type.model_validate_json(body[_PREFIX : _PREFIX + length])
    return header, memoryview(body)[_PREFIX + length :]
