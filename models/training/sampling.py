"""Which images an epoch trains on, in which order, on which rank, with which randomness.

An epoch is a class-balanced draw with replacement (the task's sample weights), made from a
generator seeded by ``(seed, epoch)`` alone, so every rank of a distributed job draws the same
sequence without talking to the others. The sequence is cut into global batches of
``batch_size`` (one optimiser step each), and every global batch into ``shards`` = ranks x
accumulation micro-batches: rank ``r`` runs shards ``r*A ... r*A+A-1`` of every step, one
forward-backward pass each, and DDP averages the ranks' accumulated gradients. Everything random
in a shard is seeded by where it sits in the epoch, not by the process that runs it: each draw
carries its own augmentation seed, and each shard names the seed of the forward pass's own
randomness (the trunk's stochastic depth). So one process accumulating two micro-batches and two
processes running one each compute the same step, which is what the distributed test checks.

Splitting into training and validation happens before any of this, by patient
(:func:`mammocad.datasets.splits.patient_split`): the sampler only ever shares out the training
split, so no rank sees a validation patient.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

import numpy as np
import torch
from torch.utils.data import Sampler

from models.training.distributed import Ranks

__all__ = ["Draw", "EpochBatches"]


class Draw(NamedTuple):
    """One drawn example: which image, and the seed of its augmentation."""

    image: int
    augmentation_seed: int


class EpochBatches(Sampler[list[Draw]]):
    """One epoch's micro-batches for one rank (a DataLoader ``batch_sampler``): ``accumulation``
    of them per optimiser step.

    Args:
        weights: one sampling weight per training image (need not sum to 1).
        batch_size: the GLOBAL batch: the images of one optimiser step over all ranks and
            micro-batches together.
        seed, epoch: what the draw depends on (and nothing else).
        ranks: which shards this sampler yields.
        accumulation: micro-batches per step on each rank.

    Shards of a global batch differ by one image at most; a global batch with fewer images than
    shards (only ever a last, partial one) is dropped, because every rank must take part in
    every step.
    """

    def __init__(
        self,
        weights: Sequence[float],
        *,
        batch_size: int,
        seed: int,
        epoch: int,
        ranks: Ranks,
        accumulation: int = 1,
    ) -> None:
        self.accumulation = accumulation
        self._shards = ranks.world_size * accumulation
        if batch_size < self._shards:
            raise ValueError(
                f"a batch of {batch_size} images cannot be shared by {ranks.world_size} "
                f"processes x {accumulation} micro-batches"
            )
        generator = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
        drawn = torch.multinomial(
            torch.as_tensor(weights, dtype=torch.float64),
            num_samples=len(weights),
            replacement=True,
            generator=generator,
        ).tolist()
        seeds = np.random.SeedSequence([seed, epoch]).generate_state(len(drawn)).tolist()
        draws = [Draw(int(i), int(s)) for i, s in zip(drawn, seeds, strict=True)]
        self.global_batches = [
            draws[start : start + batch_size]
            for start in range(0, len(draws), batch_size)
            if len(draws[start : start + batch_size]) >= self._shards
        ]
        self._seed, self._epoch, self._rank = seed, epoch, ranks.rank

    def __len__(self) -> int:
        """Micro-batches this rank runs in the epoch."""
        return len(self.global_batches) * self.accumulation

    @property
    def steps(self) -> int:
        """Optimiser steps in the epoch."""
        return len(self.global_batches)

    def __iter__(self) -> Iterator[list[Draw]]:
        for step in range(self.steps):
            for micro in range(self.accumulation):
                yield self._shard(step, micro)

    def _shard(self, step: int, micro: int) -> list[Draw]:
        batch = self.global_batches[step]
        bounds = np.linspace(0, len(batch), self._shards + 1).round().astype(int)
        index = self._rank * self.accumulation + micro
        return batch[bounds[index] : bounds[index + 1]]

    def loss_scale(self, step: int, micro: int) -> float:
        """What a micro-batch's mean loss is multiplied by before backward, so that the
        accumulated gradient averaged over the ranks is the gradient of the global batch's mean
        loss: shards x (its images / the global batch's)."""
        share = len(self._shard(step, micro)) / len(self.global_batches[step])
        return share * self._shards / self.accumulation

    def forward_seed(self, step: int, micro: int) -> int:
        """The seed of the randomness inside the network's training forward pass for this
        micro-batch (it depends on the shard, not on which process runs it)."""
        shard = self._rank * self.accumulation + micro
        return int(
            np.random.SeedSequence([self._seed, self._epoch, step, shard]).generate_state(1)[0]
        )
