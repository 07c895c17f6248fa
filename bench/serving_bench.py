"""Serving latency, throughput, memory and cold start through the real stack and its peer, with
ratios measured in one run.

Usage: ``.venv/bin/python bench/serving_bench.py [--requests N]`` after ``make run`` has
bootstrapped the embedded default once (it reads the production models of ``$MAMMOCAD_HOME``,
default ``./var``), with ../shared/datasets present.

Cold start first: the stack (both BentoML task services and the gateway, started as
``mammocad serve`` starts them) from process start to its first classify and detect answers,
then TorchServe 0.12 likewise, serving the same production versions exported with
``mammocad registry export-torchserve`` (its handler runs the same ingest and forward code; raw
image bytes as the body; one worker per model, where TorchServe's default is one per core).
Then, for each task and each input (a 1024 x 1024 mini-MIAS PGM, the 4664 x 3064 JPEG 2000
DICOM): the floor, measured in this process (ingest with the model's options, then the
service's batch function on the one input, each a median, taken before and after the requests
and the lower kept); and for each of the full gateway
path, the BentoML service called directly (the tensor frame of the already-ingested input, as
the gateway sends it: so its floor is the forward pass alone) and TorchServe: p50 and p95 at
concurrency 1, and the throughput with 1, 4 and 16 concurrent clients (at least two requests
per client). Last, the resident memory of every process after the load, and a Markdown table
of the ratios (gateway / floor, gateway / TorchServe, 16 / 1 clients) for docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
from stack import benchmark_home, group_processes, rss_kib, running_stack
from timing import median_seconds

from mammocad.errors import MammocadError
from mammocad.ingest.pipeline import ingest_bytes
from mammocad.schemas.tensor_frame import MEDIA_TYPE, TensorPayload, pack
from models.inference.loaded import LoadedModel, load_model
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
CONCURRENCY = (1, 4, 16)
PATHS = ("gateway", "bentoml", "torchserve")
FORWARD_WARMUPS = 5  # after one warm-up the classifier's forward measured 98 ms, after five 44-49


def multipart(client: httpx.Client, url: str, data: bytes) -> httpx.Response:
    """The gateway's upload: a multipart form."""
    return client.post(url, files={"file": ("image", data)})


def raw_body(client: httpx.Client, url: str, data: bytes) -> httpx.Response:
    """TorchServe's: the image bytes as the body."""
    return client.post(url, content=data)


def tensor_frame(client: httpx.Client, url: str, data: bytes) -> httpx.Response:
    """A task service's: the tensor frame the gateway sends."""
    return client.post(url, content=data, headers={"content-type": MEDIA_TYPE})


@dataclass(frozen=True)
class Floor:
    """Medians, in seconds, of the two halves of the in-process path."""

    ingest: float
    forward: float

    @property
    def total(self) -> float:
        return self.ingest + self.forward

    def lower(self, other: Floor) -> Floor:
        """Each half's smaller median: the floor is what the stack cannot beat, and a
        measurement taken while the machine was busy elsewhere only overstates it."""
        return Floor(min(self.ingest, other.ingest), min(self.forward, other.forward))


@dataclass(frozen=True)
class Measured:
    """One serving path on one input: sequential latencies and throughput per concurrency."""

    p50: float
    p95: float
    rates: dict[int, float]


def floor_of(model: LoadedModel, task: str, data: bytes, repeats: int) -> Floor:
    """Ingest, then forward, in this process, with the very functions the gateway and the task
    service run (ingest with the version's options, the service's batch function on one
    input): what the stack cannot beat. A fresh network's first passes are slow (the stack's
    are warm by the time they are measured), so each half is warmed up first."""
    run = classify_batch if task == "classify" else detect_batch
    model_input = ingest_bytes(data, model.metadata.ingest).model_input()
    return Floor(
        ingest=median_seconds(lambda: ingest_bytes(data, model.metadata.ingest), repeats),
        forward=median_seconds(lambda: run(model, [model_input]), repeats, FORWARD_WARMUPS),
    )


def service_frame(model: LoadedModel, name: str, version: int, data: bytes) -> bytes:
    """The body the gateway sends the task service for ``data``."""
    tensors = TensorPayload()
    ref = tensors.add(ingest_bytes(data, model.metadata.ingest).model_input())
    item = {"model": {"name": name, "version": version}, "input": ref}
    return pack({"items": [item]}, tensors)


def latencies(url: str, data: bytes, n: int, send: Send) -> list[float]:
    """Sequential end-to-end request times (concurrency 1)."""
    times = []
    with httpx.Client(timeout=300) as client:
        for _ in range(n):
            started = time.perf_counter()
            send(client, url, data).raise_for_status()
            times.append(time.perf_counter() - started)
    return times


def throughput(url: str, data: bytes, concurrency: int, n: int, send: Send) -> float:
    """Requests per second with ``concurrency`` clients sending ``n`` requests in all."""
    with httpx.Client(timeout=300, limits=httpx.Limits(max_connections=concurrency)) as client:

        def one(_: int) -> None:
            send(client, url, data).raise_for_status()

        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(one, range(n)))
        return n / (time.perf_counter() - started)


def measure(url: str, data: bytes, requests: int, send: Send) -> Measured:
    """p50/p95 of ``requests`` sequential calls (which also warm the path up), then the
    throughput at each concurrency, with at least two requests per client."""
    times = latencies(url, data, requests, send)
    rates = {c: throughput(url, data, c, max(requests, 2 * c), send) for c in CONCURRENCY}
    return Measured(statistics.median(times), statistics.quantiles(times, n=20)[-1], rates)


def cold_start(started: float, urls: dict[str, str], data: bytes, send: Send) -> float:
    """Seconds from ``started`` (perf counter, before the processes were started) until every
    URL has answered ``data`` once."""
    with httpx.Client(timeout=300) as client:
        for url in urls.values():
            send(client, url, data).raise_for_status()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=16, help="requests per measurement")
    args = parser.parse_args()
    for path in INPUTS.values():
        if not path.is_file():
            raise SystemExit(f"{path} is absent: the benchmark needs ../shared/datasets")
    images = {name: path.read_bytes() for name, path in INPUTS.items()}
    home = benchmark_home()
    with Registry() as registry:
        try:
            versions = {t: registry.get_version(n, "production") for t, n in MODELS.items()}
            folders = {t: registry.open_artifact(n, "production") for t, n in MODELS.items()}
        except MammocadError as error:
            raise SystemExit(
                f"no production models in {home}: run `make run` once ({error.detail})"
            ) from error
    models = {task: load_model(folder, "cpu") for task, folder in folders.items()}
    small = images["1024 x 1024 PGM"]
    with tempfile.TemporaryDirectory(prefix="mammocad-bench-") as scratch:
        store = Path(scratch) / "model-store"
        with Registry() as registry:
            archives = {
                task: export_torchserve(registry, name, "production", store).stem
                for task, name in MODELS.items()
            }
        with contextlib.ExitStack() as running:
            started = time.perf_counter()
            stack = running.enter_context(running_stack())
            gateway_urls = {task: f"{stack.url}/v1/{task}" for task in MODELS}
            cold = {"stack": cold_start(started, gateway_urls, small, multipart)}
            started = time.perf_counter()
            peer = running.enter_context(running_torchserve(store, list(archives.values())))
            peer_urls = {task: peer.predictions(archive) for task, archive in archives.items()}
            cold["TorchServe"] = cold_start(started, peer_urls, small, raw_body)
            print(f"requests per measurement: {args.requests}; one run, one machine")
            for name, seconds in cold.items():
                print(
                    f"cold start, process start to first classify and detect answers: {name} "
                    f"{seconds:.1f} s"
                )
            rows = []
            for task in MODELS:
                version = versions[task]
                service = f"{stack.services[f'{task} service'].url}/tensors/{task}"
                for label, data in images.items():
                    repeats = max(5, args.requests // 2)
                    floor = floor_of(models[task], task, data, repeats)
                    frame = service_frame(models[task], version.model_name, version.version, data)
                    found = {
                        "gateway": measure(gateway_urls[task], data, args.requests, multipart),
                        "bentoml": measure(service, frame, args.requests, tensor_frame),
                        "torchserve": measure(peer_urls[task], data, args.requests, raw_body),
                    }
                    floor = floor.lower(floor_of(models[task], task, data, repeats))
                    _print_measured(task, label, floor, found)
                    rows.append((task, label, floor, found))
            memory = {
                "gateway": rss_kib(stack.gateway.processes()),
                **{name: rss_kib(s.processes()) for name, s in stack.services.items()},
                "TorchServe (frontend + workers)": rss_kib(group_processes(peer.pid)),
            }
    print("\nresident memory after the load (every process of each):")
    for name, kib in memory.items():
        print(f"  {name:34} {kib / 1024:7.0f} MiB")
    _print_table(rows)


def _print_measured(task: str, label: str, floor: Floor, found: dict[str, Measured]) -> None:
    print(f"\n{task} - {label}")
    print(
        f"  floor: ingest {floor.ingest * 1000:.1f} ms + forward {floor.forward * 1000:.1f} ms "
        f"= {floor.total * 1000:.1f} ms"
    )
    for path, measured in found.items():
        base = floor.forward if path == "bentoml" else floor.total
        print(
            f"  {path:10} c=1 p50 {measured.p50 * 1000:8.1f} ms, p95 {measured.p95 * 1000:8.1f} "
            f"ms; p50 / floor {measured.p50 / base:.2f}; "
            + ", ".join(f"c={c} {r:.2f}/s" for c, r in measured.rates.items())
            + f"; c=16 / c=1 {measured.rates[16] / measured.rates[1]:.2f}"
        )
    ours, theirs = found["gateway"], found["torchserve"]
    print(
        f"  gateway / torchserve: p50 {ours.p50 / theirs.p50:.2f}; throughput "
        + ", ".join(f"c={c} {ours.rates[c] / theirs.rates[c]:.2f}" for c in CONCURRENCY)
    )


def _print_table(rows: list[tuple[str, str, Floor, dict[str, Measured]]]) -> None:
    print(
        "\n| task, input | floor (ingest + forward) | p50 / floor: gateway, BentoML direct "
        "(/ forward), TorchServe | throughput c=1, 4, 16: gateway | BentoML direct | "
        "TorchServe | gateway / TorchServe c=1, 4, 16 | gateway c16 / c1 |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for task, label, floor, found in rows:
        gateway, direct, peer = (found[path] for path in PATHS)
        print(
            f"| {task}, {label} | {floor.ingest * 1000:.0f} + {floor.forward * 1000:.0f} ms "
            f"| {gateway.p50 / floor.total:.2f}, {direct.p50 / floor.forward:.2f}, "
            f"{peer.p50 / floor.total:.2f} "
            f"| {_rates(gateway)} | {_rates(direct)} | {_rates(peer)} "
            f"| {', '.join(f'{gateway.rates[c] / peer.rates[c]:.2f}' for c in CONCURRENCY)} "
            f"| {gateway.rates[16] / gateway.rates[1]:.2f} |"
        )


def _rates(measured: Measured) -> str:
    return ", ".join(f"{measured.rates[c]:.2f}" for c in CONCURRENCY) + "/s"


if __name__ == "__main__":
    main()
