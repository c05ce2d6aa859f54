"""Sightings and the relationship graph over real HTTP, on both databases: a sighting posted
through TAXII like any object, read back summarized and as a graph through the API (problem
details for what the caller may not read), and on the object's page (Sightings block, SVG)."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import LiveServer
from tests.exchange_support import Exchange, indicator
from tests.integration.test_exchange_sightings_graph import relationship, sighting
from tests.web.test_exchange_tombstones_and_audit import api, post
from tests.web.ui_exchange_setup import NAMES, exchange_with_passwords
from tests.web.ui_session import sign_in

SEEN = indicator("seen indicator")
OPEN = sighting(SEEN["id"], count=4, kind="false-positive")
AMBER = sighting(SEEN["id"], count=50, tlp="amber", recipients={"parties": ["RUS"]})
HIDDEN = indicator("hidden indicator", tlp="amber", recipients={"parties": ["RUS"]})
LINK = relationship(SEEN["id"], HIDDEN["id"])


@pytest.fixture
def exchange(live_server: LiveServer) -> Exchange:
    found = exchange_with_passwords(live_server.node)
    post(found, live_server, "kz", SEEN, OPEN, AMBER, HIDDEN, LINK)
    return found


def test_sightings_and_graph_over_the_api_and_on_the_page(live_server: LiveServer,
                                                          exchange: Exchange) -> None:
    with api(live_server, exchange.tokens["ru"]) as ru:
        body = ru.get(f"collections/main/objects/{SEEN['id']}/sightings").json()
        assert body["reports"] == 2
        [kaz] = body["parties"]
        assert (kaz["party"], kaz["total_count"], kaz["by_type"]) == (
            "KAZ", 54, {"sighting": 1, "false-positive": 1, "expired": 0})
        assert kaz["first_seen"] == "2026-11-01T00:00:00.000Z"
        nodes = ru.get(f"collections/main/objects/{SEEN['id']}/graph").json()["nodes"]
        assert {n["id"] for n in nodes} == {OPEN["id"], AMBER["id"], LINK["id"]}
    with api(live_server, exchange.tokens["by"]) as by:
        body = by.get(f"collections/main/objects/{SEEN['id']}/sightings").json()
        assert body["parties"][0]["total_count"] == 4 and AMBER["id"] not in str(body)
        found = by.get(f"collections/main/objects/{LINK['id']}/graph").json()
        assert [n["id"] for n in found["nodes"]] == [SEEN["id"]]
        assert HIDDEN["id"] not in str(found["edges"]) and found["more"] is False
        for what in ("sightings", "graph"):
            missing = by.get(f"collections/main/objects/{AMBER['id']}/{what}")
            assert missing.status_code == 404
            assert missing.headers["content-type"].startswith("application/problem+json")
        assert by.get(f"collections/main/objects/{SEEN['id']}/graph",
                      params={"limit": 0}).status_code in (400, 422)
    with api(live_server, None) as anonymous:
        assert anonymous.get(f"collections/main/objects/{SEEN['id']}/sightings"
                             ).status_code == 401
    spec = httpx.get(live_server.base_url + "/api/openapi.json", timeout=30).json()
    for what in ("sightings", "graph"):
        path = spec["paths"][f"/api/v1/exchange/collections/{{key}}/objects/{{object_id}}/{what}"]
        assert {"200", "403", "404"} <= set(path["get"]["responses"])
    # the object's page (one test: the live server with passwords is the costly part)

    def page(who: str, lang: str = "en") -> str:
        with httpx.Client(base_url=live_server.base_url, timeout=10,
                          headers={"Accept-Language": lang}) as client:
            assert sign_in(client, NAMES[who]).status_code == 303
            response = client.get(f"/exchange/collections/{exchange.collection_id}/objects/"
                                  f"{SEEN['id']}")
        assert response.status_code == 200, response.text
        return response.text.split('id="relationships"', 1)[1].split('id="where-else"', 1)[0]

    ru = page("ru")
    assert "<svg" in ru and "<script" not in ru
    assert AMBER["id"] in ru and HIDDEN["id"] not in ru  # one hop: not past LINK
    assert "54" in ru.split('id="sightings"', 1)[1]
    by = page("by")
    assert OPEN["id"] in by and AMBER["id"] not in by and ">4<" in by
    assert "Sightings" not in page("by", "ru") and "Обнаружения" in page("by", "ru")
