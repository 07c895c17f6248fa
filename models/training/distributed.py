"""Training on several processes with PyTorch's own machinery: ``torchrun`` starts the processes,
``torch.distributed`` joins them, :class:`~torch.nn.parallel.DistributedDataParallel` averages
the gradients.

The same ``mammocad train`` / ``mammocad release`` command runs alone or under
``torchrun --nproc-per-node N --no-python mammocad ...``: torchrun's environment (``WORLD_SIZE``,
``RANK``, ``LOCAL_RANK``, the rendezvous address) is what tells a process it is one of several.
Backends: NCCL when the processes train on GPUs (one per process, ``cuda:LOCAL_RANK``), gloo on
CPUs. Every rank prepares the same patient-level split (seeded), trains on its share of every
global batch (:mod:`models.training.sampling`), and agrees on every decision the loop takes
(validation metrics come from rank 0); only rank 0 writes files.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from models.device import resolve_device

__all__ = [
    "COLLECTIVE_TIMEOUT",
    "Ranks",
    "barrier",
    "current_ranks",
    "device_for",
    "from_main",
    "mean_across",
    "process_group",
    "unwrap",
    "wrap",
]

T = TypeVar("T")

# How long a rank waits at a collective call before the job fails. The waits are by design
# lopsided: rank 0 validates alone while the others wait at its broadcast, and a streamed
# ingest waits for the slowest rank's share; NCCL's default (10 minutes) would kill a job whose
# validation of a large set takes longer. A rank that dies is still noticed at once: torchrun
# stops every process when one fails.
COLLECTIVE_TIMEOUT = timedelta(hours=2)


@dataclass(frozen=True)
class Ranks:
    """Where this process stands in the job (a lone process is rank 0 of 1)."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    local_world_size: int = 1  # the processes on this machine (torchrun's LOCAL_WORLD_SIZE)

    @property
    def is_main(self) -> bool:
        """Rank 0: the one process that prints progress and writes files."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


def current_ranks() -> Ranks:
    """This process's ranks: from the joined process group, else a lone process."""
    if dist.is_available() and dist.is_initialized():
        return Ranks(
            dist.get_rank(),
            dist.get_world_size(),
            int(os.environ.get("LOCAL_RANK", 0)),
            int(os.environ.get("LOCAL_WORLD_SIZE", dist.get_world_size())),
        )
    return Ranks()


@contextmanager
def process_group(device: str) -> Iterator[Ranks]:
    """Join torchrun's process group for the duration of a job when launched by torchrun
    (``WORLD_SIZE`` > 1); otherwise (or when a group is already joined) do nothing.

    Args:
        device: the job's ``--device``; GPUs (``auto`` with CUDA present, ``cuda``) mean NCCL
            and one device per process, the CPU means gloo.
    """
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1 or dist.is_initialized():
        yield current_ranks()
        return
    on_gpu = resolve_device(device).type == "cuda"
    if on_gpu:
        torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    dist.init_process_group("nccl" if on_gpu else "gloo", timeout=COLLECTIVE_TIMEOUT)
    try:
        yield current_ranks()
    finally:
        dist.destroy_process_group()


def device_for(requested: str, ranks: Ranks) -> torch.device:
    """The device this rank trains on: ``cuda:LOCAL_RANK`` for a distributed GPU job."""
    device = resolve_device(requested)
    if device.type == "cuda" and ranks.distributed:
        return torch.device("cuda", ranks.local_rank)
    return device


def wrap(model: nn.Module, ranks: Ranks, device: torch.device) -> nn.Module:
    """``model`` in DistributedDataParallel when there are several ranks (its forward then
    prepares the gradient all-reduce that backward runs), else ``model`` itself.

    Every trainable parameter must get a gradient in every step (the networks freeze the
    ones no loss reaches): DDP's cheap default, with no search for unused parameters, which
    would not see inside the networks' dataclass outputs anyway.
    """
    if not ranks.distributed:
        return model
    return DistributedDataParallel(
        model, device_ids=[device.index] if device.type == "cuda" else None
    )


def unwrap(model: nn.Module) -> nn.Module:
    """The network inside a DistributedDataParallel wrapper (or ``model`` itself)."""
    return model.module if isinstance(model, DistributedDataParallel) else model


def mean_across(value: float, count: int, ranks: Ranks, device: torch.device) -> float:
    """The mean over every rank of a per-rank mean ``value`` of ``count`` items, weighted by
    the counts (the whole job's mean loss, say)."""
    if not ranks.distributed:
        return value
    totals = torch.tensor([value * count, float(count)], dtype=torch.float64, device=device)
    dist.all_reduce(totals)
    return float(totals[0] / totals[1]) if totals[1] > 0 else float("nan")


def from_main(value: T, ranks: Ranks) -> T:
    """Rank 0's ``value`` on every rank (a decision all ranks must take alike)."""
    if not ranks.distributed:
        return value
    box: list[object] = [value if ranks.is_main else None]
    dist.broadcast_object_list(box, src=0)
    return box[0]  # type: ignore[return-value]  # rank 0 sent a T


def barrier(ranks: Ranks) -> None:
    """Wait for every rank (e.g. until rank 0 has written what the others read)."""
    if ranks.distributed:
        dist.barrier()
