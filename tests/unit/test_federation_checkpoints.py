"""Signed checkpoints of the depositary's ledger, witnesses and split views (issue 14, item 2):
a tampered checkpoint is refused, a witness's cosignature verifies, `extends` accepts exactly
the links that continue a checkpoint, and two checkpoints of one honest chain never give a
split view while a forked history always does, with evidence every node can re-verify."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kelisim.domain.errors import FederationError, UntrustedSignature
from kelisim.domain.federation.checkpoints import (
    Checkpoint,
    Cosignature,
    SignedCheckpoint,
    SplitView,
    checkpoint_from_json,
    checkpoint_of,
    checkpoint_statement,
    checkpoint_to_json,
    cosign,
    cosignature_from_json,
    cosignature_to_json,
    evidence_from_json,
    evidence_to_json,
    extends,
    sign_checkpoint,
    split_view,
    verify_checkpoint,
    verify_cosignature,
    verify_split_view,
    witnesses,
)
from kelisim.domain.federation.roster import NodeDescriptor, admit, empty_roster
from kelisim.domain.federation.signing import NodeKey
from kelisim.domain.ledger import GENESIS_HASH, Head, Link, make_link

DEPOSITARY = NodeKey.from_private_bytes(b"\x01" * 32)
WITNESS = NodeKey.from_private_bytes(b"\x02" * 32)
MALLORY = NodeKey.from_private_bytes(b"\x03" * 32)
T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def chain(n: int, *, start: int = 0, prev: str = GENESIS_HASH, tag: str = "a") -> list[Link]:
    links = []
    for seq in range(start + 1, start + n + 1):
        link = make_link(seq, T0 + timedelta(hours=seq),
                         {"kind": "notification", "party": "KAZ", "n": seq, "tag": tag}, prev)
        links.append(link)
        prev = link.hash
    return links


LEDGER = chain(8)


def head(links: list[Link], size: int) -> str:
    return GENESIS_HASH if size == 0 else links[size - 1].hash


def checkpoint(size: int, links: list[Link] = LEDGER, hours: int = 0) -> Checkpoint:
    return Checkpoint(size, head(links, size), T0 + timedelta(days=1, hours=hours))


def signed(size: int, links: list[Link] = LEDGER, key: NodeKey = DEPOSITARY) -> SignedCheckpoint:
    return sign_checkpoint(checkpoint(size, links), key)


def test_a_checkpoint_statement_names_its_origin_size_and_head() -> None:
    assert checkpoint_statement(checkpoint(3), DEPOSITARY.public_key) == {
        "type": "kelisim/checkpoint/1", "origin": DEPOSITARY.key_id, "size": 3,
        "head": LEDGER[2].hash, "issued_at": "2026-01-02T09:00:00+00:00"}


def test_a_signed_checkpoint_verifies_and_round_trips_through_json() -> None:
    cp = signed(5)
    data = json.loads(json.dumps(checkpoint_to_json(cp)))
    assert data == checkpoint_to_json(cp, DEPOSITARY.public_key)
    again = checkpoint_from_json(data, DEPOSITARY.public_key)
    assert again == cp
    assert verify_checkpoint(again, DEPOSITARY.public_key) == checkpoint(5)


def test_the_checkpoint_of_an_empty_ledger_has_the_genesis_head() -> None:
    assert verify_checkpoint(signed(0), DEPOSITARY.public_key).head == GENESIS_HASH
    with pytest.raises(FederationError, match="genesis"):
        sign_checkpoint(Checkpoint(0, LEDGER[0].hash, T0), DEPOSITARY)


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param({"size": 6}, id="size"),
        pytest.param({"head": LEDGER[3].hash}, id="head"),
        pytest.param({"issued_at": "2026-01-03T09:00:00+00:00"}, id="issued-at"),
    ],
)
def test_a_tampered_checkpoint_is_refused(tamper: dict[str, Any]) -> None:
    data = checkpoint_to_json(signed(5))
    data["checkpoint"].update(tamper)
    with pytest.raises(UntrustedSignature, match="not signed by the depositary"):
        verify_checkpoint(checkpoint_from_json(data), DEPOSITARY.public_key)


def test_a_checkpoint_signed_by_another_key_is_refused() -> None:
    forged = SignedCheckpoint(checkpoint(5), MALLORY.sign(
        checkpoint_statement(checkpoint(5), DEPOSITARY.public_key)))
    with pytest.raises(UntrustedSignature):
        verify_checkpoint(forged, DEPOSITARY.public_key)


def test_a_checkpoint_of_another_log_is_refused() -> None:
    other = signed(5, key=MALLORY)
    with pytest.raises(UntrustedSignature, match="of the log"):
        verify_checkpoint(other, DEPOSITARY.public_key)
    with pytest.raises(UntrustedSignature, match="of the log"):
        checkpoint_from_json(checkpoint_to_json(other), DEPOSITARY.public_key)
    # without its origin, its signature still does not verify for the depositary
    with pytest.raises(UntrustedSignature):
        verify_checkpoint(replace(other, origin=None), DEPOSITARY.public_key)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        pytest.param({"size": -1}, "size", id="negative-size"),
        pytest.param({"size": "5"}, "size", id="size-a-string"),
        pytest.param({"size": True}, "size", id="size-a-boolean"),
        pytest.param({"head": "ABC"}, "head", id="head-not-sha256"),
        pytest.param({"head": LEDGER[4].hash.upper()}, "head", id="head-uppercase"),
        pytest.param({"issued_at": "yesterday"}, "issued_at", id="bad-instant"),
        pytest.param({"type": "kelisim/roster/1"}, "type", id="another-type"),
        pytest.param({"extra": 1}, "unknown fields", id="unknown-field"),
        pytest.param({"origin": None}, "origin", id="no-origin"),
    ],
)
def test_a_malformed_checkpoint_is_refused(change: dict[str, Any], says: str) -> None:
    data = checkpoint_to_json(signed(5))
    data["checkpoint"].update(change)
    with pytest.raises(FederationError, match=says):
        checkpoint_from_json(data)


@pytest.mark.parametrize("data", [None, [], {"checkpoint": []}, {"checkpoint": {}},
                                  {"signature": "x"}], ids=repr)
def test_a_checkpoint_that_is_not_an_object_is_refused(data: Any) -> None:
    with pytest.raises(FederationError):
        checkpoint_from_json(data)


def test_a_witness_cosignature_verifies_and_round_trips() -> None:
    co = cosign(WITNESS, checkpoint(5), DEPOSITARY.public_key)
    assert verify_cosignature(co, DEPOSITARY.public_key)
    assert co.witness_key_id == WITNESS.key_id
    data = json.loads(json.dumps(cosignature_to_json(co)))
    assert data["cosignature"]["type"] == "kelisim/cosignature/1"
    assert data["cosignature"]["checkpoint"] == checkpoint_statement(checkpoint(5),
                                                                     DEPOSITARY.public_key)
    again = cosignature_from_json(data, DEPOSITARY.public_key)
    assert again == co and verify_cosignature(again, DEPOSITARY.public_key)


def test_a_cosignature_is_of_one_checkpoint_of_one_log_by_one_witness() -> None:
    co = cosign(WITNESS, checkpoint(5), DEPOSITARY.public_key)
    assert not verify_cosignature(replace(co, checkpoint=checkpoint(6)), DEPOSITARY.public_key)
    assert not verify_cosignature(replace(co, witness_key=MALLORY.public_key),
                                  DEPOSITARY.public_key)
    assert not verify_cosignature(co, MALLORY.public_key)
    assert not verify_cosignature(replace(co, origin=None), MALLORY.public_key)
    assert not verify_cosignature(replace(co, witness_key="garbage"), DEPOSITARY.public_key)


def test_a_depositary_checkpoint_signature_is_not_a_cosignature_and_back() -> None:
    cp = signed(5)
    as_cosignature = Cosignature(DEPOSITARY.public_key, cp.checkpoint, cp.signature)
    assert not verify_cosignature(as_cosignature, DEPOSITARY.public_key)
    co = cosign(DEPOSITARY, checkpoint(5), DEPOSITARY.public_key)
    with pytest.raises(UntrustedSignature):
        verify_checkpoint(SignedCheckpoint(checkpoint(5), co.signature), DEPOSITARY.public_key)


def test_a_cosignature_naming_another_witness_is_refused() -> None:
    data = cosignature_to_json(cosign(WITNESS, checkpoint(5), DEPOSITARY.public_key))
    data["cosignature"]["witness"] = MALLORY.key_id
    with pytest.raises(FederationError, match="another witness"):
        cosignature_from_json(data)


FORK = chain(5, start=3, prev=LEDGER[2].hash, tag="b")  # entries 4..8 of another history


@pytest.mark.parametrize(
    ("older", "links", "newer", "expected"),
    [
        pytest.param(checkpoint(0), LEDGER, checkpoint(8), True, id="from-genesis"),
        pytest.param(checkpoint(3), LEDGER[3:], checkpoint(8), True, id="from-a-checkpoint"),
        pytest.param(checkpoint(5), [], checkpoint(5), True, id="same-checkpoint"),
        pytest.param(checkpoint(3), LEDGER[3:7], checkpoint(7), True, id="to-a-middle-one"),
        pytest.param(checkpoint(3), LEDGER[4:], checkpoint(8), False, id="a-link-missing"),
        pytest.param(checkpoint(3), LEDGER[2:], checkpoint(8), False, id="a-link-too-many"),
        pytest.param(checkpoint(3), [LEDGER[3], LEDGER[5], LEDGER[4], *LEDGER[6:]],
                     checkpoint(8), False, id="reordered"),
        pytest.param(checkpoint(3), LEDGER[3:], checkpoint(8, [*LEDGER[:3], *FORK]),
                     False, id="to-another-head"),
        pytest.param(checkpoint(3), FORK, checkpoint(8, [*LEDGER[:3], *FORK]), True,
                     id="a-fork-extends-its-own-base"),
        pytest.param(checkpoint(4), FORK[1:], checkpoint(8, [*LEDGER[:3], *FORK]), False,
                     id="a-fork-does-not-extend-the-other-history"),
        pytest.param(checkpoint(8), [], checkpoint(5), False, id="shrinking"),
        pytest.param(Checkpoint(0, LEDGER[0].hash, T0), LEDGER, checkpoint(8), False,
                     id="empty-with-a-non-genesis-head"),
        pytest.param(checkpoint(3), [replace(LEDGER[3], body=LEDGER[3].body.replace(
            b'"n":4', b'"n":5')), *LEDGER[4:]], checkpoint(8), False, id="an-edited-body"),
        pytest.param(checkpoint(3), [replace(LEDGER[3], seq=5), *LEDGER[4:]], checkpoint(8),
                     False, id="a-renumbered-link"),
    ],
)
def test_extends(older: Checkpoint, links: list[Link], newer: Checkpoint,
                 expected: bool) -> None:
    assert extends(older, links, newer) is expected


def local(links: list[Link]) -> Any:
    return lambda n: GENESIS_HASH if n == 0 else links[n - 1].hash if n <= len(links) else None


def test_one_size_with_two_heads_is_a_split_view() -> None:
    a, b = signed(6), signed(6, [*LEDGER[:3], *FORK])
    found = split_view(a, b, DEPOSITARY.public_key)
    assert found is not None and found.first == a and found.second == b
    assert "size 6" in found.reason
    assert split_view(a, a, DEPOSITARY.public_key) is None


def test_a_smaller_checkpoint_off_this_nodes_chain_is_a_split_view() -> None:
    mine, theirs = signed(8), signed(5, [*LEDGER[:3], *FORK])
    found = split_view(theirs, mine, DEPOSITARY.public_key, local(LEDGER))
    assert found is not None and found.first == theirs and found.second == mine
    assert "entry 5" in found.reason
    assert split_view(signed(5), mine, DEPOSITARY.public_key, local(LEDGER)) is None


def test_without_this_nodes_chain_different_sizes_prove_nothing() -> None:
    assert split_view(signed(8), signed(5, [*LEDGER[:3], *FORK]), DEPOSITARY.public_key) is None
    # nor when the larger checkpoint is not the one on this node's chain
    fork_chain = [*LEDGER[:3], *FORK]
    assert split_view(signed(8, fork_chain), signed(5), DEPOSITARY.public_key,
                      local(LEDGER[:6])) is None


def test_a_segment_proves_a_split_view_anyone_can_re_verify() -> None:
    theirs, mine = signed(5, [*LEDGER[:3], *FORK]), signed(8)
    found = split_view(theirs, mine, DEPOSITARY.public_key, segment=LEDGER[5:])
    assert found is not None and found.links == tuple(LEDGER[5:])
    data = json.loads(json.dumps(evidence_to_json(found)))
    again = evidence_from_json(data, DEPOSITARY.public_key)
    assert again == found
    assert verify_split_view(again, DEPOSITARY.public_key)
    assert split_view(signed(5), mine, DEPOSITARY.public_key, segment=LEDGER[5:]) is None


def test_split_view_evidence_that_was_altered_no_longer_verifies() -> None:
    found = split_view(signed(6), signed(6, [*LEDGER[:3], *FORK]), DEPOSITARY.public_key)
    assert found is not None
    data = evidence_to_json(found)
    assert verify_split_view(evidence_from_json(data), DEPOSITARY.public_key)
    same_heads = copy.deepcopy(data)
    same_heads["second"] = same_heads["first"]
    assert not verify_split_view(evidence_from_json(same_heads), DEPOSITARY.public_key)
    forged_head = copy.deepcopy(data)
    forged_head["second"]["checkpoint"]["head"] = "f" * 64
    assert not verify_split_view(evidence_from_json(forged_head), DEPOSITARY.public_key)
    by_segment = split_view(signed(5, [*LEDGER[:3], *FORK]), signed(8), DEPOSITARY.public_key,
                            segment=LEDGER[5:])
    assert by_segment is not None
    cut = replace(by_segment, links=by_segment.links[1:])
    assert not verify_split_view(cut, DEPOSITARY.public_key)
    bent = replace(by_segment, links=(replace(by_segment.links[0], body=b"{}"),
                                      *by_segment.links[1:]))
    assert not verify_split_view(bent, DEPOSITARY.public_key)


def test_a_split_view_needs_two_depositary_checkpoints() -> None:
    with pytest.raises(UntrustedSignature):
        split_view(signed(6), signed(6, [*LEDGER[:3], *FORK], key=MALLORY),
                   DEPOSITARY.public_key)
    tampered = replace(signed(6), checkpoint=checkpoint(6, [*LEDGER[:3], *FORK]))
    with pytest.raises(UntrustedSignature):
        split_view(signed(6), tampered, DEPOSITARY.public_key)


def test_a_segment_that_does_not_reach_the_larger_head_is_refused() -> None:
    with pytest.raises(FederationError, match="do not chain"):
        split_view(signed(5), signed(8), DEPOSITARY.public_key, segment=FORK[2:])
    with pytest.raises(FederationError, match=r"not entries 6\.\.8"):
        split_view(signed(5), signed(8), DEPOSITARY.public_key, segment=LEDGER[6:])


@pytest.mark.parametrize("data", [None, {"type": "kelisim/split-view/1"},
                                  {"type": "kelisim/split-view/1", "links": [5]}],
                         ids=["not-an-object", "no-links", "a-link-not-an-object"])
def test_malformed_evidence_is_refused(data: Any) -> None:
    with pytest.raises(FederationError):
        evidence_from_json(data)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 8), st.integers(0, 8), st.booleans())
def test_two_honest_checkpoints_of_one_chain_never_give_a_split_view(i: int, j: int,
                                                                    with_segment: bool) -> None:
    a = sign_checkpoint(checkpoint(i, hours=i), DEPOSITARY)
    b = sign_checkpoint(checkpoint(j, hours=j), DEPOSITARY)
    small, large = sorted((i, j))
    segment = LEDGER[small:large] if with_segment and small != large else None
    assert split_view(a, b, DEPOSITARY.public_key, local(LEDGER), segment=segment) is None
    assert split_view(b, a, DEPOSITARY.public_key, local(LEDGER), segment=segment) is None
    assert extends(checkpoint(small), LEDGER[small:large], checkpoint(large))


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 7), st.integers(1, 8), st.integers(1, 8))
def test_checkpoints_of_a_forked_history_always_give_a_split_view(fork_at: int, i: int,
                                                                 j: int) -> None:
    """History B shares entries 1..fork_at with A and differs after: any checkpoint of B past
    the fork and any of A past it, of the same size or shown against A's chain, is a split
    view; their evidence re-verifies."""
    other = [*LEDGER[:fork_at], *chain(8 - fork_at, start=fork_at,
                                       prev=head(LEDGER, fork_at), tag="b")]
    assume(i > fork_at and j > fork_at)
    theirs, mine = signed(i, other), signed(max(i, j))
    found = split_view(theirs, mine, DEPOSITARY.public_key, local(LEDGER))
    assert isinstance(found, SplitView)
    if i != max(i, j):
        found = split_view(theirs, mine, DEPOSITARY.public_key,
                           segment=LEDGER[i:max(i, j)])
        assert found is not None and verify_split_view(found, DEPOSITARY.public_key)
    else:
        assert verify_split_view(evidence_from_json(evidence_to_json(found)),
                                 DEPOSITARY.public_key)
    assert not extends(checkpoint(i, other), LEDGER[i:max(i, j)], checkpoint(max(i, j)))


def test_the_witnesses_of_a_checkpoint_are_the_current_nodes_that_cosigned_it() -> None:
    kaz_old, kaz_new, rus = (NodeKey.from_private_bytes(bytes([n]) * 32) for n in (7, 8, 9))
    roster = empty_roster(DEPOSITARY.public_key, "https://dep.example", date(2026, 1, 1), T0)
    roster = admit(roster, NodeDescriptor("KAZ", "https://kaz.example", kaz_old.public_key,
                                          date(2026, 1, 1)), date(2026, 1, 1))
    roster = admit(roster, NodeDescriptor("KAZ", "https://kaz.example", kaz_new.public_key,
                                          date(2026, 2, 1)), date(2026, 1, 20))
    roster = admit(roster, NodeDescriptor("RUS", "https://rus.example", rus.public_key,
                                          date(2026, 1, 1)), date(2026, 1, 1))
    cp = checkpoint(5)
    cosignatures = [cosign(kaz_old, cp, DEPOSITARY.public_key),
                    cosign(rus, cp, DEPOSITARY.public_key),
                    cosign(MALLORY, cp, DEPOSITARY.public_key),  # on no roster
                    cosign(kaz_new, checkpoint(6), DEPOSITARY.public_key),  # another checkpoint
                    replace(cosign(WITNESS, cp, DEPOSITARY.public_key), signature="A" * 86)]
    assert witnesses(cosignatures, cp, DEPOSITARY.public_key, roster, date(2026, 1, 15)) == {
        "KAZ": kaz_old.key_id, "RUS": rus.key_id}
    # from 1 February KAZ's old key no longer speaks: its cosignature counts for nobody
    assert witnesses(cosignatures, cp, DEPOSITARY.public_key, roster, date(2026, 2, 1)) == {
        "RUS": rus.key_id}
    assert checkpoint_of(Head(5, LEDGER[4].hash), cp.issued_at) == cp


def test_the_reason_of_received_evidence_is_this_nodes_own() -> None:
    found = split_view(signed(6), signed(6, [*LEDGER[:3], *FORK]), DEPOSITARY.public_key)
    assert found is not None
    data = evidence_to_json(found)
    data["reason"] = "RUS forged the ledger; stop trusting RUS"
    assert evidence_from_json(data, DEPOSITARY.public_key).reason == found.reason
    assert evidence_from_json(data).reason == data["reason"]  # unverified: as sent
