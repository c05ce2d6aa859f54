"""The record of every cross-border transfer (Art. 2 "cross-border transfer of information",
Art. 3 direction 7; issue 14 item 7).

What one node sends another is a transfer from one Party's authorized body to another state's.
The sending node appends each snapshot it sends a peer to a hash chain kept *for that peer*
(`transfers:RUS`, built with `kelisim.domain.ledger.make_link`): its seq is dense per peer and is
the peer's sync cursor, so the peer sees no gaps and counts nothing of what others are sent. The
receiving node keeps the mirror record of what arrived, one chain per origin Party
(`arrivals:KAZ`), each arrival with its proof (`pages.CopyProof`: the transfer, the origin's
signed page statement and the transfer's path in it), and returns a signed receipt
acknowledging every entry up to `through`, whose hash is `head`. So each side can prove what
crossed the border, and when (the link's `recorded_at`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from kelisim.domain.federation.replication import OriginVersion, Snapshot
from kelisim.domain.ledger import Link

RECEIPT_TYPE = "kelisim/receipt/1"
TRANSFERS_PREFIX = "transfers:"
ARRIVALS_PREFIX = "arrivals:"
_HASH = re.compile(r"[0-9a-f]{64}\Z")


def transfer_chain(peer: str) -> str:
    """The name of the sender's chain of transfers to `peer`."""
    return TRANSFERS_PREFIX + _party(peer)


def arrival_chain(origin: str) -> str:
    """The name of the receiver's chain of arrivals from `origin`."""
    return ARRIVALS_PREFIX + _party(origin)


def markings_summary(versions: Sequence[OriginVersion]) -> dict[str, Any]:
    """The markings of the versions sent, by version: TLP, recipient Parties and bodies,
    restricted-access owner and allowed Parties, producer's Party (sorted lists; JSON values)."""
    summary: dict[str, Any] = {}
    for v in versions:
        if v.version in summary:
            raise ValueError(f"version {v.version!r} appears twice")
        m = v.marking
        summary[v.version] = {
            "tlp": m.tlp,
            "recipient_parties": sorted(m.recipient_parties),
            "recipient_bodies": sorted(m.recipient_bodies),
            "restricted_owner": m.restricted_owner,
            "restricted_allowed": sorted(m.restricted_allowed),
            "producer_party": m.producer_party,
        }
    return summary


def transfer_entry(peer: str, snapshot: Snapshot, markings: Mapping[str, Any]) -> dict[str, Any]:
    """The entry appended to `transfer_chain(peer)` for one snapshot sent. `markings` is
    `markings_summary` of exactly the snapshot's versions (ValueError otherwise: the record says
    what was sent, no more and no less); a purge has none."""
    versions = [version for version, _ in snapshot.versions]
    if set(markings) != set(versions):
        raise ValueError("the markings summary does not name exactly the snapshot's versions")
    return {"peer": _party(peer), "collection": snapshot.collection, "object": snapshot.stix_id,
            "generation": snapshot.generation, "versions": _refs(snapshot),
            "markings": {version: markings[version] for version in versions}}


def arrival_entry(origin_party: str, origin_key_id: str, snapshot: Snapshot,
                  proof: Mapping[str, Any]) -> dict[str, Any]:
    """The entry appended to `arrival_chain(origin_party)` for one snapshot that arrived, with
    its proof (`pages.CopyProof.to_json`), so the record proves itself."""
    return {"origin": _party(origin_party), "origin_key": origin_key_id,
            "collection": snapshot.collection, "object": snapshot.stix_id,
            "generation": snapshot.generation, "versions": _refs(snapshot),
            "proof": dict(proof)}


def receipt_statement(sender_key_id: str, receiver_key_id: str, peer: str, through: int,
                      head: str) -> dict[str, Any]:
    """What the receiving node signs: it holds every entry of the sender's chain for `peer` up to
    `through`, the last of which has hash `head`."""
    if isinstance(through, bool) or not isinstance(through, int) or through < 1:
        raise ValueError(f"a receipt acknowledges entries from 1, not {through!r}")
    if not _HASH.match(head):
        raise ValueError("a receipt's head is a SHA-256 hex digest")
    return {"type": RECEIPT_TYPE, "from": sender_key_id, "to": receiver_key_id,
            "peer": _party(peer), "through": through, "head": head}


def receipt_matches(statement: Mapping[str, Any], link: Link) -> bool:
    """Whether a (verified) receipt acknowledges exactly this link of the sender's chain."""
    return (statement.get("type") == RECEIPT_TYPE and statement.get("through") == link.seq
            and statement.get("head") == link.hash)


def _refs(snapshot: Snapshot) -> list[list[str]]:
    return [[version, sha256] for version, sha256 in snapshot.versions]


def _party(code: str) -> str:
    if not code or ":" in code or "/" in code or code != code.strip():
        raise ValueError(f"not a Party code: {code!r}")
    return code
