"""Explanation latency against a plain answer, through the real stack, measured in one run.

Usage: ``.venv/bin/python bench/explain_bench.py [--requests N]`` after ``make run`` has
bootstrapped the embedded default once (it reads the production models of ``$MAMMOCAD_HOME``,
default ``./var``; SHAP needs versions trained with a stored background).

For each task and input (a synthetic DICOM made here; with ../shared/datasets also a 1024 x 1024
mini-MIAS PGM and the 4664 x 3064 JPEG 2000 DICOM) it sends, in turn and N times over, the plain
request (``/v1/classify`` or ``/v1/detect``), a Grad-CAM and a SHAP explanation of the same
image, so machine noise falls on all three alike, and prints their p50s, the ratio
Grad-CAM p50 / plain p50 (target <= 2.5) and the SHAP p50 in seconds at its default settings
(target <= 5 s). The gateway and both services are started here on free loopback ports, exactly
as ``mammocad serve`` starts them.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from stack import benchmark_home, running_stack

from mammocad.datasets.spec import load_dataset
from mammocad.errors import MammocadError
from registry import Registry

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
REAL_INPUTS = {
    "1024 x 1024 mini-MIAS PGM": SHARED / "mini-mias-dev" / "mdb001.pgm",
    "4664 x 3064 JPEG 2000 DICOM": SHARED / "dicom-samples" / "MG1_J2KI.dcm",
}
MODELS = {"classify": "classifier", "detect": "detector"}
CALLS = {"plain": {}, "gradcam": {"method": "gradcam"}, "shap": {"method": "shap"}}


def inputs() -> dict[str, bytes]:
    """A synthetic DICOM (always) and the real films when ../shared/datasets is present."""
    cache = Path(tempfile.mkdtemp(prefix="explain-bench-"))
    record = next(iter(load_dataset("synthetic:1,seed=3", cache_root=cache)))
    found = {"synthetic DICOM (generated here)": record.path.read_bytes()}
    found |= {name: path.read_bytes() for name, path in REAL_INPUTS.items() if path.is_file()}
    return found


def interleaved_p50s(gateway: str, task: str, data: bytes, n: int) -> dict[str, float]:
    """p50 seconds of each call kind, the kinds sent in turn (after one warm-up round)."""
    times: dict[str, list[float]] = {kind: [] for kind in CALLS}
    with httpx.Client(timeout=300) as client:
        for round_ in range(n + 1):
            for kind, params in CALLS.items():
                route = task if kind == "plain" else "explain"
                query = params | ({"task": task} if kind != "plain" else {})
                started = time.perf_counter()
                response = client.post(
                    f"{gateway}/v1/{route}", params=query, files={"file": ("image", data)}
                )
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise SystemExit(f"{task} {kind}: {response.status_code} {response.text}")
                if round_:  # the first round warms caches (SHAP background features, ...)
                    times[kind].append(elapsed)
    return {kind: statistics.median(values) for kind, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=8, help="requests per kind and input")
    args = parser.parse_args()
    home = benchmark_home()
    with Registry() as registry:
        try:
            versions = {t: registry.get_version(n, "production") for t, n in MODELS.items()}
        except MammocadError as error:
            raise SystemExit(
                f"no production models in {home}: run `make run` once ({error.detail})"
            ) from error
    with running_stack() as stack:
        gateway = stack.url
        print(
            f"{args.requests} requests per kind and input, interleaved; one run, one machine; "
            + ", ".join(f"{v.model_name} v{v.version}" for v in versions.values())
        )
        for name, data in inputs().items():
            for task in MODELS:
                p50 = interleaved_p50s(gateway, task, data, args.requests)
                print(
                    f"{task:8s} {name:34s} plain p50 {p50['plain'] * 1000:7.0f} ms | Grad-CAM "
                    f"p50 {p50['gradcam'] * 1000:7.0f} ms = {p50['gradcam'] / p50['plain']:.2f} x"
                    f" plain | SHAP p50 {p50['shap']:.2f} s"
                )


if __name__ == "__main__":
    main()
