"""The web UI in Kazakh, Russian and English: server-rendered pages beside the services.

`mount_ui(app)` adds the pages at `/` and the static files at `/static`; `/api`, `/taxii2` and
`/health` are untouched. Each area is one router module; shared parts are `routing` (who is
signed in, CSRF, error pages), `templating` (Jinja2 per language), `i18n` (catalogs, Babel
formatting) and `security` (signed cookies, CSRF tokens); sign-in throttling is a service
(services/signin_throttle.py), shared by every server process through the database.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from kelisim.web.ui import (
    accounts,
    agreement,
    auth,
    certification,
    depositary,
    exchange,
    exchange_attack,
    exchange_search,
    exchange_submit,
    federation,
    inbox,
    status,
    workspace,
    workspace_amendments,
    workspace_checks,
    workspace_consultations,
    workspace_disputes,
    workspace_documents,
    workspace_gatherings,
    workspace_reviews,
)

STATIC = Path(__file__).resolve().parent.parent / "static"
ROUTERS = [auth.router, agreement.router, status.router, depositary.router, accounts.router,
           exchange.router, exchange_attack.router, exchange_search.router,
           exchange_submit.router, certification.router, federation.router, workspace.router,
           workspace_consultations.router, workspace_gatherings.router,
           workspace_documents.router, inbox.router, workspace_disputes.router,
           workspace_checks.router, workspace_reviews.router,
           workspace_amendments.router]


def mount_ui(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
