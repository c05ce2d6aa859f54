"""create_app(settings): the one place the HTTP application is assembled."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from kelisim import __version__
from kelisim.config import Settings
from kelisim.services.runtime import Runtime, build_runtime
from kelisim.web import federation, taxii
from kelisim.web.api import (
    accounts,
    certification,
    certification_public,
    depositary,
    reference,
    status,
    subscriptions,
    workspace,
    workspace_documents,
)
from kelisim.web.api import activity as activity_api
from kelisim.web.api import amendments as amendments_api
from kelisim.web.api import attack as attack_api
from kelisim.web.api import correlation as correlation_api
from kelisim.web.api import exchange as exchange_api
from kelisim.web.api import exports as exports_api
from kelisim.web.api import gatherings as gatherings_api
from kelisim.web.api import misp_import as misp_import_api
from kelisim.web.api import search as search_api
from kelisim.web.api import sightings as sightings_api
from kelisim.web.api import treaties as treaties_api
from kelisim.web.api_docs import install_api_docs
from kelisim.web.headers import SecurityHeaders
from kelisim.web.limits import BodySizeLimit
from kelisim.web.methods import install_methods
from kelisim.web.metrics import install_metrics
from kelisim.web.openapi import install_openapi
from kelisim.web.problems import install_problem_handlers
from kelisim.web.request_target import NulInRequestTarget
from kelisim.web.responses import JsonResponse
from kelisim.web.ui import mount_ui

DESCRIPTION = """
The HTTP API of kelisim, the platform of the 2013 CIS Agreement on cooperation in ensuring
information security. Every route but `/health` and this documentation needs a token
(`Authorization: Bearer kls_...`), created with `kelisim accounts add` or `POST /api/v1/accounts`.
Errors are RFC 9457 problem details (`application/problem+json`) naming the article applied.
"""


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    runtime = runtime or build_runtime(settings or Settings())
    app = FastAPI(title="kelisim", version=__version__, description=DESCRIPTION,
                  default_response_class=JsonResponse, docs_url=None,
                  redoc_url=None, openapi_url="/api/openapi.json")
    app.state.runtime = runtime
    install_problem_handlers(app)
    for module in (status, depositary, reference, accounts, exchange_api, correlation_api,
                   sightings_api, exports_api, misp_import_api, search_api, activity_api,
                   attack_api, workspace, gatherings_api, workspace_documents,
                   subscriptions, treaties_api, amendments_api):
        app.include_router(module.router)
    app.include_router(certification.router)
    app.include_router(certification_public.router)  # public verification, no token
    app.include_router(federation.router)  # node to node, signed with the node keys
    app.include_router(federation.people)

    @app.get("/health", tags=["health"], summary="Liveness; no token needed")
    def health() -> dict[str, Any]:
        return {"status": "ok", "version": __version__}

    install_openapi(app)  # the document names the real media types and error bodies
    install_api_docs(app)  # Swagger UI from this server, not a CDN
    taxii.install(app, runtime)
    mount_ui(app)  # the web UI at / (after the API routes, which keep their paths)
    install_methods(app)  # HEAD, OPTIONS, 405 with Allow on every route (decision 0011)
    app.add_middleware(NulInRequestTarget)  # %00 in a path or filter: 400 on both stores
    app.add_middleware(BodySizeLimit, max_bytes=runtime.settings.max_request_bytes,
                       exempt=workspace_documents.is_upload_path)  # streamed, own limit
    app.add_middleware(SecurityHeaders)  # nosniff on every answer, HSTS over https
    install_metrics(app, runtime)  # /metrics, and the outermost middleware: counts even 413s
    return app
