"""TAXII 2.1 errors over real HTTP: media types (406/415), size (413), malformed JSON and
parameters (400), authentication (401), all as TAXII error messages; and hypothesis-generated
envelopes, valid and broken, never cause a 500, never store a partial object and never make a
stored object unreadable."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import LiveServer
from tests.exchange_support import Exchange, indicator, setup_exchange

TAXII = "application/taxii+json;version=2.1"


@pytest.fixture
def exchange(live_server: LiveServer) -> Exchange:
    return setup_exchange(live_server.node)


def client(live_server: LiveServer, ex: Exchange, who: str = "kz") -> httpx.Client:
    return httpx.Client(base_url=live_server.base_url + "/taxii2/api1/", timeout=30,
                        headers={"Authorization": f"Bearer {ex.tokens[who]}", "Accept": TAXII})


def assert_taxii_error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == TAXII
    body = response.json()
    assert body["http_status"] == str(status) and body["title"]
    return body


def test_refusals_are_taxii_error_messages(live_server: LiveServer, exchange: Exchange) -> None:
    objects = f"collections/{exchange.collection_id}/objects/"
    with client(live_server, exchange) as http:
        assert_taxii_error(http.get(objects, headers={"Accept": "application/json"}), 406)
        assert http.get(objects, headers={"Accept": "application/taxii+json"}).status_code == 200
        assert_taxii_error(http.post(objects, content=b"{}",
                                     headers={"Content-Type": "application/json"}), 415)
        body = assert_taxii_error(http.post(objects, content=b'{"objects": [',
                                            headers={"Content-Type": TAXII}), 400)
        assert "not valid JSON" in body["description"]
        assert_taxii_error(http.post(objects, content=b"[]", headers={"Content-Type": TAXII}),
                           400)
        assert_taxii_error(http.get(objects, params={"limit": "none"}), 400)
        assert_taxii_error(http.get(objects, params={"next": "forged"}), 400)
        assert_taxii_error(http.get(objects, params={"match[colour]": "red"}), 400)
        assert_taxii_error(http.get("collections/00000000-0000-4000-8000-000000000000/"), 404)
        assert_taxii_error(http.get("no/such/endpoint/"), 404)
        assert_taxii_error(http.get("status/00000000-0000-4000-8000-000000000000/"), 404)
        too_big = b'{"objects": []}' + b" " * (live_server.node.runtime.settings
                                              .max_request_bytes + 1)
        assert_taxii_error(http.post(objects, content=too_big,
                                     headers={"Content-Type": TAXII}), 413)
        secret = assert_taxii_error(http.post(
            objects, content=orjson.dumps({"objects": [indicator(
                "x", markings=["marking-definition--6c66a9d7-07d8-4415-a72d-7d2e1a550df3"])]}),
            headers={"Content-Type": TAXII}), 422)
        assert secret["details"]["article"] == "Art. 6"
    with httpx.Client(base_url=live_server.base_url, timeout=30) as anonymous:
        assert_taxii_error(anonymous.get("/taxii2/api1/collections/"), 401)
        assert_taxii_error(anonymous.get("/taxii2/api1/collections/",
                                         headers={"Authorization": "Bearer kls_x_y"}), 401)
    with client(live_server, exchange, "by") as reader:
        assert reader.get("collections/").status_code == 200
    with client(live_server, exchange, "kz_reader") as reader:
        assert_taxii_error(reader.post(objects, content=b'{"objects": []}',
                                       headers={"Content-Type": TAXII}), 403)


def test_basic_authentication_with_the_token_as_password(live_server: LiveServer,
                                                         exchange: Exchange) -> None:
    with httpx.Client(base_url=live_server.base_url, timeout=30,
                      auth=("anyone", exchange.tokens["ru"])) as http:
        response = http.get("/taxii2/api1/collections/", headers={"Accept": TAXII})
        assert response.status_code == 200
        assert exchange.collection_id in {c["id"] for c in response.json()["collections"]}


JSON = st.recursive(st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1)
                    | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
KEYS = ["type", "id", "spec_version", "created", "modified", "pattern", "pattern_type",
        "valid_from", "object_marking_refs", "extensions", "name"]


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    base = indicator(draw(st.text(min_size=1, max_size=12)))
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return base
    obj = copy.deepcopy(base)
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=3)):
        if draw(st.booleans()):
            obj.pop(key, None)
        else:
            obj[key] = draw(JSON)
    return obj if choice < 3 else draw(JSON)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(envelope=st.lists(mutated(), max_size=6))
def test_generated_envelopes_never_break_the_store(live_server: LiveServer, exchange: Exchange,
                                                   envelope: list[Any]) -> None:
    objects = f"collections/{exchange.collection_id}/objects/"
    with client(live_server, exchange) as http:
        response = http.post(objects, content=orjson.dumps({"objects": envelope}),
                             headers={"Content-Type": TAXII})
        assert response.status_code in (202, 400, 422), response.text
        if response.status_code != 202:
            return
        status = response.json()
        assert status["status"] == "complete"
        assert status["success_count"] + status["failure_count"] == len(envelope)
        def key(o: dict[str, Any]) -> tuple[str, bytes]:
            return o["id"], orjson.dumps(o.get("modified"))

        posted = {key(o): o for o in envelope
                  if isinstance(o, dict) and isinstance(o.get("id"), str)}
        for success in status.get("successes", []):
            found = http.get(f"{objects}{success['id']}/", params={"match[version]": "all"})
            assert found.status_code == 200
            stored = [o for o in found.json()["objects"] if key(o) in posted]
            assert stored and all(o == posted[key(o)] for o in stored)
        everything = http.get(objects, params={"match[version]": "all", "limit": 10_000})
        assert everything.status_code == 200
