"""/api/docs is served from this node: page, script and stylesheet, under a strict CSP."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx

# VENDORED.md: swagger-ui-dist 5.35.0
SWAGGER_JS_SHA256 = "e6a898692f2d768e807c3ba4626068a69a2c5dd960dd6c76f3e4d3a3de180af2"
SWAGGER_CSS_SHA256 = "5ed08757e53da3e026d6cbecc61fe5d43585c9560b302d534ad56692519a273d"


def test_docs_page_loads_nothing_from_elsewhere(client: httpx.Client) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    references = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert references and all(ref.startswith("/") for ref in references), references
    assert "url: '/api/openapi.json'" in page.text
    for ref in references:
        asset = client.get(ref)
        assert asset.status_code == 200, ref
        assert asset.headers["x-content-type-options"] == "nosniff"
    script = client.get("/static/swagger/swagger-ui-bundle.js")
    assert script.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert hashlib.sha256(script.content).hexdigest() == SWAGGER_JS_SHA256
    stylesheet = client.get("/static/swagger/swagger-ui.css")
    assert hashlib.sha256(stylesheet.content).hexdigest() == SWAGGER_CSS_SHA256


def test_docs_page_csp_allows_its_own_inline_script_only(client: httpx.Client) -> None:
    page = client.get("/api/docs")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "cdn" not in policy and "http" not in policy
    scripts = re.findall(r"<script>(.*?)</script>", page.text, flags=re.S)
    assert scripts
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
