"""/api/docs: Swagger UI served by kelisim itself (vendored under /static/swagger, see VENDORED.md).

A node of an authorized body is often on a network that reaches no CDN, and a page that loads
a script from a third party without Subresource Integrity lets that party run code next to an
analyst's token. The page, its script and its stylesheet all come from this server, with a
Content-Security-Policy that allows nothing else (the one inline script is FastAPI's small
initialiser, allowed by its hash).
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse

DOCS_PATH = "/api/docs"
ASSETS_PATH = "/static/swagger"  # mounted with the UI's static files


def _page(openapi_url: str, title: str) -> HTMLResponse:
    page = get_swagger_ui_html(
        openapi_url=openapi_url, title=title,
        swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg")
    html = bytes(page.body).decode()
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in re.findall(r"<script>(.*?)</script>", html, flags=re.S))
    return HTMLResponse(html, headers={"Content-Security-Policy": (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'")})


def install_api_docs(app: FastAPI) -> None:
    """Create the FastAPI app with docs_url=None, then call this."""
    openapi_url = app.openapi_url or "/api/openapi.json"
    page = _page(openapi_url, f"{app.title} - API")

    @app.get(DOCS_PATH, include_in_schema=False)
    def api_docs() -> Any:
        return HTMLResponse(bytes(page.body), headers=dict(page.headers))
