"""Producer chains over real TAXII HTTP (STIX 2.1 section 3.6; Art. 6; decision 0005): a blind
post of another Party's exact (id, version) gets the 202 a fresh object gets, and a reader who
sees both Parties' copies gets each chain's latest and a versions resource naming it once."""

from __future__ import annotations

import orjson
import pytest

from kelisim.domain.stix.extension import TLP_MARKING_IDS
from tests.conftest import LiveServer
from tests.exchange_support import Exchange, collection_client, indicator, setup_exchange

TAXII = "application/taxii+json;version=2.1"


@pytest.fixture
def exchange(live_server: LiveServer) -> Exchange:
    return setup_exchange(live_server.node)


client = collection_client


def without_ids(status: dict) -> dict:
    return {k: v for k, v in status.items() if k not in ("id", "request_timestamp")} | {
        "successes": [{k: v for k, v in s.items() if k != "id"} for s in status["successes"]]}


def test_a_blind_copy_is_told_nothing_and_readers_of_both_get_each_chain(
        live_server: LiveServer, exchange: Exchange) -> None:
    hidden = indicator("KAZ only", tlp="red")
    copy = {**hidden, "name": "BLR's", "object_marking_refs": [TLP_MARKING_IDS["green"]]}
    fresh = {**indicator("BLR's fresh"), "modified": hidden["modified"]}
    with client(live_server, exchange, "kz") as kz:
        assert kz.post("objects/", content=orjson.dumps({"objects": [hidden]})).status_code \
            == 202
    with client(live_server, exchange, "by") as by:
        blind = by.post("objects/", content=orjson.dumps({"objects": [copy]}))
        new = by.post("objects/", content=orjson.dumps({"objects": [fresh]}))
        assert blind.status_code == new.status_code == 202
        assert without_ids(blind.json()) == without_ids(new.json())
        assert "message" not in blind.json()["successes"][0]
    with client(live_server, exchange, "kz") as kz:
        names = sorted(o["name"] for o in kz.get(f"objects/{hidden['id']}/").json()["objects"])
        assert names == ["BLR's", "KAZ only"]  # the latest of each producer's chain
        versions = kz.get(f"objects/{hidden['id']}/versions/").json()["versions"]
        assert versions == [hidden["modified"]]  # one version, held by two chains: once
        only_kaz = kz.get("objects/", params={"match[id]": hidden["id"],
                                              "match[producer]": "KAZ"})
        assert [o["name"] for o in only_kaz.json()["objects"]] == ["KAZ only"]
    with client(live_server, exchange, "ru") as ru:
        assert [o["name"] for o in ru.get(f"objects/{hidden['id']}/").json()["objects"]] == [
            "BLR's"]
