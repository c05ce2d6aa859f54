"""What this node sends each peer (issue 14 items 3, 4, 7): the origin's side of the exchange.

Before a peer's page is served, the node brings that peer's chain of transfers up to date
(`materialize`): for each of its own objects that changed since the peer's marks it asks the
domain (`replication.next_snapshot`) what the peer's Party is entitled to now, and appends each
snapshot to the chain `transfers:<peer>`. The chain's sequence is the peer's cursor: dense, so it
shows nothing of what others were sent or of changes the peer may not see. Objects this node
holds of other nodes are never sent on (no relay): each origin decides its own transfers.

A page carries each entry verbatim with its hash and the raw objects, and one signature, of the
page statement (`pages.page_statement`): the chain's head at the page's last entry and the Merkle
tree head over the page's entries, so that it proves the page to the peer and each entry (which
names every version's SHA-256) wherever a copy is kept. The peer verifies the page and returns a
signed receipt, kept here as the proof of what crossed the border.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from kelisim.domain import exchange_policy as policy
from kelisim.domain.errors import FederationError, InvalidInput
from kelisim.domain.federation import pages, transfers
from kelisim.domain.federation import replication as repl
from kelisim.domain.federation.signing import key_id, verify
from kelisim.domain.ledger import Link, decode_body
from kelisim.services.exchange.collections import parsed_parties
from kelisim.services.federation.node import Node
from kelisim.services.runtime import Runtime
from kelisim.storage.exchange_records import ExchangeRecords
from kelisim.storage.federation_objects import FederationObjects
from kelisim.storage.federation_repository import FederationRepository

MAX_PAGE = 1000
MATERIALIZE_BATCH = 2 * MAX_PAGE  # changes a collection taken into the chain a request


def materialize(rt: Runtime, node: Node, peer: str) -> tuple[int, bool]:
    """Append to `transfers:<peer>` a snapshot of own objects whose entitlement for the peer
    changed, at most about `MATERIALIZE_BATCH` changes a collection; returns how many were
    appended and whether every change was seen. One transaction, the peer's row locked: a first
    sync of a million objects is many short transactions, one a page asked for, not one that
    outlasts the peer's request. The marks keep each collection's read list as last seen: when
    it changes, every object of the collection is examined again, so a Party taken off the list
    has its copies purged and one put on it gets them."""
    own = node.party
    if own is None:
        return 0, True
    chain = transfers.transfer_chain(peer)
    appended, complete = 0, True
    with rt.unit_of_work() as uow:
        repo = FederationRepository(uow.connection)
        objects = FederationObjects(uow.connection)
        marks = dict(repo.lock_peer(peer)["marks"])
        head = repo.lock_chain(chain)
        for collection in ExchangeRecords(uow.connection).collections():
            cid, reads = collection["id"], collection["read_parties"]
            added, tomb, *seen = marks.get(cid, (0, 0))
            if seen and seen[0] != reads:
                added, tomb = 0, 0  # the read list changed: every object is examined again
            ids, added, tomb, seen_all = objects.changed_ids(cid, own, added, tomb,
                                                             MATERIALIZE_BATCH)
            marks[cid] = [added, tomb, reads]
            complete = complete and seen_all
            if not ids:
                continue
            readable = policy.collection_allows(peer, parsed_parties(reads))
            stored = objects.own_versions(cid, own, ids) if readable else {}
            sent = repo.sent(peer, cid, ids)
            entries: list[tuple[Any, dict[str, Any]]] = []
            now_sent: list[tuple[str, int, list[list[str]]]] = []
            for stix_id in sorted(ids):
                versions = tuple(repl.OriginVersion(v["version"], v["marking"], v["sha256"])
                                 for v in stored.get(stix_id, []))
                origin = repl.OriginObject(cid, stix_id, versions)
                last = sent.get(stix_id)
                snapshot = repl.next_snapshot(peer, origin, None if last is None else repl.Sent(
                    last[0], tuple((v, s) for v, s in last[1])))
                if snapshot is None:
                    continue
                chosen = [v for v in versions if v.ref in set(snapshot.versions)]
                entries.append((rt.clock(), transfers.transfer_entry(
                    peer, snapshot, transfers.markings_summary(chosen))))
                now_sent.append((stix_id, snapshot.generation,
                                 [list(ref) for ref in snapshot.versions]))
            head = repo.append_many(chain, head, entries)
            repo.record_sent(peer, cid, now_sent)
            appended += len(entries)
        repo.update_peer(peer, marks=marks)
        uow.commit()
    return appended, complete


def feed_page(rt: Runtime, node: Node, peer: str, after: int, limit: int) -> dict[str, Any]:
    """The peer's transfers after its cursor, each with what proves it and the objects;
    `pending` says that changes remain to be taken into the chain, so the peer asks again
    even when it has reached the head."""
    if after < 0:
        raise InvalidInput("after must be 0 or more (the last transfer applied)")
    _, complete = materialize(rt, node, peer)
    chain = transfers.transfer_chain(peer)
    limit = min(max(limit, 1), MAX_PAGE)
    with rt.unit_of_work() as uow:
        repo = FederationRepository(uow.connection)
        head = repo.chain_head(chain)
        links = repo.links(chain, after=after, limit=limit)
        entries = [decode_body(link.body) for link in links]
        collections = {e["entry"]["collection"] for e in entries}
        records = ExchangeRecords(uow.connection)
        meta = {cid: _collection_meta(records.collection(cid)) for cid in collections}
        raws = _raws(FederationObjects(uow.connection), str(node.party), entries)
    items = [_item(link, body["entry"], raws) for link, body in zip(links, entries, strict=True)]
    signature = None if not links else node.key.sign(page_of(node.key.key_id, chain, links))
    return {"origin": {"party": node.party, "key_id": node.key.key_id},
            "head": {"seq": head.seq, "hash": head.hash}, "collections": meta,
            "items": items, "signature": signature, "pending": not complete}


def page_of(origin_key_id: str, chain: str, links: Sequence[Link]) -> dict[str, Any]:
    """The statement the origin signs for a page of `links` (`pages.page_statement`); the
    receiver builds it again from the links it was given, so that it trusts nothing else."""
    return pages.page_statement(origin_key_id, chain, links[-1].seq, links[-1].hash, len(links),
                                pages.tree_head([link.hash for link in links]))


def accept_receipt(rt: Runtime, node: Node, peer: str, peer_key: str, document: Any) -> None:
    """Keep a peer's signed receipt of its transfers up to `through`."""
    if not isinstance(document, dict) or not isinstance(document.get("receipt"), dict):
        raise FederationError("a receipt is {\"receipt\": {...}, \"signature\": \"...\"}")
    statement, signature = document["receipt"], document.get("signature")
    if not isinstance(signature, str) or not verify(peer_key, statement, signature):
        raise FederationError("the receipt is not signed by the requesting node's key")
    if (statement.get("from") != node.key.key_id or statement.get("to") != key_id(peer_key)
            or statement.get("peer") != peer):
        raise FederationError("the receipt names other nodes than this one and the sender")
    chain = transfers.transfer_chain(peer)
    through = statement.get("through")
    if not isinstance(through, int) or isinstance(through, bool) or through < 1:
        raise FederationError("a receipt's through is a transfer number from 1")
    with rt.unit_of_work() as uow:
        repo = FederationRepository(uow.connection)
        links = repo.links(chain, after=through - 1, limit=1)
        if not links or not transfers.receipt_matches(statement, links[0]):
            raise FederationError(f"the receipt does not match transfer {through} to {peer}")
        repo.add_receipt(chain, through, links[0].hash, document, rt.clock())
        uow.commit()


def _item(link: Link, entry: dict[str, Any], raws: dict[tuple[str, str, str], bytes]
          ) -> dict[str, Any]:
    versions: list[dict[str, Any]] | None = []
    for version, sha256 in entry["versions"]:
        raw = raws.get((entry["collection"], entry["object"], version))
        if raw is None or hashlib.sha256(raw).hexdigest() != sha256:
            versions = None  # deleted or changed since: a later transfer supersedes this one
            break
        assert versions is not None
        versions.append({"version": version, "raw": raw.decode()})
    return {"seq": link.seq, "body": link.body.decode(), "hash": link.hash, "versions": versions}


def _raws(objects: FederationObjects, producer: str, entries: list[dict[str, Any]]
          ) -> dict[tuple[str, str, str], bytes]:
    wanted: dict[str, list[tuple[str, str]]] = {}
    for body in entries:
        entry = body["entry"]
        wanted.setdefault(entry["collection"], []).extend(
            (entry["object"], version) for version, _ in entry["versions"])
    found: dict[tuple[str, str, str], bytes] = {}
    for cid, pairs in wanted.items():
        for (stix_id, version), raw in objects.raws(cid, producer, pairs).items():
            found[(cid, stix_id, version)] = raw
    return found


def _collection_meta(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"title": row["title"], "description": row["description"],
            "read_parties": None if row["read_parties"] is None
            else sorted(parsed_parties(row["read_parties"]) or ())}
