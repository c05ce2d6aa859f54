"""`/metrics` in the Prometheus text format, and the middleware that counts every request.

Counted per process: requests by method, route *template* (`/api/v1/accounts/{name_or_id}`,
never the raw path, so that probing random paths adds no series; unmatched paths count as
`<unmatched>`) and status, and a latency histogram. Under `kelisim up --workers N` the workers
write their counts to a shared folder (prometheus-client's multiprocess mode, set up by
web/server.py) and any worker answers with the sum. Read from the database at each scrape, so
the same from every process: the intake queue depth and the size of each hash chain.

Access: Prometheus is not a person, so it gets no account: `/metrics` needs
`Authorization: Bearer $KELISIM_METRICS_TOKEN`, and is off (403) while that is unset.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Iterator

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kelisim.domain.errors import AuthenticationRequired, PermissionDenied
from kelisim.services.monitoring import read_gauges
from kelisim.services.runtime import Runtime

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class RequestMetrics:
    """Pure ASGI middleware: one count and one latency observation per HTTP request."""

    def __init__(self, app: ASGIApp, registry: CollectorRegistry) -> None:
        self.app = app
        self.requests = Counter("kelisim_http_requests", "HTTP requests answered",
                                ["method", "route", "status"], registry=registry)
        self.latency = Histogram("kelisim_http_request_duration_seconds",
                                 "Time from request to the end of the response",
                                 ["method", "route"], buckets=LATENCY_BUCKETS, registry=registry)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def noting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, noting_send)
        finally:
            route = getattr(scope.get("route"), "path", None) or "<unmatched>"
            method = str(scope.get("method", ""))
            self.requests.labels(method, route, str(status)).inc()
            self.latency.labels(method, route).observe(time.perf_counter() - started)


class StoredCollector(Collector):
    """The gauges read from the database at scrape time."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauges = read_gauges(self.runtime)
        yield GaugeMetricFamily("kelisim_intake_queue_depth",
                                "Accepted TAXII envelopes waiting to be stored",
                                value=gauges.intake_queue_depth)
        sizes = GaugeMetricFamily("kelisim_ledger_head_seq",
                                  "Entries in each hash chain (its head's sequence number)",
                                  labels=["chain"])
        for chain, size in sorted(gauges.chain_sizes.items()):
            sizes.add_metric([chain], size)
        yield sizes


def install_metrics(app: FastAPI, runtime: Runtime) -> None:
    registry = CollectorRegistry()
    app.add_middleware(RequestMetrics, registry=registry)
    stored = StoredCollector(runtime)
    registry.register(stored)

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        _authorize(runtime.settings.metrics_token, request.headers.get("authorization", ""))
        exposed = registry
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # every worker's counts, summed
            exposed = CollectorRegistry()
            MultiProcessCollector(exposed)
            exposed.register(stored)
        return Response(generate_latest(exposed), media_type=CONTENT_TYPE_LATEST)


def _authorize(token: str | None, header: str) -> None:
    if token is None:
        raise PermissionDenied("Metrics are off on this node: set KELISIM_METRICS_TOKEN and "
                               "have Prometheus send it as a Bearer token.")
    if not hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        raise AuthenticationRequired("/metrics needs Authorization: Bearer "
                                     "<KELISIM_METRICS_TOKEN>.")
