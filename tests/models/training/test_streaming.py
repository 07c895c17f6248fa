"""The on-disk data path: the same images as in memory, ingested once, trained on alike."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from rich.console import Console

from mammocad.datasets.records import DataSet, Record
from mammocad.ingest.pipeline import IngestOptions
from models.training import streaming
from models.training.data import PreparedImage, prepare_images
from models.training.loop import TrainingOptions, fit, seed_everything
from models.training.streaming import stream_prepared_images
from models.training.tasks import CLASSIFY

GRID = (128, 96)


def test_streamed_images_are_the_prepared_images_memory_mapped(
    tiny_set: DataSet, tmp_path: Path
) -> None:
    options = CLASSIFY.ingest_options(GRID)
    in_memory = prepare_images(tiny_set, options)
    streamed = stream_prepared_images(tiny_set, options, root=tmp_path, workers=2)
    assert len(streamed) == len(in_memory)
    for mine, theirs in zip(streamed, in_memory, strict=True):
        assert isinstance(mine.pixels, np.memmap)  # on disk until read
        assert (mine.image_id, mine.label, mine.lesions) == (
            theirs.image_id,
            theirs.label,
            theirs.lesions,
        )
        assert mine.transform == theirs.transform and mine.metadata == theirs.metadata
        np.testing.assert_array_equal(mine.model_input(), theirs.model_input())
    assert [i.image_id for i in streamed[1:3]] == [i.image_id for i in in_memory[1:3]]


def test_a_cached_image_is_not_ingested_again_and_a_broken_entry_is(
    tiny_set: DataSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = CLASSIFY.ingest_options(GRID)
    stream_prepared_images(tiny_set, options, root=tmp_path)
    [folder] = tmp_path.iterdir()
    broken = sorted(folder.glob("*.entry.pkl"))[0]
    broken.write_bytes(b"not a pickle")
    ingested: list[str] = []
    prepare = streaming.prepare_image

    def counting(record: Record, options: IngestOptions) -> PreparedImage:
        ingested.append(record.image_id)
        return prepare(record, options)

    monkeypatch.setattr(streaming, "prepare_image", counting)
    again = stream_prepared_images(tiny_set, options, root=tmp_path)
    assert ingested == [tiny_set[0].image_id]  # only the broken one
    assert len(again) == len(tiny_set)
    other = stream_prepared_images(tiny_set, CLASSIFY.ingest_options((96, 64)), root=tmp_path)
    assert other[0].pixels.shape == (96, 64) and len(list(tmp_path.iterdir())) == 2


def test_training_on_streamed_images_with_workers_is_training_in_memory(
    tiny_set: DataSet, tmp_path: Path
) -> None:
    options = CLASSIFY.ingest_options(GRID)
    weights = []
    for images, workers in (
        (prepare_images(tiny_set, options), 0),
        (stream_prepared_images(tiny_set, options, root=tmp_path), 2),
    ):
        seed_everything(5)
        network = CLASSIFY.build(pretrained=True)
        training = TrainingOptions(epochs=1, batch_size=2, seed=5, device="cpu", workers=workers)
        fit(CLASSIFY, network, images, None, training, Console(quiet=True))
        weights.append(network.state_dict())
    assert all(torch.equal(weights[0][k], weights[1][k]) for k in weights[0])
