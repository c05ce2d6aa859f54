"""TAXII 2.1 behaviours a client relies on beyond the happy path, over real HTTP: the delete
permission table (section 5.7), empty answers for an object whose versions the filters exclude
(sections 5.6, 5.8.1), and malformed version filters refused, not crashed on (section 3.4)."""

from __future__ import annotations

import orjson
import pytest

from kelisim.services import accounts
from kelisim.services.exchange import collections
from tests.conftest import LiveServer
from tests.exchange_support import Exchange, collection_client, indicator, setup_exchange

TAXII = "application/taxii+json;version=2.1"


@pytest.fixture
def exchange(live_server: LiveServer) -> Exchange:
    return setup_exchange(live_server.node)


client = collection_client


def test_delete_follows_the_read_and_write_table(live_server: LiveServer,
                                                 exchange: Exchange) -> None:
    rt = live_server.node.runtime
    admin = accounts.authenticate(rt, live_server.node.admin_token)
    obj = indicator("to delete")
    with client(live_server, exchange, "kz") as kz:
        assert kz.post("objects/", content=orjson.dumps({"objects": [obj]})).status_code == 202
        table = [(["KAZ", "RUS"], ["RUS"], 403),   # can_read, not can_write
                 (["RUS"], ["KAZ", "RUS"], 403),   # can_write, not can_read
                 (["RUS"], ["RUS"], 404)]          # neither: the collection is not there
        for reads, writes, expected in table:
            collections.grant(rt, admin, exchange.collection_id, read_parties=reads,
                              write_parties=writes)
            response = kz.delete(f"objects/{obj['id']}/")
            assert response.status_code == expected, (reads, writes, response.text)
            assert response.json()["http_status"] == str(expected)
        collections.grant(rt, admin, exchange.collection_id, read_parties=None,
                          write_parties=None)
        assert kz.get(f"objects/{obj['id']}/").json()["objects"][0]["id"] == obj["id"]
        assert kz.delete(f"objects/{obj['id']}/").status_code == 200
        assert kz.get(f"objects/{obj['id']}/").status_code == 404


def test_an_object_whose_versions_the_filters_exclude_is_an_empty_answer(
        live_server: LiveServer, exchange: Exchange) -> None:
    obj = indicator("one version")
    with client(live_server, exchange, "kz") as kz:
        kz.post("objects/", content=orjson.dumps({"objects": [obj]}))
    hidden = indicator("for KAZ only", tlp="red", recipients={"parties": ["KAZ"]})
    with client(live_server, exchange, "kz") as kz:
        assert kz.post("objects/", content=orjson.dumps({"objects": [hidden]})).json()[
            "success_count"] == 1
    with client(live_server, exchange, "ru") as ru:
        later = {"added_after": "2999-01-01T00:00:00.000000Z"}
        other = ru.get(f"objects/{obj['id']}/",
                       params={"match[version]": "2001-01-01T00:00:00.000Z"})
        assert other.status_code == 200 and other.json() == {"more": False}
        assert ru.get(f"objects/{obj['id']}/", params=later).json() == {"more": False}
        assert ru.get(f"objects/{obj['id']}/versions/", params=later).json() == {}
        versions = ru.get(f"objects/{obj['id']}/versions/").json()
        assert versions == {"more": False, "versions": [obj["modified"]]}
        # Never stored, or stored but not for this reader: the same 404, filters or not.
        for missing in ("indicator--00000000-0000-4000-8000-000000000000", hidden["id"]):
            for path in (f"objects/{missing}/", f"objects/{missing}/versions/"):
                assert ru.get(path).status_code == 404
                assert ru.get(path, params=later).status_code == 404


@pytest.mark.parametrize("version", ["9999-12-31T23:59:60Z", "9999-12-31T23:59:60.999999Z",
                                     "2026-02-30T00:00:00Z", "yesterday"])
def test_a_version_filter_that_is_no_timestamp_is_a_400(live_server: LiveServer,
                                                        exchange: Exchange, version: str) -> None:
    with client(live_server, exchange, "kz") as kz:
        for path in ("objects/", "manifest/"):
            response = kz.get(path, params={"match[version]": version})
            assert response.status_code == 400, response.text
            assert response.json()["details"]["parameter"] == "match[version]"


def test_a_method_a_resource_does_not_have_is_405_with_the_ones_it_has(
        live_server: LiveServer, exchange: Exchange) -> None:
    with client(live_server, exchange, "kz") as kz:
        for method, path, allowed in (
                ("PUT", "objects/", "GET, HEAD, OPTIONS, POST"),
                ("DELETE", "manifest/", "GET, HEAD, OPTIONS"),
                ("POST", f"objects/{indicator()['id']}/", "DELETE, GET, HEAD, OPTIONS"),
                ("PATCH", "", "GET, HEAD, OPTIONS")):
            response = kz.request(method, path)
            assert response.status_code == 405, (method, path, response.text)
            assert response.headers["Allow"] == allowed
            assert response.headers["Content-Type"].startswith("application/taxii+json")
            assert response.json()["http_status"] == "405"
        # a path no TAXII resource has stays 404
        assert kz.put("no-such-resource/").status_code == 404
