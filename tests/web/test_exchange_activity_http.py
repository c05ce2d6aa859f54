"""The exchange's counts over time over real HTTP, on both databases: the API route with its
problem details and OpenAPI description, and the picture on the exchange's home page in the
reader's language, counting only what the reader may read (issue 16, item 10)."""

from __future__ import annotations

import re

import httpx

from tests.conftest import LiveServer
from tests.exchange_support import indicator, restricted_marking
from tests.web.test_exchange_search_http import signed_in
from tests.web.test_exchange_tombstones_and_audit import api
from tests.web.ui_exchange_setup import exchange_with_passwords, post

OPEN = indicator("open to all", directions=[3, 9])
AMBER = indicator("for Russia", tlp="amber", recipients={"parties": ["RUS"]},
                  threat_class="information_terrorism")
MARKING = restricted_marking("KAZ", ["RUS"])
RESTRICTED = indicator("restricted for Russia", markings=[MARKING["id"]], directions=[9])


def test_counts_over_the_api_and_on_the_exchange_page(live_server: LiveServer) -> None:
    exchange = exchange_with_passwords(live_server.node)
    post(live_server.node, exchange.principals["kz"], exchange.collection_id,
         [OPEN, AMBER, MARKING, RESTRICTED])
    with api(live_server, exchange.tokens["ru"]) as ru:
        body = ru.get("activity", params={"by": "direction"}).json()
        assert body["by"] == "direction" and body["period"] == "month"
        assert {s["key"]: s["total"] for s in body["series"]} == {"9": 3, "3": 1, "-": 1}
        assert body["objects"] == 4  # the three indicators and KAZ's marking definition
        by_day = ru.get("activity", params={"by": "producer", "period": "day", "span": 7})
        assert len(by_day.json()["periods"]) == 7
        assert by_day.json()["series"] == [{"key": "KAZ", "counts": [0] * 6 + [4], "total": 4}]
        for bad in ({"by": "party"}, {"period": "year"}, {"span": 0}):
            refused = ru.get("activity", params=bad)
            assert refused.status_code in (400, 422), bad
            assert refused.headers["content-type"].startswith("application/problem+json"), bad
        assert ru.get("activity", params={"period": "day", "span": 400}).status_code == 400
    with api(live_server, exchange.tokens["by"]) as by:
        body = by.get("activity", params={"by": "threat_class"}).json()
        assert {s["key"]: s["total"] for s in body["series"]} == {"information_crime": 1}
    with api(live_server, None) as anonymous:
        assert anonymous.get("activity").status_code == 401
    spec = httpx.get(live_server.base_url + "/api/openapi.json", timeout=30).json()
    route = spec["paths"]["/api/v1/exchange/activity"]["get"]
    assert {"200", "400", "403"} <= set(route["responses"])
    assert {p["name"] for p in route["parameters"]} == {"by", "period", "span"}

    for lang, heading, party in (("kk", "Не келді", "Қазақстан"), ("ru", "Что поступило",
                                                                    "Казахстан"),
                                 ("en", "What arrived", "Kazakhstan")):
        with signed_in(live_server, "by", lang) as by:
            page = by.get("/exchange")
            assert page.status_code == 200
            assert heading in page.text and '<svg xmlns="http://www.w3.org/2000/svg" ' \
                'class="activity"' in page.text
            numbers = dict(re.findall(r'<tr data-key="([^"]+)"><th scope="row">[^<]*</th>'
                                      r'(?:<td>\d+</td>)*<td>(\d+)</td></tr>', page.text))
            assert numbers == {"KAZ": "1"}, lang  # BLR reads the open indicator only
            assert party in page.text.split('class="activity"', 1)[1]
    with signed_in(live_server, "ru", "en") as ru:
        page = ru.get("/exchange", params={"by": "direction", "period": "week"})
        numbers = dict(re.findall(r'<tr data-key="([^"]+)"><th scope="row">[^<]*</th>'
                                  r'(?:<td>\d+</td>)*<td>(\d+)</td></tr>', page.text))
        assert numbers == {"9": "3", "3": "1", "-": "1"}
        assert len(re.findall(r"<thead>.*?</thead>", page.text, re.S)[-1].split(
            '<th scope="col">')) == 26 + 3  # the series, 26 weeks, the total (and the split)
        refused = ru.get("/exchange", params={"by": "party"})
        assert refused.status_code == 400 and "producer" in refused.text
