"""One law everywhere (issue 14 item 2): every node holds the depositary's ledger, byte for byte.

The depositary's node serves its ledger in pages with a checkpoint (size and head) that it signs
at that moment. A Party's node appends a page only when the entries chain from its own head to
the head the checkpoint names (`checkpoints.extends`), all in one transaction, so its copy is
always a prefix of a history the depositary signed; the status is then computed locally by the
same code as on the depositary's node. The node co-signs each checkpoint it verified (a
witness) and sends the cosignature back to the depositary, which publishes it.

Nodes also show each other the checkpoint they verified last. A depositary that showed one
Party a history other than another's is caught by whichever node holds a chain on which the
other's checkpoint does not lie: both signed checkpoints are kept as evidence, which any node
re-verifies (`checkpoints.verify_split_view`) before it keeps a copy, and every node reports it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kelisim.domain.errors import FederationError, InvalidInput
from kelisim.domain.federation import checkpoints as cps
from kelisim.domain.ledger import GENESIS_HASH, Head, Link
from kelisim.services.federation.node import Node, anchor_key_of, require_node
from kelisim.services.runtime import Runtime
from kelisim.storage.federation_repository import FederationRepository

DEPOSITARY_SOURCE = "depositary"
MAX_PAGE = 5000


def signed_checkpoint(rt: Runtime, node: Node) -> dict[str, Any]:
    """The depositary's checkpoint of its ledger now, signed by its node."""
    with rt.unit_of_work() as uow:
        head = uow.ledger.head() or Head(0, GENESIS_HASH)
    signed = cps.sign_checkpoint(cps.Checkpoint(head.seq, head.hash, rt.clock()), node.key)
    return cps.checkpoint_to_json(signed, node.key.public_key)


def ledger_page(rt: Runtime, after: int, limit: int) -> dict[str, Any]:
    node = require_node(rt)
    if not node.is_depositary:
        raise InvalidInput("the ledger is served by the depositary's node (issue 14 item 2)")
    checkpoint = signed_checkpoint(rt, node)
    with rt.unit_of_work() as uow:
        links = uow.ledger.links_after(after, min(max(limit, 1), MAX_PAGE))
    size = checkpoint["checkpoint"]["size"]
    links = [link for link in links if link.seq <= size]
    return {"checkpoint": checkpoint,
            "entries": [{"seq": link.seq, "body": link.body.decode(), "hash": link.hash}
                        for link in links]}


def replicate_ledger(rt: Runtime, fetch: Callable[[int], dict[str, Any]]) -> dict[str, Any]:
    """Bring this node's copy up to the depositary's checkpoint; `fetch(after)` returns one
    `ledger_page` of the depositary's node. Returns the cosignature to send back."""
    node = require_node(rt)
    with rt.unit_of_work() as uow:
        start = uow.ledger.head() or Head(0, GENESIS_HASH)
    links: list[Link] = []
    signed: cps.SignedCheckpoint | None = None
    while True:
        page = fetch(start.seq + len(links))
        signed = cps.checkpoint_from_json(page.get("checkpoint"), node.depositary_key)
        target = cps.verify_checkpoint(signed, node.depositary_key)
        fresh = [_link(e) for e in _entries(page)]
        links.extend(fresh)
        if start.seq + len(links) >= target.size or not fresh:
            break
    if target.size < start.seq:
        raise FederationError(f"the depositary's node signed a ledger of {target.size} entries, "
                              f"but this node holds {start.seq}: a history was rewritten "
                              "(issue 14 item 2)")
    older = cps.Checkpoint(start.seq, start.hash, target.issued_at)
    if not cps.extends(older, links[:target.size - start.seq], target):
        raise FederationError("the depositary's entries do not chain from this node's head to "
                              "the checkpoint it signed; nothing was appended (issue 14 item 2)")
    with rt.unit_of_work() as uow:
        head = uow.ledger.lock()
        if head != start:
            raise FederationError("the ledger copy changed during the sync; try again")
        for link in links[:target.size - start.seq]:
            head = uow.ledger.append_replicated(head, link)
        repo = FederationRepository(uow.connection)
        repo.add_checkpoint(target.size, target.head, cps.checkpoint_to_json(signed),
                            DEPOSITARY_SOURCE, rt.clock())
        cosignature = cps.cosign(node.key, target, node.depositary_key)
        document = cps.cosignature_to_json(cosignature)
        repo.save_cosignature(node.key.public_key, target.size, target.head, document,
                              rt.clock())
        uow.commit()
    check_witnessed(rt)
    return {"appended": target.size - start.seq, "size": target.size, "cosignature": document}


def store_cosignature(rt: Runtime, witness_key: str, document: Any) -> None:
    """At the depositary's node: keep a witness's cosignature of a checkpoint on its chain."""
    node = require_node(rt)
    cosignature = cps.cosignature_from_json(document, node.depositary_key)
    if cosignature.witness_key != witness_key or not cps.verify_cosignature(
            cosignature, node.depositary_key):
        raise FederationError("the cosignature is not the requesting node's")
    cp = cosignature.checkpoint
    with rt.unit_of_work() as uow:
        if uow.ledger.hash_at(cp.size) != cp.head:
            raise InvalidInput(f"the cosigned checkpoint (size {cp.size}) is not on this "
                               "node's ledger")
        FederationRepository(uow.connection).save_cosignature(witness_key, cp.size, cp.head,
                                                              document, rt.clock())
        uow.commit()


def witness_view(rt: Runtime) -> dict[str, Any]:
    """What this node shows its peers: the depositary checkpoint it verified last, the
    cosignatures it holds of it, and the split views it knows of."""
    node = require_node(rt)
    if node.is_depositary:
        checkpoint: dict[str, Any] | None = signed_checkpoint(rt, node)
    else:
        with rt.unit_of_work() as uow:
            row = FederationRepository(uow.connection).latest_checkpoint(DEPOSITARY_SOURCE)
        checkpoint = None if row is None else dict(row["signed"])
    with rt.unit_of_work() as uow:
        repo = FederationRepository(uow.connection)
        size = None if checkpoint is None else checkpoint["checkpoint"]["size"]
        cosignatures = [r["cosignature"] for r in repo.cosignatures(size)] if size else []
        split = [r["evidence"] for r in repo.split_views()]
    return {"checkpoint": checkpoint, "cosignatures": cosignatures, "split_views": split}


def compare_view(rt: Runtime, source_key: str, view: Any) -> int:
    """Take in a peer's `witness_view`: keep its checkpoint and any split view it proves or
    reports (each re-verified here). Returns how many new split views this node now knows."""
    require_node(rt)
    if not isinstance(view, dict):
        raise FederationError("a peer's checkpoint view is not a JSON object")
    found = 0
    if view.get("checkpoint") is not None:
        anchor = anchor_key_of(rt, view["checkpoint"])  # the anchor of its day, if not today's
        signed = cps.checkpoint_from_json(view["checkpoint"], anchor)
        cp = cps.verify_checkpoint(signed, anchor)
        with rt.unit_of_work() as uow:
            FederationRepository(uow.connection).add_checkpoint(
                cp.size, cp.head, cps.checkpoint_to_json(signed), source_key, rt.clock())
            uow.commit()
    for document in view.get("split_views") or []:
        anchor = anchor_key_of(rt, (document or {}).get("first")
                               if isinstance(document, dict) else None)
        evidence = cps.evidence_from_json(document, anchor)
        if cps.verify_split_view(evidence, anchor):
            found += _keep(rt, evidence, anchor)
    return found + check_witnessed(rt)


def check_witnessed(rt: Runtime) -> int:
    """Every checkpoint a peer showed, against this node's own chain; new split views kept.

    A checkpoint of this node's size with another head is evidence by itself; one of a smaller
    size is, with this node's entries from there to its own checkpoint (which chain to the
    depositary-signed head from a hash that is not the peer's): any node re-verifies both."""
    node = require_node(rt)
    if node.is_depositary:
        return 0
    with rt.unit_of_work() as uow:
        repo = FederationRepository(uow.connection)
        mine = repo.latest_checkpoint(DEPOSITARY_SOURCE)
        if mine is None:
            return 0
        forks = [(r, uow.ledger.links_after(r["size"], int(mine["size"]) - r["size"]))
                 for r in repo.checkpoints() if r["source"] != DEPOSITARY_SOURCE
                 and r["size"] <= mine["size"] and uow.ledger.hash_at(r["size"]) != r["head"]]
    anchor = anchor_key_of(rt, mine["signed"])
    own = cps.checkpoint_from_json(mine["signed"], anchor)
    found = 0
    for row, links in forks:
        if anchor_key_of(rt, row["signed"]) != anchor:
            continue  # signed by another anchor (before a transition): one key's word each
        theirs = cps.checkpoint_from_json(row["signed"], anchor)
        evidence = cps.split_view(theirs, own, anchor,
                                  segment=links if row["size"] < mine["size"] else None)
        if evidence is not None:
            found += _keep(rt, evidence, anchor)
    return found


def split_views(rt: Runtime) -> list[dict[str, Any]]:
    with rt.unit_of_work() as uow:
        rows = FederationRepository(uow.connection).split_views()
    return [{"detected_at": r["detected_at"].isoformat(), "reason": r["reason"],
             "evidence": r["evidence"]} for r in rows]


def _keep(rt: Runtime, evidence: cps.SplitView, anchor: str) -> int:
    document = cps.evidence_to_json(evidence, anchor)
    with rt.unit_of_work() as uow:
        new = FederationRepository(uow.connection).add_split_view(evidence.reason, document,
                                                                  rt.clock())
        uow.commit()
    return int(new)


def _entries(page: dict[str, Any]) -> list[Any]:
    entries = page.get("entries")
    if not isinstance(entries, list):
        raise FederationError("the depositary's ledger page has no list of entries")
    return entries


def _link(entry: Any) -> Link:
    try:
        return Link(int(entry["seq"]), str(entry["body"]).encode(), str(entry["hash"]))
    except (KeyError, TypeError, ValueError):
        raise FederationError("a ledger entry from the depositary's node is malformed") from None
