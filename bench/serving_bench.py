"""Serving latency and throughput through the real stack, with ratios measured in one run.

Usage: ``.venv/bin/python bench/serving_bench.py [--requests N]`` after ``make run`` has
bootstrapped the embedded default once (it reads the production models of ``$MAMMOCAD_HOME``,
default ``./var``), with ../shared/datasets present.

For each task and each input (a 1024 x 1024 mini-MIAS PGM, the 4664 x 3064 JPEG 2000 DICOM) it
prints: the floor, measured in this process (ingest with the model's options + the raw forward
pass); the end-to-end p50/p95 through gateway -> task service at concurrency 1 and its ratio to
the floor; the throughput at concurrency 1, 4 and 16 and the ratio 16 : 1 (adaptive batching);
and the same for TorchServe 0.12 serving the same production versions exported with
``mammocad registry export-torchserve`` (same ingest and forward code in its handler; raw image
bytes as the body; one worker per model, where TorchServe's default is one per core), with
the gateway : TorchServe ratios.
The gateway, both services and TorchServe are started here on free loopback ports, the first
three exactly as ``mammocad serve`` starts them.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from stack import benchmark_home, running_stack
from timing import median_seconds

from mammocad.errors import MammocadError
from mammocad.ingest.pipeline import ingest_bytes
from models.inference.loaded import load_model
from registry import Registry
from serving.classify import classify_batch
from serving.detect import detect_batch
from serving.torchserve_export import export_torchserve
from serving.torchserve_process import running_torchserve

Send = Callable[[httpx.Client, str, bytes], httpx.Response]

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
INPUTS = {
    "1024 x 1024 PGM": SHARED / "mini-mias-dev" / "mdb001.pgm",
    "4664 x 3064 JPEG 2000 DICOM": SHARED / "dicom-samples" / "MG1_J2KI.dcm",
}
MODELS = {"classify": "classifier", "detect": "detector"}


def floor_seconds(folder: Path, task: str, data: bytes, repeats: int) -> float:
    """Ingest + forward in this process, with the very functions the gateway and the task
    service run (ingest with the version's options, the service's batch function on one
    input): what the stack cannot beat."""
    model = load_model(folder, "cpu")
    run = classify_batch if task == "classify" else detect_batch

    def once() -> None:
        run(model, [ingest_bytes(data, model.metadata.ingest).model_input()])

    return median_seconds(once, repeats)


def multipart(client: httpx.Client, url: str, data: bytes) -> httpx.Response:
    """The gateway's upload: a multipart form."""
    return client.post(url, files={"file": ("image", data)})


def raw_body(client: httpx.Client, url: str, data: bytes) -> httpx.Response:
    """TorchServe's: the image bytes as the body."""
    return client.post(url, content=data)


def latencies(url: str, data: bytes, n: int, send: Send = multipart) -> list[float]:
    """Sequential end-to-end request times (concurrency 1)."""
    times = []
    with httpx.Client(timeout=300) as client:
        for _ in range(n):
            started = time.perf_counter()
            send(client, url, data).raise_for_status()
            times.append(time.perf_counter() - started)
    return times


def throughput(url: str, data: bytes, concurrency: int, n: int, send: Send = multipart) -> float:
    """Requests per second with ``concurrency`` clients sending ``n`` requests in all."""
    with httpx.Client(timeout=300, limits=httpx.Limits(max_connections=concurrency)) as client:

        def one(_: int) -> None:
            send(client, url, data).raise_for_status()

        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(one, range(n)))
        return n / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=16, help="requests per measurement")
    args = parser.parse_args()
    for path in INPUTS.values():
        if not path.is_file():
            raise SystemExit(f"{path} is absent: the benchmark needs ../shared/datasets")
    home = benchmark_home()
    with Registry() as registry:
        try:
            folders = {t: registry.open_artifact(n, "production") for t, n in MODELS.items()}
        except MammocadError as error:
            raise SystemExit(
                f"no production models in {home}: run `make run` once ({error.detail})"
            ) from error
    with tempfile.TemporaryDirectory(prefix="mammocad-bench-") as scratch:
        store = Path(scratch) / "model-store"
        with Registry() as registry:
            archives = {
                task: export_torchserve(registry, name, "production", store).stem
                for task, name in MODELS.items()
            }
        with running_stack() as stack, running_torchserve(store, list(archives.values())) as peer:
            print(f"requests per measurement: {args.requests}; one run, one machine")
            for task in MODELS:
                for name, path in INPUTS.items():
                    _measure(
                        task,
                        name,
                        path.read_bytes(),
                        folders[task],
                        args.requests,
                        f"{stack.url}/v1/{task}",
                        peer.predictions(archives[task]),
                    )


def _measure(
    task: str, name: str, data: bytes, folder: Path, requests: int, gateway: str, peer: str
) -> None:
    floor = floor_seconds(folder, task, data, max(3, requests // 4))
    print(f"\n{task} - {name}")
    print(f"  floor (ingest + forward, in process): {floor * 1000:8.1f} ms")
    measured = {}
    for label, url, send in (("gateway", gateway, multipart), ("torchserve", peer, raw_body)):
        times = latencies(url, data, requests, send)  # also warms the service up
        p50, p95 = statistics.median(times), statistics.quantiles(times, n=20)[-1]
        rates = {c: throughput(url, data, c, requests, send) for c in (1, 4, 16)}
        measured[label] = (p50, rates)
        print(
            f"  {label:10} c=1 p50 {p50 * 1000:8.1f} ms, p95 {p95 * 1000:8.1f} ms; "
            f"p50 / floor = {p50 / floor:.2f}; "
            + ", ".join(f"c={c} {r:.2f}/s" for c, r in rates.items())
            + f"; c=16 / c=1 = {rates[16] / rates[1]:.2f}"
        )
    (ours, our_rates), (theirs, their_rates) = measured["gateway"], measured["torchserve"]
    print(
        f"  gateway / torchserve: p50 {ours / theirs:.2f}; throughput "
        + ", ".join(f"c={c} {our_rates[c] / their_rates[c]:.2f}" for c in (1, 4, 16))
    )


if __name__ == "__main__":
    main()
