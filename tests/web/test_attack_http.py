"""MITRE ATT&CK over real HTTP: the API's catalogue and browse by technique (problem details,
Art. 6), an object's page naming its techniques and tactics, a technique's page listing only
what the reader may read, and the submit form's technique picker. On SQLite: the storage paths
behind these pages are tested on both databases in tests/integration/test_exchange_attack.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import orjson
import pytest

from kelisim.domain.exchange_policy import Endpoint
from kelisim.domain.taxii import Query
from kelisim.services.exchange.reading import read_page
from tests.conftest import LiveServer
from tests.exchange_support import Exchange, indicator
from tests.web.test_exchange_tombstones_and_audit import api
from tests.web.ui_exchange_setup import NAMES, exchange_with_passwords, post
from tests.web.ui_session import post_form, sign_in

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def with_techniques(*ids: str, **kwargs: Any) -> dict[str, Any]:
    obj = indicator(**kwargs)
    obj["external_references"] = [{"source_name": "mitre-attack", "external_id": i}
                                  for i in ids]
    obj["kill_chain_phases"] = [{"kill_chain_name": "mitre-attack",
                                 "phase_name": "initial-access"}]
    return obj


OPEN = with_techniques("T1566.001", name="open phishing lure")
AMBER = with_techniques("T1566.001", name="amber for RUS", tlp="amber",
                        recipients={"parties": ["RUS"]})


@pytest.fixture
def exchange(live_server: LiveServer) -> Exchange:
    found = exchange_with_passwords(live_server.node)
    status = post(live_server.node, found.principals["kz"], found.collection_id, [OPEN, AMBER])
    assert status["success_count"] == 2, status
    return found


@contextmanager
def client_for(live_server: LiveServer, who: str, lang: str = "en") -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.base_url, timeout=10,
                      headers={"Accept-Language": lang}) as client:
        assert sign_in(client, NAMES[who]).status_code == 303
        yield client


def test_the_api_lists_techniques_and_the_objects_a_caller_may_read(
        live_server: LiveServer, exchange: Exchange) -> None:
    with api(live_server, exchange.tokens["by"]) as by:
        listed = by.get("attack/techniques", params={"tactic": "TA0001", "search": "phish"})
        assert listed.status_code == 200, listed.text
        body = listed.json()
        assert "pymispgalaxies" in body["version"]
        assert {"shortname": "initial-access", "name": "Initial Access",
                "id": "TA0001"} in body["tactics"]
        assert [t["id"] for t in body["techniques"]][:2] == ["T1566", "T1566.001"]
        found = by.get("attack/techniques/T1566.001/objects").json()
        assert found["technique"]["parent"] == "T1566"
        assert [o["id"] for o in found["objects"]] == [OPEN["id"]]  # not AMBER's
        missing = by.get("attack/techniques/T9999/objects")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
        assert "MITRE ATT&CK" in missing.json()["detail"]
    with api(live_server, exchange.tokens["ru"]) as ru:
        found = ru.get("attack/techniques/T1566.001/objects").json()
        assert {o["id"] for o in found["objects"]} == {OPEN["id"], AMBER["id"]}
    with api(live_server, None) as nobody:
        assert nobody.get("attack/techniques").status_code == 401
    with httpx.Client(base_url=live_server.base_url) as client:
        paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/v1/exchange/attack/techniques/{technique_id}/objects" in paths


def test_pages_name_techniques_and_list_only_what_the_reader_may_read(
        live_server: LiveServer, exchange: Exchange) -> None:
    with client_for(live_server, "by", "ru") as by:
        page = by.get(f"/exchange/collections/{exchange.collection_id}/objects/{OPEN['id']}")
        assert page.status_code == 200, page.text
        assert 'href="/exchange/attack/T1566.001"' in page.text
        assert "Spearphishing Attachment" in page.text and "Initial Access" in page.text
        technique = by.get("/exchange/attack/T1566.001")
        assert technique.status_code == 200, technique.text
        assert "open phishing lure" in technique.text
        assert "amber for RUS" not in technique.text and AMBER["id"] not in technique.text
        assert "pymispgalaxies" in technique.text
        assert 'href="/exchange/attack/T1566"' in technique.text
        listing = by.get("/exchange/attack", params={"tactic": "initial-access", "q": "phish"})
        assert listing.status_code == 200 and "T1566.002" in listing.text
        assert "T1059" not in listing.text
        assert by.get("/exchange/attack/T9999").status_code == 404
    with client_for(live_server, "ru") as ru:
        assert "amber for RUS" in ru.get("/exchange/attack/T1566.001").text


def test_the_form_adds_the_techniques_picked_and_refuses_an_unknown_one(
        live_server: LiveServer, exchange: Exchange) -> None:
    submit = f"/exchange/collections/{exchange.collection_id}/submit"
    fields = {"kind": "indicator", "name": "picked technique",
              "pattern": "[domain-name:value = 'lure.example']", "valid_from": "2026-11-24",
              "indicator_type": "malicious-activity", "directions": ["9"], "tlp": "green"}
    with client_for(live_server, "kz") as kz:
        form = kz.get(submit).text
        assert '<datalist id="attack-techniques">' in form
        assert '<option value="T1566.001">T1566.001 Spearphishing Attachment</option>' in form
        refused = post_form(kz, submit, submit, {**fields, "techniques": ["T9999", ""]})
        assert refused.status_code == 400, refused.text
        assert "list of MITRE ATT&CK techniques" in refused.text
        posted = post_form(kz, submit, submit, {
            **fields, "techniques": ["T1566.001 Spearphishing Attachment", "t1059", ""]})
        assert posted.status_code == 303, posted.text[-800:]
    rows = read_page(live_server.node.runtime, exchange.principals["ru"],
                     exchange.collection_id, Query(types=("indicator",)), Endpoint.OBJECTS).rows
    [obj] = [orjson.loads(r.raw) for r in rows if b"picked technique" in r.raw]
    assert [(r["source_name"], r["external_id"]) for r in obj["external_references"]] == [
        ("mitre-attack", "T1566.001"), ("mitre-attack", "T1059")]
    assert obj["external_references"][0]["url"] == \
        "https://attack.mitre.org/techniques/T1566/001"
