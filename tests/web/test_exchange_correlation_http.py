"""Correlation over real HTTP, on both databases: "where else" and value search, their problem
details, pages, and the OpenAPI description that declares them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer
from tests.exchange_support import Exchange, indicator, setup_exchange
from tests.web.test_exchange_tombstones_and_audit import api, post


@pytest.fixture
def exchange(live_server: LiveServer) -> Exchange:
    return setup_exchange(live_server.node)


def with_pattern(pattern: str, **kwargs: Any) -> dict[str, Any]:
    return {**indicator(**kwargs), "pattern": pattern}


def test_where_else_and_value_search_over_http(live_server: LiveServer,
                                               exchange: Exchange) -> None:
    seen = with_pattern("[ipv4-addr:value ISSUBSET '203.0.113.0/24']")
    again = with_pattern("[ipv4-addr:value = '203.0.113.50' OR "
                         "domain-name:value = 'x.bad.example']")
    hidden = with_pattern("[ipv4-addr:value = '203.0.113.51']", tlp="amber",
                          recipients={"parties": ["RUS"]})
    post(exchange, live_server, "kz", seen, again, hidden)
    with api(live_server, exchange.tokens["by"]) as by:
        response = by.get(f"collections/main/objects/{seen['id']}/correlations")
        assert response.status_code == 200, response.text
        body = response.json()
        assert [(v["value"], v["count"], v["count_capped"]) for v in body["values"]] == [
            ("203.0.113.0/24", 1, False)]
        assert [o["id"] for o in body["values"][0]["objects"]] == [again["id"]]
        found = by.get("observables", params={"value": "203.0.113.7"}).json()
        assert [o["id"] for o in found["objects"]] == [seen["id"]]
        assert found["more"] is False and found["next"] is None
        # an object the caller may not read is 404, as one never stored
        missing = by.get(f"collections/main/objects/{hidden['id']}/correlations")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
        wrong = by.get("observables", params={"value": "nope", "kind": "ipv4-addr"})
        assert wrong.status_code == 400
        assert wrong.headers["content-type"].startswith("application/problem+json")
        assert by.get("observables", params={"value": "x", "kind": "zip"}).status_code == 400
    with api(live_server, exchange.tokens["ru"]) as ru:
        first = ru.get("observables", params={"value": "203.0.113.0/24", "limit": 2}).json()
        assert first["more"] is True
        rest = ru.get("observables", params={"value": "203.0.113.0/24", "limit": 2,
                                             "next": first["next"]}).json()
        ids = {o["id"] for o in first["objects"] + rest["objects"]}
        assert ids == {seen["id"], again["id"], hidden["id"]}
        assert ru.get("observables", params={"value": "bad.example"}).json()["objects"][0][
            "id"] == again["id"]
    with api(live_server, None) as anonymous:
        assert anonymous.get("observables", params={"value": "203.0.113.7"}).status_code == 401


def test_the_routes_are_declared_in_openapi(live_server: LiveServer) -> None:
    spec = httpx.get(live_server.base_url + "/api/openapi.json", timeout=30).json()
    where = spec["paths"]["/api/v1/exchange/collections/{key}/objects/{object_id}/correlations"]
    assert {"200", "403", "404"} <= set(where["get"]["responses"])
    search = spec["paths"]["/api/v1/exchange/observables"]["get"]
    assert {p["name"] for p in search["parameters"]} == {"value", "kind", "exact", "limit", "next"}
