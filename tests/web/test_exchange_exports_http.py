"""Exports and the lifecycle over real HTTP, on both databases: the API streams each format as
an attachment with problem details for what it refuses, the API object view carries the
lifecycle beside the stored object, and the UI's object list offers the download and the object
page shows the lifecycle."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer
from tests.exchange_support import Exchange, indicator
from tests.web.test_exchange_tombstones_and_audit import api
from tests.web.ui_exchange_setup import NAMES, exchange_with_passwords, post
from tests.web.ui_session import sign_in

LIVE = {**indicator("live one"), "pattern": "[ipv4-addr:value = '195.210.46.30']"}
REVOKED = {**indicator("revoked one"), "pattern": "[ipv4-addr:value = '195.210.46.31']",
           "revoked": True}
AMBER = {**indicator("amber for RUS", tlp="amber", recipients={"parties": ["RUS"]}),
         "pattern": "[domain-name:value = 'amber.example']"}


@pytest.fixture
def exchange(live_server: LiveServer) -> Exchange:
    found = exchange_with_passwords(live_server.node)
    post(live_server.node, found.principals["kz"], found.collection_id, [LIVE, REVOKED, AMBER])
    return found


def rows(text: str) -> list[dict[str, Any]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_exports_stream_as_attachments_and_objects_show_their_lifecycle(live_server: LiveServer,
                                                exchange: Exchange) -> None:
    with api(live_server, exchange.tokens["by"]) as by:
        with by.stream("GET", "export/csv", params={"collection": "main"}) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/csv")
            assert response.headers["content-disposition"].startswith("attachment; filename=")
            body = b"".join(response.iter_bytes()).decode()
        assert [r["indicator_id"] for r in rows(body)] == [LIVE["id"]]  # no amber, no revoked
        everything = by.get("export/csv", params={"include_expired": "true"}).text
        assert {r["indicator_id"] for r in rows(everything)} == {LIVE["id"], REVOKED["id"]}
        rules = by.get("export/suricata")
        assert rules.status_code == 200 and "TLP:GREEN" in rules.text
        for bad, status in (("export/xml", 400), ("export/csv?collection=nope", 404)):
            refused = by.get(bad)
            assert refused.status_code == status, refused.text
            assert refused.headers["content-type"].startswith("application/problem+json")
        view = by.get(f"collections/main/objects/{REVOKED['id']}").json()
        assert view["object"] == REVOKED
        assert view["lifecycle"]["state"] == "revoked" and view["lifecycle"]["score"] == 0
        assert by.get(f"collections/main/objects/{AMBER['id']}").status_code == 404
    with api(live_server, exchange.tokens["ru"]) as ru:
        view = ru.get(f"collections/main/objects/{AMBER['id']}").json()
        assert view["lifecycle"]["state"] == "active" and 0 < view["lifecycle"]["score"] <= 100
        assert "amber.example" in ru.get("export/stix").text
    with api(live_server, None) as anonymous:
        assert anonymous.get("export/csv").status_code == 401
    schema = httpx.get(live_server.base_url + "/api/openapi.json").json()
    assert "/api/v1/exchange/export/{format}" in schema["paths"]
    # the UI: the object list offers the download, the object page shows the lifecycle
    with httpx.Client(base_url=live_server.base_url, timeout=10,
                      headers={"Accept-Language": "ru"}) as client:
        assert sign_in(client, NAMES["by"]).status_code == 303
        listing = client.get(f"/exchange/collections/{exchange.collection_id}").text
        link = f"/exchange/collections/{exchange.collection_id}/export/misp"
        assert link in listing and "Скачать" in listing
        download = client.get(f"/exchange/collections/{exchange.collection_id}/export/csv")
        assert download.status_code == 200
        assert download.headers["content-disposition"].startswith("attachment")
        assert [r["indicator_id"] for r in rows(download.text)] == [LIVE["id"]]
        page = client.get(f"/exchange/collections/{exchange.collection_id}/objects/"
                          f"{REVOKED['id']}").text
        assert "lifecycle-revoked" in page and "отозван" in page
