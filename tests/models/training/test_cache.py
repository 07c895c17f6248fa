"""The prepared-image cache: read back exactly, keyed by what decides the images, and shared
by the ranks of a torchrun job rather than prepared by each."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch.distributed as dist
import torch.multiprocessing as mp

from mammocad.datasets.records import DataSet
from mammocad.ingest.pipeline import IngestOptions
from models.training import cache
from models.training.cache import cached_prepared_images, write_atomically
from models.training.data import PreparedImage
from models.training.distributed import Ranks
from models.training.tasks import CLASSIFY

GRID = (128, 96)


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    prepare = cache.prepare_images

    def counting(dataset: DataSet, options: IngestOptions, **kwargs: object) -> list:
        calls.append(len(dataset))
        return prepare(dataset, options, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cache, "prepare_images", counting)
    return calls


def test_a_second_call_reads_what_the_first_prepared(
    tiny_set: DataSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _counting(monkeypatch)
    options = CLASSIFY.ingest_options(GRID)
    first = cached_prepared_images(tiny_set, options, root=tmp_path)
    again = cached_prepared_images(tiny_set, options, root=tmp_path)
    assert calls == [len(tiny_set)]
    for mine, theirs in zip(again, first, strict=True):
        np.testing.assert_array_equal(mine.model_input(), theirs.model_input())
    cached_prepared_images(tiny_set, CLASSIFY.ingest_options((96, 64)), root=tmp_path)
    assert len(calls) == 2  # other options, another entry
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".pkl", ".pkl"]  # no temporary left


def test_an_atomic_write_that_fails_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "entry.pkl"
    path.write_bytes(b"old")

    def failing(handle: object) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, failing)
    assert path.read_bytes() == b"old" and list(tmp_path.iterdir()) == [path]


def _rank(rank: int, dataset: DataSet, root: Path) -> None:
    """One process of a 2-process gloo job: the collective call, then what it saw."""
    dist.init_process_group(
        "gloo", init_method=f"file://{root / 'rendezvous'}", rank=rank, world_size=2
    )
    try:
        prepared: list[int] = []
        prepare = cache.prepare_images

        def counting(
            data: DataSet, options: IngestOptions, **kwargs: object
        ) -> list[PreparedImage]:
            prepared.append(len(data))
            return prepare(data, options, **kwargs)  # type: ignore[arg-type]

        cache.prepare_images = counting  # type: ignore[assignment]  # this process only
        images = cached_prepared_images(
            dataset,
            CLASSIFY.ingest_options(GRID),
            root=root / "cache",
            ranks=Ranks(rank, 2, rank, 2),
        )
        seen = {
            "prepared": prepared,
            "ids": [image.image_id for image in images],
            "sums": [float(image.pixels.sum()) for image in images],
        }
        (root / f"rank{rank}.json").write_text(json.dumps(seen))
    finally:
        dist.destroy_process_group()


@pytest.mark.integration
def test_the_ranks_of_a_machine_prepare_once_and_read_alike(
    tiny_set: DataSet, tmp_path: Path
) -> None:
    mp.spawn(_rank, args=(tiny_set, tmp_path), nprocs=2, join=True)
    first, second = (json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1))
    assert first["prepared"] == [len(tiny_set)] and second["prepared"] == []
    assert first["ids"] == second["ids"] == [record.image_id for record in tiny_set]
    assert first["sums"] == second["sums"]
