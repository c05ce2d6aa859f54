"""A page's one signature and each copy's proof (domain/federation/pages.py): the tree is
RFC 9162's, every transfer's path leads to the signed head, and any change to a proof, a copy's
bytes or the statement is caught."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from kelisim.domain.federation.pages import (
    CopyProof,
    head_from_path,
    inclusion_paths,
    page_statement,
    proof_problem,
    tree_head,
)
from kelisim.domain.federation.signing import NodeKey
from kelisim.domain.ledger import GENESIS_HASH, make_link


def hashes(n: int) -> list[str]:
    return [hashlib.sha256(str(i).encode()).hexdigest() for i in range(n)]


def rfc9162_head(leaves: list[bytes]) -> bytes:
    """MTH as RFC 9162 section 2.1.1 defines it, recursively: the reference."""
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + rfc9162_head(leaves[:k]) + rfc9162_head(leaves[k:])).digest()


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 8, 9, 31, 64, 100, 1000])
def test_the_tree_head_is_rfc9162s_and_every_path_leads_to_it(size: int) -> None:
    page = hashes(size)
    head = tree_head(page)
    assert head == rfc9162_head([bytes.fromhex(h) for h in page]).hex()
    paths = inclusion_paths(page)
    assert max(len(p) for p in paths) == (size - 1).bit_length()
    for index, (link_hash, path) in enumerate(zip(page, paths, strict=True)):
        assert head_from_path(link_hash, index, size, path) == head
        if size > 1:  # the same path from another place, or in another tree, leads elsewhere
            assert head_from_path(link_hash, (index + 1) % size, size, path) != head
            assert head_from_path(page[(index + 1) % size], index, size, path) != head


@pytest.mark.parametrize(("index", "size", "path"), [
    (3, 3, []), (-1, 3, []), (0, 4, ["zz"]), (0, 1, ["00" * 32]),
])
def test_a_path_that_cannot_belong_to_the_tree_leads_nowhere(index: int, size: int,
                                                             path: list[str]) -> None:
    assert head_from_path(hashes(1)[0], index, size, path) is None


def test_an_empty_page_has_no_tree() -> None:
    with pytest.raises(ValueError):
        tree_head([])


KAZ, MALLORY = NodeKey.generate(), NodeKey.generate()
RAW = {"v1": b'{"id": "indicator--1", "name": "one"}', "v2": b'{"id": "indicator--1"}'}


def a_proof(index: int = 2, size: int = 5) -> CopyProof:
    """A copy's proof from a page of `size` transfers signed by KAZ's key."""
    at = datetime(2026, 12, 3, tzinfo=UTC)
    links, prev = [], GENESIS_HASH
    for seq in range(1, size + 1):
        versions = [[v, hashlib.sha256(raw).hexdigest()] for v, raw in RAW.items()]
        link = make_link(seq, at, {"peer": "RUS", "object": f"indicator--{seq}",
                                   "versions": versions}, prev)
        links.append(link)
        prev = link.hash
    page_hashes = [link.hash for link in links]
    statement = page_statement(KAZ.key_id, "transfers:RUS", size, prev, size,
                               tree_head(page_hashes))
    return CopyProof(links[index].body, statement, KAZ.sign(statement), index,
                     tuple(inclusion_paths(page_hashes)[index]))


def test_a_copy_proves_itself_with_its_proof_alone() -> None:
    proof = a_proof()
    assert proof_problem(proof, KAZ.public_key, RAW) is None
    again = CopyProof.from_json(proof.to_json())
    assert again == proof and proof_problem(again, KAZ.public_key, RAW) is None


@pytest.mark.parametrize(("change", "reason"), [
    (lambda p: replace(p, signature=MALLORY.sign(p.page)), "not signed by the origin"),
    (lambda p: replace(p, page={**p.page, "root": "0" * 64}), "not signed by the origin"),
    (lambda p: replace(p, index=3), "not in the signed page"),
    (lambda p: replace(p, path=p.path[:-1]), "not in the signed page"),
    (lambda p: replace(p, transfer=p.transfer.replace(b"indicator--3", b"indicator--4")),
     "not in the signed page"),
    (lambda p: replace(p, page={**p.page, "type": "kelisim/snapshot/1"}),
     "not a transfer page"),
])
def test_a_changed_proof_is_caught(change, reason: str) -> None:  # type: ignore[no-untyped-def]
    assert reason in str(proof_problem(change(a_proof()), KAZ.public_key, RAW))


def test_other_bytes_or_versions_than_the_transfer_names_are_caught() -> None:
    proof = a_proof()
    assert "not those the transfer names" in str(
        proof_problem(proof, KAZ.public_key, {**RAW, "v2": b"{}"}))
    assert "not those the transfer names" in str(
        proof_problem(proof, KAZ.public_key, {"v1": RAW["v1"]}))
    assert "not signed by the origin" in str(proof_problem(proof, MALLORY.public_key, RAW))


def test_a_malformed_proof_is_refused() -> None:
    with pytest.raises(ValueError, match="not a copy proof"):
        CopyProof.from_json({"transfer": "x"})
