"""Where a request's time goes: py-spy samples of every process of the stack during a run of
sequential requests, summed per function.

Usage: ``.venv/bin/python bench/profile_serving.py [--task classify] [--requests 30]
[--out DIR]`` after ``make run`` has bootstrapped the embedded default once, with
../shared/datasets present (the 1024 x 1024 mini-MIAS PGM is the input).

It starts the stack as :mod:`bench.serving_bench` does, warms it up, then runs ``py-spy record``
(raw collapsed stacks, idle threads left out) on the gateway and on each process of the task's
service while this process sends the requests one after the other. For each process it prints
the share of the samples in which each function was on the stack (inclusive), the largest
first, and the answers' own ``timing_ms`` (ingest, service round trip, total). The collapsed
stacks are written to ``--out`` for flame graphs (``speedscope``, ``flamegraph.pl``).
"""

from __future__ import annotations

import argparse
import collections
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from serving_bench import INPUTS
from stack import benchmark_home, running_stack

SAMPLE_RATE = 250  # samples per second and process


def _spy(pid: int, out: Path, seconds: int) -> subprocess.Popen[bytes]:
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return subprocess.Popen(
        [
            *(py_spy, "record", "--pid", str(pid), "--format", "raw", "--output", str(out)),
            *("--rate", str(SAMPLE_RATE), "--duration", str(seconds), "--nonblocking"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def inclusive_shares(collapsed: Path) -> tuple[int, list[tuple[float, str]]]:
    """(samples, [(share of samples with the function on the stack, function)]), largest first."""
    total = 0
    seen: collections.Counter[str] = collections.Counter()
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        samples = int(count)
        total += samples
        for frame in set(stack.split(";")):
            seen[frame] += samples
    ranked = sorted(((n / total, frame) for frame, n in seen.items()), reverse=True)
    return total, ranked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--task", choices=("classify", "detect"), default="classify")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--top", type=int, default=25, help="functions printed per process")
    parser.add_argument("--out", type=Path, default=Path("profile-out"))
    args = parser.parse_args()
    data = INPUTS["1024 x 1024 PGM"].read_bytes()
    benchmark_home()
    args.out.mkdir(parents=True, exist_ok=True)
    with running_stack() as stack, httpx.Client(timeout=300) as client:
        url = f"{stack.url}/v1/{args.task}"

        def send() -> dict[str, float]:
            answer = client.post(url, files={"file": ("image", data)})
            answer.raise_for_status()
            timing: dict[str, float] = answer.json()["timing_ms"]
            return timing

        for _ in range(5):  # load the version, train BentoML's batching optimiser
            send()
        targets = {"gateway": stack.gateway.pid} | {
            f"service-{index}": pid
            for index, pid in enumerate(stack.services[f"{args.task} service"].processes())
        }
        seconds = 3 + args.requests  # generous; py-spy stops when the duration ends
        spies = {
            name: _spy(pid, args.out / f"{name}.txt", seconds) for name, pid in targets.items()
        }
        time.sleep(1.0)  # let py-spy attach
        walls, timings = [], []
        for _ in range(args.requests):
            started = time.perf_counter()
            timings.append(send())
            walls.append((time.perf_counter() - started) * 1000)
        for spy in spies.values():
            spy.send_signal(signal.SIGINT)  # py-spy writes its output when interrupted
            spy.wait()
    print(f"{args.task}, {args.requests} sequential requests of the 1024 x 1024 PGM")
    print(f"  client wall p50 {statistics.median(walls):.1f} ms")
    for key in ("ingest", "inference", "total"):
        print(f"  timing_ms.{key} p50 {statistics.median(t[key] for t in timings):.1f} ms")
    for name in targets:
        collapsed = args.out / f"{name}.txt"
        if not collapsed.is_file():
            print(f"\n{name}: no samples (py-spy needs ptrace rights)")
            continue
        total, ranked = inclusive_shares(collapsed)
        print(f"\n{name}: {total} samples of busy threads at {SAMPLE_RATE}/s")
        for share, frame in ranked[: args.top]:
            print(f"  {share * 100:5.1f} %  {frame}")


if __name__ == "__main__":
    main()
