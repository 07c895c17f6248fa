"""Training epoch time and memory: one process against two torchrun processes, in memory or
streamed from the on-disk grid cache (the figures of docs/scaling.md).

Each configuration runs the real ``mammocad train`` command (default: the detector on its
448x320 grid, with a fixed schedule) and this script reads the per-epoch training time from the
model's metadata and samples the resident memory of the whole process tree (the launcher, every
rank and every DataLoader worker) ten times a second. The first epoch is reported apart: it pays
for thread pools, allocator growth and the first reads of the cache.

    python bench/training_scaling.py --data minimias:../shared/datasets/mini-mias-dev

Only ratios measured in this one run mean anything on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
from rich.console import Console
from rich.table import Table

BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Config:
    name: str
    processes: int
    threads: int  # torch threads per process (OMP_NUM_THREADS)
    stream: bool
    workers: int


CONFIGS = (
    Config("1 process x 2 threads, in memory", 1, 2, False, 0),
    Config("1 process x 2 threads, streamed (1 worker)", 1, 2, True, 1),
    Config("1 process x 1 thread, streamed (1 worker)", 1, 1, True, 1),
    Config("2 processes x 1 thread (torchrun), streamed", 2, 1, True, 0),
)


@dataclass(frozen=True)
class Measured:
    first_epoch_s: float
    later_epoch_s: float
    peak_rss_mib: float
    peak_process_mib: float
    wall_s: float


def _sample_memory(root: psutil.Process, stop: threading.Event, peaks: list[float]) -> None:
    """Peak total RSS of ``root`` and its descendants, and the peak of any one of them."""
    total_peak = process_peak = 0.0
    while not stop.is_set():
        try:
            tree = [root, *root.children(recursive=True)]
            sizes = []
            for process in tree:
                try:
                    sizes.append(process.memory_info().rss / 2**20)
                except psutil.NoSuchProcess:
                    continue
            total_peak = max(total_peak, sum(sizes))
            process_peak = max(process_peak, max(sizes, default=0.0))
        except psutil.NoSuchProcess:
            break
        stop.wait(0.1)
    peaks[:] = [total_peak, process_peak]


def run(config: Config, args: argparse.Namespace, home: Path, out: Path) -> Measured:
    train = [
        "train",
        args.task,
        "--data",
        args.data,
        "--size",
        args.size,
        "--epochs",
        str(args.epochs),
        "--batch-size",
        "4",
        "--selection",
        "last",
        "--device",
        args.device,
        "--out",
        str(out),
        *(["--stream", "--workers", str(config.workers)] if config.stream else []),
    ]
    command = [str(BIN / "mammocad"), *train]
    if config.processes > 1:
        command = [
            str(BIN / "torchrun"),
            "--standalone",
            "--nproc-per-node",
            str(config.processes),
            "--no-python",
            *command,
        ]
    env = os.environ | {"MAMMOCAD_HOME": str(home), "OMP_NUM_THREADS": str(config.threads)}
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stop, peaks = threading.Event(), [0.0, 0.0]
    sampler = threading.Thread(
        target=_sample_memory, args=(psutil.Process(process.pid), stop, peaks)
    )
    sampler.start()
    _, stderr = process.communicate()
    stop.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{config.name} failed:\n{stderr.decode()[-3000:]}")
    history = json.loads((out / "metadata.json").read_text())["history"]
    seconds = [float(epoch["train_seconds"]) for epoch in history]
    later = sum(seconds[1:]) / max(1, len(seconds) - 1)
    return Measured(seconds[0], later, peaks[0], peaks[1], time.perf_counter() - started)


def forward_gflops_per_image(task: str, size: str) -> float:
    """Floating-point operations of one image's forward pass (training mode), counted by torch's
    FLOP counter on the real network. A training step costs about three times that (backward
    about twice the forward); the counter's own figure for the backward of these depthwise
    convolutions is not usable (it counted 84 GFLOP against a 2.5 GFLOP forward)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from cli.ingest import parse_shape
    from models.training.tasks import CLASSIFY, DETECT

    spec = CLASSIFY if task == "classifier" else DETECT
    network = spec.build(pretrained=False).train()
    rows, columns = parse_shape(size)
    channels = 2 if spec is CLASSIFY else 1
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        network(torch.rand(2, channels, rows, columns))
    return counter.get_total_flops() / 2 / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="synthetic:40", help="data set spec")
    parser.add_argument("--task", default="detector", choices=["classifier", "detector"])
    parser.add_argument("--size", default="448x320", help="model grid")
    parser.add_argument("--epochs", type=int, default=2, help="at least 2 (the first is apart)")
    parser.add_argument(
        "--device",
        default="cpu",
        help="cpu (gloo), or cuda (NCCL, one GPU per process: the last row needs 2 GPUs)",
    )
    args = parser.parse_args()
    console = Console(width=160)
    with tempfile.TemporaryDirectory(prefix="mammocad-scaling-") as scratch:
        home = Path(scratch) / "home"  # one state folder: the grid cache is warm after run 2
        results = {}
        for index, config in enumerate(CONFIGS):
            console.print(f"[bold]{config.name}[/bold] ...")
            results[config] = run(config, args, home, Path(scratch) / f"model-{index}")
    baseline = results[CONFIGS[0]].later_epoch_s
    table = Table(title=f"{args.task} on {args.data} at {args.size}, {os.cpu_count()} CPUs")
    for column in (
        "configuration",
        "epoch 1 s",
        "later epochs s",
        "vs first row",
        "peak RSS, all processes MiB",
        "largest process MiB",
        "wall s",
    ):
        table.add_column(column)
    for config, measured in results.items():
        table.add_row(
            config.name,
            f"{measured.first_epoch_s:.1f}",
            f"{measured.later_epoch_s:.1f}",
            f"{measured.later_epoch_s / baseline:.2f}",
            f"{measured.peak_rss_mib:.0f}",
            f"{measured.peak_process_mib:.0f}",
            f"{measured.wall_s:.0f}",
        )
    console.print(table)
    gflops = forward_gflops_per_image(args.task, args.size)
    console.print(
        f"forward pass: {gflops:.2f} GFLOP per image at {args.size}; a training step about "
        f"{3 * gflops:.1f} GFLOP per image"
    )


if __name__ == "__main__":
    main()
