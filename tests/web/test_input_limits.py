"""What cannot be served back is never stored (issue 17, Medium 2 and 5): a depositary entry or a
STIX object nested too deep, holding NaN/Infinity or an integer beyond 2**53 gets a 400 problem,
an envelope of too many objects a 413 TAXII error, and nothing is written - the record's listing
keeps working. On SQLite and PostgreSQL, over a real server."""

from __future__ import annotations

import httpx
import orjson
import pytest

from tests.conftest import LiveServer
from tests.exchange_support import founding_history, indicator, setup_exchange

TAXII = "application/taxii+json;version=2.1"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


@pytest.mark.parametrize("extra", [nested(900), nested(40), "NaN", "Infinity", "1e400",
                                   str(2**70), str(-(2**53) - 1)])
def test_a_depositary_entry_that_cannot_be_served_back_is_refused_before_writing(
        client: httpx.Client, live_server: LiveServer, extra: str) -> None:
    headers = {**auth(live_server.node.admin_token), "Content-Type": "application/json"}
    body = '[{"kind": "signature", "party": "KAZ", "date": "2013-11-20", "x": ' + extra + "}]"
    refused = client.post("/api/v1/depositary/import", content=body, headers=headers)
    assert refused.status_code == 400, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert "Entry 1" in refused.json()["detail"]
    listing = client.get("/api/v1/depositary/entries", headers=headers)
    assert listing.status_code == 200 and '"signature"' not in listing.text


def test_an_ordinary_entry_with_a_big_but_safe_integer_is_still_recorded(
        client: httpx.Client, live_server: LiveServer) -> None:
    headers = auth(live_server.node.admin_token)
    recorded = client.post("/api/v1/depositary/import", json=founding_history()[:1],
                           headers=headers)
    assert recorded.status_code in (200, 201), recorded.text


@pytest.mark.parametrize("extra", [nested(300), nested(33), str(2**70), "1e400"])
def test_a_stix_object_that_cannot_be_served_back_gets_a_taxii_error(
        client: httpx.Client, live_server: LiveServer, extra: str) -> None:
    ex = setup_exchange(live_server.node)
    obj = orjson.dumps(indicator("deep")).decode()[:-1] + ', "x_deep": ' + extra + "}"
    body = '{"objects": [' + orjson.dumps(indicator("fine")).decode() + ", " + obj + "]}"
    url = f"/taxii2/api1/collections/{ex.collection_id}/objects/"
    answer = client.post(url, content=body, headers={**auth(ex.tokens["kz"]),
                                                     "Content-Type": TAXII, "Accept": TAXII})
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("application/taxii+json")
    assert "position 1" in answer.json()["description"]
    listed = client.get(url, headers={**auth(ex.tokens["kz"]), "Accept": TAXII})
    assert listed.status_code == 200 and "objects" not in listed.json()


def test_an_envelope_of_too_many_objects_gets_413_and_nothing_is_stored(
        client: httpx.Client, live_server: LiveServer) -> None:
    ex = setup_exchange(live_server.node)
    live_server.node.runtime.settings.max_envelope_objects = 5
    url = f"/taxii2/api1/collections/{ex.collection_id}/objects/"
    headers = {**auth(ex.tokens["kz"]), "Content-Type": TAXII, "Accept": TAXII}
    too_many = client.post(url, content=orjson.dumps({"objects": [{}] * 6}), headers=headers)
    assert too_many.status_code == 413, too_many.text
    assert "at most 5" in too_many.json()["description"]
    fits = client.post(url, content=orjson.dumps({"objects": [indicator(f"n{i}")
                                                              for i in range(5)]}),
                       headers=headers)
    assert fits.status_code == 202, fits.text
    assert fits.json()["total_count"] == 5


def test_every_answer_says_nosniff_and_https_adds_hsts(client: httpx.Client) -> None:
    for path in ("/health", "/api/v1/status", "/taxii2/", "/api/openapi.json", "/signin"):
        answer = client.get(path)
        assert answer.headers["x-content-type-options"] == "nosniff", path
        assert "strict-transport-security" not in answer.headers


@pytest.mark.parametrize("on", ["-2e-256", "0", "1700000000", "2016-1-1", "２０１６-01-01",
                                "2016-02-30"])
def test_a_date_that_is_not_yyyy_mm_dd_is_a_bad_request(client: httpx.Client,
                                                       live_server: LiveServer, on: str) -> None:
    answer = client.get("/api/v1/status", params={"on": on},
                        headers=auth(live_server.node.admin_token))
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    fine = client.get("/api/v1/status", params={"on": "2016-01-01"},
                      headers=auth(live_server.node.admin_token))
    assert fine.status_code == 200
