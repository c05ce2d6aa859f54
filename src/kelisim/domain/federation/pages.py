"""One signature for a page of transfers, and a proof for each copy that needs no other (issue 14
items 3, 7; docs/decisions/0014-federation.md).

The origin signs one statement a page: the chain, its head at the page's last transfer, and the
Merkle tree head (RFC 9162 section 2.1) over the hashes of the page's transfers. The head proves
the chain to the peer that pulls it (its entries chain from what it took before); the tree head
proves each transfer alone: a copy kept with its transfer's body, the page statement, its
signature and the transfer's inclusion path (ten hashes for a page of 1,000) can be shown
authentic anywhere, by anyone who knows the origin's key, without the rest of the page.

One signature a page instead of one a transfer is what lets a node take its peers' objects
about as fast as it ingests its own: an Ed25519 verification costs more than storing an object.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kelisim.domain.federation.signing import verify
from kelisim.domain.ledger import decode_body

PAGE_TYPE = "kelisim/transfer-page/1"
_LEAF, _NODE = b"\x00", b"\x01"


def _leaf(link_hash: str) -> bytes:
    return hashlib.sha256(_LEAF + bytes.fromhex(link_hash)).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(_NODE + left + right).digest()


def _levels(link_hashes: Sequence[str]) -> list[list[bytes]]:
    """The tree's levels from the leaves up. Pairing from the left and carrying an odd last
    node up unchanged builds the same tree as RFC 9162's split at the largest power of two."""
    if not link_hashes:
        raise ValueError("a page has at least one transfer")
    levels = [[_leaf(h) for h in link_hashes]]
    while len(levels[-1]) > 1:
        below = levels[-1]
        above = [_node(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
        if len(below) % 2:
            above.append(below[-1])
        levels.append(above)
    return levels


def tree_head(link_hashes: Sequence[str]) -> str:
    """The Merkle tree head over the transfers' hashes, in page order (hex)."""
    return _levels(link_hashes)[-1][0].hex()


def inclusion_paths(link_hashes: Sequence[str]) -> list[list[str]]:
    """For each transfer, the hashes that lead from it to the tree head (RFC 9162 section
    2.1.3), all at once."""
    levels = _levels(link_hashes)
    paths: list[list[str]] = []
    for index in range(len(link_hashes)):
        path, at = [], index
        for level in levels[:-1]:
            sibling = at ^ 1
            if sibling < len(level):
                path.append(level[sibling].hex())
            at //= 2
        paths.append(path)
    return paths


def head_from_path(link_hash: str, index: int, size: int, path: Sequence[str]) -> str | None:
    """The tree head that `path` leads to from transfer `index` of `size`, or None if the path
    cannot belong to such a tree (RFC 9162 section 2.1.3.2)."""
    if not 0 <= index < size:
        return None
    try:
        hashes = [bytes.fromhex(p) for p in path]
    except (TypeError, ValueError):
        return None
    fn, sn, result = index, size - 1, _leaf(link_hash)
    for sibling in hashes:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            result = _node(sibling, result)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            result = _node(result, sibling)
        fn >>= 1
        sn >>= 1
    return result.hex() if sn == 0 else None


def page_statement(origin_key_id: str, chain: str, through: int, head: str, size: int,
                   root: str) -> dict[str, Any]:
    """What the origin signs for a page: its `size` transfers end at `through`, whose hash is
    `head`, and `root` is their tree head."""
    return {"type": PAGE_TYPE, "origin": origin_key_id, "chain": chain, "through": through,
            "head": head, "size": size, "root": root}


@dataclass(frozen=True)
class CopyProof:
    """What makes one copy prove itself: its transfer's body (which names each version's
    SHA-256), the signed page statement, and the transfer's place and path in the page."""

    transfer: bytes
    page: Mapping[str, Any]
    signature: str
    index: int
    path: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"transfer": self.transfer.decode(), "page": dict(self.page),
                "signature": self.signature, "index": self.index, "path": list(self.path)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CopyProof:
        """ValueError if `data` is not a proof's JSON."""
        try:
            return cls(str(data["transfer"]).encode(), dict(data["page"]),
                       str(data["signature"]), int(data["index"]),
                       tuple(str(p) for p in data["path"]))
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not a copy proof: {error}") from None


def transfer_problem(proof: CopyProof, public_key: str) -> str | None:
    """Why `proof`'s transfer is not one the origin sent, or None: the page statement is the
    origin key's, and the transfer is in its tree."""
    page = proof.page
    if page.get("type") != PAGE_TYPE or not isinstance(page.get("size"), int):
        return "the proof's page statement is not a transfer page"
    if not verify(public_key, page, proof.signature):
        return "the page statement is not signed by the origin's key"
    link_hash = hashlib.sha256(proof.transfer).hexdigest()
    if head_from_path(link_hash, proof.index, page["size"], proof.path) != page.get("root"):
        return "the transfer is not in the signed page"
    return None


def proven_entry(proof: CopyProof) -> dict[str, Any] | None:
    """The transfer entry a proof carries (what was sent: object, generation, versions and their
    SHA-256, markings), or None if its body is not one."""
    try:
        entry = decode_body(proof.transfer)["entry"]
    except (KeyError, TypeError, ValueError):
        return None
    return entry if isinstance(entry, dict) and isinstance(entry.get("versions"), list) else None


def proof_problem(proof: CopyProof, public_key: str, versions: Mapping[str, bytes]
                  ) -> str | None:
    """Why `versions` (version -> raw bytes) are not the origin's, as `proof` says; None if they
    are: the transfer is the origin's (`transfer_problem`) and names exactly these versions with
    these bytes' SHA-256."""
    problem = transfer_problem(proof, public_key)
    if problem is not None:
        return problem
    entry = proven_entry(proof)
    try:
        named = None if entry is None else {str(v): str(s) for v, s in entry["versions"]}
    except (TypeError, ValueError):
        named = None
    if named is None:
        return "the transfer's body is not a transfer entry"
    given = {v: hashlib.sha256(raw).hexdigest() for v, raw in versions.items()}
    if named != given:
        return "the copy's versions are not those the transfer names"
    return None


def arrival_problem(entry: Mapping[str, Any], public_key: str | None) -> str | None:
    """Why an arrival record's entry (`transfers.arrival_entry`) does not prove itself, or None:
    its proof's page is signed by the origin key it names (`public_key`, None if that key is not
    on the roster), its transfer is in that page, and the transfer is what the arrival records."""
    if public_key is None:
        return "its origin key is not on the roster"
    try:
        proof = CopyProof.from_json(entry.get("proof") or {})
    except ValueError as error:
        return str(error)
    problem = transfer_problem(proof, public_key)
    if problem is not None:
        return problem
    sent = proven_entry(proof)
    if sent is None or any(sent.get(name) != entry.get(name)
                           for name in ("collection", "object", "generation", "versions")):
        return "it records another object or generation than its transfer"
    return None
