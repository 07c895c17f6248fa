"""No upload leaves ingest with an untyped exception.

The decoders and the normalisation steps check what they know to be wrong with an input and
raise typed :class:`~mammocad.ingest.errors.IngestError` subclasses. What they do not foresee
(pydicom refusing a Transfer Syntax UID that is not a transfer syntax, a Window Width of 0 that
divides, a decoder plugin's own exception) would otherwise reach the gateway as a 500. Every
such exception is an input the project cannot read, so :func:`typed_refusals` turns it into a
:class:`CorruptImageError` (422) naming the step and the exception type. The exception's message
is left out of the answer because it can quote header values (names, dates); it is logged, with
its traceback, only at debug level for whoever investigates. Programming errors surface in the
tests, which run ingest on every corpus of bad inputs the project has.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from mammocad.errors import MammocadError
from mammocad.ingest.errors import CorruptImageError

__all__ = ["typed_refusals"]

logger = logging.getLogger(__name__)


@contextmanager
def typed_refusals(source_format: str) -> Iterator[None]:
    """Re-raise any exception of the block but mammocad's own and MemoryError as a
    :class:`CorruptImageError`."""
    try:
        yield
    except (MammocadError, MemoryError):
        raise
    except Exception as error:
        logger.debug("ingest of a %s upload failed", source_format, exc_info=True)
        raise CorruptImageError(
            f"the {source_format} file could not be decoded or normalised "
            f"({type(error).__name__} while reading it): it is malformed or uses a feature "
            "mammocad does not read"
        ) from error
