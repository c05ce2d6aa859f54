"""Each producing Party's versions of an id are a chain of their own (STIX 2.1 section 3.6; Art. 6;
decision 0005), on both databases: a post of the exact (id, version) another Party holds, unseen,
is answered as for a fresh object; the creator's readers are unaffected; readers who see both
Parties' chains get the latest (first) version of each, told apart by producer."""

from __future__ import annotations

import orjson
import pytest
from alembic import command
from sqlalchemy import select, update

from kelisim.domain.exchange_policy import Endpoint
from kelisim.domain.stix.extension import TLP_MARKING_IDS
from kelisim.domain.taxii import Query
from kelisim.services.exchange import intake, reading
from kelisim.storage.database import alembic_config, upgrade
from kelisim.storage.schema import exchange_objects as T
from tests.conftest import Node
from tests.exchange_support import Exchange, indicator, setup_exchange

V1, V2, V3 = (f"2026-11-2{d}T10:00:00.000Z" for d in (0, 1, 2))


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def post(ex: Exchange, who: str, *objects: dict) -> dict:
    rt = ex.node.runtime
    status_id = intake.accept_envelope(rt, ex.principals[who], ex.collection_id,
                                       orjson.dumps({"objects": list(objects)}))
    intake.process_job(rt, status_id)
    return intake.get_status(rt, ex.principals[who], status_id)


def shape(status: dict) -> dict:
    """A status as its poster sees it, without what differs from one post to another."""
    return {k: v for k, v in status.items() if k not in ("id", "request_timestamp")} | {
        "successes": [{k: v for k, v in s.items() if k != "id"}
                      for s in status.get("successes", [])]}


def read(ex: Exchange, who: str, versions: str, stix_id: str) -> list[tuple[str, str, str]]:
    """(producer, version, name) of what `who` gets for the id, sorted."""
    page = reading.read_page(ex.node.runtime, ex.principals[who], ex.collection_id,
                             Query(ids=(stix_id,), versions=(versions,)), Endpoint.OBJECTS)
    return sorted((r.producer_party or "", r.version[:10], orjson.loads(r.raw)["name"])
                  for r in page.rows)


def kaz_red(name: str, modified: str) -> dict:
    return indicator(name, tlp="red", modified=modified)


def test_another_partys_exact_version_is_answered_as_a_fresh_object(ex: Exchange) -> None:
    hidden = kaz_red("KAZ only", V1)
    assert post(ex, "kz", hidden)["success_count"] == 1
    kaz_sees = {v: read(ex, "kz_reader", v, hidden["id"]) for v in ("last", "first", "all")}
    # Belarus cannot see it; its copy of the exact (id, version), for Russia only
    copy = indicator("BLR's", tlp="amber", recipients={"parties": ["RUS"]},
                     stix_id=hidden["id"], modified=V1)
    fresh = indicator("BLR's", tlp="amber", recipients={"parties": ["RUS"]}, modified=V1)
    told = post(ex, "by", copy)
    assert told["success_count"] == 1 and "message" not in told["successes"][0], told
    assert shape(told) == shape(post(ex, "by", fresh))
    # and Belarus's re-post of its own copy is "already stored", as for any of its objects
    assert post(ex, "by", copy)["successes"][0]["message"] == "already stored"
    # Kazakhstan's readers are unaffected: every read of the id answers as before
    assert {v: read(ex, "kz_reader", v, hidden["id"]) for v in kaz_sees} == kaz_sees
    assert kaz_sees["last"] == [("KAZ", V1[:10], "KAZ only")]
    # Russia sees Belarus's copy only, and never learns of Kazakhstan's
    assert read(ex, "ru", "all", hidden["id"]) == [("BLR", V1[:10], "BLR's")]
    # Belarus sees its own copy only
    assert read(ex, "by", "all", hidden["id"]) == [("BLR", V1[:10], "BLR's")]


def test_readers_who_see_both_chains_get_each_producers_last_and_first(ex: Exchange) -> None:
    created = kaz_red("KAZ v1", V1)
    created["object_marking_refs"] = [TLP_MARKING_IDS["green"]]
    narrowed = {**kaz_red("KAZ v3", V3), "id": created["id"]}
    assert post(ex, "kz", created, narrowed)["success_count"] == 2
    # Belarus sees v1 (green): its "new version" is refused, as STIX 2.1 s. 3.6 says
    rewrite = {**created, "modified": V2, "name": "BLR v2"}
    refused = post(ex, "by", rewrite)
    assert refused["failure_count"] == 1 and "creator" in refused["failures"][0]["message"]
    # ... and so is its post of the exact (id, v3) it cannot see: the same refusal, so nothing
    # tells it that v3 exists
    blind_exact = {**narrowed, "name": "BLR v3", "object_marking_refs": [
        TLP_MARKING_IDS["green"]]}
    again = post(ex, "by", blind_exact)
    assert again["failure_count"] == 1
    assert again["failures"][0]["message"] == refused["failures"][0]["message"]

    # Russia cannot see Kazakhstan's object at all: its blind versions are a chain of its own
    unseen = kaz_red("KAZ red v2", V2)
    assert post(ex, "kz", unseen)["success_count"] == 1
    blind = [{**unseen, "name": f"RUS v{n}", "modified": stamp,
              "object_marking_refs": [TLP_MARKING_IDS["green"]]}
             for n, stamp in ((1, V1), (3, V3))]
    assert post(ex, "ru", *blind)["success_count"] == 2
    # the creator's readers: their own chain's latest, and Russia's beside it (told apart by
    # producer), never Russia's v3 in place of Kazakhstan's v2
    assert read(ex, "kz_reader", "last", unseen["id"]) == [
        ("KAZ", V2[:10], "KAZ red v2"), ("RUS", V3[:10], "RUS v3")]
    assert read(ex, "kz_reader", "first", unseen["id"]) == [
        ("KAZ", V2[:10], "KAZ red v2"), ("RUS", V1[:10], "RUS v1")]
    kaz_only = Query(ids=(unseen["id"],), producer_parties=("KAZ",), versions=("last",))
    page = reading.read_page(ex.node.runtime, ex.principals["kz_reader"], ex.collection_id,
                             kaz_only, Endpoint.OBJECTS)
    assert [orjson.loads(r.raw)["name"] for r in page.rows] == ["KAZ red v2"]
    # Belarus sees Russia's chain only
    assert read(ex, "by", "last", unseen["id"]) == [("RUS", V3[:10], "RUS v3")]
    # superseded is per chain: Kazakhstan's v2 is its chain's latest
    with ex.node.runtime.unit_of_work() as uow:
        flags = {(r.producer_party, r.version[:10]): r.superseded for r in uow.connection.execute(
            select(T.c.producer_party, T.c.version, T.c.superseded)
            .where(T.c.stix_id == unseen["id"]))}
    assert flags == {("KAZ", V2[:10]): False, ("RUS", V1[:10]): True, ("RUS", V3[:10]): False}


def test_deleting_a_producers_latest_makes_its_previous_the_last_again(ex: Exchange) -> None:
    hidden = kaz_red("KAZ v1", V1)
    kaz_v2 = {**hidden, "modified": V2, "name": "KAZ v2"}
    assert post(ex, "kz", hidden, kaz_v2)["success_count"] == 2
    blind = {**hidden, "modified": V3, "name": "BLR v3",
             "object_marking_refs": [TLP_MARKING_IDS["green"]]}
    assert post(ex, "by", blind)["success_count"] == 1
    assert read(ex, "kz", "last", hidden["id"]) == [
        ("BLR", V3[:10], "BLR v3"), ("KAZ", V2[:10], "KAZ v2")]
    rt = ex.node.runtime
    assert reading.delete_object(rt, ex.principals["kz"], ex.collection_id, hidden["id"],
                                 Query(versions=("2026-11-21T10:00:00.000000Z",))) == 1
    assert read(ex, "kz", "last", hidden["id"]) == [
        ("BLR", V3[:10], "BLR v3"), ("KAZ", V1[:10], "KAZ v1")]


def test_migration_0008_keys_versions_by_producer(node: Node) -> None:
    """Rows stored before 0008, where a version by another Party marked the creator's latest as
    superseded, come out of the migration with per-producer flags; the downgrade refuses when
    two Parties hold one (id, version), which the earlier key cannot hold."""
    ex = setup_exchange(node)
    hidden = kaz_red("KAZ v1", V1)
    blind = {**hidden, "modified": V2, "name": "BLR v2",
             "object_marking_refs": [TLP_MARKING_IDS["green"]]}
    assert post(ex, "kz", hidden)["success_count"] == 1
    assert post(ex, "by", blind)["success_count"] == 1
    engine = node.runtime.uow.engine
    with engine.begin() as conn:  # what the earlier code stored: KAZ v1 superseded by BLR v2
        conn.execute(update(T).where(T.c.producer_party == "KAZ").values(superseded=True))
    config = alembic_config(engine)
    command.downgrade(config, "0007")
    command.upgrade(config, "0008")
    upgrade(engine)
    with engine.connect() as conn:
        flags = {r[0]: r[1] for r in conn.execute(select(T.c.producer_party, T.c.superseded)
                                                  .where(T.c.stix_id == hidden["id"]))}
    assert flags == {"KAZ": False, "BLR": False}
    assert read(ex, "kz", "last", hidden["id"]) == [
        ("BLR", V2[:10], "BLR v2"), ("KAZ", V1[:10], "KAZ v1")]
    same = {**hidden, "name": "BLR v1", "object_marking_refs": [TLP_MARKING_IDS["green"]]}
    assert post(ex, "by", same)["success_count"] == 1
    with pytest.raises(RuntimeError, match="more than one Party"):
        command.downgrade(config, "0007")
