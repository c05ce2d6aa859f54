"""How `kelisim up` serves: uvicorn configured from Settings, one process or several.

- **Several workers** (`--workers N`): uvicorn starts N processes on one socket; each builds its
  own runtime from the same Settings (`worker_app`, pickled into the worker, not read again from
  the environment). They share everything that matters through the database: sessions, the UI's
  signing key, the sign-in throttle, the pagination-token key (docs/decisions/0006-ui-sessions.md).
- **Forwarded headers** are trusted only when asked (`--proxy-headers`) and only from
  `--forwarded-allow-ips`; uvicorn's own default trusts them from loopback, which let any local
  client choose its address for the sign-in throttle.
- **Request heads are bounded** (`BoundedHttpToolsProtocol`): httptools, unlike h11, buffers a
  request line and headers of any size for as long as the client likes. Here a head larger than
  `max_header_bytes` gets 431, one not complete within `header_timeout` seconds gets 408, and a
  connection beyond `max_connections` gets 503 at once (RFC 9110 section 15.5.9; RFC 6585
  section 5).
"""

from __future__ import annotations

import asyncio
import functools
import gc
import os
import shutil
import tempfile
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState
from uvicorn.supervisors import Multiprocess

from kelisim.config import Settings
from kelisim.services.exchange.screening import default_processes
from kelisim.services.runtime import build_runtime


class ServerConfig(uvicorn.Config):
    """uvicorn's Config plus the header-read timeout it has no option for."""

    def __init__(self, app: Any, *, header_timeout: float, **options: Any) -> None:
        super().__init__(app, **options)
        self.header_timeout = header_timeout


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a size and a time limit on each request head."""

    def __init__(self, config: uvicorn.Config, server_state: ServerState,
                 app_state: dict[str, Any], _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.max_head_bytes = config.h11_max_incomplete_event_size or 64 * 1024
        self.head_timeout = float(getattr(config, "header_timeout", 10.0))
        self._reading_head = True
        self._head_bytes = 0
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if self.limit_concurrency is not None and len(self.connections) > self.limit_concurrency:
            self._refuse(503, "Too many connections; try again shortly.")
            return
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.transport.is_closing():
            return
        super().data_received(data)
        # Counted by whole chunks read while a head is incomplete: the bound is the limit plus
        # at most one read (a chunk that completes a head is not counted; a pipelined chunk that
        # ends one request and starts the next is counted whole).
        if self._reading_head and not self.transport.is_closing():
            self._head_bytes += len(data)
            if self._head_bytes > self.max_head_bytes:
                self._refuse(431, "Request line and headers too large "
                                  "(KELISIM_MAX_HEADER_BYTES).")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading_head = True
        self._head_bytes = 0
        if self._head_timer is None:
            self._arm_head_timer()

    def on_headers_complete(self) -> None:
        self._reading_head = False
        self._cancel_head_timer()
        super().on_headers_complete()

    def _arm_head_timer(self) -> None:
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._reading_head and not self.transport.is_closing():
            self._refuse(408, "The request's headers did not arrive in time "
                              "(KELISIM_HEADER_TIMEOUT).")

    def _refuse(self, status: int, message: str) -> None:
        body = message.encode()
        self.transport.write(b"".join([
            STATUS_LINE[status], b"content-type: text/plain; charset=utf-8\r\n",
            b"content-length: ", str(len(body)).encode(), b"\r\nconnection: close\r\n\r\n",
            body]))
        self._cancel_head_timer()
        self.transport.close()


def worker_app(settings: Settings) -> FastAPI:
    """The application of one worker process: its own runtime on the shared database."""
    from kelisim.web.app import create_app

    runtime = build_runtime(settings)
    runtime.screener.start()
    app = create_app(runtime=runtime)
    gc.collect()  # as `kelisim up` does in one process: what exists now lives as long as it
    gc.freeze()
    return app


def server_config(settings: Settings, app: Any) -> ServerConfig:
    return ServerConfig(
        app, header_timeout=settings.header_timeout, host=settings.host, port=settings.port,
        workers=settings.workers, http=BoundedHttpToolsProtocol, log_level="info",
        server_header=False, proxy_headers=settings.proxy_headers,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        h11_max_incomplete_event_size=settings.max_header_bytes,
        timeout_keep_alive=settings.keep_alive_timeout,
        limit_concurrency=settings.max_connections, backlog=settings.backlog,
        factory=not isinstance(app, FastAPI))


def serve(settings: Settings, app: FastAPI | None = None) -> None:
    """Serve `app` in this process, or, with several workers, start them (like uvicorn.run)."""
    if settings.workers == 1 and app is not None:
        uvicorn.Server(server_config(settings, app)).run()
        return
    if settings.intake_processes is None:  # the cores are shared by the workers
        settings = settings.model_copy(update={
            "intake_processes": default_processes() // settings.workers})
    metrics_dir = tempfile.mkdtemp(prefix="kelisim-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir  # inherited by the workers
    try:
        config = server_config(settings, functools.partial(worker_app, settings))
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
