"""Model-grid images on disk, read when a batch needs them: the data path for data sets that do
not fit in memory (``mammocad train --stream``).

Decoding a mammogram, finding and cropping the breast, resizing and the full-resolution speck
map cost far more than reading the result back, so each image is ingested once, by DataLoader
worker processes in parallel (and, under torchrun, each rank ingesting its share), into one
folder per data set and ingest options: the model-grid pixels and speck map as ``.npy`` files,
everything else (labels, lesions on the grid, the grid transform, the header) in a small
pickle. The training then holds only those small records in memory; pixels are memory-mapped
from the ``.npy`` files by whichever DataLoader worker builds the example, so the page cache,
not the process, holds what is hot.

The folder is keyed like :mod:`models.training.cache` (the data set's content fingerprint, the
ingest options and this module's format version), so a changed image, label or option can never
be read from it; files are written to a temporary name and renamed, so a reader never sees half
a file, and an entry that does not load is ingested again.

Under torchrun the cache folder is each machine's own (``$MAMMOCAD_HOME`` on a local disk), so
the processes of each machine share out the whole data set between them; on a folder shared by
the machines, each machine's processes write the same files, which the renames make harmless.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import overload

import numpy as np
from torch.utils.data import DataLoader, Dataset, Subset

from mammocad.datasets.records import DataSet
from mammocad.home import state_home
from mammocad.ingest.pipeline import IngestOptions
from models.training.cache import cache_key, write_atomically
from models.training.data import PreparedImage, prepare_image
from models.training.distributed import Ranks, barrier, current_ranks

__all__ = ["StreamedImages", "stream_prepared_images"]

logger = logging.getLogger(__name__)
_FORMAT = "grid-v1"


@dataclass(frozen=True)
class _Entry:
    """One cached image: its record without pixels, and where its arrays are."""

    image: PreparedImage  # pixels and detail are empty placeholders
    pixels: str  # file names in the cache folder (the folder may move with $MAMMOCAD_HOME)
    detail: str | None


class StreamedImages(Sequence[PreparedImage]):
    """Prepared images whose pixels stay on disk until read (memory-mapped, copy-on-write so
    augmentation may write to them without touching the cache)."""

    def __init__(self, folder: Path, entries: Sequence[_Entry]) -> None:
        self.folder = folder
        self._entries = list(entries)

    def __len__(self) -> int:
        return len(self._entries)

    @overload
    def __getitem__(self, index: int) -> PreparedImage: ...
    @overload
    def __getitem__(self, index: slice) -> list[PreparedImage]: ...
    def __getitem__(self, index: int | slice) -> PreparedImage | list[PreparedImage]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        entry = self._entries[index]
        return replace(
            entry.image,
            pixels=np.load(self.folder / entry.pixels, mmap_mode="c"),
            detail=None
            if entry.detail is None
            else np.load(self.folder / entry.detail, mmap_mode="c"),
        )


def stream_prepared_images(
    dataset: DataSet,
    options: IngestOptions,
    *,
    root: Path | None = None,
    workers: int = 0,
    on_progress: Callable[[int], None] | None = None,
) -> StreamedImages:
    """``dataset`` prepared with ``options``, ingested into the on-disk cache where missing
    (by ``workers`` DataLoader processes; under torchrun every process of a machine ingests its
    share into that machine's cache, then all wait for the others), in data set order. Under
    torchrun every rank must call it (it ends at a barrier).

    Args:
        root: the cache's parent folder; default ``$MAMMOCAD_HOME/cache/grid``.
    """
    folder = (root or state_home() / "cache" / "grid").resolve() / cache_key(
        _FORMAT, dataset, options
    )
    folder.mkdir(parents=True, exist_ok=True)
    ranks = current_ranks()
    mine = list(range(ranks.local_rank, len(dataset), ranks.local_world_size))
    _ingest_missing(_Ingest(dataset, options, folder), mine, workers, ranks, on_progress)
    barrier(ranks)
    entries = [_read_entry(folder, i, record.image_id) for i, record in enumerate(dataset)]
    return StreamedImages(folder, entries)


class _Ingest(Dataset[int]):
    """Item ``i``: ingest record ``i`` into the cache unless it is there; returns ``i``."""

    def __init__(self, dataset: DataSet, options: IngestOptions, folder: Path) -> None:
        self.records = list(dataset)
        self.options = options
        self.folder = folder

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: int) -> int:
        record = self.records[index]
        if _load_entry(self.folder, index, record.image_id) is not None:
            return index
        prepared = prepare_image(record, self.options)
        stem = self.folder / _stem(index, record.image_id)
        pixels = _write_array(stem.with_suffix(".pixels.npy"), prepared.pixels)
        detail = (
            None
            if prepared.detail is None
            else _write_array(stem.with_suffix(".detail.npy"), prepared.detail)
        )
        empty = np.zeros((0, 0), dtype=np.float32)
        entry = _Entry(replace(prepared, pixels=empty, detail=None), pixels, detail)
        write_atomically(  # last: the entry means "complete"
            stem.with_suffix(".entry.pkl"),
            lambda handle: pickle.dump(entry, handle, protocol=pickle.HIGHEST_PROTOCOL),
        )
        return index


def _ingest_missing(
    ingest: _Ingest,
    indices: list[int],
    workers: int,
    ranks: Ranks,
    on_progress: Callable[[int], None] | None,
) -> None:
    loader: DataLoader[int] = DataLoader(
        Subset(ingest, indices),  # this rank's share; each worker ingests one record at a time
        batch_size=None,
        num_workers=workers,
    )
    for done, _ in enumerate(loader, start=1):
        if on_progress is not None and ranks.is_main:
            on_progress(done * ranks.local_world_size)


def _stem(index: int, image_id: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in image_id)
    return f"{index:06d}-{safe}"


def _write_array(path: Path, array: np.ndarray) -> str:
    write_atomically(
        path, lambda handle: np.save(handle, np.ascontiguousarray(array, dtype=np.float32))
    )
    return path.name


def _load_entry(folder: Path, index: int, image_id: str) -> _Entry | None:
    path = folder / f"{_stem(index, image_id)}.entry.pkl"
    if not path.is_file():
        return None
    try:
        entry: _Entry = pickle.loads(path.read_bytes())  # written by this module only
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as error:
        logger.warning("grid cache entry %s unreadable (%s): ingesting again", path, error)
        return None
    arrays_there = (folder / entry.pixels).is_file() and (
        entry.detail is None or (folder / entry.detail).is_file()
    )
    return entry if arrays_there and entry.image.image_id == image_id else None


def _read_entry(folder: Path, index: int, image_id: str) -> _Entry:
    entry = _load_entry(folder, index, image_id)
    if entry is None:
        raise RuntimeError(f"grid cache {folder} lacks image {index} ({image_id}) after ingest")
    return entry
