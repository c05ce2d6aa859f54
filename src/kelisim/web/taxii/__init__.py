"""The TAXII 2.1 server of the exchange (OASIS TAXII 2.1, 2021), mounted at /taxii2/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from kelisim.services.exchange.worker import ExchangeWorker
from kelisim.services.runtime import Runtime


def install(app: FastAPI, runtime: Runtime) -> None:
    """Mount the TAXII routes and run the exchange worker for the app's lifetime, so envelopes
    accepted before a crash are processed when the server starts again."""
    # imported here, so that web/methods.py and web/problems.py can use taxii.media, which the
    # routes themselves import
    from kelisim.web.taxii.routes import router

    app.include_router(router)
    worker = ExchangeWorker(runtime)
    app.state.exchange_worker = worker
    previous = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[Any]:
        worker.start()
        try:
            async with previous(application) as state:
                yield state
        finally:
            worker.stop()

    app.router.lifespan_context = lifespan
