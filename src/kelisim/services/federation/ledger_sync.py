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

The ledger is one history across the anchor's transitions: checkpoints signed by an old anchor
before its transition and by the new one are compared alike (each verified by the anchor that
spoke on its day, `node.anchor_spans`), and a checkpoint an old anchor dates after its
transition is kept as evidence with the transition (`anchor_evidence`); nodes relay the
transitions they hold, so a node the depositary keeps on its old key learns of the new one from
any peer (`_take_transitions`). Evidence that older builds cannot read (two anchors, a stale
anchor) is shown under `anchor_evidence`, beside the `split_views` of one anchor that every
build reads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kelisim.domain.errors import FederationError, InvalidInput, UntrustedSignature
from kelisim.domain.federation import anchor_evidence as stale
from kelisim.domain.federation import checkpoints as cps
from kelisim.domain.federation import roster as rosters
from kelisim.domain.federation.signing import key_id
from kelisim.domain.ledger import GENESIS_HASH, Head, Link
from kelisim.services.federation import node as nodes
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
        signed = _from_depositary(rt, page.get("checkpoint"), node.depositary_key)
        target = cps.verify_checkpoint(signed, node.depositary_key)
        fresh = [_link(e) for e in _entries(page)]
        links.extend(fresh)
        if start.seq + len(links) >= target.size or not fresh:
            break
    if target.size < start.seq:
        _against_own(rt, signed, [])
        raise FederationError(f"the depositary's node signed a ledger of {target.size} entries, "
                              f"but this node holds {start.seq}: a history was rewritten "
                              "(issue 14 item 2)")
    older = cps.Checkpoint(start.seq, start.hash, target.issued_at)
    if not cps.extends(older, links[:target.size - start.seq], target):
        _against_own(rt, signed, links[:target.size - start.seq])
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


def _from_depositary(rt: Runtime, document: Any, anchor: str) -> cps.SignedCheckpoint:
    """The depositary's checkpoint, if of the anchor this node trusts; one its old anchor dated
    after the transition is refused, and kept as evidence first."""
    try:
        return cps.checkpoint_from_json(document, anchor)
    except UntrustedSignature:
        evidence = _stale_evidence(rt, cps.checkpoint_from_json(document))
        if evidence is not None:
            _keep_document(rt, evidence.reason, stale.stale_anchor_to_json(evidence))
        raise


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
    cosignatures it holds of it, the split views it knows of, and the anchor's transitions."""
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
        known = [r["evidence"] for r in repo.split_views()]
    one_anchor = [e for e in known if _of_one_anchor(e)]
    return {"checkpoint": checkpoint, "cosignatures": cosignatures, "split_views": one_anchor,
            "anchor_evidence": [e for e in known if not _of_one_anchor(e)],
            "transitions": nodes.transition_rosters(rt)}


def _of_one_anchor(evidence: dict[str, Any]) -> bool:
    """Split-view evidence whose checkpoints are of one anchor: what every build reads."""
    if evidence.get("type") != cps.SPLIT_VIEW_TYPE:
        return False
    origins = {(evidence.get(k) or {}).get("checkpoint", {}).get("origin")
               for k in ("first", "second")}
    return len(origins) == 1


def compare_view(rt: Runtime, source_key: str, view: Any) -> int:
    """Take in a peer's `witness_view`: keep its checkpoint and any split view it proves or
    reports (each re-verified here). Returns how many new split views this node now knows."""
    require_node(rt)
    if not isinstance(view, dict):
        raise FederationError("a peer's checkpoint view is not a JSON object")
    found = _take_transitions(rt, view.get("transitions"))
    if view.get("checkpoint") is not None:
        found += _take_checkpoint(rt, source_key, view["checkpoint"])
    spans = nodes.anchor_spans(rt)
    for document in [*(view.get("split_views") or []), *(view.get("anchor_evidence") or [])]:
        found += _take_evidence(rt, document, spans)
    return found + check_witnessed(rt)


def _take_transitions(rt: Runtime, documents: Any) -> int:
    """The anchor's transitions a peer holds, each taken if it is from this node's anchor (it
    is signed by that anchor and its successor, whoever relays it, as TUF root metadata comes
    from any mirror): a depositary that withholds a transition from some nodes cannot keep them
    on its old key. Then this node's own last checkpoint, if the old anchor signed it after its
    transition, is evidence (1 if new)."""
    taken = False
    for document in documents if isinstance(documents, list) else ():
        try:
            held = require_node(rt).depositary_key
            if rosters.roster_from_json(document).roster.previous_key == held:
                taken = nodes.accept_roster(rt, document) or taken
        except FederationError:
            continue  # not a transition this node can take: the depositary's word decides
    if not taken:
        return 0
    with rt.unit_of_work() as uow:
        mine = FederationRepository(uow.connection).latest_checkpoint(DEPOSITARY_SOURCE)
    evidence = None if mine is None else _stale_evidence(rt, cps.checkpoint_from_json(
        mine["signed"]))
    if evidence is None:
        return 0
    return _keep_document(rt, evidence.reason, stale.stale_anchor_to_json(evidence))


def _take_checkpoint(rt: Runtime, source_key: str, document: Any) -> int:
    """Keep a peer's checkpoint; one an old anchor dated after its transition is not kept but
    is evidence itself (1 if new)."""
    try:
        anchor = anchor_key_of(rt, document)  # the anchor of its day, if not today's
    except UntrustedSignature:
        evidence = _stale_evidence(rt, cps.checkpoint_from_json(document))
        if evidence is None:
            raise
        return _keep_document(rt, evidence.reason, stale.stale_anchor_to_json(evidence))
    signed = cps.checkpoint_from_json(document, anchor)
    cp = cps.verify_checkpoint(signed, anchor)
    with rt.unit_of_work() as uow:
        FederationRepository(uow.connection).add_checkpoint(
            cp.size, cp.head, cps.checkpoint_to_json(signed), source_key, rt.clock())
        uow.commit()
    return 0


def _stale_evidence(rt: Runtime, signed: cps.SignedCheckpoint) -> stale.StaleAnchor | None:
    """The evidence a checkpoint of an old anchor dated after its transition gives with the
    transition this node holds, or None."""
    spans = nodes.anchor_spans(rt)
    for document in nodes.transition_rosters(rt):
        transition = rosters.roster_from_json(document)
        previous = transition.roster.previous_key
        if previous is None or key_id(previous) != signed.origin:
            continue
        try:
            return stale.stale_anchor(signed, transition, spans)
        except FederationError:
            return None
    return None


def _take_evidence(rt: Runtime, document: Any, spans: dict[str, rosters.AnchorSpan]) -> int:
    """Keep evidence a peer reports, if it verifies here (1 if new); garbage is refused."""
    kind = document.get("type") if isinstance(document, dict) else None
    if kind == stale.STALE_ANCHOR_TYPE:
        found = stale.stale_anchor_from_json(document, spans)
        if not stale.verify_stale_anchor(found, spans):
            return 0
        return _keep_document(rt, found.reason, stale.stale_anchor_to_json(found))
    try:
        evidence = cps.evidence_from_json(document, spans)
    except UntrustedSignature:
        return 0  # of an anchor this node never trusted: it cannot tell
    if cps.verify_split_view(evidence, spans):
        return _keep(rt, evidence)
    return 0


def check_witnessed(rt: Runtime) -> int:
    """Every checkpoint a peer showed, against this node's own chain; new split views kept.

    A checkpoint of this node's size with another head is evidence by itself; one of a smaller
    size is, with this node's entries from there to its own checkpoint (which chain to the
    depositary-signed head from a hash that is not the peer's): any node re-verifies both.
    Checkpoints of different anchors are compared alike, each verified by its own."""
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
    spans = nodes.anchor_spans(rt)
    own = cps.checkpoint_from_json(mine["signed"])
    found = 0
    for row, links in forks:
        theirs = cps.checkpoint_from_json(row["signed"])
        try:
            evidence = cps.split_view(theirs, own, spans,
                                      segment=links if row["size"] < mine["size"] else None)
        except UntrustedSignature:
            continue  # its anchor no longer known to speak on its day: not this node's word
        if evidence is not None:
            found += _keep(rt, evidence)
    return found


def _against_own(rt: Runtime, signed: cps.SignedCheckpoint, fetched: list[Link]) -> None:
    """The depositary just showed this node a checkpoint its own last one cannot lie on the
    chain of (whichever anchors signed them): keep the split view both prove, with the links
    (`fetched`, or this node's own when the new checkpoint is the smaller), before the sync is
    refused."""
    with rt.unit_of_work() as uow:
        mine = FederationRepository(uow.connection).latest_checkpoint(DEPOSITARY_SOURCE)
        if mine is None:
            return
        own = cps.checkpoint_from_json(mine["signed"])
        size, theirs = own.checkpoint.size, signed.checkpoint.size
        segment: list[Link] | None = (
            None if size == theirs else fetched if size < theirs
            else uow.ledger.links_after(theirs, size - theirs))
    if segment is not None and len(segment) != abs(size - theirs):
        return
    try:
        evidence = cps.split_view(own, signed, nodes.anchor_spans(rt), segment=segment)
    except FederationError:
        return  # the links do not chain to its head: garbage, not evidence
    if evidence is not None:
        _keep(rt, evidence)


def split_views(rt: Runtime) -> list[dict[str, Any]]:
    with rt.unit_of_work() as uow:
        rows = FederationRepository(uow.connection).split_views()
    return [{"detected_at": r["detected_at"].isoformat(), "reason": r["reason"],
             "evidence": r["evidence"]} for r in rows]


def _keep(rt: Runtime, evidence: cps.SplitView) -> int:
    return _keep_document(rt, evidence.reason, cps.evidence_to_json(evidence))


def _keep_document(rt: Runtime, reason: str, document: dict[str, Any]) -> int:
    with rt.unit_of_work() as uow:
        new = FederationRepository(uow.connection).add_split_view(reason, document, rt.clock())
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
