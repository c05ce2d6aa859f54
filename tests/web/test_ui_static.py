"""The UI's assets are kelisim's own: the vendored htmx is the recorded file, and no page loads
anything from another host (no CDN, no font service)."""

from __future__ import annotations

import hashlib
import re

import httpx

from tests.conftest import LiveServer
from tests.web.ui_session import account, sign_in

HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"  # VENDORED.md
EXTERNAL = re.compile(r'(?:src|href)="(?:https?:)?//', re.IGNORECASE)


def test_htmx_is_the_vendored_file_and_pages_load_nothing_from_elsewhere(
        live_server: LiveServer) -> None:
    account(live_server.node.runtime, "Reader", "reader", "KAZ")
    with httpx.Client(base_url=live_server.base_url, timeout=10) as client:
        htmx = client.get("/static/htmx.min.js")
        assert htmx.status_code == 200
        assert hashlib.sha256(htmx.content).hexdigest() == HTMX_SHA256
        assert client.get("/static/kelisim.css").status_code == 200
        assert sign_in(client, "Reader").status_code == 303
        for page in ("/signin", "/", "/agreement", "/status", "/status/parties/KAZ",
                     "/depositary"):
            body = client.get(page).text
            assert not EXTERNAL.findall(body), page
            assert '<script src="/static/htmx.min.js"' in body
