"""A bounded soak of the real stack: concurrent clients, a mixed load, for minutes.

Starts both BentoML task services and the gateway on free loopback ports (as ``mammocad serve``
does, on the state folder's registry and demo models), then ``--clients`` threads send, until
``--minutes`` are up, a seeded mix of classify, detect, Grad-CAM and SHAP explanations and
registry reads with the embedded example study's DICOM files. Every answer that is not a 2xx,
and every transport error, counts as an error. The resident memory of every process (gateway,
each service's server and workers) is sampled throughout, so that a leak shows as growth from
the first to the last part of the run.

Prints per operation: requests, errors, p50 and p99 latency; per process: RSS after warm-up,
its maximum and at the end, and the end / warm-up ratio; all from this one run. Exits 1 on any
error. Run after ``make run`` once (the demo models and the example study exist then)::

    MAMMOCAD_HOME=var .venv/bin/python bench/soak.py --minutes 5 --clients 8
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from rich.console import Console
from rich.table import Table
from stack import benchmark_home, rss_kib, running_stack

from serving.processes import ServiceProcess

_SAMPLE_EVERY_S = 2.0
_WARM_UP_FRACTION = 0.1  # memory "after warm-up": the first sample past this part of the run


@dataclass(frozen=True)
class Operation:
    """One kind of request of the mix, and how often it is picked."""

    name: str
    weight: int
    send: Callable[[httpx.Client, bytes], httpx.Response]


def _upload(path: str, **params: str) -> Callable[[httpx.Client, bytes], httpx.Response]:
    def send(client: httpx.Client, image: bytes) -> httpx.Response:
        files = {"file": ("image.dcm", image, "application/dicom")}
        return client.post(path, params=params, files=files)

    return send


def _read(path: str) -> Callable[[httpx.Client, bytes], httpx.Response]:
    return lambda client, _image: client.get(path)


MIX = (
    Operation("classify", 30, _upload("/v1/classify")),
    Operation("detect", 30, _upload("/v1/detect")),
    Operation("explain gradcam", 12, _upload("/v1/explain", task="classify", method="gradcam")),
    Operation("explain shap", 3, _upload("/v1/explain", task="detect", method="shap")),
    Operation("registry: models", 10, _read("/v1/models")),
    Operation("registry: card", 10, _read("/v1/models/classifier/versions/production/card")),
    Operation("registry: audit", 5, _read("/v1/models/detector/audit?limit=20")),
)


@dataclass
class Results:
    """What the clients saw, by operation (latencies in seconds; errors as short texts)."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, name: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies[name].append(seconds)
            if error is not None:
                self.errors[name].append(error)


def _client_loop(url: str, images: list[bytes], seed: int, until: float, results: Results) -> None:
    rng = random.Random(seed)
    weights = [operation.weight for operation in MIX]
    with httpx.Client(base_url=url, timeout=180) as client:
        while time.monotonic() < until:
            [operation] = rng.choices(MIX, weights)
            started = time.perf_counter()
            try:
                response = operation.send(client, rng.choice(images))
                error = (
                    None
                    if response.is_success
                    else f"{response.status_code}: {response.text[:200]}"
                )
            except httpx.HTTPError as failure:
                error = f"{type(failure).__name__}: {failure}"
            results.record(operation.name, time.perf_counter() - started, error)


def _sample_memory(
    processes: dict[str, ServiceProcess], stop: threading.Event, samples: dict[str, list[int]]
) -> None:
    while not stop.wait(_SAMPLE_EVERY_S):
        for name, process in processes.items():
            samples[name].append(rss_kib(process.processes()))


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seed", type=int, default=20261203)
    args = parser.parse_args()

    home = benchmark_home()
    images = [path.read_bytes() for path in sorted((home / "examples").rglob("*.dcm"))]
    if not images:
        print(f"no example study under {home / 'examples'}: run `make run` once", file=sys.stderr)
        return 2
    console = Console()
    results = Results()
    samples: dict[str, list[int]] = defaultdict(list)
    with running_stack() as stack:
        processes = {"gateway": stack.gateway, **stack.services}
        with httpx.Client(base_url=stack.url, timeout=180) as warm_up:
            for operation in MIX:  # one request each first (model loads, caches)
                operation.send(warm_up, images[0]).raise_for_status()
        stop = threading.Event()
        sampler = threading.Thread(target=_sample_memory, args=(processes, stop, samples))
        sampler.start()
        until = time.monotonic() + args.minutes * 60
        clients = [
            threading.Thread(
                target=_client_loop, args=(stack.url, images, args.seed + n, until, results)
            )
            for n in range(args.clients)
        ]
        started = time.monotonic()
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.monotonic() - started
        stop.set()
        sampler.join()

    _print_requests(console, results, elapsed, args)
    _print_memory(console, samples)
    failed = sum(len(errors) for errors in results.errors.values())
    for name, errors in results.errors.items():
        for error in errors[:3]:
            console.print(f"[red]{name}[/red] {error}")
    return 1 if failed else 0


def _print_requests(
    console: Console, results: Results, elapsed: float, args: argparse.Namespace
) -> None:
    total = sum(len(values) for values in results.latencies.values())
    table = Table(
        title=f"{args.clients} clients for {elapsed:.0f} s: {total} requests, "
        f"{total / elapsed:.2f}/s"
    )
    for column in ("operation", "requests", "errors", "p50 ms", "p99 ms"):
        table.add_column(column)
    for operation in MIX:
        values = results.latencies.get(operation.name, [])
        if not values:
            continue
        table.add_row(
            operation.name,
            str(len(values)),
            str(len(results.errors.get(operation.name, []))),
            f"{statistics.median(values) * 1000:.0f}",
            f"{_percentile(values, 0.99) * 1000:.0f}",
        )
    console.print(table)


def _print_memory(console: Console, samples: dict[str, list[int]]) -> None:
    table = Table(title="Resident memory (all processes of each, MiB)")
    for column in ("process", "after warm-up", "max", "end", "end / after warm-up"):
        table.add_column(column)
    for name, values in samples.items():
        if not values:
            continue
        warm = values[min(len(values) - 1, int(len(values) * _WARM_UP_FRACTION))]
        table.add_row(
            name,
            f"{warm / 1024:.0f}",
            f"{max(values) / 1024:.0f}",
            f"{values[-1] / 1024:.0f}",
            f"{values[-1] / warm:.2f}",
        )
    console.print(table)


if __name__ == "__main__":
    raise SystemExit(main())
