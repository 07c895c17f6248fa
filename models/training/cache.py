"""Prepared images cached on disk: ingest a data set once per grid, not once per fold.

A repeated cross-validation trains a dozen models on the same images; decoding, breast
cropping, orienting, resizing and the full-resolution speck map are the same every time. The
cache is keyed by what decides the result (the data set's content fingerprint, the ingest
options and this module's format version), so a changed image, label or option can never be
served from it, and lives under ``$MAMMOCAD_HOME/cache/prepared``. It is a local pickle written
by this code only; a file that does not load is ignored and rewritten.

:func:`cache_key` and :func:`write_atomically` are shared with the streamed data path
(:mod:`models.training.streaming`), which keeps one file per image instead of one per data set.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import socket
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from mammocad.datasets.fingerprint import fingerprint
from mammocad.datasets.records import DataSet
from mammocad.home import state_home
from mammocad.ingest.pipeline import IngestOptions
from models.training.data import PreparedImage, prepare_images
from models.training.distributed import Ranks, barrier

__all__ = ["cache_key", "cached_prepared_images", "write_atomically"]

logger = logging.getLogger(__name__)
_FORMAT = "prepared-v1"


def cache_key(kind: str, dataset: DataSet, options: IngestOptions) -> str:
    """The name of ``dataset`` prepared with ``options`` in the cache ``kind`` (a format
    version): a changed image, label, option or format gives another name."""
    return hashlib.sha256(
        f"{kind}\0{fingerprint(dataset)}\0{options.model_dump_json()}".encode()
    ).hexdigest()[:32]


def write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """``write`` into a temporary file beside ``path``, then rename it to ``path``: a reader
    sees the old file or the whole new one. The temporary name is this process's own, so
    several processes (torchrun ranks, machines sharing the cache folder) may write one path at
    once: the last rename wins, and every writer writes the same bytes."""
    partial = path.with_name(f"{path.name}.{socket.gethostname()}-{os.getpid()}.tmp")
    try:
        with partial.open("wb") as handle:
            write(handle)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def cached_prepared_images(
    dataset: DataSet,
    options: IngestOptions,
    *,
    root: Path | None = None,
    on_progress: Callable[[int], None] | None = None,
    ranks: Ranks | None = None,
) -> list[PreparedImage]:
    """``prepare_images(dataset, options)``, read from the cache when it holds exactly these
    images prepared with exactly these options (records in the data set's order).

    Args:
        ranks: given, the call is collective (every rank of a torchrun job makes it): the first
            process of each machine prepares and writes the file while the others wait at a
            barrier, then they read it, instead of every rank preparing the same images.
    """
    folder = (root or state_home() / "cache" / "prepared").resolve()
    path = folder / f"{cache_key(_FORMAT, dataset, options)}.pkl"
    if ranks is None or not ranks.distributed:
        return _read_or_prepare(path, dataset, options, on_progress)
    if ranks.local_rank == 0:
        prepared = _read_or_prepare(path, dataset, options, on_progress)
        barrier(ranks)
        return prepared
    barrier(ranks)
    return _read_or_prepare(path, dataset, options, None)


def _read_or_prepare(
    path: Path,
    dataset: DataSet,
    options: IngestOptions,
    on_progress: Callable[[int], None] | None,
) -> list[PreparedImage]:
    if path.is_file():
        try:
            with path.open("rb") as handle:
                cached: list[PreparedImage] = pickle.load(handle)  # written by this module
            if [image.image_id for image in cached] == [record.image_id for record in dataset]:
                return cached
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as error:
            logger.warning("prepared-image cache %s unreadable (%s): preparing again", path, error)
    prepared = prepare_images(dataset, options, on_progress=on_progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(
        path, lambda handle: pickle.dump(prepared, handle, protocol=pickle.HIGHEST_PROTOCOL)
    )
    return prepared
