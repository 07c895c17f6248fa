"""Prometheus metrics of one gateway app: request counts, latencies, requests in flight, task
service replicas in rotation.

Each app owns its :class:`~prometheus_client.CollectorRegistry` (not the process-global one), so
several apps in one process (tests, or a host embedding the gateway) never clash over metric
names. Endpoints are labelled by route template (``/v1/models/{name}``), never by raw path, so
the number of series stays bounded whatever clients send.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from functools import partial
from typing import get_args

from fastapi import FastAPI, Request
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.admission import TaskAdmission
from api.replicas import ReplicaSet
from mammocad.schemas.artifact import Task

__all__ = ["GatewayMetrics", "RequestMetrics", "install_metrics", "record_model_version"]

_NO_MODEL = "none"
_UNMATCHED = "unmatched"
# Inspect and registry reads take milliseconds; inference on a CPU takes up to seconds.
_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class GatewayMetrics:
    """The collectors of one app, registered in its own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "mammocad_http_requests",
            "HTTP requests answered, by route template, method and status code",
            ["endpoint", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "mammocad_http_request_duration_seconds",
            "Time to answer a request, by route template and the model version that answered "
            "(name:version, or 'none')",
            ["endpoint", "model_version"],
            buckets=_BUCKETS_S,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "mammocad_http_requests_in_flight",
            "Requests being handled now",
            registry=self.registry,
        )
        self.task_in_flight = Gauge(
            "mammocad_task_requests_in_flight",
            "Model requests of a task inside the gateway's admission now, working or waiting "
            "for a slot (MAMMOCAD_TASK_CONCURRENCY, MAMMOCAD_TASK_QUEUE)",
            ["task"],
            registry=self.registry,
        )
        self.replicas_in_rotation = Gauge(
            "mammocad_task_replicas_in_rotation",
            "Replicas of a task's service that take new requests now (the others failed a "
            "request and are probed until they answer; MAMMOCAD_CLASSIFY_URL, _DETECT_URL)",
            ["task"],
            registry=self.registry,
        )

    def watch_admission(self, admission: TaskAdmission) -> None:
        """Report ``admission``'s requests in flight per task at every scrape."""
        for task in get_args(Task):
            self.task_in_flight.labels(task).set_function(partial(admission.in_flight, task))

    def watch_replicas(self, replicas: Mapping[Task, ReplicaSet]) -> None:
        """Report each task's replicas in rotation at every scrape."""
        for task, replica_set in replicas.items():
            self.replicas_in_rotation.labels(task).set_function(replica_set.in_rotation)


def record_model_version(request: Request, name: str, version: int) -> None:
    """Label this request's latency with the model version that answers it."""
    request.state.model_version = f"{name}:{version}"


class RequestMetrics:
    """ASGI middleware: count and time every request, from its first byte in to its last byte
    out, labelled by route template, status and the model version that answered. Pure ASGI for
    the reason given in :mod:`api.middleware`."""

    def __init__(self, app: ASGIApp, metrics: GatewayMetrics) -> None:
        self._app = app
        self._metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an error no handler turned into an answer

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        self._metrics.in_flight.inc()
        try:
            await self._app(scope, receive, recording_send)
        finally:
            self._metrics.in_flight.dec()
            request = Request(scope)
            endpoint = _endpoint(request)
            self._metrics.requests.labels(endpoint, request.method, str(status)).inc()
            model_version = getattr(request.state, "model_version", _NO_MODEL)
            self._metrics.latency.labels(endpoint, model_version).observe(
                time.perf_counter() - started
            )


def install_metrics(app: FastAPI) -> GatewayMetrics:
    """Measure every request of ``app``; the metrics are also kept on ``app.state.metrics``."""
    metrics = GatewayMetrics()
    app.state.metrics = metrics
    app.add_middleware(RequestMetrics, metrics=metrics)
    return metrics


def _endpoint(request: Request) -> str:
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else _UNMATCHED
