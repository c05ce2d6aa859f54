"""Signed checkpoints of the depositary's ledger, witness cosignatures, split-view evidence
(issue 14, item 2: one law everywhere).

The depositary's node is the one writer of the ledger (Art. 15), a hash chain
(`kelisim.domain.ledger`). As in Certificate Transparency and the C2SP signed-note checkpoints,
it signs a **checkpoint**: the chain's size (its last sequence number) and head (that entry's
hash; the genesis hash for an empty ledger). A node that replicates the ledger verifies the
links it received chain from the last checkpoint it trusts to the new one (`extends`), then
**co-signs** it as a witness. A depositary's node that shows one Party a different history from
another's must sign two checkpoints no single chain can explain: two heads for one size, or a
larger checkpoint whose chain does not pass through the smaller one's head. `split_view` finds
it; the evidence (both signed checkpoints, and the links when the sizes differ) can be sent to
and re-verified by every node, since it needs nothing but the depositary's public key.

A hash chain, not an RFC 9162 Merkle tree: every node replicates the whole ledger (it is small,
instruments of a treaty), so a consistency proof is the links themselves.

**Across anchor transitions.** The depositary's key rotates (a transition roster, signed by the
old anchor and the new, `roster.verify_roster_from`), but its ledger is one history: any two
checkpoints each validly signed by an anchor that spoke when it was issued (`Anchors`: the spans
`roster.anchor_spans` gives from the transitions a node took) must be consistent, whichever of
the anchors signed them. `split_view` compares them so; a checkpoint an old anchor dates after
its transition is evidence by itself (`anchor_evidence`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kelisim.domain.errors import FederationError, UntrustedSignature
from kelisim.domain.federation import _fields as f
from kelisim.domain.federation.roster import AnchorSpan, Roster, anchor_for, speaker
from kelisim.domain.federation.signing import NodeKey, key_id, verify
from kelisim.domain.ledger import GENESIS_HASH, Head, Link, decode_body, verify_chain

CHECKPOINT_TYPE = "kelisim/checkpoint/1"
COSIGNATURE_TYPE = "kelisim/cosignature/1"
SPLIT_VIEW_TYPE = "kelisim/split-view/1"
_HASH = re.compile(r"[0-9a-f]{64}")

Anchors = str | Mapping[str, AnchorSpan]
"""What verifies a depositary checkpoint: one anchor key, or (across transitions) the spans of
every anchor a node trusted, by key id (`roster.anchor_spans`)."""


@dataclass(frozen=True)
class Checkpoint:
    size: int
    head: str
    issued_at: datetime


def checkpoint_of(head: Head, issued_at: datetime) -> Checkpoint:
    """The checkpoint of a ledger whose head (`kelisim.domain.ledger.Head`) is `head`."""
    return Checkpoint(head.seq, head.hash, issued_at)


@dataclass(frozen=True)
class SignedCheckpoint:
    """`origin` is the id of the depositary key that signed it, when known (set by
    `sign_checkpoint` and `checkpoint_from_json`); verification checks it if set."""

    checkpoint: Checkpoint
    signature: str
    origin: str | None = None


def checkpoint_statement(cp: Checkpoint, depositary_key: str) -> dict[str, Any]:
    """The statement signed: `origin` is the depositary key's id, so a checkpoint of one log
    can never pass as another's."""
    return _statement(cp, key_id(depositary_key))


def _statement(cp: Checkpoint, origin: str) -> dict[str, Any]:
    _check_checkpoint(cp)
    return {"type": CHECKPOINT_TYPE, "origin": origin, "size": cp.size,
            "head": cp.head, "issued_at": f.iso_instant(cp.issued_at)}


def sign_checkpoint(cp: Checkpoint, key: NodeKey) -> SignedCheckpoint:
    return SignedCheckpoint(cp, key.sign(checkpoint_statement(cp, key.public_key)), key.key_id)


def verify_checkpoint(signed: SignedCheckpoint, depositary_key: str) -> Checkpoint:
    cp = signed.checkpoint
    if signed.origin is not None and signed.origin != key_id(depositary_key):
        raise UntrustedSignature(f"the checkpoint of size {cp.size} is of the log "
                                 f"{signed.origin}, not of the depositary key this node trusts "
                                 f"({key_id(depositary_key)}) (issue 14, item 2)")
    if not verify(depositary_key, checkpoint_statement(cp, depositary_key), signed.signature):
        raise UntrustedSignature(f"the checkpoint of size {cp.size} is not signed by the "
                                 f"depositary's node key: forged or altered (issue 14, item 2)")
    return cp


def checkpoint_to_json(signed: SignedCheckpoint,
                       depositary_key: str | None = None) -> dict[str, Any]:
    """`{"checkpoint": statement, "signature": ...}`; the origin is the signed checkpoint's,
    or `depositary_key`'s id when it has none."""
    return {"checkpoint": _statement(signed.checkpoint, _origin(signed, depositary_key)),
            "signature": signed.signature}


def _origin(signed: SignedCheckpoint, depositary_key: str | None) -> str:
    if depositary_key is not None:
        return key_id(depositary_key)
    if signed.origin is None:
        raise FederationError("the checkpoint's origin (depositary key) is not known")
    return signed.origin


def checkpoint_from_json(data: object, depositary_key: str | None = None) -> SignedCheckpoint:
    """The signed checkpoint in `data`, refused if malformed or (when `depositary_key` is given)
    of another origin. Its signature is checked by `verify_checkpoint`."""
    outer = f.mapping(data, "a signed checkpoint")
    body = f.mapping(outer.get("checkpoint"), "a checkpoint")
    f.expect_type(body, CHECKPOINT_TYPE, "a checkpoint")
    what = "a checkpoint"
    origin = f.field(body, "origin", str, what)
    cp = Checkpoint(size=f.field(body, "size", int, what), head=f.field(body, "head", str, what),
                    issued_at=f.parse_instant(f.field(body, "issued_at", str, what),
                                              "a checkpoint's issued_at"))
    _check_checkpoint(cp)
    if depositary_key is not None and origin != key_id(depositary_key):
        raise UntrustedSignature(f"the checkpoint is of the log {origin}, not of the depositary "
                                 f"key this node trusts ({key_id(depositary_key)}) (issue 14)")
    if set(body) != {"type", "origin", "size", "head", "issued_at"}:
        raise FederationError("a checkpoint holds unknown fields (issue 14)")
    if _statement(cp, origin) != dict(body):
        raise FederationError("a checkpoint's fields are not in their canonical form (issue 14)")
    return SignedCheckpoint(cp, f.field(outer, "signature", str, "a signed checkpoint"), origin)


def _check_checkpoint(cp: Checkpoint) -> None:
    if isinstance(cp.size, bool) or not isinstance(cp.size, int) or cp.size < 0:
        raise FederationError(f"a checkpoint's size is a count of ledger entries, not {cp.size!r}")
    if not isinstance(cp.head, str) or not _HASH.fullmatch(cp.head):
        raise FederationError("a checkpoint's head is a SHA-256 in lowercase hex")
    if cp.size == 0 and cp.head != GENESIS_HASH:
        raise FederationError("the checkpoint of an empty ledger has the genesis hash as head")
    if not isinstance(cp.issued_at, datetime):
        raise FederationError("a checkpoint's issued_at is an instant")


@dataclass(frozen=True)
class Cosignature:
    """A witness node's statement that it verified `checkpoint` (C2SP witness cosignature)."""

    witness_key: str
    checkpoint: Checkpoint
    signature: str
    origin: str | None = None

    @property
    def witness_key_id(self) -> str:
        return key_id(self.witness_key)


def cosignature_statement(witness_key: str, cp: Checkpoint,
                          depositary_key: str) -> dict[str, Any]:
    return {"type": COSIGNATURE_TYPE, "witness": key_id(witness_key),
            "checkpoint": checkpoint_statement(cp, depositary_key)}


def cosign(key: NodeKey, cp: Checkpoint, depositary_key: str) -> Cosignature:
    """Co-sign a checkpoint; the caller has verified it and that it extends what it held."""
    statement = cosignature_statement(key.public_key, cp, depositary_key)
    return Cosignature(key.public_key, cp, key.sign(statement), key_id(depositary_key))


def verify_cosignature(c: Cosignature, depositary_key: str) -> bool:
    """Whether the witness's key signed this checkpoint of this depositary. Whether the witness
    speaks for a Party is the roster's question (`roster.speaker`)."""
    try:
        if c.origin is not None and c.origin != key_id(depositary_key):
            return False
        statement = cosignature_statement(c.witness_key, c.checkpoint, depositary_key)
    except FederationError:
        return False
    return verify(c.witness_key, statement, c.signature)


def witnesses(cosignatures: Iterable[Cosignature], cp: Checkpoint, depositary_key: str,
              roster: Roster, on: date) -> dict[str | None, str]:
    """Party (None: the depositary) -> key id, for each node whose key speaks on `on` and
    validly co-signed exactly `cp`: who agrees with this checkpoint (issue 14, items 2, 8)."""
    agreeing: dict[str | None, str] = {}
    for c in cosignatures:
        if c.checkpoint != cp or not verify_cosignature(c, depositary_key):
            continue
        entry = speaker(roster, c.witness_key_id, on)
        if entry is not None and entry.public_key == c.witness_key:
            agreeing[entry.party] = entry.key_id
    return agreeing


def cosignature_to_json(c: Cosignature, depositary_key: str | None = None) -> dict[str, Any]:
    origin = _origin(SignedCheckpoint(c.checkpoint, c.signature, c.origin), depositary_key)
    return {"witness_key": c.witness_key,
            "cosignature": {"type": COSIGNATURE_TYPE, "witness": key_id(c.witness_key),
                            "checkpoint": _statement(c.checkpoint, origin)},
            "signature": c.signature}


def cosignature_from_json(data: object, depositary_key: str | None = None) -> Cosignature:
    outer = f.mapping(data, "a cosignature")
    body = f.mapping(outer.get("cosignature"), "a cosignature")
    f.expect_type(body, COSIGNATURE_TYPE, "a cosignature")
    witness_key = f.field(outer, "witness_key", str, "a cosignature")
    signature = f.field(outer, "signature", str, "a cosignature")
    inner = checkpoint_from_json({"checkpoint": body.get("checkpoint"), "signature": signature},
                                 depositary_key)
    if set(body) != {"type", "witness", "checkpoint"} or body["witness"] != key_id(witness_key):
        raise FederationError("a cosignature names another witness than its key, or holds "
                              "unknown fields (issue 14)")
    return Cosignature(witness_key, inner.checkpoint, signature, inner.origin)


def extends(older: Checkpoint, links: Sequence[Link], newer: Checkpoint) -> bool:
    """Whether `links` are entries older.size+1 .. newer.size, chaining from older's head to
    newer's (sequence continuity, each prev_hash in its body, each SHA-256): the newer
    checkpoint is an append-only extension of the older."""
    if newer.size < older.size or len(links) != newer.size - older.size:
        return False
    if older.size == 0 and older.head != GENESIS_HASH:
        return False
    return not verify_chain(links, Head(newer.size, newer.head),
                            after=Head(older.size, older.head))


@dataclass(frozen=True)
class SplitView:
    """Two checkpoints, both signed by the depositary's node, of incompatible histories.

    `links`, when the sizes differ, are the entries smaller.size+1 .. larger.size chaining to
    the larger head from a hash that is not the smaller's head: anyone can re-verify them.
    """

    first: SignedCheckpoint
    second: SignedCheckpoint
    reason: str
    links: tuple[Link, ...] = ()


def anchor_key(signed: SignedCheckpoint, anchors: Anchors) -> str:
    """The anchor key that verifies `signed`: the one key given, or the anchor its origin names
    if that anchor still spoke at its `issued_at` (UntrustedSignature otherwise: unknown, or
    dated after its transition)."""
    if isinstance(anchors, str):
        return anchors
    if signed.origin is None:
        raise FederationError("the checkpoint's origin (depositary key) is not known")
    return anchor_for(anchors, signed.origin, signed.checkpoint.issued_at)


def split_view(a: SignedCheckpoint, b: SignedCheckpoint, anchors: Anchors,
               hash_at: Callable[[int], str | None] | None = None, *,
               segment: Sequence[Link] | None = None) -> SplitView | None:
    """The split view `a` and `b` prove, or None if they may be one history.

    Both must be the depositary's, each verified by the anchor that spoke when it was issued
    (FederationError otherwise): one log across anchor transitions. One size and two heads is a
    split view. For different sizes: `segment` (links smaller.size+1 .. larger.size that chain
    to the larger head) proves one if its first prev_hash is not the smaller head; else, when
    `hash_at` (this node's verified chain: the hash of entry n, None beyond it) shows the larger
    checkpoint is on this node's chain, a different hash at the smaller size proves one.
    """
    first = verify_checkpoint(a, anchor_key(a, anchors))
    second = verify_checkpoint(b, anchor_key(b, anchors))
    if first.size == second.size:
        if first.head == second.head:
            return None
        return SplitView(a, b, f"two checkpoints of size {first.size} with different heads "
                               f"({first.head[:12]}..., {second.head[:12]}...)"
                               + _anchors_note(a, b))
    small, large = (a, b) if first.size < second.size else (b, a)
    if segment is not None:
        return _by_segment(small, large, tuple(segment))
    if hash_at is None or hash_at(large.checkpoint.size) != large.checkpoint.head:
        return None
    local = hash_at(small.checkpoint.size)
    if local is None or local == small.checkpoint.head:
        return None
    return SplitView(small, large, _fork_reason(small.checkpoint, large.checkpoint, local)
                     + _anchors_note(small, large))


def _anchors_note(a: SignedCheckpoint, b: SignedCheckpoint) -> str:
    if a.origin is None or b.origin is None or a.origin == b.origin:
        return ""
    return f", signed by the anchor {a.origin} and by its successor {b.origin}" if (
        a.checkpoint.issued_at <= b.checkpoint.issued_at) else (
        f", signed by the anchor {a.origin} and by its predecessor {b.origin}")


def _by_segment(small: SignedCheckpoint, large: SignedCheckpoint,
                links: tuple[Link, ...]) -> SplitView | None:
    s, big = small.checkpoint, large.checkpoint
    if len(links) != big.size - s.size or not links:
        raise FederationError(f"the links given are not entries {s.size + 1}..{big.size}")
    fork = _prev_hash(links[0])
    if fork is None or not extends(Checkpoint(s.size, fork, s.issued_at), links, big):
        raise FederationError(f"the links given do not chain to the head of the checkpoint of "
                              f"size {big.size}")
    if fork == s.head:
        return None
    return SplitView(small, large, _fork_reason(s, big, fork) + _anchors_note(small, large),
                     links)


def _fork_reason(small: Checkpoint, large: Checkpoint, fork: str) -> str:
    return (f"the checkpoint of size {large.size} continues a history whose entry {small.size} "
            f"is {fork[:12]}..., but the checkpoint of size {small.size} has head "
            f"{small.head[:12]}...")


def _prev_hash(link: Link) -> str | None:
    try:
        body = decode_body(link.body)
    except ValueError:
        return None
    value = body.get("prev_hash") if isinstance(body, dict) else None
    return value if isinstance(value, str) and _HASH.fullmatch(value) else None


def verify_split_view(evidence: SplitView, anchors: Anchors,
                      hash_at: Callable[[int], str | None] | None = None) -> bool:
    """Whether the evidence still proves a split view, on any node (re-verified from scratch)."""
    try:
        found = split_view(evidence.first, evidence.second, anchors, hash_at,
                           segment=evidence.links or None)
    except FederationError:
        return False
    return found is not None


def evidence_to_json(evidence: SplitView, depositary_key: str | None = None) -> dict[str, Any]:
    return {"type": SPLIT_VIEW_TYPE, "reason": evidence.reason,
            "first": checkpoint_to_json(evidence.first, depositary_key),
            "second": checkpoint_to_json(evidence.second, depositary_key),
            "links": [{"seq": link.seq, "body": link.body.decode("utf-8"), "hash": link.hash}
                      for link in evidence.links]}


def evidence_from_json(data: object, anchors: Anchors | None = None) -> SplitView:
    """The evidence in `data`, refused if malformed; `verify_split_view` re-verifies it.

    The reason is not signed: with `anchors`, evidence that proves a split view gets the reason
    this node computes itself, never the sender's words. One anchor key given: both checkpoints
    must be of it; the spans of the anchors: each of the anchor that spoke on its day."""
    depositary_key = anchors if isinstance(anchors, str) else None
    body: Mapping[str, Any] = f.mapping(data, "split-view evidence")
    f.expect_type(body, SPLIT_VIEW_TYPE, "split-view evidence")
    links = []
    for n, item in enumerate(f.field(body, "links", list, "split-view evidence"), 1):
        what = f"link {n} of the evidence"
        link = f.mapping(item, what)
        links.append(Link(f.field(link, "seq", int, what),
                          f.field(link, "body", str, what).encode("utf-8"),
                          f.field(link, "hash", str, what)))
    evidence = SplitView(checkpoint_from_json(body.get("first"), depositary_key),
                         checkpoint_from_json(body.get("second"), depositary_key),
                         f.field(body, "reason", str, "split-view evidence"), tuple(links))
    if anchors is not None:
        try:
            own = split_view(evidence.first, evidence.second, anchors,
                             segment=evidence.links or None)
        except FederationError:
            own = None
        if own is not None:
            return own
    return evidence
