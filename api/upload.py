"""Reading an upload (an image, a model archive): a multipart ``file`` field or a raw body.

The size cap is enforced on the bytes as they arrive (not after buffering the whole body), so an
oversized upload is refused with 413 having cost at most ``max_upload_bytes`` of memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.datastructures import UploadFile
from starlette.types import Message, Receive

from api.settings import GatewaySettings, get_settings
from mammocad.errors import InvalidInputError

__all__ = [
    "ARCHIVE_MEDIA_TYPES",
    "UPLOAD_REQUEST_BODY",
    "UnsupportedMediaTypeError",
    "Upload",
    "UploadDep",
    "UploadTooLargeError",
    "read_limited",
    "read_upload",
]

RAW_MEDIA_TYPES = (
    "application/dicom",
    "image/png",
    "image/jpeg",
    "image/x-portable-graymap",
    "application/octet-stream",
)
ARCHIVE_MEDIA_TYPES = ("application/gzip", "application/x-gzip", "application/octet-stream")

# OpenAPI description of the two upload forms (FastAPI cannot infer it from a Request parameter).
UPLOAD_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "DICOM Part 10, PNG (8/16 bit), PGM or JPEG mammogram",
                    }
                },
            }
        },
        **{media: {"schema": {"type": "string", "format": "binary"}} for media in RAW_MEDIA_TYPES},
    },
}


class UploadTooLargeError(InvalidInputError):
    """The request body is larger than the configured upload limit."""

    code = "payload-too-large"
    title = "Upload too large"


class UnsupportedMediaTypeError(InvalidInputError):
    """A request body that is neither multipart with a ``file`` field nor a raw image."""

    code = "unsupported-media-type"
    title = "Unsupported media type"


@dataclass(frozen=True)
class Upload:
    """The uploaded bytes; the name is kept for logs and never used to guess the format."""

    data: bytes
    filename: str | None


async def read_upload(
    request: Request, settings: Annotated[GatewaySettings, Depends(get_settings)]
) -> Upload:
    """FastAPI dependency: the uploaded image, whichever of the two forms was used."""
    return await read_limited(request, settings.max_upload_bytes, RAW_MEDIA_TYPES)


async def read_limited(request: Request, limit: int, raw_media_types: tuple[str, ...]) -> Upload:
    """The uploaded bytes, from a multipart ``file`` field or a raw body of ``raw_media_types``,
    refused with 413 as soon as they exceed ``limit``."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    limited = Request(request.scope, _limited_receive(request.receive, limit))
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "multipart/form-data":
        form = await limited.form(max_files=1, max_fields=8)
        field = form.get("file")
        if not isinstance(field, UploadFile):
            raise InvalidInputError("multipart upload has no 'file' field with a file in it")
        return Upload(data=await field.read(), filename=field.filename)
    if media_type in raw_media_types or media_type == "":
        return Upload(data=await limited.body(), filename=None)
    raise UnsupportedMediaTypeError(
        f"content type {media_type!r} is not accepted; send multipart/form-data with a 'file' "
        f"field, or a raw body as one of {', '.join(raw_media_types)}"
    )


UploadDep = Annotated[Upload, Depends(read_upload)]


def _limited_receive(receive: Receive, limit: int) -> Receive:
    received = 0

    async def limited() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise _too_large(limit)
        return message

    return limited


def _too_large(limit: int) -> UploadTooLargeError:
    return UploadTooLargeError(f"the upload is larger than the limit of {limit} bytes")
