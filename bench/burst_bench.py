"""Does a burst of concurrent requests slow down the lone requests after it?

Usage: ``.venv/bin/python bench/burst_bench.py [--task detect] [--requests 20]`` after
``make run`` has bootstrapped the embedded default once, with ../shared/datasets present.

It starts one task service as ``mammocad serve`` does and sends the production version's tensor
frame of the 1024 x 1024 mini-MIAS PGM straight to it: sequential requests after a warm-up,
then 16 concurrent clients of 10 requests each, then sequential requests again, at once and
10 s later. It prints each phase's p50, the in-process forward pass for scale, and the ratio of
each later phase to the first. A batcher that learns to wait for company (BentoML's
``CorkDispatcher``, which the services used before ``serving/batching.py``) shows ratios well
above 1; one that never waits stays near 1.
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from serving_bench import INPUTS, MODELS, service_frame, tensor_frame
from stack import benchmark_home
from timing import median_seconds

from mammocad.ingest.pipeline import ingest_bytes
from mammocad.schemas.artifact import Task
from models.inference.loaded import load_model
from registry import Registry
from serving.classify import classify_batch
from serving.detect import detect_batch
from serving.processes import SERVICES, free_port, start_service

BURST_CLIENTS = 16
BURST_REQUESTS = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--task", choices=("classify", "detect"), default="detect")
    parser.add_argument("--requests", type=int, default=20, help="sequential requests per phase")
    args = parser.parse_args()
    task: Task = args.task
    benchmark_home()
    data = INPUTS["1024 x 1024 PGM"].read_bytes()
    with Registry() as registry:
        version = registry.get_version(MODELS[task], "production")
        model = load_model(registry.open_artifact(MODELS[task], "production"), "cpu")
    frame = service_frame(model, version.model_name, version.version, data)
    run = classify_batch if task == "classify" else detect_batch
    env = {key: os.environ[key] for key in ("MAMMOCAD_HOME", "BENTOML_HOME")}
    service = start_service(SERVICES[task], free_port(), env=env)
    url = f"{service.url}/tensors/{task}"
    try:
        with httpx.Client(timeout=300) as client:

            def sequential() -> float:
                return median_seconds(lambda: tensor_frame(client, url, frame), args.requests)

            for _ in range(10):
                tensor_frame(client, url, frame).raise_for_status()
            phases = {"before the burst": sequential()}
            with ThreadPoolExecutor(BURST_CLIENTS) as pool:
                list(pool.map(lambda _: _burst(url, frame), range(BURST_CLIENTS)))
            phases["right after it"] = sequential()
            time.sleep(10)
            phases["10 s later"] = sequential()
    finally:
        service.stop()
    model_input = ingest_bytes(data, model.metadata.ingest).model_input()
    forward = median_seconds(lambda: run(model, [model_input]), args.requests, warmups=5)
    print(f"{task} service, lone requests of the 1024 x 1024 PGM's tensor frame")
    print(f"  in-process forward pass p50 {forward * 1000:.1f} ms")
    first = phases["before the burst"]
    for name, seconds in phases.items():
        print(f"  {name:18} p50 {seconds * 1000:7.1f} ms  ({seconds / first:.2f} x before)")


def _burst(url: str, frame: bytes) -> None:
    with httpx.Client(timeout=300) as client:
        for _ in range(BURST_REQUESTS):
            tensor_frame(client, url, frame).raise_for_status()


if __name__ == "__main__":
    main()
