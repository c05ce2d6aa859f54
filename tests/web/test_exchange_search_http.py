"""Full-text search over real HTTP, on both databases: the API route with its filters, pages
and problem details, its OpenAPI description, and the UI's search box and results page in the
reader's language, showing only what the reader may read."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from kelisim.services.exchange.audit import read_audit
from tests.conftest import LiveServer
from tests.exchange_support import Exchange, indicator, restricted_marking
from tests.web.test_exchange_tombstones_and_audit import api
from tests.web.ui_exchange_setup import NAMES, exchange_with_passwords, post
from tests.web.ui_session import sign_in

OPEN = {**indicator("Банктерге шабуыл open"), "description": "Ёмкий фишинг"}
AMBER = indicator("Банктерге шабуыл amber", tlp="amber", recipients={"parties": ["RUS"]})
MARKING = restricted_marking("KAZ", ["RUS"])
RESTRICTED = indicator("Банктерге шабуыл restricted", markings=[MARKING["id"]])


@pytest.fixture
def exchange(live_server: LiveServer) -> Exchange:
    found = exchange_with_passwords(live_server.node)
    post(live_server.node, found.principals["kz"], found.collection_id,
         [OPEN, AMBER, MARKING, RESTRICTED])
    return found


@contextmanager
def signed_in(live_server: LiveServer, who: str, lang: str = "en") -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.base_url, timeout=10,
                      headers={"Accept-Language": lang}) as client:
        assert sign_in(client, NAMES[who]).status_code == 303
        yield client


def test_search_over_the_api_and_in_the_ui(live_server: LiveServer, exchange: Exchange) -> None:
    _api(live_server, exchange)
    _openapi(live_server)
    _ui(live_server, exchange)


def _api(live_server: LiveServer, exchange: Exchange) -> None:
    with api(live_server, exchange.tokens["ru"]) as ru:
        response = ru.get("search", params={"q": "банктерге шабуыл"})
        assert response.status_code == 200, response.text
        body = response.json()
        assert {o["id"] for o in body["objects"]} == {OPEN["id"], AMBER["id"], RESTRICTED["id"]}
        assert {o["name"] for o in body["objects"]} >= {"Банктерге шабуыл open"}
        first = ru.get("search", params={"q": "шабуыл", "limit": 2}).json()
        rest = ru.get("search", params={"q": "шабуыл", "limit": 2, "next": first["next"]}).json()
        assert first["more"] and not rest["more"]
        assert len({o["id"] for o in first["objects"] + rest["objects"]}) == 3
        only = ru.get("search", params=[("q", "шабуыл"), ("tlp", "amber"), ("tlp", "red")])
        assert [o["id"] for o in only.json()["objects"]] == [AMBER["id"]]
        assert ru.get("search", params={"q": "емкии"}).json()["objects"] == []  # й is no и
        assert [o["id"] for o in ru.get("search", params={"q": "ёмкий"}).json()["objects"]] == [
            OPEN["id"]]
        bad = ru.get("search", params={"q": '"unclosed'})
        assert bad.status_code == 400
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert "quotation mark" in bad.json()["detail"] or "quotation mark" in bad.text
        assert ru.get("search", params={"q": "x", "added_after": "soon"}).status_code == 400
    with api(live_server, exchange.tokens["by"]) as by:
        body = by.get("search", params={"q": "шабуыл"}).json()
        assert [o["id"] for o in body["objects"]] == [OPEN["id"]]
    with api(live_server, None) as anonymous:
        assert anonymous.get("search", params={"q": "шабуыл"}).status_code == 401
    entries = read_audit(live_server.node.runtime, exchange.principals["kz_admin"])
    assert {e["entry"]["endpoint"] for e in entries} == {"search"}  # ru's pages named it


def _openapi(live_server: LiveServer) -> None:
    spec = httpx.get(live_server.base_url + "/api/openapi.json", timeout=30).json()
    route = spec["paths"]["/api/v1/exchange/search"]["get"]
    assert {"200", "400", "403", "404"} <= set(route["responses"])
    assert {p["name"] for p in route["parameters"]} == {
        "q", "type", "direction", "threat_class", "tlp", "producer", "added_after",
        "added_before", "collection", "limit", "next"}


def _ui(live_server: LiveServer, exchange: Exchange) -> None:
    with signed_in(live_server, "by", "ru") as by:
        listing = by.get(f"/exchange/collections/{exchange.collection_id}")
        assert 'action="/exchange/search"' in listing.text and "Искать в этой коллекции" in \
            listing.text
        page = by.get("/exchange/search", params={"q": "ШАБУЫЛ",
                                                  "collection": exchange.collection_id})
        assert page.status_code == 200
        assert "Банктерге шабуыл open" in page.text
        assert "amber" not in page.text.split("<table", 1)[1]
        assert "restricted" not in page.text.split("<table", 1)[1]
        refused = by.get("/exchange/search", params={"q": "ab*cd"})
        assert refused.status_code == 400
        assert "обозначает префикс" in refused.text  # the reason, in the reader's language
    with signed_in(live_server, "ru", "kk") as ru:
        page = ru.get("/exchange/search", params={"q": "шабуыл", "tlp": "amber"})
        assert "Банктерге шабуыл amber" in page.text and "Алмасудан іздеу" in page.text
        assert "Банктерге шабуыл open" not in page.text
