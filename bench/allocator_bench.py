"""Does glibc's allocator policy matter to a batched forward pass? The demo classifier's forward
pass on the 1024 x 1024 mini-MIAS PGM at batch 1, 2 and 4, on a pinned worker thread that loaded
the model (as the task services run it), with glibc's defaults and with the services' settings
(``serving.processes.SERVICE_ALLOCATOR_ENV``).

Usage: ``.venv/bin/python bench/allocator_bench.py [--repeats 7] [--rounds 2]`` after
``make run`` has bootstrapped the embedded default once, with ../shared/datasets present.

Each measurement runs in a fresh process, the two policies alternating for ``--rounds`` rounds;
the script prints the per-image medians and the ratio tuned / default of each batch size.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import torch
from serving_bench import INPUTS
from stack import benchmark_home
from timing import median_seconds

from mammocad.ingest.pipeline import ingest_bytes
from models.inference.loaded import load_model
from registry import Registry
from serving.classify import classify_batch
from serving.processes import SERVICE_ALLOCATOR_ENV

BATCH_SIZES = (1, 2, 4)


def per_image_seconds(repeats: int) -> dict[int, float]:
    """Per-image median of the forward pass at each batch size, in this process."""
    thread = ThreadPoolExecutor(
        1, initializer=torch.set_num_threads, initargs=(os.cpu_count() or 1,)
    )
    benchmark_home()
    data = INPUTS["1024 x 1024 PGM"].read_bytes()
    with Registry() as registry:
        folder = registry.open_artifact("classifier", "production")
    model = thread.submit(load_model, folder, "cpu").result()
    model_input = ingest_bytes(data, model.metadata.ingest).model_input()

    def timed(size: int) -> float:
        batch = [model_input] * size
        return median_seconds(lambda: classify_batch(model, batch), repeats, warmups=3) / size

    return {size: thread.submit(timed, size).result() for size in BATCH_SIZES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(per_image_seconds(args.repeats)))
        return
    plain = {k: v for k, v in os.environ.items() if k not in SERVICE_ALLOCATOR_ENV}
    policies = {"glibc defaults": plain, "services' settings": plain | SERVICE_ALLOCATOR_ENV}
    found: dict[str, list[dict[int, float]]] = {name: [] for name in policies}
    for _ in range(args.rounds):
        for name, env in policies.items():
            command = [sys.executable, __file__, "--one", "--repeats", str(args.repeats)]
            output = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
            found[name].append({int(k): v for k, v in json.loads(output.stdout).items()})
    print(f"demo classifier, per-image forward pass, median of {args.repeats}, best of rounds")
    best = {name: {s: min(r[s] for r in runs) for s in BATCH_SIZES} for name, runs in found.items()}
    for name, sizes in best.items():
        print(
            f"  {name:20} " + ", ".join(f"batch {s}: {t * 1000:5.1f} ms" for s, t in sizes.items())
        )
    tuned, default = best["services' settings"], best["glibc defaults"]
    print(
        "  tuned / default      "
        + ", ".join(f"batch {s}: {tuned[s] / default[s]:.2f}" for s in BATCH_SIZES)
    )


if __name__ == "__main__":
    main()
