"""Art. 6 gaps closed over real HTTP, on both databases (issue 13, section 2): manifest and
versions reads of restricted-access objects are audited like object reads, and a collection's
tombstones are listed to those who may read it - each tombstone only to those who could read the
deleted version - and to nobody else, without a side door."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from kelisim.services import accounts
from kelisim.services.exchange import audit, collections
from tests.conftest import LiveServer
from tests.exchange_support import Exchange, indicator, restricted_marking, setup_exchange

TAXII = "application/taxii+json;version=2.1"


@pytest.fixture
def exchange(live_server: LiveServer) -> Exchange:
    return setup_exchange(live_server.node)


def taxii(live_server: LiveServer, token: str) -> httpx.Client:
    return httpx.Client(base_url=live_server.base_url + "/taxii2/api1/", timeout=30,
                        headers={"Accept": TAXII, "Authorization": f"Bearer {token}"})


def api(live_server: LiveServer, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=live_server.base_url + "/api/v1/exchange/", timeout=30,
                        headers=headers)


def post(ex: Exchange, live_server: LiveServer, who: str, *objects: dict[str, Any]) -> None:
    with taxii(live_server, ex.tokens[who]) as client:
        response = client.post(f"collections/{ex.collection_id}/objects/",
                               content=orjson.dumps({"objects": list(objects)}),
                               headers={"Content-Type": TAXII})
    assert response.status_code == 202, response.text
    assert response.json()["success_count"] == len(objects), response.text


def audit_of_kaz(ex: Exchange) -> list[dict[str, Any]]:
    return audit.read_audit(ex.node.runtime, ex.principals["kz_admin"])


def test_manifest_and_versions_reads_of_restricted_objects_are_audited_once_each(
        live_server: LiveServer, exchange: Exchange) -> None:
    marking = restricted_marking("KAZ", ["RUS"])
    restricted = indicator("restricted", markings=[marking["id"]])
    plain = indicator("open")
    post(exchange, live_server, "kz", marking, restricted, plain)
    base = f"collections/{exchange.collection_id}/"
    reader = exchange.principals["ru"]
    with taxii(live_server, exchange.tokens["ru"]) as ru:
        assert audit_of_kaz(exchange) == []
        # not restricted: no entry, on either endpoint
        assert ru.get(base + "manifest/", params={"match[id]": plain["id"]}).status_code == 200
        assert ru.get(base + f"objects/{plain['id']}/versions/").status_code == 200
        assert audit_of_kaz(exchange) == []
        listed = ru.get(base + "manifest/", params={"match[type]": "indicator"})
        assert listed.status_code == 200
        assert {o["id"] for o in listed.json()["objects"]} == {restricted["id"], plain["id"]}
        after_manifest = audit_of_kaz(exchange)
        versions = ru.get(base + f"objects/{restricted['id']}/versions/")
        assert versions.status_code == 200 and versions.json()["versions"]
        after_versions = audit_of_kaz(exchange)
    assert len(after_manifest) == 1 and len(after_versions) == 2
    for entry, endpoint in zip(after_versions, ("manifest", "versions"), strict=True):
        body = entry["entry"]
        assert body["endpoint"] == endpoint and body["collection"] == exchange.collection_id
        assert body["reader"] == {"account": reader.account_id, "name": "ru account",
                                  "party": "RUS", "organization": "RU-CERT"}
        assert [o["id"] for o in body["objects"]] == [restricted["id"]]  # never the open one
    # the owner's party-admin reads the same entries over HTTP, and the chain verifies
    with api(live_server, exchange.tokens["kz_admin"]) as admin:
        served = admin.get("audit").json()["entries"]
    assert [e["entry"]["endpoint"] for e in served] == ["manifest", "versions"]
    assert audit.verify_audit(exchange.node.runtime)["ok"]


def delete(ex: Exchange, live_server: LiveServer, who: str, object_id: str) -> None:
    with taxii(live_server, ex.tokens[who]) as client:
        response = client.delete(f"collections/{ex.collection_id}/objects/{object_id}/")
    assert response.status_code == 200, response.text


def test_tombstones_are_listed_to_readers_of_the_deleted_version_only(
        live_server: LiveServer, exchange: Exchange) -> None:
    marking = restricted_marking("KAZ", ["RUS"])
    green = indicator("green")
    amber_ru = indicator("amber for RUS", tlp="amber", recipients={"parties": ["RUS"]})
    restricted = indicator("restricted", markings=[marking["id"]])
    post(exchange, live_server, "kz", marking, green, amber_ru, restricted)
    for obj in (green, amber_ru, restricted):
        delete(exchange, live_server, "kz", obj["id"])
    kz_account = exchange.principals["kz"].account_id
    with api(live_server, exchange.tokens["ru"]) as ru:
        before = len(audit_of_kaz(exchange))
        response = ru.get("collections/main/tombstones")
        assert response.status_code == 200, response.text
        listed = response.json()
    assert listed["collection"] == exchange.collection_id
    assert [t["id"] for t in listed["tombstones"]] == [green["id"], amber_ru["id"],
                                                        restricted["id"]]
    for tombstone in listed["tombstones"]:
        assert tombstone["deleted_by"] == {"account": kz_account, "party": "KAZ"}
        assert tombstone["producer_party"] == "KAZ"
        assert tombstone["version"] == "2026-11-20T10:00:00.000Z"
        assert tombstone["deleted_at"].startswith("2026-11-25T12:00:00")
    # the listing named KAZ's restricted object: one audit entry, naming only that one
    entries = audit_of_kaz(exchange)
    assert len(entries) == before + 1
    assert entries[-1]["entry"]["endpoint"] == "tombstones"
    assert entries[-1]["entry"]["reader"]["party"] == "RUS"
    assert [o["id"] for o in entries[-1]["entry"]["objects"]] == [restricted["id"]]
    # Belarus reads the collection but could read neither the amber nor the restricted version:
    # their tombstones do not exist for it, and listing what it may see is not audited
    with api(live_server, exchange.tokens["by"]) as by:
        response = by.get(f"collections/{exchange.collection_id}/tombstones")
    assert response.status_code == 200
    assert [t["id"] for t in response.json()["tombstones"]] == [green["id"]]
    assert amber_ru["id"] not in response.text and restricted["id"] not in response.text
    assert len(audit_of_kaz(exchange)) == before + 1


def test_tombstones_of_a_collection_another_party_may_not_read_are_404_or_403(
        live_server: LiveServer, exchange: Exchange) -> None:
    rt, admin = exchange.node.runtime, exchange.admin
    closed = collections.create_collection(rt, admin, title="KAZ and RUS",
                                           read_parties=["KAZ", "RUS"], write_parties=["KAZ"])
    drop_box = collections.create_collection(rt, admin, title="Drop box",
                                             read_parties=["KAZ"], write_parties=["BLR"])
    with api(live_server, exchange.tokens["by"]) as by:
        hidden = by.get(f"collections/{closed.id}/tombstones")
        unknown = by.get("collections/no-such-collection/tombstones")
        write_only = by.get(f"collections/{drop_box.id}/tombstones")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["detail"] == unknown.json()["detail"]  # the same answer, no side door
    assert write_only.status_code == 403 and write_only.json()["article"] == "Art. 6"
    with api(live_server, exchange.tokens["ru"]) as ru:
        assert ru.get(f"collections/{closed.id}/tombstones").json()["tombstones"] == []
    with api(live_server, None) as anonymous:
        assert anonymous.get(f"collections/{closed.id}/tombstones").status_code == 401
    # a certification body is no authorized body of the exchange: as for object reads
    with api(live_server, exchange.tokens["cert"]) as cert:
        assert cert.get(f"collections/{closed.id}/tombstones").status_code in (403, 404)
    accounts.authenticate(rt, exchange.tokens["by"])  # the tokens still work: nothing changed


def test_the_tombstones_endpoint_is_in_the_openapi_document(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        document = client.get("/api/openapi.json").json()
    operation = document["paths"]["/api/v1/exchange/collections/{key}/tombstones"]["get"]
    assert {"200", "403", "404"} <= set(operation["responses"])
    assert "Tombstones" in document["components"]["schemas"]
