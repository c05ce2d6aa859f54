"""The whole TAXII 2.1 surface over real HTTP, driven by the OASIS `taxii2-client` and by
`stix2`'s TAXIICollectionSource/Sink, on SQLite and PostgreSQL (issue 4, "Done means")."""

from __future__ import annotations

import pytest
import requests
import stix2
from taxii2client.common import TokenAuth
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from kelisim.services.exchange.publication import DEFINITIONS_COLLECTION_ID
from tests.conftest import LiveServer
from tests.exchange_support import Exchange, indicator, setup_exchange


@pytest.fixture
def exchange(live_server: LiveServer) -> Exchange:
    return setup_exchange(live_server.node)


def collection(live_server: LiveServer, ex: Exchange, who: str) -> Collection:
    url = f"{live_server.base_url}/taxii2/api1/collections/{ex.collection_id}/"
    return Collection(url, auth=TokenAuth(ex.tokens[who]))


def test_discovery_api_root_and_collections(live_server: LiveServer, exchange: Exchange) -> None:
    server = Server(f"{live_server.base_url}/taxii2/", auth=TokenAuth(exchange.tokens["ru"]))
    assert server.title == "kelisim"
    root = server.default
    assert isinstance(root, ApiRoot)
    assert root.versions == ["application/taxii+json;version=2.1"]
    assert root.max_content_length > 0
    by_id = {c.id: c for c in root.collections}
    assert set(by_id) == {exchange.collection_id, DEFINITIONS_COLLECTION_ID}
    found = by_id[exchange.collection_id]
    assert found.can_read and found.can_write
    assert found.media_types == ["application/stix+json;version=2.1"]
    public = requests.get(f"{live_server.base_url}/taxii2/", timeout=10)
    assert public.status_code == 200
    assert public.headers["content-type"] == "application/taxii+json;version=2.1"
    assert requests.get(f"{live_server.base_url}/taxii2/api1/", timeout=10).status_code == 401


def test_add_then_read_every_way(live_server: LiveServer, exchange: Exchange) -> None:
    kz, ru = collection(live_server, exchange, "kz"), collection(live_server, exchange, "ru")
    first = indicator("v1", modified="2026-11-20T10:00:00.000Z")
    second = {**first, "name": "v2", "modified": "2026-11-21T10:00:00.000Z"}
    others = [indicator(f"n{i}", threat_class="information_weapon" if i % 2 else None)
              for i in range(7)]
    status = kz.add_objects({"objects": [first, second, *others, {"type": "indicator"}]})
    assert status.status == "complete"
    assert (status.total_count, status.success_count, status.failure_count) == (10, 9, 1)
    assert status.failures[0]["id"] == "(no id)" and status.failures[0]["message"]
    again = ApiRoot(f"{live_server.base_url}/taxii2/api1/",
                    auth=TokenAuth(exchange.tokens["kz"])).get_status(status.id)
    assert again.success_count == 9

    whole = ru.get_objects()
    assert len(whole["objects"]) == 8 and whole["more"] is False  # last version per id
    assert next(o for o in whole["objects"] if o["id"] == first["id"])["name"] == "v2"
    pages = list(as_pages(ru.get_objects, per_request=3))
    assert [len(p.get("objects", [])) for p in pages] == [3, 3, 2]
    assert len({o["id"] for p in pages for o in p["objects"]}) == 8

    assert len(ru.get_objects(id=first["id"], version="all")["objects"]) == 2
    assert ru.get_objects(id=first["id"], version="first")["objects"][0]["name"] == "v1"
    assert ru.get_objects(id=first["id"],
                          version="2026-11-20T10:00:00.000Z")["objects"][0]["name"] == "v1"
    assert len(ru.get_objects(type="malware").get("objects", [])) == 0
    assert len(ru.get_objects(type="indicator", spec_version="2.1")["objects"]) == 8
    assert len(ru.get_objects(threat_class="information_weapon")["objects"]) == 3
    assert len(ru.get_objects(direction="9")["objects"]) == 8
    assert len(ru.get_objects(tlp="green")["objects"]) == 8
    assert ru.get_objects(tlp="none").get("objects", []) == []
    assert len(ru.get_objects(producer="kaz")["objects"]) == 8
    assert ru.get_objects(producer="RUS").get("objects", []) == []

    response = requests.get(ru.objects_url, headers={
        "Accept": "application/taxii+json;version=2.1",
        "Authorization": f"Bearer {exchange.tokens['ru']}"}, params={"limit": 2}, timeout=10)
    first_added = response.headers["X-TAXII-Date-Added-First"]
    last_added = response.headers["X-TAXII-Date-Added-Last"]
    assert first_added < last_added
    after = ru.get_objects(added_after=last_added)["objects"]
    assert len(after) == 6

    one = ru.get_object(first["id"])
    assert [o["name"] for o in one["objects"]] == ["v2"]
    versions = ru.object_versions(first["id"])
    # The version is the object's `modified`, as the producer wrote it (sections 5.3.1, 5.8.1).
    assert versions["versions"] == ["2026-11-20T10:00:00.000Z", "2026-11-21T10:00:00.000Z"]
    manifest = ru.get_manifest(limit=100)
    assert len(manifest["objects"]) == 8
    record = manifest["objects"][0]
    assert set(record) == {"id", "date_added", "version", "media_type"}
    stored = {o["id"]: o["modified"] for o in ru.get_objects(limit=100)["objects"]}
    assert all(r["version"] == stored[r["id"]] for r in manifest["objects"]
               if r["id"] in stored)


def test_delete_by_the_producer_only(live_server: LiveServer, exchange: Exchange) -> None:
    kz, ru = collection(live_server, exchange, "kz"), collection(live_server, exchange, "ru")
    obj = indicator("to delete")
    kz.add_objects({"objects": [obj]})
    with pytest.raises(requests.HTTPError) as refused:
        ru.delete_object(obj["id"])
    assert refused.value.response.status_code == 403
    assert refused.value.response.json()["http_status"] == "403"
    kz.delete_object(obj["id"])
    with pytest.raises(requests.HTTPError) as gone:
        ru.get_object(obj["id"])
    assert gone.value.response.status_code == 404


def test_stix2_source_and_sink(live_server: LiveServer, exchange: Exchange) -> None:
    sink = stix2.TAXIICollectionSink(collection(live_server, exchange, "kz"))
    malware = stix2.Malware(name="Fictional wiper", is_family=True)
    report = stix2.Report(name="Fictional campaign report", published="2026-11-20T00:00:00Z",
                          object_refs=[malware.id])
    sink.add([malware, report])
    source = stix2.TAXIICollectionSource(collection(live_server, exchange, "by"))
    assert source.get(malware.id).name == "Fictional wiper"
    assert {o.id for o in source.query([stix2.Filter("type", "=", "report")])} == {report.id}
    assert len(source.all_versions(malware.id)) == 1
    assert source.get("malware--00000000-0000-4000-8000-000000000000") is None


def test_the_agreement_vocabulary_is_published_read_only_and_valid(
        live_server: LiveServer, exchange: Exchange) -> None:
    from stix2validator import validate_instance

    from kelisim.domain.stix.extension import KELISIM_EXTENSION_ID, STATE_SECRET_MARKING_ID

    url = f"{live_server.base_url}/taxii2/api1/collections/{DEFINITIONS_COLLECTION_ID}/"
    published = Collection(url, auth=TokenAuth(exchange.tokens["ru"]))
    assert published.can_read and not published.can_write
    objects = {o["id"]: o for o in published.get_objects()["objects"]}
    assert KELISIM_EXTENSION_ID in objects and STATE_SECRET_MARKING_ID in objects
    assert objects[KELISIM_EXTENSION_ID]["extension_types"] == ["property-extension"]
    for obj in objects.values():
        assert validate_instance(obj).is_valid, obj["id"]
    refused = requests.post(published.objects_url, json={"objects": [indicator("x")]}, headers={
        "Content-Type": "application/taxii+json;version=2.1",
        "Accept": "application/taxii+json;version=2.1",
        "Authorization": f"Bearer {exchange.tokens['ru']}"}, timeout=10)
    assert refused.status_code == 403
