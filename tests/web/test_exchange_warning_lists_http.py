"""Warning lists over real HTTP (issue 16, item 5), on both databases: an indicator of a value
the MISP warning lists name is stored, its status resource's success entry says so in its
`message` (TAXII 2.1 §4.3.1), the API object view carries the warnings beside the object, the
object page shows them, and exports leave the value out unless asked."""

from __future__ import annotations

import csv
import io

import httpx
import orjson

from tests.conftest import LiveServer
from tests.exchange_support import indicator
from tests.web.test_exchange_tombstones_and_audit import TAXII, api, taxii
from tests.web.ui_exchange_setup import NAMES, exchange_with_passwords
from tests.web.ui_session import sign_in

RESOLVER = {**indicator("public resolver"), "pattern": "[ipv4-addr:value = '8.8.8.8']"}
MIXED = {**indicator("resolver and c2"),
         "pattern": "[ipv4-addr:value = '8.8.4.4' OR domain-name:value = 'c2.kelisim-test.kz']"}
PLAIN = {**indicator("c2 only"), "pattern": "[domain-name:value = 'gate.kelisim-test.kz']"}


def test_a_warned_value_is_stored_with_a_warning_and_left_out_of_exports(
        live_server: LiveServer) -> None:
    ex = exchange_with_passwords(live_server.node)
    with taxii(live_server, ex.tokens["kz"]) as client:
        response = client.post(f"collections/{ex.collection_id}/objects/",
                               content=orjson.dumps({"objects": [RESOLVER, MIXED, PLAIN]}),
                               headers={"Content-Type": TAXII})
        assert response.status_code == 202, response.text
        status = response.json()
        assert status["success_count"] == 3 and status["failure_count"] == 0
        messages = {s["id"]: s.get("message") for s in status["successes"]}
        assert "8.8.8.8 is on 'List of known IPv4 public DNS resolvers'" in messages[
            RESOLVER["id"]]
        assert "8.8.4.4" in messages[MIXED["id"]] and "c2.kelisim-test.kz" not in messages[
            MIXED["id"]]
        assert messages[PLAIN["id"]] is None
        again = client.get(f"status/{status['id']}/").json()
        assert again["successes"] == status["successes"]
        stored = client.get(f"collections/{ex.collection_id}/objects/{RESOLVER['id']}/")
        assert stored.status_code == 200 and stored.json()["objects"] == [RESOLVER]
    with api(live_server, ex.tokens["by"]) as by:
        view = by.get(f"collections/main/objects/{RESOLVER['id']}").json()
        assert {"list": "List of known IPv4 public DNS resolvers",
                "value": "8.8.8.8"} in view["warnings"]
        assert by.get(f"collections/main/objects/{PLAIN['id']}").json()["warnings"] == []
        body = by.get("export/csv").text
        values = [r["value"] for r in csv.DictReader(io.StringIO(body))
                  if not r["type"].startswith("#")]
        assert sorted(values) == ["c2.kelisim-test.kz", "gate.kelisim-test.kz"]
        assert "# left out: 2 value(s) on the MISP warning lists" in body
        everything = by.get("export/csv", params={"include_warned": "true"}).text
        assert "8.8.8.8" in everything and "# left out" not in everything
        bundle = orjson.loads(by.get("export/stix").content)
        assert {o["id"] for o in bundle["objects"] if o["type"] == "indicator"} == {
            PLAIN["id"]}
        rules = by.get("export/suricata").text
        assert "8.8.8.8" not in rules and "c2.kelisim-test.kz" in rules
        assert "8.8.8.8" in by.get("export/suricata", params={"include_warned": "1"}).text
    with httpx.Client(base_url=live_server.base_url, timeout=10,
                      headers={"Accept-Language": "ru"}) as client:
        assert sign_in(client, NAMES["by"]).status_code == 303
        page = client.get(f"/exchange/collections/{ex.collection_id}/objects/"
                          f"{RESOLVER['id']}").text
        assert 'class="warning-lists"' in page and "List of known IPv4 public DNS" in page
        plain = client.get(f"/exchange/collections/{ex.collection_id}/objects/{PLAIN['id']}")
        assert 'class="warning-lists"' not in plain.text


