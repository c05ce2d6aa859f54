"""The record of cross-border transfers (issue 14 item 7; Art. 2, Art. 3 direction 7).

A sender's transfers to one peer, and the receiver's arrivals from one origin, are hash chains
built with the ledger's `make_link`: `verify_chain` finds nothing in an untouched record and
names the entry that was edited, removed or reordered; a receipt acknowledges exactly one head.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import rfc8785

from kelisim.domain.exchange_policy import Marking
from kelisim.domain.federation.replication import (
    OriginObject,
    OriginVersion,
    Sent,
    Snapshot,
    entitled_versions,
    next_snapshot,
)
from kelisim.domain.federation.transfers import (
    arrival_chain,
    arrival_entry,
    markings_summary,
    receipt_matches,
    receipt_statement,
    transfer_chain,
    transfer_entry,
)
from kelisim.domain.ledger import (
    GENESIS_HASH,
    Head,
    Link,
    canonical_json,
    decode_body,
    make_link,
    verify_chain,
)

T0 = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
KEY_KAZ, KEY_RUS = "a" * 32, "b" * 32


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def kaz(tlp: str, **fields: Any) -> Marking:
    return Marking(tlp, producer_party="KAZ", producer_body="KAZ/KZ-CERT", **fields)


V1 = OriginVersion("2026-01-01T00:00:00.000000Z", kaz("green"), sha("v1"))
V2 = OriginVersion("2026-01-02T00:00:00.000000Z",
                   kaz("amber", recipient_parties=frozenset({"RUS", "BLR"}),
                       recipient_bodies=frozenset({"RUS/RU-CERT", "BLR/BY-CERT"}),
                       restricted_owner="KAZ", restricted_allowed=frozenset({"RUS", "ARM"})),
                   sha("v2"))
V3 = OriginVersion("2026-01-03T00:00:00.000000Z", kaz("red"), sha("v3"))


def history() -> list[tuple[Snapshot, list[OriginVersion]]]:
    """What KAZ sends RUS as an object gains versions, is reclassified, then declassified."""
    states = [(V1,), (V1, V2), (V1, V2, V3), (V1, V2, V3, dataclasses.replace(
        V3, version="2026-01-04T00:00:00.000000Z", marking=kaz("clear"), sha256=sha("v4")))]
    sent: Sent | None = None
    out = []
    for versions in states:
        obj = OriginObject("collection-1", "indicator--1", versions)
        snapshot = next_snapshot("RUS", obj, sent)
        assert snapshot is not None
        sent = snapshot.sent
        out.append((snapshot, list(entitled_versions("RUS", obj))))
    assert out[2][0].is_purge and not out[3][0].is_purge
    return out


def chain(entries: list[dict[str, Any]]) -> list[Link]:
    links: list[Link] = []
    for seq, entry in enumerate(entries, start=1):
        links.append(make_link(seq, T0 + timedelta(seconds=seq), entry,
                               links[-1].hash if links else GENESIS_HASH))
    return links


def transfers() -> list[Link]:
    return chain([transfer_entry("RUS", s, markings_summary(sent)) for s, sent in history()])


def test_the_chains_are_named_per_party() -> None:
    assert transfer_chain("RUS") == "transfers:RUS"
    assert arrival_chain("KAZ") == "arrivals:KAZ"
    for bad in ("", "RUS:X", "KAZ/KZ-CERT", " RUS"):
        with pytest.raises(ValueError):
            transfer_chain(bad)


def test_the_markings_summary_is_sorted_json_by_version() -> None:
    summary = markings_summary([V1, V2])
    assert summary[V2.version] == {
        "tlp": "amber", "recipient_parties": ["BLR", "RUS"],
        "recipient_bodies": ["BLR/BY-CERT", "RUS/RU-CERT"], "restricted_owner": "KAZ",
        "restricted_allowed": ["ARM", "RUS"], "producer_party": "KAZ"}
    assert list(summary) == [V1.version, V2.version]
    assert decode_body(rfc8785.dumps(summary)) == summary  # survives canonical JSON unchanged
    with pytest.raises(ValueError):
        markings_summary([V1, V1])


def test_a_transfer_entry_records_what_was_sent_and_its_markings() -> None:
    snapshot, sent = history()[1]
    entry = transfer_entry("RUS", snapshot, markings_summary(sent))
    assert entry == {"peer": "RUS", "collection": "collection-1", "object": "indicator--1",
                     "generation": 2, "versions": [[V1.version, V1.sha256],
                                                   [V2.version, V2.sha256]],
                     "markings": markings_summary([V1, V2])}
    canonical_json(entry)


def test_a_transfer_entry_refuses_markings_of_other_versions() -> None:
    snapshot, _ = history()[1]
    with pytest.raises(ValueError):
        transfer_entry("RUS", snapshot, markings_summary([V1]))  # one sent version unrecorded
    with pytest.raises(ValueError):
        transfer_entry("RUS", snapshot, markings_summary([V1, V2, V3]))  # one not sent


def test_a_purge_is_recorded_with_no_versions() -> None:
    purge, sent = history()[2]
    assert transfer_entry("RUS", purge, markings_summary(sent))["versions"] == []


def test_an_untouched_transfer_record_verifies() -> None:
    links = transfers()
    assert verify_chain(links, Head(links[-1].seq, links[-1].hash)) == []
    assert [decode_body(link.body)["entry"]["generation"] for link in links] == [1, 2, 3, 4]


def reseal(link: Link, body: dict[str, Any]) -> Link:
    data = canonical_json(body)
    return Link(link.seq, data, hashlib.sha256(data).hexdigest())


def tamper_generation(links: list[Link]) -> list[Link]:
    body = decode_body(links[1].body)
    body["entry"]["generation"] = 9
    return [links[0], Link(links[1].seq, canonical_json(body), links[1].hash), *links[2:]]


def tamper_and_rehash(links: list[Link]) -> list[Link]:
    body = decode_body(links[1].body)
    body["entry"]["markings"][V2.version]["tlp"] = "green"  # the record hides an AMBER transfer
    return [links[0], reseal(links[1], body), *links[2:]]


def drop_one(links: list[Link]) -> list[Link]:
    return [links[0], *links[2:]]


def swap(links: list[Link]) -> list[Link]:
    return [links[0], links[2], links[1], links[3]]


def truncate(links: list[Link]) -> list[Link]:
    return links[:-1]


@pytest.mark.parametrize("tamper", [tamper_generation, tamper_and_rehash, drop_one, swap,
                                    truncate], ids=lambda f: f.__name__)
def test_tampering_with_the_transfer_record_is_detected(tamper: Any) -> None:
    links = transfers()
    head = Head(links[-1].seq, links[-1].hash)
    assert verify_chain(tamper(links), head) != []


def test_the_arrival_record_mirrors_the_transfers_with_their_proofs() -> None:
    entries = [arrival_entry("KAZ", KEY_KAZ, s, {"signature": f"sig-{s.generation}"})
               for s, _ in history()]
    assert entries[0] == {"origin": "KAZ", "origin_key": KEY_KAZ, "collection": "collection-1",
                          "object": "indicator--1", "generation": 1,
                          "versions": [[V1.version, V1.sha256]],
                          "proof": {"signature": "sig-1"}}
    links = chain(entries)
    assert verify_chain(links, Head(4, links[-1].hash)) == []
    body = decode_body(links[0].body)
    body["entry"]["proof"]["signature"] = "sig-forged"
    assert verify_chain([reseal(links[0], body), *links[1:]], Head(4, links[-1].hash)) != []


def test_a_receipt_acknowledges_one_head_of_the_senders_chain() -> None:
    links = transfers()
    receipt = receipt_statement(KEY_KAZ, KEY_RUS, "RUS", 3, links[2].hash)
    assert receipt == {"type": "kelisim/receipt/1", "from": KEY_KAZ, "to": KEY_RUS,
                       "peer": "RUS", "through": 3, "head": links[2].hash}
    rfc8785.dumps(receipt)
    assert receipt_matches(receipt, links[2])
    assert not receipt_matches(receipt, links[3])
    assert not receipt_matches(receipt, tamper_and_rehash(links)[1])
    rehashed = tamper_and_rehash(links[:3])
    assert not receipt_matches(receipt, chain([decode_body(link.body)["entry"]
                                               for link in rehashed])[2])
    assert not receipt_matches({**receipt, "type": "kelisim/snapshot/1"}, links[2])


@pytest.mark.parametrize(("through", "head"), [(0, "0" * 64), (True, "0" * 64), (2, "x"),
                                               (2, "A" * 64)])
def test_a_malformed_receipt_is_refused(through: Any, head: str) -> None:
    with pytest.raises(ValueError):
        receipt_statement(KEY_KAZ, KEY_RUS, "RUS", through, head)
