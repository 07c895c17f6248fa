"""Distributed training: the sampler's shares, and two torchrun CPU processes against one.

Two processes with one micro-batch each must compute what one process accumulating two
micro-batches computes (same images, same augmentation, same stochastic depth, gradients
averaged by DistributedDataParallel), so the check is tight: the same losses and metrics, and
weights equal to float rounding (the processes run one OpenMP thread each, the lone one two).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from models.training.distributed import Ranks
from models.training.sampling import EpochBatches

WEIGHTS = [1.0, 1.0, 2.0, 0.5, 1.0, 3.0, 1.0, 1.0, 1.0, 2.0, 1.0]
TRAIN = [
    "train",
    "classifier",
    "--data",
    "synthetic:6,size=256x192",
    "--size",
    "128x96",
    "--epochs",
    "2",
    "--batch-size",
    "4",
    "--val-fraction",
    "0.34",
    "--device",
    "cpu",
    "--calibration-data",
    "synthetic:4,seed=9,size=256x192",
]


def _plans(world: int, accumulation: int, batch_size: int = 4) -> list[EpochBatches]:
    return [
        EpochBatches(
            WEIGHTS,
            batch_size=batch_size,
            seed=7,
            epoch=3,
            ranks=Ranks(rank, world, rank),
            accumulation=accumulation,
        )
        for rank in range(world)
    ]


@pytest.mark.parametrize(("world", "accumulation"), [(1, 1), (2, 1), (1, 2), (2, 2)])
def test_the_ranks_share_out_every_global_batch_exactly(world: int, accumulation: int) -> None:
    plans = _plans(world, accumulation)
    [lone] = _plans(1, 1)
    # one draw on every rank (a last batch too small to share is dropped: see below)
    assert all(p.global_batches == lone.global_batches[: p.steps] for p in plans)
    for step, batch in enumerate(plans[0].global_batches):
        shares = {
            (plan_rank, micro): list(iter(plan))[step * accumulation + micro]
            for plan_rank, plan in enumerate(plans)
            for micro in range(accumulation)
        }
        assert [draw for key in sorted(shares) for draw in shares[key]] == batch  # in order
        for (plan_rank, micro), share in shares.items():
            # DDP averages over the ranks: each micro-batch's weight must come out n_s / N
            weight = plans[plan_rank].loss_scale(step, micro) / world
            assert weight == pytest.approx(len(share) / len(batch))
    seeds = {
        p.forward_seed(s, m) for p in plans for s in range(p.steps) for m in range(accumulation)
    }
    assert len(seeds) == len(plans) * plans[0].steps * accumulation  # one per shard


def test_a_shard_keeps_its_randomness_whoever_runs_it() -> None:
    [alone] = _plans(1, 2)
    first, second = _plans(2, 1)
    assert alone.forward_seed(1, 0) == first.forward_seed(1, 0)
    assert alone.forward_seed(1, 1) == second.forward_seed(1, 0)
    assert [d.augmentation_seed for d in alone.global_batches[0]] == [
        d.augmentation_seed for d in first.global_batches[0]
    ]


def test_a_batch_the_processes_cannot_share_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be shared by 4 processes"):
        _plans(4, 1, batch_size=2)


def test_a_partial_last_batch_is_kept_or_dropped_alike_on_every_rank() -> None:
    assert [len(b) for b in _plans(1, 1)[0].global_batches] == [4, 4, 3]
    assert [len(b) for b in _plans(2, 2)[0].global_batches] == [4, 4]  # 3 < 4 shards: dropped


@pytest.mark.integration
def test_two_torchrun_processes_train_what_one_process_trains(tmp_path: Path) -> None:
    """``mammocad train`` under torchrun (gloo, 2 CPU processes, images streamed from the
    on-disk cache) against the same command in one process, in memory, accumulating two
    micro-batches per step; both with a calibration set, which every rank must prepare (a
    streamed ingest is shared out between the ranks and waits for all of them)."""
    bin_dir = Path(sys.executable).parent
    env = os.environ | {"MAMMOCAD_HOME": str(tmp_path / "home"), "PYTHONUNBUFFERED": "1"}
    lone = subprocess.run(
        [str(bin_dir / "mammocad"), *TRAIN, "--accumulation", "2", "--out", str(tmp_path / "one")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert lone.returncode == 0, lone.stdout + lone.stderr
    pair = subprocess.run(
        [
            str(bin_dir / "torchrun"),
            "--standalone",
            "--nproc-per-node",
            "2",
            "--no-python",
            str(bin_dir / "mammocad"),
            *TRAIN,
            "--stream",
            "--out",
            str(tmp_path / "two"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert pair.returncode == 0, pair.stdout + pair.stderr
    assert pair.stdout.count("calibration (") == 1  # only rank 0 fits the records and writes

    one, two = (json.loads((tmp_path / n / "metadata.json").read_text()) for n in ("one", "two"))
    assert (one["hyperparameters"]["processes"], two["hyperparameters"]["processes"]) == (1, 2)
    assert two["hyperparameters"]["streamed"] and not one["hyperparameters"]["streamed"]
    assert two["data"]["calibration_patients"] == one["data"]["calibration_patients"] != []
    assert two["data"]["train_patients"] == one["data"]["train_patients"]
    assert two["data"]["validation_patients"] == one["data"]["validation_patients"]
    assert set(two["data"]["train_patients"]).isdisjoint(two["data"]["validation_patients"])
    assert len(two["history"]) == len(one["history"]) == 2
    for mine, theirs in zip(two["history"], one["history"], strict=True):
        assert mine.keys() == theirs.keys()
        mine.pop("train_seconds"), theirs.pop("train_seconds")  # the one thing that differs
        assert mine == pytest.approx(theirs, rel=1e-3, abs=1e-4)
    assert two["validation_metrics"] == pytest.approx(one["validation_metrics"], abs=1e-4)

    weights = [
        torch.load(tmp_path / n / "model.pt", weights_only=True, map_location="cpu")
        for n in ("one", "two")
    ]
    assert weights[0].keys() == weights[1].keys()
    moved = max(
        float((weights[0][k].double() - weights[1][k].double()).abs().max())
        for k in weights[0]
        if weights[0][k].is_floating_point()
    )
    assert moved < 5e-3, f"largest weight difference {moved}"
