"""Split views across the anchor's transitions (issue 14, item 2; decision 0014, "Split views
across anchors"): two checkpoints, each validly signed by an anchor that spoke when it was
issued (per the transition chain), must be one history whichever anchor signed them; a
checkpoint an old anchor dates after its transition is evidence by itself."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from kelisim.domain.errors import FederationError, UntrustedSignature
from kelisim.domain.federation.anchor_evidence import (
    STALE_ANCHOR_TYPE,
    stale_anchor,
    stale_anchor_from_json,
    stale_anchor_to_json,
    verify_stale_anchor,
)
from kelisim.domain.federation.checkpoints import (
    Checkpoint,
    SignedCheckpoint,
    evidence_from_json,
    evidence_to_json,
    sign_checkpoint,
    split_view,
    verify_split_view,
)
from kelisim.domain.federation.roster import AnchorSpan, anchor_spans
from kelisim.domain.federation.signing import NodeKey
from kelisim.domain.ledger import Link
from tests.unit.test_federation_checkpoints import chain
from tests.unit.test_federation_rotation import (
    ANCHOR_A,
    ANCHOR_B,
    ANCHOR_C,
    CHAIN,
    MALLORY,
    T_AB,
    T_BC,
)

SPANS = anchor_spans(r.roster for r in CHAIN.values())
H = timedelta(hours=1)
HONEST = chain(6)
FORKED = chain(6, tag="b")  # another history from the first entry on
# Entries 4..6 continuing, from entry 3 of another history, to a new head.
SEGMENT_OFF_FORK = chain(3, start=3, prev=FORKED[2].hash)


def signed(key: NodeKey, links: list[Link], size: int, at: datetime) -> SignedCheckpoint:
    head = links[size - 1].hash
    return sign_checkpoint(Checkpoint(size, head, at), key)


def honest(key: NodeKey, size: int, at: datetime) -> SignedCheckpoint:
    return signed(key, HONEST, size, at)


Case = tuple[SignedCheckpoint, SignedCheckpoint, list[Link] | None]

CASES: dict[str, tuple[Callable[[], Case], bool | type[Exception]]] = {
    "one-anchor-one-history": (lambda: (honest(ANCHOR_A, 3, T_AB - H),
                                        honest(ANCHOR_A, 3, T_AB - H), None), False),
    "old-and-new-same-size-same-head": (lambda: (honest(ANCHOR_A, 3, T_AB - H),
                                                 honest(ANCHOR_B, 3, T_AB + H), None), False),
    "old-and-new-same-size-two-heads": (lambda: (honest(ANCHOR_A, 3, T_AB - H),
                                                 signed(ANCHOR_B, FORKED, 3, T_AB + H), None),
                                        True),
    "new-extends-old": (lambda: (honest(ANCHOR_A, 3, T_AB - H), honest(ANCHOR_B, 6, T_AB + H),
                                 HONEST[3:6]), False),
    "new-larger-off-the-old-head": (lambda: (
        honest(ANCHOR_A, 3, T_AB - H),
        sign_checkpoint(Checkpoint(6, SEGMENT_OFF_FORK[2].hash, T_AB + H), ANCHOR_B),
        SEGMENT_OFF_FORK), True),
    "two-transitions-apart-same-size-two-heads": (lambda: (
        honest(ANCHOR_A, 2, T_AB - H), signed(ANCHOR_C, FORKED, 2, T_BC + H), None), True),
    "two-transitions-apart-one-history": (lambda: (
        honest(ANCHOR_A, 2, T_AB - H), honest(ANCHOR_C, 5, T_BC + H), HONEST[2:5]), False),
    "old-anchor-dated-after-its-transition": (lambda: (
        honest(ANCHOR_A, 3, T_AB - H), signed(ANCHOR_A, FORKED, 3, T_AB + H), None),
        UntrustedSignature),
    "never-an-anchor": (lambda: (honest(ANCHOR_A, 3, T_AB - H),
                                 signed(MALLORY, FORKED, 3, T_AB + H), None), UntrustedSignature),
}


@pytest.mark.parametrize("name", list(CASES))
def test_two_checkpoints_across_the_anchors_transitions(name: str) -> None:
    make, outcome = CASES[name]
    a, b, segment = make()
    if isinstance(outcome, type):
        with pytest.raises(outcome):
            split_view(a, b, SPANS, segment=segment)
        return
    found = split_view(a, b, SPANS, segment=segment)
    assert (found is not None) is outcome
    if found is not None:
        assert {found.first, found.second} == {a, b}
        if a.origin != b.origin:
            assert "its successor" in found.reason
        again = evidence_from_json(evidence_to_json(found), SPANS)
        assert again == found and verify_split_view(again, SPANS)


def test_evidence_of_two_anchors_does_not_verify_for_a_node_that_knows_only_one() -> None:
    found = split_view(honest(ANCHOR_A, 3, T_AB - H), signed(ANCHOR_B, FORKED, 3, T_AB + H),
                       SPANS)
    assert found is not None
    only_b = {ANCHOR_B.key_id: AnchorSpan(ANCHOR_B.public_key, None)}
    assert not verify_split_view(found, only_b)
    assert not verify_split_view(found, ANCHOR_B.public_key)  # one anchor's word each, as before


# --- an old anchor signing after its transition ---------------------------------------------

@pytest.mark.parametrize(
    ("signer", "transition", "issued_at", "outcome"),
    [
        pytest.param(ANCHOR_A, "ab", T_AB + H, True, id="old-anchor-after-its-transition"),
        pytest.param(ANCHOR_A, "ab", T_AB, False, id="old-anchor-at-the-transitions-instant"),
        pytest.param(ANCHOR_A, "ab", T_AB - H, False, id="old-anchor-before"),
        pytest.param(ANCHOR_B, "bc", T_BC + H, True, id="middle-anchor-after-the-next"),
        pytest.param(ANCHOR_B, "ab", T_AB + H, FederationError,
                     id="the-new-anchor-of-the-transition-named"),
        pytest.param(MALLORY, "ab", T_AB + H, FederationError, id="a-stranger"),
        pytest.param(ANCHOR_A, "r5", T_AB + H, FederationError, id="no-transition"),
    ],
)
def test_an_old_anchor_signing_after_its_transition_is_evidence(
        signer: NodeKey, transition: str, issued_at: datetime,
        outcome: bool | type[Exception]) -> None:
    cp = honest(signer, 3, issued_at)
    if isinstance(outcome, type):
        with pytest.raises(outcome):
            stale_anchor(cp, CHAIN[transition], SPANS)
        return
    found = stale_anchor(cp, CHAIN[transition], SPANS)
    assert (found is not None) is outcome
    if found is not None:
        document = stale_anchor_to_json(found)
        assert document["type"] == STALE_ANCHOR_TYPE
        assert stale_anchor_from_json(document, SPANS) == found
        assert verify_stale_anchor(found, SPANS)


def _forged_checkpoint(document: dict[str, Any]) -> None:
    document["checkpoint"]["signature"] = MALLORY.sign(document["checkpoint"]["checkpoint"])


def _forged_transition(document: dict[str, Any]) -> None:
    document["transition"]["previous_signature"] = MALLORY.sign(
        document["transition"]["roster"])


def _unsigned_reason(document: dict[str, Any]) -> None:
    document["reason"] = "said by the sender"


@pytest.mark.parametrize("change", [_forged_checkpoint, _forged_transition])
def test_stale_anchor_evidence_is_re_verified_by_whoever_receives_it(change: Any) -> None:
    found = stale_anchor(honest(ANCHOR_A, 3, T_AB + H), CHAIN["ab"], SPANS)
    assert found is not None
    document = stale_anchor_to_json(found)
    change(document)
    assert not verify_stale_anchor(stale_anchor_from_json(document, SPANS), SPANS)


def test_stale_anchor_evidence_gets_the_receivers_own_reason() -> None:
    found = stale_anchor(honest(ANCHOR_A, 3, T_AB + H), CHAIN["ab"], SPANS)
    assert found is not None
    document = stale_anchor_to_json(found)
    _unsigned_reason(document)
    assert stale_anchor_from_json(document, SPANS).reason == found.reason
    only_c = {ANCHOR_C.key_id: AnchorSpan(ANCHOR_C.public_key, None)}
    assert not verify_stale_anchor(found, only_c)  # A was never its anchor: it cannot tell
