"""Does it matter which thread runs a forward pass? The demo detector's forward pass on the
1024 x 1024 mini-MIAS PGM, loaded on one thread and run on the same or another one.

Usage: ``.venv/bin/python bench/torch_thread_bench.py [--repeats 25]`` after ``make run`` has
bootstrapped the embedded default once, with ../shared/datasets present.

Each arrangement runs in a fresh process of its own (torch's thread state is per process), one
after the other, and the script prints each median and its ratio to loading and running on the
main thread. The task services load and run on one pinned thread (``serving/engine.py``) because
of what this shows on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from serving_bench import INPUTS
from stack import benchmark_home
from timing import median_seconds

from mammocad.ingest.pipeline import ingest_bytes
from models.inference.loaded import load_model
from registry import Registry
from serving.detect import detect_batch

T = TypeVar("T")

ARRANGEMENTS = {
    "load and run on the main thread": ("main", "main"),
    "load and run on one worker thread": ("A", "A"),
    "load on the main thread, run on a worker": ("main", "A"),
    "load on a worker, run on another worker": ("A", "B"),
    "load on a worker, run on the main thread": ("A", "main"),
}


def measure(load_on: str, run_on: str, repeats: int) -> float:
    """Median seconds of the forward pass, loaded on ``load_on`` and run on ``run_on``."""
    workers = {"A": ThreadPoolExecutor(1), "B": ThreadPoolExecutor(1)}

    def on(thread: str, work: Callable[[], T]) -> T:
        return work() if thread == "main" else workers[thread].submit(work).result()

    benchmark_home()
    data = INPUTS["1024 x 1024 PGM"].read_bytes()
    with Registry() as registry:
        folder = registry.open_artifact("detector", "production")
    model = on(load_on, lambda: load_model(folder, "cpu"))
    model_input = ingest_bytes(data, model.metadata.ingest).model_input()
    return median_seconds(
        lambda: on(run_on, lambda: detect_batch(model, [model_input])), repeats, warmups=5
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=25)
    parser.add_argument("--one", nargs=2, metavar=("LOAD_ON", "RUN_ON"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        load_on, run_on = args.one
        print(measure(load_on, run_on, args.repeats))
        return
    found = {}
    for name, (load_on, run_on) in ARRANGEMENTS.items():
        command = [sys.executable, __file__, "--repeats", str(args.repeats), "--one"]
        output = subprocess.run(
            [*command, load_on, run_on], check=True, capture_output=True, text=True
        ).stdout
        found[name] = float(output.split()[-1])
    base = found["load and run on the main thread"]
    print("demo detector, forward pass of the 1024 x 1024 PGM, median of", args.repeats)
    for name, seconds in found.items():
        print(f"  {name:44} {seconds * 1000:6.1f} ms  ({seconds / base:.2f} x)")


if __name__ == "__main__":
    main()
