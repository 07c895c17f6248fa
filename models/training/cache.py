"""Prepared images cached on disk: ingest a data set once per grid, not once per fold.

A repeated cross-validation trains a dozen models on the same images; decoding, breast
cropping, orienting, resizing and the full-resolution speck map are the same every time. The
cache is keyed by what decides the result (the data set's content fingerprint, the ingest
options and this module's format version), so a changed image, label or option can never be
served from it, and lives under ``$MAMMOCAD_HOME/cache/prepared``. It is a local pickle written
by this code only; a file that does not load is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Callable
from pathlib import Path

from mammocad.datasets.fingerprint import fingerprint
from mammocad.datasets.records import DataSet
from mammocad.home import state_home
from mammocad.ingest.pipeline import IngestOptions
from models.training.data import PreparedImage, prepare_images

__all__ = ["cached_prepared_images"]

logger = logging.getLogger(__name__)
_FORMAT = "prepared-v1"


def cached_prepared_images(
    dataset: DataSet,
    options: IngestOptions,
    *,
    root: Path | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> list[PreparedImage]:
    """``prepare_images(dataset, options)``, read from the cache when it holds exactly these
    images prepared with exactly these options (records in the data set's order)."""
    folder = (root or state_home() / "cache" / "prepared").resolve()
    key = hashlib.sha256(
        f"{_FORMAT}\0{fingerprint(dataset)}\0{options.model_dump_json()}".encode()
    ).hexdigest()[:32]
    path = folder / f"{key}.pkl"
    if path.is_file():
        try:
            with path.open("rb") as handle:
                cached: list[PreparedImage] = pickle.load(handle)  # written by this module
            if [image.image_id for image in cached] == [record.image_id for record in dataset]:
                return cached
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as error:
            logger.warning("prepared-image cache %s unreadable (%s): preparing again", path, error)
    prepared = prepare_images(dataset, options, on_progress=on_progress)
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    with partial.open("wb") as handle:
        pickle.dump(prepared, handle, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)  # atomic: a concurrent reader sees the old file or the whole new one
    return prepared
