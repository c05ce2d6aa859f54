"""A NUL character (U+0000) in any text of the workspace is a 400 naming the field, on both
databases: PostgreSQL's text columns refuse it, and a project titled so answered 500 there."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import LiveServer
from tests.exchange_support import setup_exchange

BAD = "a\u0000b"


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/v1/workspace/projects", {"kind": "program", "title": BAD, "directions": [5]},
     "title"),
    ("/api/v1/workspace/practices", {"title": "t", "text": BAD, "language": "en",
                                     "directions": [19]}, "text"),
    ("/api/v1/workspace/practices", {"title": "t", "text": "x", "language": "en",
                                     "directions": [19], "keywords": [BAD]}, "keywords"),
    ("/api/v1/workspace/consultations", {"subject": BAD, "articles": [6],
                                         "invited": ["RUS"]}, "subject"),
])
def test_a_nul_is_refused_by_name_and_nothing_is_stored(live_server: LiveServer, path: str,
                                                        body: dict, field: str) -> None:
    ex = setup_exchange(live_server.node)
    with httpx.Client(base_url=live_server.base_url, timeout=10,
                      headers={"Authorization": f"Bearer {ex.tokens['kz']}"}) as kz:
        refused = kz.post(path, json=body)
        assert refused.status_code == 400, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "NUL" in refused.json()["detail"] and field in refused.json()["detail"]
        listed = kz.get(path)
        assert listed.status_code == 200
        assert BAD not in listed.text and "\\u0000" not in listed.text
